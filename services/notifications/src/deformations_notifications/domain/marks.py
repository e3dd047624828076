"""After a speed-dating evening, each participant is asked whom they would see again.

The booklet's speed dating ends with a free time to come back to those with whom one
finds « des atomes crochus ». On the platform a participant marks them on the evening's
page once it is over, and a mark shows only when it is mutual: without being asked, nobody
would think to come back. So each participant gets one mail when the evening ends
(outside their quiet hours); a moved evening's newer invitation brings its own, a
cancelled evening none (``incoming`` supersedes both like the reminders).
"""

from __future__ import annotations

from datetime import datetime

from .preferences import RecipientPreferences
from .scheduling import end_of_quiet_hours

MARKS_DUE = "speed_dating.marks_due"


def marks_due_time(ends: datetime, now: datetime, preferences: RecipientPreferences) -> datetime:
    """When the mail asking for marks goes: at the end of the evening, not in the night."""
    if ends.tzinfo is None or now.tzinfo is None:
        raise ValueError("times must carry a time zone")
    due = max(ends, now)
    if preferences.quiet_hours is not None:
        due = end_of_quiet_hours(due, preferences.quiet_hours)
    return due
