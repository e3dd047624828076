"""All SQL of the portal."""
