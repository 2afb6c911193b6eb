"""The cross-project dependency manifest: parse each domain, extract interfaces and edges."""
