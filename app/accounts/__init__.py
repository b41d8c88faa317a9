"""Accounts: staff, roles, shops, signing in."""
