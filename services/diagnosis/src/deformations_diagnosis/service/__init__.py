"""Use cases of the diagnosis: one function per command or query, over a unit of work.

The HTTP API, the pages and the consumer call these; each reads and writes through the
unit of work's repositories, takes the time from its clock, calls the pure domain and
records events in the same transaction as the state they report. None commits.
"""
