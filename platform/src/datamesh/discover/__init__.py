"""Discovery: find the dbt projects of a mesh and the graph their declarations form."""
