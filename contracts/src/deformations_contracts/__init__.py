"""Event contracts of the deformations platform (data only: pydantic models and schemas)."""
