"""SQL migrations of the matching schema."""
