"""Publish: atomically swap an audited staging file in and record its interface in the registry."""
