"""The diagnosis package of the deformations platform."""
