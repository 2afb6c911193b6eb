"""``mesh check``: governance rules and a breaking-change gate against a baseline."""
