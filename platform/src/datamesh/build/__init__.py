"""Build: run each selected domain's dbt build into a staging file, in dependency order."""
