"""The pure rules of training (no I/O, no framework).

- ``bodies``: training bodies (organismes) and their agrément for élus' training;
- ``offers``: offers, their dated sessions and the price tiers of an offre groupée;
- ``enrolments``: places, the ordered waitlist and its promotions, attendance;
- ``journey``: the « à la carte » cycle: debrief, rebond, the élu's chain of modules;
- ``evaluations``: satisfaction and impact questionnaires, results from 3 answers;
- ``budget``: a collectivité's yearly training budget and its legal floor;
- ``search``: which offers fit an élu (theme, format, dates, place, time);
- ``policy``: who may do what.
"""
