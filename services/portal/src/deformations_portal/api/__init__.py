"""The portal's machine endpoints."""
