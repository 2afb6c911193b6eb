"""Write: run a domain's dbt build into its staging storage (the W of write-audit-publish)."""
