"""SQL migrations the runtime applies to every service schema before the service's own."""
