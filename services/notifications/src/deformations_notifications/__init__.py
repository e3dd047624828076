"""The notifications package of the deformations platform."""
