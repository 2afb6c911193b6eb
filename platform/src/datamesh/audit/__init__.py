"""Audit: checks a staged build must pass before it may replace what consumers read."""
