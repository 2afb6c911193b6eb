"""Publish: an immutable public-only publication per build, switched in by the registry entry."""
