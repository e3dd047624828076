import pytest

from deformations_notifications.domain.addresses import require_proven
from deformations_notifications.domain.errors import AddressNotProven


@pytest.mark.parametrize(
    ("address", "vouched"),
    [("marie@example.org", "marie@example.org"), ("Marie@Example.org ", "marie@example.ORG")],
)
def test_the_address_the_token_vouches_for_as_verified_is_accepted(
    address: str, vouched: str
) -> None:
    require_proven(address, vouched, verified=True)


@pytest.mark.parametrize(
    ("vouched", "verified"),
    [
        ("marie@example.org", False),  # the provider did not verify it
        (None, True),  # a token that names no address
        ("autre@example.org", True),  # another address than the one registered
        ("marie@example.org.evil", True),
    ],
)
def test_any_other_address_is_refused_in_french(vouched: str | None, verified: bool) -> None:
    with pytest.raises(AddressNotProven) as refused:
        require_proven("marie@example.org", vouched, verified)
    assert refused.value.status == 403
    assert "n'a pas été vérifiée" in refused.value.message
