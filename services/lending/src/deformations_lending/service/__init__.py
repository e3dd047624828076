"""Use cases: one function per command or query, over a :class:`LendingUnitOfWork`.

They take the time from ``uow.now()``, raise the domain's errors, and never commit: the
request, message or job that opened the unit of work does.
"""
