-- Counting what a person sent lately (the relay's limits per sender).
CREATE INDEX relay_messages_sender ON relay_messages (sender, sent_at);
CREATE INDEX relay_threads_initiator_created ON relay_threads (initiator, created_at);
