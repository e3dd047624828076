"""Server-rendered pages of the diagnosis: pure rendering from plain data, no routes."""
