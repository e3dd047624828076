"""Text PostgreSQL cannot store (the NUL character) is refused as bad input: a 422 in
French, and the transaction it met changes nothing. The API fuzzing found it as a 500."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel
from runtime_harness import pg_connect

from deformations_common.service import RuntimeDep, ServiceDefinition, create_app
from deformations_common.settings import ServiceSettings
from deformations_devtools.testing import Infra, isolated_settings, running

pytestmark = pytest.mark.integration


class Note(BaseModel):
    text: str


notes = APIRouter()


@notes.post("/notes", status_code=201)
async def post_note(note: Note, runtime: RuntimeDep) -> dict[str, str]:
    async with runtime.transaction() as conn:
        await conn.execute("CREATE TABLE IF NOT EXISTS noter.notes (text text NOT NULL)")
        await conn.execute("INSERT INTO noter.notes VALUES ('written before the bad one')")
        await conn.execute("INSERT INTO noter.notes VALUES ($1)", note.text)
    return {"text": note.text}


@pytest.fixture
async def client(
    infra: Infra, database_url: str, namespace: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = isolated_settings(ServiceSettings, infra, database_url, namespace, "noter")
    app = create_app(ServiceDefinition(settings=settings, title="noter", routers=[notes]))
    async with running(app) as client:
        yield client


async def test_a_nul_character_is_refused_in_french_and_changes_nothing(
    client: httpx.AsyncClient, database_url: str
) -> None:
    refused = await client.post("/notes", json={"text": "avant\u0000après"})
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "unstorable_text" and problem["status"] == 422
    assert "caractère nul" in problem["detail"]
    conn = await pg_connect(database_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('noter.notes')") is None
    finally:
        await conn.close()
    assert (await client.post("/notes", json={"text": "après"})).status_code == 201
