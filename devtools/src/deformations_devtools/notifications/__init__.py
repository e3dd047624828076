"""Development support of the notifications service: demo, local catchers, samples."""
