"""Test and demo support of the portal: a real OIDC provider, a mail catcher, axe-core."""
