"""Lending's demo scenario (``make run``); never shipped with the service."""
