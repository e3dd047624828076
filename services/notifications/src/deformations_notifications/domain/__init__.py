"""Pure domain: no I/O, no framework imports, no clock reads (``now`` is passed in)."""
