"""The matching package of the deformations platform."""
