import uuid
from datetime import UTC, datetime, timedelta

import pytest

from deformations_portal.domain import addresses
from deformations_portal.domain.addresses import StoredCheck
from deformations_portal.domain.errors import (
    AddressCheckExpired,
    AddressCheckInvalid,
    AddressCheckUsed,
)

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
HER = uuid.uuid4()


def stored(**changes: object) -> StoredCheck:
    values: dict[str, object] = {
        "person_id": HER,
        "email": "elue.perso@example.org",
        "preferences": {"consent": True},
        "expires_at": NOW + addresses.CHECK_LIFETIME,
        "used_at": None,
    }
    values.update(changes)
    return StoredCheck(**values)  # type: ignore[arg-type]


def test_an_address_she_signs_in_with_is_proven() -> None:
    assert addresses.proven("elue@crest.fr", ["Elue@Crest.fr "])
    assert not addresses.proven("elue.perso@example.org", ["elue@crest.fr"])
    assert not addresses.proven("elue@crest.fr", [])


def test_a_check_is_completed_by_its_person_once_within_a_day() -> None:
    assert addresses.check_usable(stored(), HER, NOW + timedelta(hours=23)) == stored()
    with pytest.raises(AddressCheckInvalid):
        addresses.check_usable(None, HER, NOW)
    with pytest.raises(AddressCheckInvalid, match="votre compte"):
        addresses.check_usable(stored(), uuid.uuid4(), NOW)
    with pytest.raises(AddressCheckUsed):
        addresses.check_usable(stored(used_at=NOW), HER, NOW)
    with pytest.raises(AddressCheckExpired, match="24 heures"):
        addresses.check_usable(stored(), HER, NOW + timedelta(hours=24))
