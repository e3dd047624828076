"""Use cases of matching: one function per command or query, over a ``MatchingUow``.

They never commit: the request, message or job that opened the unit of work does.
"""
