"""Background jobs of the diagnosis: none. Everything it does answers a request or an event.

Kept so that every service has the same shape; a job would run a use case over
``runtime.begin(DiagnosisUnitOfWork)`` like a request does.
"""

from deformations_common.service import BackgroundTask

JOBS: tuple[BackgroundTask, ...] = ()
