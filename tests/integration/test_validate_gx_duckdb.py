"""The GX/DuckDB compatibility fix, against real Great Expectations and DuckDB.

``test_fix_makes_metrics_come_back`` fails if the fix stops working;
``test_unpatched_gx_still_needs_the_fix`` fails once GX itself handles DuckDB (drop the fix then).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration

PROBE = """
import json, sys
import great_expectations as gx, great_expectations.expectations as gxe
if sys.argv[2] == "patched":
    from datamesh.audit import gx_duckdb
    gx_duckdb.apply()
context = gx.get_context(mode="ephemeral")
source = context.data_sources.add_sql("d", connection_string="duckdb:///" + sys.argv[1])
asset = source.add_table_asset("t", table_name="t")
batch = asset.add_batch_definition_whole_table("w").get_batch()
result = batch.validate(gxe.ExpectColumnValuesToNotBeNull(column="v"), result_format="BASIC")
print(json.dumps({"success": result.success, "result": result.result}))
"""


@pytest.fixture()
def small_db(tmp_path: Path) -> Path:
    path = tmp_path / "small.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("create table t as select i, case when i % 4 = 0 then null else i end v "
                     "from range(100) r(i)")  # fmt: skip
    return path


def probe(database: Path, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(database), mode],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_fix_makes_metrics_come_back(small_db: Path) -> None:
    outcome = probe(small_db, "patched")
    assert outcome["result"]["element_count"] == 100
    assert outcome["result"]["unexpected_count"] == 25
    assert outcome["success"] is False


def test_unpatched_gx_still_needs_the_fix(small_db: Path) -> None:
    outcome = probe(small_db, "unpatched")
    assert outcome["result"] == {} and outcome["success"] is False


def test_validation_releases_the_file(small_db: Path, tmp_path: Path) -> None:
    from datamesh.audit.data_docs import make_context
    from datamesh.audit.suites import plan_suite
    from datamesh.audit.validate import validate_database

    model = {"unique_id": "model.x.t", "name": "t", "version": None, "schema": "main",
             "identifier": "t", "columns": [], "constraints": [], "data_tests": []}  # fmt: skip
    plan = plan_suite("x", model, [], datetime(2026, 1, 1))
    [result] = validate_database(small_db, [plan], target="staging", context=make_context(None))
    assert result.success and result.outcomes[0].observed_value == 100
    with duckdb.connect(str(small_db)) as conn:  # read-write: GX's read-only handle is closed
        conn.execute("insert into t values (100, 100)")


def test_gx_connection_runs_under_the_audit_memory_limit(small_db: Path, monkeypatch) -> None:
    """Without the limit DuckDB may take 80% of RAM: 1.3 GB for one count(distinct) at 10M."""
    import sqlalchemy as sa

    from datamesh.audit import gx_duckdb
    from datamesh.audit.data_docs import make_context
    from datamesh.audit.validate import MEMORY_LIMIT_ENV, duckdb_datasource

    gx_duckdb.apply()
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")
    with duckdb_datasource(make_context(None), "probe", small_db) as datasource:
        engine = datasource.get_execution_engine()
        rows = engine.execute_query(sa.text("select current_setting('memory_limit')")).fetchall()
    assert rows[0][0] in {"300.0 MB", "286.1 MiB"}


def test_bad_audit_memory_limit_names_the_variable(monkeypatch) -> None:
    from datamesh.audit.validate import MEMORY_LIMIT_ENV, duckdb_config
    from datamesh.errors import MeshError

    monkeypatch.setenv(MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(MeshError, match=r"\$MESH_AUDIT_MEMORY_LIMIT='lots' is not a DuckDB"):
        duckdb_config()


def test_uniqueness_is_a_group_by_under_a_tight_memory_limit(tmp_path: Path, monkeypatch) -> None:
    """DuckDB spills a GROUP BY; a count(distinct) it cannot spill, and under a limit it runs
    out of memory on some runs and not others, so the check must never use one."""
    import sqlalchemy as sa

    from datamesh.audit.data_docs import make_context
    from datamesh.audit.suites import plan_suite
    from datamesh.audit.validate import MEMORY_LIMIT_ENV, validate_database

    path = tmp_path / "keys.duckdb"
    with duckdb.connect(str(path)) as conn:  # 2M distinct keys, 7 twice, one null
        conn.execute("create table t as select i as k from range(2000000) r(i) "
                     "union all select 7 union all select null")  # fmt: skip
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "32MB")
    model = {"unique_id": "model.x.t", "name": "t", "version": None, "schema": "main",
             "identifier": "t", "columns": [{"name": "k", "data_type": "bigint"}],
             "constraints": [], "data_tests": [{"type": "unique", "column": "k"}]}  # fmt: skip
    plan = plan_suite("x", model, [], datetime(2026, 1, 1))
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        statements.append(" ".join(statement.lower().split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        [result] = validate_database(path, [plan], target="published", context=make_context(None))
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    [unique] = [o for o in result.outcomes if o.key == "unique:k"]
    assert unique.error is None
    assert not unique.success and unique.unexpected_count == 2 and unique.unexpected_sample == [7]
    assert unique.unexpected_percent == pytest.approx(100 * 2 / 2000001)
    assert any("group by k having count(*) > " in q for q in statements), statements
    assert not any("count(distinct" in q for q in statements)


def test_checks_gx_would_merge_each_keep_their_own_outcome(tmp_path: Path) -> None:
    """A contract's not-null and a file's null_share of 0 are one expectation to GX."""
    from datamesh.audit.data_docs import make_context
    from datamesh.audit.expectation_files import load_expectation_file
    from datamesh.audit.suites import plan_suite
    from datamesh.audit.validate import validate_database

    path = tmp_path / "t.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute(
            "create table t as select i as k, i % 3 as v from range(10) r(i) union all select 3, 1"
        )  # fmt: skip  (k=3 twice)
    suite_file = tmp_path / "t.yml"
    suite_file.write_text(
        "expectations:\n"
        "  - {type: null_share, column: k, max_share: 0, severity: warning}\n"
        "  - {type: expect_column_values_to_be_unique, kwargs: {column: k, mostly: 0.5},\n"
        "     severity: warning}\n"
    )
    model = {"unique_id": "model.x.t", "name": "t", "version": None, "schema": "main",
             "identifier": "t", "columns": [{"name": "k", "data_type": "bigint",
                                             "constraints": ["not_null", "unique"]},
                                            {"name": "v", "data_type": "bigint"}],
             "constraints": [], "data_tests": []}  # fmt: skip
    plan = plan_suite("x", model, load_expectation_file(suite_file), datetime(2026, 1, 1))
    [result] = validate_database(path, [plan], target="published", context=make_context(None))
    outcomes = {o.key: o for o in result.outcomes}
    assert outcomes["not_null:k"].success and outcomes["not_null:k"].severity == "critical"
    share = outcomes["file:t.yml[0]"]
    assert share.success and share.severity == "warning"
    # the contract's strict uniqueness fails; the file's mostly: 0.5 keeps its tolerance
    assert not outcomes["unique:k"].success and outcomes["unique:k"].unexpected_count == 2
    mostly = outcomes["file:t.yml[1]"]
    assert mostly.success and mostly.kwargs["mostly"] == 0.5 and mostly.error is None
