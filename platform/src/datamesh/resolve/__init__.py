"""Resolve cross-domain refs for dbt: injected public nodes and read-only attached files."""
