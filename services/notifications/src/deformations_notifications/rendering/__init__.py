"""Rendering: French templates, e-mails with one-click unsubscribe, calendar invitations."""
