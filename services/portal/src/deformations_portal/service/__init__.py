"""Use cases of the portal: one function per command or query, over a unit of work."""
