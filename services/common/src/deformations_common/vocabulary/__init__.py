"""The platform's shared vocabulary, pure: no framework, no I/O, safe for any ``domain/``.

- :mod:`.errors`: the base of every domain error (a code, an HTTP status, a French message);
- :mod:`.roles`: the roles a membership gives;
- :mod:`.clock`: the injectable clock;
- :mod:`.french`: the time zone and French wording of dates and durations;
- :mod:`.collectivites`: French names of collectivités, with « de » / « d' » elision;
- :mod:`.calendar`: the one iCalendar UID of a session (invitations and agenda files).
"""
