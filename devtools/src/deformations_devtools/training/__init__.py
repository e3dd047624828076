"""Demo and test support of the training service (never shipped)."""
