"""HTTP API of the lending service (OpenAPI at /docs and /openapi.json)."""
