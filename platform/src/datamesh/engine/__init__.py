"""The engines a mesh builds on: DuckDB files (embedded, the default) and Apache Spark."""
