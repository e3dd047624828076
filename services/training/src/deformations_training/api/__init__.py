"""Thin JSON routers: parse, call one use case over a unit of work, render."""
