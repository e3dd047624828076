"""The lending package of the deformations platform."""
