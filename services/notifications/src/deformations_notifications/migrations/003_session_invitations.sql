-- Finding the invitations of a session still waiting to go, when a newer one arrives.
CREATE INDEX notifications_pending_session ON notifications ((payload->>'session_id'))
    WHERE status = 'pending' AND event_type LIKE 'session.%';
