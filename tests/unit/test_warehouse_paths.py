"""Every report, cache, lock, data-docs and map-output path is spelled in ``warehouse.py`` only.

Anything else asks ``Warehouse`` for it, so moving a report is a one-line change and no reader
can look in the wrong place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from datamesh.warehouse import Warehouse, default_warehouse

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "platform" / "src" / "datamesh"
SCANNED = [PACKAGE, REPO / "scripts", REPO / "tests"]
OWNER = PACKAGE / "warehouse.py"

# A path fragment only the warehouse layout may spell, and the ways to spell a join onto it.
FRAGMENTS = re.compile(
    r"last_run\.json|summary\.json|latest\.json|current_manifest\.json|mesh_manifest\.json"
    r"|build\.lock|start-gate\.json|handoff-links|reports/|runs/"
    r"|[\"'](reports|runs|data_docs|parse_cache|parse_registry)[\"']"
    r"|(reports_dir|state_dir|staging_dir)\s*/"
)
# Files owned by other changes in flight: each entry is a fragment still spelled there that the
# Warehouse already has a name for (parse_cache_dir, parse_registry_dir, map_dir, the report
# files). Remove an entry when its file moves over; the test fails on one left stale.
PENDING: dict[str, set[str]] = {}  # files still to move onto Warehouse: none


def spelled_paths(text: str) -> set[str]:
    """The layout fragments a file's text spells (normalised, e.g. ``state_dir /``)."""
    found = set()
    for match in FRAGMENTS.finditer(text):
        fragment = match.group(0)
        if match.group(2):
            fragment = f"{match.group(2)} /"
        found.add(fragment.strip("\"'"))
    return found


def _scanned_files() -> list[Path]:
    return sorted(
        p
        for folder in SCANNED
        for p in folder.rglob("*.py")
        if p != OWNER and p != Path(__file__).resolve() and "fixtures" not in p.parts
    )


def test_no_layout_path_is_spelled_outside_warehouse_py() -> None:
    wrong = {}
    for path in _scanned_files():
        relative = path.relative_to(REPO).as_posix()
        extra = spelled_paths(path.read_text(encoding="utf-8")) - PENDING.get(relative, set())
        if extra:
            wrong[relative] = sorted(extra)
    assert not wrong, f"ask Warehouse for these paths instead: {wrong}"


def test_pending_entries_are_still_needed() -> None:
    stale = {
        name: sorted(fragments - spelled_paths((REPO / name).read_text(encoding="utf-8")))
        for name, fragments in PENDING.items()
    }
    assert not any(stale.values()), f"remove from PENDING: {stale}"


@pytest.mark.parametrize(
    "line",
    [
        'path = warehouse.reports_dir / "last_run.json"',
        'json.loads((wh / "reports" / "check" / "latest.json").read_text())',
        'lock = warehouse.state_dir / "build.lock"',
        'out = warehouse.reports_dir / "map"',
        'site = root / "data_docs"',
        'summary = folder / "validation" / "summary.json"',
        'runs = base / "runs"',
    ],
)
def test_the_scan_sees_a_hand_written_path(line: str) -> None:
    """Guards the scan itself: each of these lines would fail the test above."""
    assert spelled_paths(line)


def test_the_warehouse_names_every_report() -> None:
    wh = Warehouse(Path("/w"))
    assert wh.shown(wh.last_run_file) == "reports/last_run.json"
    assert wh.shown(wh.run_report_file("r1")) == "reports/runs/r1.json"
    assert wh.shown(wh.validation_summary_file) == "reports/validation/summary.json"
    assert wh.shown(wh.validation_result_file("sales", "fct_orders_v2")) == (
        "reports/validation/sales/fct_orders_v2.json"
    )
    assert wh.shown(wh.check_report_file) == "reports/check/latest.json"
    assert wh.shown(wh.check_manifest_file) == "reports/check/current_manifest.json"
    assert wh.shown(wh.data_docs_dir) == "reports/data_docs"
    assert wh.shown(wh.map_dir) == "reports/map"
    assert wh.shown(wh.build_lock_file) == "state/build.lock"
    assert wh.shown(wh.parse_cache_dir) == "state/parse_cache"
    assert wh.baseline_state.root == Path("/w/state/baseline")


def test_default_warehouse_for_a_dbt_project_is_the_profiles_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MESH_WAREHOUSE")
    project = tmp_path / "mesh" / "domains" / "sales"
    assert default_warehouse(dbt_project=project) == tmp_path / "mesh" / "warehouse"
    monkeypatch.setenv("MESH_WAREHOUSE", str(tmp_path / "elsewhere"))
    assert default_warehouse(dbt_project=project) == tmp_path / "elsewhere"


def test_a_single_project_mesh_keeps_its_warehouse_out_of_its_own_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run in a folder that is one dbt project, ./warehouse would be a project file."""
    from datamesh.discover.content_hash import project_fingerprint

    monkeypatch.delenv("MESH_WAREHOUSE", raising=False)
    project = tmp_path / "shop"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: shop\nprofile: shop\n")
    warehouse = default_warehouse(project)
    assert warehouse.parent == project and warehouse.name.startswith(".")
    before = project_fingerprint(project)
    (warehouse / "registry").mkdir(parents=True)
    (warehouse / "registry" / "shop.json").write_text("{}")
    assert project_fingerprint(project) == before
    assert default_warehouse(tmp_path) == tmp_path / "warehouse"  # a folder of projects
