"""mesh init: a new domain that builds at once."""
