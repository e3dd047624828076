"""SQL of the matching schema, one module per concern (all SQL of the service lives here)."""
