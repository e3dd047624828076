"""The one iCalendar UID of a session, wherever the platform writes it.

Notifications mails invitations (``METHOD:REQUEST``/``CANCEL``) and the portal publishes
« Mon agenda » as a ``.ics`` file; a calendar that holds both must see one event, so both
derive the UID here from the session id of ``session.scheduled.v1`` and the platform's mail
domain (``MAIL_DOMAIN``), and both write the session's ``sequence`` as SEQUENCE.
"""

from __future__ import annotations

import uuid

# Fixed for good: a session's UID must not change between releases, or every calendar
# holding it would show it twice.
_UID_NAMESPACE = uuid.UUID("6f1b2a3e-6a53-4f43-9a64-2d1f0f6d5c11")


def session_uid(session_id: str | uuid.UUID, domain: str) -> str:
    return f"{uuid.uuid5(_UID_NAMESPACE, str(session_id))}@{domain}"
