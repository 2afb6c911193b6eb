"""The one compatibility fix that makes Great Expectations' SQL path work on DuckDB.

Why: GX's ``SqlAlchemyExecutionEngine.execute_query`` runs a query inside
``with self.get_connection()`` and returns the cursor result *after* that block. For every
dialect outside ``_PERSISTED_CONNECTION_DIALECTS`` the block closes the connection, and a closed
duckdb-engine connection has no rows left to fetch, so every metric comes back empty (GX issues
#10738 and #11579; upstream PR #12084 adds duckdb to that tuple). Adding ``duckdb`` there makes
GX keep one connection per engine (a ``StaticPool``) as it does for SQLite, which is what the PR
does. GX reads ``.value`` from each entry, so the entry is a ``str`` that also has ``.value``.

The fix is applied only to the exact versions it was tested with; on any other version
``apply()`` refuses with an error that says what to re-check, so an upgrade cannot silently
bring empty results back. ``tests/integration/test_validate_gx_duckdb.py`` fails if it stops
working.
"""

from __future__ import annotations

from importlib import metadata

from datamesh.errors import MeshError

DIALECT = "duckdb"
TESTED_WITH: dict[str, str] = {
    "great-expectations": "1.24.1",
    "duckdb-engine": "0.17.0",
    "sqlalchemy": "2.0.58",
}


class _DialectName(str):
    """A dialect name GX can both compare (``in``) and read ``.value`` from, like its enum."""

    @property
    def value(self) -> str:
        return str(self)


def installed_versions() -> dict[str, str]:
    """The installed versions of the packages the fix depends on."""
    found: dict[str, str] = {}
    for package in TESTED_WITH:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def version_mismatches() -> list[str]:
    """Packages whose installed version differs from the one the fix was tested with."""
    found = installed_versions()
    return [
        f"{package} {found[package]} (tested with {wanted})"
        for package, wanted in TESTED_WITH.items()
        if found[package] != wanted
    ]


def is_applied() -> bool:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    return any(str(d) == DIALECT for d in engine._PERSISTED_CONNECTION_DIALECTS)


def apply() -> None:
    """Make GX keep its DuckDB connection open between a query and its fetch (idempotent)."""
    mismatches = version_mismatches()
    if mismatches:
        raise MeshError(
            f"{__name__}: the Great Expectations/DuckDB fix was tested only with "
            f"{', '.join(f'{p} {v}' for p, v in TESTED_WITH.items())}; installed: "
            f"{', '.join(mismatches)}. Re-run tests/integration/test_validate_gx_duckdb.py against "
            "the new versions, then update TESTED_WITH (or drop the fix if GX now lists duckdb "
            "in _PERSISTED_CONNECTION_DIALECTS)."
        )
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    if not is_applied():
        engine._PERSISTED_CONNECTION_DIALECTS = (
            *engine._PERSISTED_CONNECTION_DIALECTS,
            _DialectName(DIALECT),
        )
