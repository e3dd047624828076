"""What a hiding or a block must say: a reason its reader can read, within the short text
the owning services keep."""

import pytest

from deformations_portal.domain.errors import ReasonRequired
from deformations_portal.domain.moderation import (
    BLOCK_REASON_MAX,
    HIDE_REASON_MAX,
    block_reason,
    hide_reason,
)


def test_a_reason_is_required_and_cleaned() -> None:
    assert hide_reason("  Propos   injurieux \n") == "Propos injurieux"
    assert block_reason("Insultes\trépétées") == "Insultes répétées"
    for empty in (None, "", "   ", "ok"):
        with pytest.raises(ReasonRequired):
            hide_reason(empty)
        with pytest.raises(ReasonRequired):
            block_reason(empty)


def test_a_reason_is_short() -> None:
    assert hide_reason("x" * HIDE_REASON_MAX) == "x" * HIDE_REASON_MAX
    with pytest.raises(ReasonRequired, match="raccourcissez"):
        hide_reason("x" * (HIDE_REASON_MAX + 1))
    with pytest.raises(ReasonRequired, match="raccourcissez"):
        block_reason("x" * (BLOCK_REASON_MAX + 1))
