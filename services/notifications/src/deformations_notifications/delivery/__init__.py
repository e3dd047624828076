"""Adapters that put notifications on the wire: SMTP and signed webhooks."""
