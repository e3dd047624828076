"""Pure domain of the matching service: no I/O, no framework imports, no clock reads.

- ``places``: the "hypers voisins" ladder (commune → EPCI → département → région).
- ``model``: needs (``SkillRequest``), offers (``SkillOffer``), availability, standing.
- ``text``: similarity of French descriptions (folded 5-letter stems, IDF, cosine).
- ``scoring``: need ↔ offer score with French reasons; the brute-force reference.
- ``index``: ``OfferIndex``, exact top k for one new request in about a millisecond.
- ``assignment``: global re-match as a min-cost flow with capacities and priorities.
- ``grouping``: near-duplicate needs of nearby communes → one "offre groupée".
- ``peer_groups`` / ``invitations``: groupes d'entraide from an appel à pairs.
- ``cafe``: monthly café élus/techniciens pairs with rotation memory.
- ``speed_dating``: timed 1-to-1 rounds between neighbours, seeded and audited.
- ``slots``: common slots of a group, or who blocks.
"""
