"""National-scale benchmark of the matching algorithms on the real geography.

    uv run python services/matching/bench/bench_matching.py [--small] [--seed N]

Generates (seeded) ~510k élus with diagnoses on the 34,969 real communes, 50k
open requests and 50k offers, then measures: one new request → its explained
proposals (incremental), the global re-match (candidates + min-cost flow), 10k
peer-group candidates grouped, a brute-force scorer on a sample for the
speed-up, plus grouped needs and a speed-dating plan. The last line printed is
one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime

import numpy as np

from deformations_common.geography import load_geography
from deformations_contracts.types import TimeSlot
from deformations_devtools.matching.synthetic import (
    MODALITIES,
    THEMES,
    Elus,
    make_elus,
    make_places,
    make_world,
)
from deformations_matching.domain.assignment import assign_globally
from deformations_matching.domain.grouping import group_similar_needs
from deformations_matching.domain.index import OfferIndex
from deformations_matching.domain.model import Availability
from deformations_matching.domain.peer_groups import PeerCandidate, form_peer_groups
from deformations_matching.domain.scoring import brute_force_top_k
from deformations_matching.domain.speed_dating import Participant, audit, plan_speed_dating
from deformations_matching.domain.text import TextModel

FAMILIES = ("pionnier", "bâtisseur", "curieux", "prudent", "débordé", "sceptique", "relais")
SLOTS = tuple(TimeSlot)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peer_candidates(
    elus: Elus, places_insee: list[str], count: int, seed: int
) -> list[PeerCandidate]:
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(elus), size=count, replace=False)
    result = []
    for i in chosen.tolist():
        bits = int(elus.slots[i])
        slots = frozenset(str(SLOTS[b]) for b in range(len(SLOTS)) if bits >> b & 1)
        result.append(
            PeerCandidate(
                person_id=f"elu{i:07d}",
                commune_insee=places_insee[int(elus.commune[i])],
                theme=THEMES[int(elus.theme[i])],
                family=FAMILIES[int(elus.family[i])],
                axes=tuple(float(x) for x in elus.axes[i]),
                availability=Availability(slots, MODALITIES[int(elus.modality[i])]),
                in_network=bool(elus.in_network[i]),
            )
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick run on 5k offers/requests")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    n_offers = n_requests = 5_000 if args.small else 50_000
    n_peer = 2_000 if args.small else 10_000
    n_incremental = 300 if args.small else 2_000
    n_brute = 10 if args.small else 30
    seed = args.seed
    figures: dict[str, object] = {"small": args.small, "seed": seed}

    started = time.perf_counter()
    geography = load_geography()
    places = make_places(geography)
    elus = make_elus(places, seed)
    world = make_world(geography, offers=n_offers, requests=n_requests, seed=seed, places=places)
    fresh = make_world(geography, offers=0, requests=n_incremental, seed=seed + 1, places=places)
    figures["communes"] = len(places)
    figures["elus"] = len(elus)
    figures["offers"] = len(world.offers)
    figures["requests"] = len(world.requests)
    say(f"data generated in {time.perf_counter() - started:.1f} s: {len(elus)} élus")

    started = time.perf_counter()
    text_model = TextModel([o.description for o in world.offers])
    index = OfferIndex(text_model)
    for offer in world.offers:
        index.add(offer)
    figures["index_build_s"] = round(time.perf_counter() - started, 2)
    say(f"index of {len(index)} offers built in {figures['index_build_s']} s")

    # Incremental: each new request gets its 5 explained proposals. The read model is
    # long-lived: freezing it keeps the cyclic GC from rescanning it during requests.
    gc.collect()
    gc.freeze()
    latencies = []
    for request in fresh.requests:
        tick = time.perf_counter()
        proposals = index.propose(request, 5)
        latencies.append(time.perf_counter() - tick)
        assert all(p.reasons for p in proposals)
    figures["incremental_p50_ms"] = round(float(np.percentile(latencies, 50)) * 1000, 3)
    figures["incremental_p99_ms"] = round(float(np.percentile(latencies, 99)) * 1000, 3)
    say(
        f"incremental p50 {figures['incremental_p50_ms']} ms, "
        f"p99 {figures['incremental_p99_ms']} ms"
    )

    # Brute force over all pairs on a sample, same scoring, same run.
    offers = index.offers()
    brute_times, index_times, identical = [], [], 0
    for request in fresh.requests[:n_brute]:
        vector = text_model.vectorize(request.description)
        tick = time.perf_counter()
        expected = brute_force_top_k(
            request,
            offers,
            10,
            request_vector=vector,
            offer_vector=index.vector,
            standing=index.standing,
            booked=index.booked,
        )
        brute_times.append(time.perf_counter() - tick)
        tick = time.perf_counter()
        got = index.top_k(request, 10, request_vector=vector)
        index_times.append(time.perf_counter() - tick)
        identical += len(got) == len(expected) and all(
            abs(g.score - e[0]) < 1e-9 for g, e in zip(got, expected, strict=True)
        )
    figures["brute_force_ms_per_request"] = round(statistics.mean(brute_times) * 1000, 2)
    figures["speedup_vs_brute_force"] = round(
        statistics.mean(brute_times) / statistics.mean(index_times), 1
    )
    figures["index_equals_brute_force"] = f"{identical}/{n_brute}"
    say(
        f"brute force {figures['brute_force_ms_per_request']} ms/request, "
        f"speed-up ×{figures['speedup_vs_brute_force']}, identical top 10: {identical}/{n_brute}"
    )

    # Global re-match: fresh candidates for every open request, then the min-cost flow.
    rng = random.Random(seed)
    left_over = {r.request_id for r in world.requests if rng.random() < 0.1}
    gc.collect()
    tick = time.perf_counter()
    candidates = index.top_k_many(world.requests, 8)
    candidates_s = time.perf_counter() - tick
    assignment = assign_globally(
        {r.request_id: r.half_days for r in world.requests},
        candidates,
        {o.offer_id: o.capacity_half_days for o in world.offers},
        {o.offer_id: o.lender_siren for o in world.offers},
        unmatched_last_round=left_over,
    )
    figures["global_rematch_s"] = round(time.perf_counter() - tick, 2)
    figures["global_candidates_s"] = round(candidates_s, 2)
    used: dict[str, int] = {}
    for allocation in assignment.allocations:
        used[allocation.offer_id] = used.get(allocation.offer_id, 0) + allocation.half_days
    capacity = {o.offer_id: o.capacity_half_days for o in world.offers}
    assert all(used[o] <= capacity[o] for o in used), "capacity exceeded"
    demand = sum(r.half_days for r in world.requests)
    figures["global_served_share"] = round(1 - sum(assignment.unserved.values()) / demand, 3)
    figures["global_prioritised_served"] = sum(1 for r in left_over if r not in assignment.unserved)
    figures["global_prioritised"] = len(left_over)
    say(
        f"global re-match {figures['global_rematch_s']} s (candidates {candidates_s:.1f} s), "
        f"{figures['global_served_share']:.1%} of half-days served"
    )
    del candidates, assignment

    # Peer groups from an appel à pairs answered by 10k élus.
    places_insee = [p.insee for p in places]
    candidates_peer = peer_candidates(elus, places_insee, n_peer, seed)
    tick = time.perf_counter()
    grouping = form_peer_groups(candidates_peer, seed=seed)
    figures["peer_groups_10k_s"] = round(time.perf_counter() - tick, 2)
    figures["peer_groups"] = len(grouping.groups)
    figures["peer_unplaced"] = len(grouping.unplaced)
    assert all(4 <= len(g.members) <= 5 for g in grouping.groups)
    say(
        f"{n_peer} peer candidates → {len(grouping.groups)} groups, "
        f"{len(grouping.unplaced)} unplaced, in {figures['peer_groups_10k_s']} s"
    )

    # Offres groupées from near-duplicate needs.
    tick = time.perf_counter()
    grouped = group_similar_needs(world.requests, lambda r: text_model.vectorize(r.description))
    figures["grouped_needs_s"] = round(time.perf_counter() - tick, 2)
    figures["grouped_needs"] = len(grouped)
    say(f"{len(grouped)} offres groupées in {figures['grouped_needs_s']} s")

    # Speed-dating for the élus of the EPCI with most communes.
    epci = max(geography.epcis, key=lambda siren: len(geography.members(siren)))
    members = set(geography.members(epci))
    people = [
        Participant(f"elu{i:07d}", places_insee[c])
        for i, c in enumerate(elus.commune.tolist())
        if places_insee[c] in members
    ]
    people = random.Random(seed).sample(people, min(200, len(people)))
    tick = time.perf_counter()
    plan = plan_speed_dating(people, 12, seed=seed, start=datetime(2027, 1, 15, 18, 0, tzinfo=UTC))
    figures["speed_dating_s"] = round(time.perf_counter() - tick, 3)
    assert not audit(plan, people)
    say(
        f"speed-dating for {len(people)} élus of {geography.epci(epci).name}: "
        f"{len(plan.rounds)} rounds in {figures['speed_dating_s']} s"
    )

    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
