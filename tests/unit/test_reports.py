"""The run report, the validation summary and the check report: typed records whose writers
write what their JSON Schemas accept, whose readers give the same record back, and whose
readers stop with an error naming the file when one is corrupt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import synthetic_mesh

from datamesh.audit.summary import (
    ModelSummary,
    ValidationSummary,
    merge_into_summary,
    read_validation_summary,
)
from datamesh.check.config import Waiver
from datamesh.check.findings import BreakingChange, CheckResult, Consumer, Finding, Severity
from datamesh.check.report_file import read_check_report, write_check_report
from datamesh.cli import main
from datamesh.errors import MeshError
from datamesh.jsonio import check_schema
from datamesh.orchestrate.run_report import (
    DomainResult,
    RunReport,
    RunStatus,
    Status,
    read_run_report,
    write_run_report,
)
from datamesh.warehouse import Warehouse

TINY_MESH = Path(__file__).resolve().parents[1] / "fixtures" / "tiny_mesh"


def run_report() -> RunReport:
    return RunReport.of(
        [
            DomainResult("alpha", Status.PUBLISHED, seconds=1.5, dbt_seconds=1.0,
                         audit_seconds=0.25, counts={"success": 4}, fingerprint="abc",
                         log_file="/w/state/logs/alpha/build.log", warnings=["w"]),
            DomainResult("beta", Status.BLOCKED, "upstream 'alpha' failed",
                         started_ahead_of=["alpha"], restarted=""),
        ],
        run_id="20261101T000000Z-abcdef", started_at="2026-11-01T00:00:00+00:00",
        seconds=2.0, warehouse="/w", selected=["alpha", "beta"], workers=2, full_refresh=False,
    )  # fmt: skip


def model_summary(unique_id: str, success: bool = True) -> ModelSummary:
    return ModelSummary(
        unique_id=unique_id, domain="alpha", model=unique_id.split(".")[-1], version=None,
        success=success, critical_failures=0 if success else 1, warnings=0, evaluated=5,
        validated_at="2026-11-01T00:00:00+00:00", target="staging",
        result_file=f"validation/alpha/{unique_id.split('.')[-1]}.json",
    )  # fmt: skip


def check_result() -> CheckResult:
    finding = Finding("public-description", Severity.WARNING, "no description", "alpha",
                      "things", 2, "alpha/models/things.yml", "Say what it is.")  # fmt: skip
    change = BreakingChange(
        "column-removed", "alpha", "things", 2, "column id removed", column="id",
        before="integer", consumers=(Consumer("beta", "beta_summary", 2),),
        file="alpha/models/things.yml",
    )  # fmt: skip
    waived = (Finding("unused-public-model", Severity.INFO, "nobody reads it", "alpha", "other"),
              Waiver("unused-public-model", "alpha", "other", "read by the BI tool"))  # fmt: skip
    return CheckResult("2026-11-01T00:00:00+00:00", "HEAD", [finding], [change], [waived], ["x"])


def test_run_report_is_valid_and_reads_back_the_same(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path)
    report = run_report()
    assert report.status == RunStatus.FAILED  # a blocked domain fails the run
    write_run_report(warehouse, report)
    data = json.loads(warehouse.last_run_file.read_text())
    check_schema(data, "run_report.schema.json", warehouse.last_run_file, "build run report")
    assert data["schema_version"] == 1 and data["status"] == "failed"
    assert data["domains"][1]["status"] == "blocked"
    assert read_run_report(warehouse.last_run_file) == report
    assert read_run_report(warehouse.run_report_file(report.run_id)) == report
    assert read_run_report(tmp_path / "missing.json") is None


def test_a_run_of_published_and_unchanged_domains_succeeds() -> None:
    report = RunReport.of(
        [DomainResult("a", Status.PUBLISHED), DomainResult("b", Status.UNCHANGED)],
        run_id="r", started_at="2026-11-01T00:00:00+00:00", seconds=0.0, warehouse="/w",
        selected=["a", "b"], workers=1, full_refresh=False,
    )  # fmt: skip
    assert report.status == RunStatus.SUCCESS
    assert report.statuses() == {"a": "published", "b": "unchanged"}


def test_validation_summary_merge_keeps_other_domains_and_is_valid(tmp_path: Path) -> None:
    path = Warehouse(tmp_path).validation_summary_file
    merge_into_summary(path, [model_summary("model.alpha.a"), model_summary("model.alpha.b")])
    merge_into_summary(path, [model_summary("model.alpha.b", success=False)])
    data = json.loads(path.read_text())
    check_schema(data, "validation_summary.schema.json", path, "validation summary")
    summary = read_validation_summary(path)
    assert summary == ValidationSummary.from_json(data)
    assert [(m.unique_id, m.success) for m in summary.models] == [
        ("model.alpha.a", True), ("model.alpha.b", False)
    ]  # fmt: skip


def test_a_corrupt_summary_is_never_silently_rebuilt(tmp_path: Path) -> None:
    path = Warehouse(tmp_path).validation_summary_file
    path.parent.mkdir(parents=True)
    path.write_text('{"generated_at": "2026-11-01T00:00:00+00:00", "models": [{"x": 1}]}')
    with pytest.raises(MeshError) as error:
        merge_into_summary(path, [model_summary("model.alpha.a")])
    assert str(error.value).startswith(f"{path}: validation summary does not match its schema")
    assert "model.alpha.a" not in path.read_text()  # left as found, for a person to look at


def test_check_report_is_valid_and_reads_back_the_same(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path)
    result = check_result()
    path = write_check_report(warehouse, result)
    assert path == warehouse.check_report_file
    data = json.loads(path.read_text())
    check_schema(data, "check_report.schema.json", path, "check report")
    assert data["schema_version"] == 1
    assert data["summary"] == {"error": 1, "warning": 1, "info": 0}
    assert data["waived"][0]["reason"] == "read by the BI tool"
    again = read_check_report(path)
    assert again.to_json() == result.to_json()
    assert again.findings == result.findings and again.breaking_changes == result.breaking_changes


def test_synthetic_reports_are_valid_records(tmp_path: Path) -> None:
    manifest = synthetic_mesh.generate_manifest(6, 2, seed=4)
    warehouse = Warehouse(tmp_path)
    synthetic_mesh.write_warehouse(tmp_path, manifest, synthetic_mesh.generate_reports(manifest, 4))
    assert len(read_run_report(warehouse.last_run_file).domains) == 6
    assert read_validation_summary(warehouse.validation_summary_file).models
    assert read_check_report(warehouse.check_report_file) is not None


@pytest.mark.parametrize(
    ("where", "content", "expected"),
    [
        ("last_run_file", "{", "build run report is not valid JSON"),
        ("last_run_file", '{"schema_version": 2}', "build run report does not match its schema"),
        ("validation_summary_file", '{"models": 1}', "validation summary: 'models' must be a list"),
        ("check_report_file", "[]", "check report must be a JSON object"),
    ],
)  # fmt: skip
def test_map_names_a_corrupt_report(
    tmp_path: Path, where: str, content: str, expected: str, capsys: pytest.CaptureFixture
) -> None:
    manifest = synthetic_mesh.generate_manifest(3, 1, seed=1)
    warehouse = Warehouse(tmp_path / "wh")
    reports = synthetic_mesh.generate_reports(manifest, 1)
    synthetic_mesh.write_warehouse(warehouse.root, manifest, reports)
    path = getattr(warehouse, where)
    path.write_text(content)
    assert main(["map", "--warehouse", str(warehouse.root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mesh map: error: {path}: {expected}"), err
    assert "Traceback" not in err


def test_build_stops_before_building_on_a_corrupt_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = tmp_path / "mesh"
    shutil.copytree(TINY_MESH, root, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    warehouse = Warehouse(tmp_path / "wh")
    path = warehouse.validation_summary_file
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    code = main(["build", "--root", str(root), "--warehouse", str(warehouse.root), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"mesh build: error: {path}: validation summary is not valid JSON"), err
    assert not warehouse.last_run_file.exists() and not warehouse.staging_dir.exists()
