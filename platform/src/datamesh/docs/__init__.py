"""mesh docs: a domain's dbt docs with its upstreams documented from the registry."""
