"""All SQL of the lending service, one module per aggregate or read model."""
