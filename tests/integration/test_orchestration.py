"""mesh build as a platform team runs it: parallel, selective, incremental, write-audit-publish."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from support.cli import MeshCli

from datamesh.orchestrate.build_mesh import BuildOptions, build_mesh
from datamesh.orchestrate.progress import Progress
from datamesh.orchestrate.run_report import RunReport, read_run_report
from datamesh.registry import read_interface
from datamesh.resolve.start_gate import GATE_WAIT_LOG

pytestmark = pytest.mark.integration


def build(mesh, **options):
    return build_mesh(mesh.root, mesh.warehouse, BuildOptions(**options), Progress(quiet=True))


def statuses(report: RunReport) -> dict[str, str]:
    return report.statuses()


def table_digests(mesh) -> dict[str, tuple]:
    """Row count and an order-independent hash of every published public table."""
    digests = {}
    for domain in mesh.manifest["domains"]:
        path = mesh.warehouse.published_file(domain["name"])
        with duckdb.connect(str(path), read_only=True) as conn:
            for model in domain["models"]:
                relation = f'"{model["schema"]}"."{model["identifier"]}"'
                digests[model["unique_id"]] = conn.execute(
                    f"select count(*), sum(hash(t)) from {relation} t"
                ).fetchone()
    return digests


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wait_for_staging(mesh, seconds: float) -> Path:
    """Block until a build started in another process writes a staging file."""
    staging = mesh.warehouse.staging_dir
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not staging_files(staging):
        time.sleep(0.05)
    assert staging_files(staging), "the build never started writing"
    return staging


def staging_files(staging: Path) -> list[Path]:
    """Staging folders come and go while another process builds: a vanished one is empty."""
    try:
        return list(staging.glob("*/*.duckdb"))
    except FileNotFoundError:
        return []


def test_sequential_build_gives_the_same_data_as_parallel(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    parallel = table_digests(mesh)  # the first build: nothing registered, nothing started ahead
    pipelined = build(mesh, full_refresh=True)
    assert set(statuses(pipelined).values()) == {"published"}
    ahead = {d.domain: d.started_ahead_of for d in pipelined.domains}
    assert ahead["sales"] and ahead["finance"] and ahead["marketing"]
    assert not any(d.restarted for d in pipelined.domains)
    assert table_digests(mesh) == parallel
    report = build(mesh, workers=1, full_refresh=True, pipeline=False)
    assert set(statuses(report).values()) == {"published"}
    assert not any(d.started_ahead_of for d in report.domains)
    assert table_digests(mesh) == parallel
    assert not mesh.warehouse.handoff_dir.exists()


def test_noop_build_skips_every_domain(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    report = build(mesh)
    assert set(statuses(report).values()) == {"unchanged"}
    assert all("unchanged" in d.reason for d in report.domains)
    assert read_run_report(mesh.warehouse.last_run_file) == report  # valid against its schema
    assert read_run_report(mesh.warehouse.run_report_file(report.run_id)) == report


def test_change_rebuilds_the_domain_and_its_downstream_only(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    sql = mesh.root / "sales" / "models" / "marts" / "fct_orders.sql"
    sql.write_text(sql.read_text() + "\n-- a harmless change\n")
    report = build(mesh)
    assert statuses(report) == {
        "catalog": "unchanged",
        "customers": "unchanged",
        "sales": "published",
        "finance": "published",
        "marketing": "published",
    }


def test_selection_builds_exactly_the_selected_domains(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    report = build(mesh, select=["+sales"], exclude=["catalog"], full_refresh=True)
    assert statuses(report) == {"customers": "published", "sales": "published"}


def test_failing_test_keeps_consumers_on_the_old_data(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    before = {n: file_digest(mesh.warehouse.published_file(n)) for n in ("customers", "sales")}
    registry_before = read_interface(mesh.warehouse.registry_dir, "customers")
    tests_dir = mesh.root / "customers" / "tests"
    tests_dir.mkdir(exist_ok=True)
    (tests_dir / "assert_no_customers.sql").write_text(
        "select * from {{ ref('dim_customers', v=2) }}\n"
    )
    report = build(mesh)
    result = statuses(report)
    assert result["customers"] == "failed"
    assert result["catalog"] == "unchanged"  # an independent branch is unaffected
    for name in ("sales", "finance", "marketing"):
        assert result[name] == "blocked"
    reasons = {d.domain: d for d in report.domains}
    assert "assert_no_customers" in " ".join(reasons["customers"].failures)
    assert "customers" in reasons["sales"].reason
    assert report.status == "failed"
    assert {n: file_digest(mesh.warehouse.published_file(n)) for n in before} == before
    assert read_interface(mesh.warehouse.registry_dir, "customers") == registry_before


def test_failed_audit_blocks_consumers_that_started_ahead(built_mesh, tmp_path) -> None:
    """finance and marketing run on sales' staging file while it is audited; sales then fails."""
    mesh = built_mesh.copy_to(tmp_path)
    names = ("sales", "finance", "marketing")
    before = {n: file_digest(mesh.warehouse.published_file(n)) for n in names}
    registry_before = {n: read_interface(mesh.warehouse.registry_dir, n) for n in names}
    suite = mesh.root / "sales" / "expectations" / "fct_orders.yml"
    suite.write_text(suite.read_text() + "  - type: expect_table_row_count_to_be_between\n"
                     "    kwargs: {max_value: 10}\n    severity: critical\n")  # fmt: skip
    report = build(mesh)
    result = {d.domain: d for d in report.domains}
    assert result["sales"].status == "failed" and result["sales"].reason == "audit failed"
    finance = result["finance"]
    assert finance.started_ahead_of == ["sales"]
    # its gate opened on sales' candidate (the plugin logs the wait only when it opens); once
    # sales failed, finance's dbt was stopped or, if it had already ended, thrown away
    assert GATE_WAIT_LOG in Path(finance.log_file).read_text(), "finance never passed its gate"
    assert finance.status == "blocked" and finance.reason == "upstream 'sales' failed"
    assert result["marketing"].status == "blocked"
    assert {n: file_digest(mesh.warehouse.published_file(n)) for n in names} == before
    assert {n: read_interface(mesh.warehouse.registry_dir, n) for n in names} == registry_before


def test_consumer_started_ahead_that_fails_is_failed_not_blocked(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    before = file_digest(mesh.warehouse.published_file("finance"))
    sql = mesh.root / "sales" / "models" / "marts" / "fct_orders.sql"
    sql.write_text(sql.read_text() + "\n-- a harmless change\n")
    broken = mesh.root / "finance" / "models" / "marts" / "fct_payments.sql"
    broken.write_text(broken.read_text().replace("select", "selec", 1))
    report = build(mesh)
    result = {d.domain: d for d in report.domains}
    assert result["sales"].status == "published"
    finance = result["finance"]
    assert finance.started_ahead_of == ["sales"]
    assert finance.status == "failed" and finance.reason == "dbt build failed"
    assert "fct_payments" in " ".join(finance.failures)
    marketing = result["marketing"]
    assert marketing.status == "blocked" and marketing.reason == "upstream 'finance' failed"
    assert file_digest(mesh.warehouse.published_file("finance")) == before


def test_consumer_started_ahead_restarts_when_the_producer_interface_changes(
    built_mesh, tmp_path
) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    yaml_file = mesh.root / "sales" / "models" / "marts" / "fct_orders.yml"
    text = yaml_file.read_text()
    assert "    access: public\n" in text
    # a deprecation date changes the node finance's parse injected (a description would not)
    yaml_file.write_text(
        text.replace(
            "    access: public\n", "    access: public\n    deprecation_date: 2099-01-01\n", 1
        )
    )
    report = build(mesh)
    result = {d.domain: d for d in report.domains}
    assert set(statuses(report).values()) == {"unchanged", "published"}, report
    assert result["finance"].started_ahead_of == ["sales"]
    assert result["finance"].restarted == "upstream 'sales' changed its interface"
    assert result["finance"].status == "published"
    registered = read_interface(mesh.warehouse.registry_dir, "sales")
    [orders] = [m for m in registered["models"] if m["name"] == "fct_orders"]
    assert str(orders["deprecation_date"]).startswith("2099-01-01")
    log = (mesh.warehouse.log_dir("finance") / "build.log").read_text()
    assert "called this build off" not in log  # the log is the second, complete run


def test_killed_build_leaves_the_warehouse_consistent(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    before = table_digests(mesh)
    process = subprocess.Popen(
        MeshCli(mesh.root, mesh.warehouse).argv("build", "--full-refresh", "--workers", "1"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    staging = wait_for_staging(mesh, 120)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL  # killed mid-build, not finished before
    # Everything consumers read is still there, readable, and the same data as before.
    assert table_digests(mesh) == before
    assert all(read_interface(mesh.warehouse.registry_dir, d) for d in statuses(mesh.report))
    report = build(mesh, full_refresh=True)
    assert set(statuses(report).values()) == {"published"}
    assert table_digests(mesh) == before
    assert not staging_files(staging)


def test_concurrent_builds_do_not_corrupt_anything(built_mesh, tmp_path) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    before = table_digests(mesh)
    cli = MeshCli(mesh.root, mesh.warehouse)
    first = subprocess.Popen(
        cli.argv("build", "--full-refresh", "-s", "customers+"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = mesh.warehouse.build_lock_file
    wait_for_staging(mesh, 60)
    assert f"pid {first.pid}" in lock.read_text()
    second = subprocess.run(
        cli.argv("build", "--full-refresh"), capture_output=True, text=True, check=False
    )
    assert second.returncode == 2
    assert "another mesh build holds" in second.stderr and str(lock) in second.stderr
    assert first.poll() is None, "the first build ended before --wait could wait for it"
    waiting = subprocess.run(
        cli.argv("build", "--wait"), capture_output=True, text=True, check=False
    )
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
    assert waiting.returncode == 0, waiting.stderr
    assert table_digests(mesh) == before


def test_rebuild_reuses_dbts_partial_parse(built_mesh, tmp_path) -> None:
    """The publish profile names the staging file: a path that changed every run cost a reparse."""
    mesh = built_mesh.copy_to(tmp_path)
    build(mesh, select=["catalog"], full_refresh=True)
    report = build(mesh, select=["catalog"], full_refresh=True)
    assert statuses(report) == {"catalog": "published"}
    log = (mesh.warehouse.log_dir("catalog") / "build.log").read_text()
    assert "Unable to do partial parsing" not in log
    debug = (mesh.warehouse.log_dir("catalog") / "dbt.log").read_text()
    assert "Partial parsing enabled" in debug.rsplit("Running with dbt", 1)[-1]


def test_every_build_reports_where_its_time_went(built_mesh, tmp_path) -> None:
    """Per domain and phase in the run report (schema-checked), one summed line with -v."""
    mesh = built_mesh.copy_to(tmp_path)
    cli = MeshCli(mesh.root, mesh.warehouse)
    run = cli.run("build", "-s", "catalog", "--full-refresh", "-v")
    assert run.code == 0, run.output
    report = read_run_report(mesh.warehouse.last_run_file)  # validates against its JSON Schema
    catalog = report.domain("catalog")
    assert set(catalog.phases) == {
        "startup", "parse", "gate", "execution", "dbt_other", "audit", "publish",
    }  # fmt: skip
    assert catalog.phases["parse"] > 0 and catalog.phases["execution"] > 0
    assert catalog.phases["audit"] == pytest.approx(catalog.audit_seconds, abs=0.01)
    in_dbt = sum(catalog.phases[p] for p in ("startup", "parse", "gate", "execution", "dbt_other"))
    assert in_dbt == pytest.approx(catalog.dbt_seconds, abs=0.05)  # the phases add up to dbt's
    assert sum(catalog.phases.values()) <= catalog.seconds + 0.05
    assert "time by phase, summed over domains: start-up " in run.out
    assert "audit" in run.out.splitlines()[-1] and "publish" in run.out.splitlines()[-1]
