"""The common package of the deformations platform."""
