"""Stand-ins for dbt's cross-database macros, for sqlfluff's jinja templater only.

sqlfluff lints the domains with its fast jinja templater, which knows ``ref`` and ``source``
(``apply_dbt_builtins``) but not dbt's ``dbt.*`` macro namespace. These functions render the
same kind of SQL so the linter sees valid statements; dbt never imports this package.
"""
