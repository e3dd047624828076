-- A reply token lapses when its conversation has been quiet too long: the latest
-- message of a thread is looked up on every reply (and erasure's cascade uses it too).
CREATE INDEX relay_messages_thread ON relay_messages (thread_id, sent_at);
