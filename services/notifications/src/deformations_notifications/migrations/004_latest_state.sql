-- Finding the notifications of an item, older or newer, when a new state of it arrives.
CREATE INDEX notifications_item ON notifications (template, item_key, occurred_at);
