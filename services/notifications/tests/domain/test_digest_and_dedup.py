from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deformations_notifications.domain.dedup import DedupKey, first_per_key
from deformations_notifications.domain.digest import DigestEntry, group_digest
from deformations_notifications.domain.preferences import Channel

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def entry(item: str, minutes: int, event: str = "loan.agreed") -> DigestEntry:
    return DigestEntry(
        item_key=item,
        item_title=f"Prêt {item}",
        event_type=event,
        occurred_at=T0 + timedelta(minutes=minutes),
    )


def test_groups_per_item_newest_first() -> None:
    groups = group_digest(
        [entry("a", 1), entry("b", 5), entry("a", 10, "loan.completed"), entry("c", 3)]
    )
    assert [g.item_key for g in groups] == ["a", "b", "c"]
    assert [e.occurred_at for e in groups[0].entries] == [
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=1),
    ]


entries = st.lists(
    st.builds(entry, st.sampled_from("abcde"), st.integers(0, 60 * 24 * 7)), max_size=30
)


@settings(max_examples=100)
@given(items=entries)
def test_grouping_keeps_everything_in_order(items: list[DigestEntry]) -> None:
    groups = group_digest(items)
    flat = [e for g in groups for e in g.entries]
    assert sorted(flat, key=id) == sorted(items, key=id)
    assert len({g.item_key for g in groups}) == len(groups)
    latest = [g.latest for g in groups]
    assert latest == sorted(latest, reverse=True)
    for g in groups:
        times = [e.occurred_at for e in g.entries]
        assert times == sorted(times, reverse=True)
        assert all(e.item_key == g.item_key for e in g.entries)


def key(event_id: str = "e1", recipient: str = "p1", channel: Channel = Channel.EMAIL) -> DedupKey:
    return DedupKey("lending", event_id, recipient, channel)


def test_dedup_key_is_stable_and_discriminating() -> None:
    assert key().value == key().value
    assert len(key().value) == 64
    assert key().value != key(event_id="e2").value
    assert key().value != key(recipient="p2").value
    assert DedupKey("matching", "e1", "p1", Channel.EMAIL).value != key().value
    # The separator keeps field boundaries: ("ab", "c") is not ("a", "bc").
    assert (
        DedupKey("ab", "c", "p", Channel.EMAIL).value
        != DedupKey("a", "bc", "p", Channel.EMAIL).value
    )
    assert "p1" not in key().value


class Note:
    def __init__(self, k: DedupKey, n: int) -> None:
        self.dedup_key = k
        self.n = n


@settings(max_examples=100)
@given(
    deliveries=st.lists(
        st.tuples(st.sampled_from(["e1", "e2", "e3"]), st.sampled_from(["p1", "p2"])),
        max_size=40,
    ),
    already=st.sets(st.sampled_from(["e1", "e2", "e3"]), max_size=2),
)
def test_exactly_one_notification_per_key_under_redelivery(
    deliveries: list[tuple[str, str]], already: set[str]
) -> None:
    notes = [Note(key(e, p), i) for i, (e, p) in enumerate(deliveries)]
    seen = [key(e, "p1") for e in already]
    kept = list(first_per_key(notes, seen))
    kept_keys = [n.dedup_key for n in kept]
    assert len(kept_keys) == len(set(kept_keys))
    assert set(kept_keys) == {n.dedup_key for n in notes} - set(seen)
    # The first delivery of each key is the one kept.
    for n in kept:
        assert n.n == min(m.n for m in notes if m.dedup_key == n.dedup_key)
