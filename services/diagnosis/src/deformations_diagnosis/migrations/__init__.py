"""SQL migrations of the diagnosis schema."""
