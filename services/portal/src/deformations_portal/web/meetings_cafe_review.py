"""The three-month review of a café cycle: each member of a pair answers alone, then
chooses to share; the café's page shows what was shared (counts from three answers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from deformations_common.vocabulary.errors import DomainError
from deformations_portal.web.cafe_review_forms import review_body
from deformations_portal.web.context import PageDep, not_found
from deformations_portal.web.meetings import failed, matching_client
from deformations_portal.web.meetings_gatherings import cafe_page_of, valid_cycle_id

router = APIRouter(include_in_schema=False)


@router.post("/cafes/{cycle_id}/bilan")
async def answer_review(page: PageDep, cycle_id: str) -> Response:
    if page.me is None:
        return page.redirect("/connexion")
    if not valid_cycle_id(cycle_id):
        return not_found(page)
    form = await page.request.form()
    given = {k: str(v) for k, v in form.items()}
    page.check_csrf(given.get("csrf"))
    try:
        client = await matching_client(page)
        mine = await client.get(f"/v1/cafes/{cycle_id}/review/mine")
        body, errors = review_body(given, mine["questions"])
        if errors:
            return await cafe_page_of(page, cycle_id, given=given, review_errors=errors, status=422)
        await client.put(f"/v1/cafes/{cycle_id}/review/mine", body)
    except DomainError as exc:
        if exc.status == 404:
            return not_found(page)
        return failed(page, "Bilan du cycle", exc, f"/cafes/{cycle_id}", "Revenir au café")
    return page.redirect(f"/cafes/{cycle_id}?notice=bilan#bilan")
