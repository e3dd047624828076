"""Use cases: one function per command or query, over a :class:`TrainingUow`.

They never commit: the scope that opened the unit of work (a request, a consumer, a
job) does, or rolls everything back.
"""
