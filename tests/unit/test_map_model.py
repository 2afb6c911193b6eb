"""The map's view model: joins of manifest, check, validation and build reports."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import synthetic_mesh
from support import fake_manifest as fake

from datamesh.manifest.schema import validate_manifest
from datamesh.map.model import build_map_view, safe_id, version_label
from datamesh.map.style import DEPRECATED_COLOR

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def manifest() -> dict[str, Any]:
    """alpha publishes things v1 (deprecated) and v2; beta reads both, gamma reads nothing."""
    doc = fake.manifest(
        [
            fake.model("alpha", "things", 1, 2, deprecation_date=fake.THINGS_V1_DEPRECATION),
            fake.model("alpha", "things", 2, 2),
            fake.model("beta", "summary"),
        ],
        [
            fake.edge("beta.legacy", "alpha.things", 1, latest_version=2, deprecated=True,
                      deprecation_date=fake.THINGS_V1_DEPRECATION),
            fake.edge("beta.summary", "alpha.things", 2),
        ],
        beta=["alpha"], gamma=[],
    )  # fmt: skip
    validate_manifest(doc)
    return doc


def test_versions_carry_their_own_consumers(manifest: dict) -> None:
    view = build_map_view(manifest)
    things = next(m for m in view["models"] if m["key"] == "alpha.things")
    by_label = {v["label"]: v for v in things["versions"]}
    assert [c["model"] for c in by_label["v1"]["consumers"]] == ["legacy"]
    assert [c["model"] for c in by_label["v2"]["consumers"]] == ["summary"]
    assert by_label["v1"]["deprecation_date"] == "2030-01-01"
    assert things["deprecated"] is True and things["consumer_count"] == 2


def test_missing_reports_say_not_run_yet_and_health_is_unknown(manifest: dict) -> None:
    view = build_map_view(manifest)
    assert {s["status"] for s in view["sources"].values()} == {"not run yet"}
    alpha = view["domains"][0]
    assert alpha["health"]["level"] == "unknown"
    assert alpha["health"]["reasons"] == ["build not run yet"]
    v2 = view["models"][0]["versions"][1]
    assert v2["gx"] == {"status": "not run yet"}


def test_findings_and_gx_results_land_on_their_model_version(manifest: dict) -> None:
    check = {
        "generated_at": "t", "baseline": None, "summary": {"error": 1, "warning": 1, "info": 0},
        "findings": [
            {"rule": "r1", "severity": "error", "message": "m1", "domain": "alpha",
             "model": "things", "version": 1, "file": "f", "explanation": ""},
            {"rule": "r2", "severity": "warning", "message": "m2", "domain": "beta",
             "model": None, "version": None, "file": "f", "explanation": ""},
        ],
        "breaking_changes": [],
    }  # fmt: skip
    validation = {
        "generated_at": "t",
        "models": [
            {"unique_id": "model.alpha.things.v2", "domain": "alpha", "model": "things",
             "version": 2, "success": False, "critical_failures": 2, "warnings": 0,
             "evaluated": 5, "validated_at": "t", "result_file": None, "target": "publish"},
        ],
    }  # fmt: skip
    run = {"status": "success", "started_at": "t",
           "domains": [{"domain": "alpha", "status": "published", "reason": ""},
                       {"domain": "beta", "status": "unchanged", "reason": ""}]}  # fmt: skip
    view = build_map_view(manifest, check, validation, run)
    v1, v2 = view["models"][0]["versions"]
    assert [f["rule"] for f in v1["findings"]] == ["r1"] and v2["findings"] == []
    assert v2["gx"]["status"] == "failed" and v2["gx"]["critical_failures"] == 2
    assert v1["gx"] == {"status": "no suite"}
    alpha, beta, gamma = view["domains"]
    assert alpha["health"]["level"] == "failing"
    assert any("model.alpha.things.v2" in r for r in alpha["health"]["reasons"])
    assert beta["health"]["level"] == "warning" and [f["rule"] for f in beta["findings"]] == ["r2"]
    assert gamma["health"] == {"level": "unknown", "build": None, "last_attempt": None,
                               "published": None, "stale": [],
                               "reasons": ["not in any build report"]}  # fmt: skip


def test_failed_build_makes_a_domain_failing_with_the_reason(manifest: dict) -> None:
    run = {"status": "failed", "domains": [{"domain": "beta", "status": "blocked",
                                             "reason": "upstream 'alpha' failed"}]}  # fmt: skip
    beta = build_map_view(manifest, last_run=run)["domains"][1]
    assert beta["health"]["level"] == "failing"
    assert beta["health"]["reasons"] == ["last build blocked: upstream 'alpha' failed"]


def test_edges_to_private_consumers_get_nodes_and_domain_edges_merge(manifest: dict) -> None:
    view = build_map_view(manifest)
    assert [n["key"] for n in view["internal_consumers"]] == ["beta.legacy"]
    assert [(e["label"], e["deprecated"]) for e in view["edges"]] == [
        ("v1", True),
        ("v2", False),
    ]
    assert view["domain_edges"] == [
        {"producer": "alpha", "consumer": "beta", "refs": ["things v1", "things v2"],
         "deprecated": True, "label": "things v1, things v2 (deprecated read)",
         "full_label": "things v1, things v2 (deprecated read)", "color": DEPRECATED_COLOR}
    ]  # fmt: skip


def test_view_does_not_mutate_the_manifest(manifest: dict) -> None:
    before = copy.deepcopy(manifest)
    build_map_view(manifest)
    assert manifest == before


def test_ids_and_labels() -> None:
    assert safe_id("m", "my-domain", "x.y") == "m__my_domain__x_y"
    assert version_label(3) == "v3" and version_label(None) == "unversioned"


@pytest.mark.parametrize(("domains", "models"), [(1, 1), (12, 2), (120, 3)])
def test_synthetic_manifest_is_valid_and_deterministic(domains: int, models: int) -> None:
    manifest = synthetic_mesh.generate_manifest(domains, models, seed=5)
    validate_manifest(manifest)
    assert len(manifest["domains"]) == domains
    assert manifest == synthetic_mesh.generate_manifest(domains, models, seed=5)
    names = {d["name"] for d in manifest["domains"]}
    assert len(names) == domains
    for edge in manifest["edges"]:
        consumer = edge["consumer"]["domain"]
        assert edge["producer"]["domain"] in next(
            d["upstreams"] for d in manifest["domains"] if d["name"] == consumer
        )
    view = build_map_view(manifest, **_reports(synthetic_mesh, manifest))
    assert len(view["domains"]) == domains


def _reports(synthetic, manifest: dict) -> dict[str, Any]:
    reports = synthetic_mesh.generate_reports(manifest, seed=5)
    return {"check": reports["check"], "validation": reports["validation"],
            "last_run": reports["last_run"]}  # fmt: skip


def _run(run_id: str, started_at: str, **statuses: str) -> dict[str, Any]:
    domains = [{"domain": d, "status": s, "reason": f"{d} broke" if s == "failed" else ""}
               for d, s in statuses.items()]  # fmt: skip
    return {"run_id": run_id, "started_at": started_at, "status": "x", "domains": domains}


def test_a_partial_build_leaves_other_domains_judged_by_their_own_latest_build(
    manifest: dict,
) -> None:
    full = _run("r1", "2030-01-01T10:00:00+00:00", alpha="published", beta="published",
                gamma="published")  # fmt: skip
    partial = _run("r2", "2030-01-02T10:00:00+00:00", beta="unchanged")
    view = build_map_view(manifest, last_run=partial, runs=[partial, full])
    health = {d["name"]: d["health"] for d in view["domains"]}
    assert {n: h["level"] for n, h in health.items()} == {
        "alpha": "healthy", "beta": "healthy", "gamma": "healthy"}  # fmt: skip
    assert health["alpha"]["last_attempt"]["run_id"] == "r1"
    assert health["beta"]["last_attempt"]["run_id"] == "r2"


def test_a_failed_attempt_over_good_published_data_shows_both(manifest: dict) -> None:
    good = _run("r1", "2030-01-01T10:00:00+00:00", alpha="published")
    branch = _run("r2", "2030-01-02T10:00:00+00:00", alpha="failed")
    published = {"alpha": {"published_at": "2030-01-01T10:05:00+00:00", "run_id": "r1"}}
    alpha = build_map_view(manifest, runs=[branch, good], publications=published)["domains"][0]
    assert alpha["health"]["level"] == "warning"
    assert alpha["health"]["reasons"] == ["published data OK; last attempt failed: alpha broke"]
    assert alpha["health"]["published"]["run_id"] == "r1"
    never = build_map_view(manifest, runs=[branch])["domains"][0]
    assert never["health"]["level"] == "failing"
    assert never["health"]["reasons"] == ["last build failed: alpha broke"]


def test_results_older_than_the_publication_are_stale_and_not_failing(manifest: dict) -> None:
    old = "2030-01-01T00:00:00+00:00"
    validation = {"generated_at": old, "models": [
        {"unique_id": "model.alpha.things.v2", "domain": "alpha", "model": "things", "version": 2,
         "success": False, "critical_failures": 1, "warnings": 0, "evaluated": 5,
         "validated_at": old, "result_file": None, "target": "published"}]}  # fmt: skip
    check = {"generated_at": old, "findings": [
        {"rule": "r1", "severity": "error", "message": "m", "domain": "alpha", "model": "things",
         "version": 1, "file": "f", "explanation": ""}], "breaking_changes": []}  # fmt: skip
    published = {"alpha": {"published_at": "2030-01-03T00:00:00+00:00", "run_id": "r9"}}
    run = _run("r9", "2030-01-02T23:59:00+00:00", alpha="published")
    alpha = build_map_view(manifest, check, validation, runs=[run],
                           publications=published)["domains"][0]  # fmt: skip
    assert alpha["health"]["level"] == "warning"
    assert alpha["health"]["stale"] == ["expectations of model.alpha.things.v2", "contract check"]
    assert alpha["health"]["reasons"] == [
        "stale: expectations failed on an older publication: model.alpha.things.v2",
        "error r1 on alpha.things v1 (stale: checked before the current publication)",
    ]
    fresh = build_map_view(manifest, check, validation, runs=[run])["domains"][0]
    assert fresh["health"]["level"] == "failing" and fresh["health"]["stale"] == []
    assert "error r1 on alpha.things v1" in fresh["health"]["reasons"]


def test_unversioned_reads_carry_no_version_word(manifest: dict) -> None:
    doc = fake.manifest([fake.model("alpha", "plain")], [fake.edge("beta.x", "alpha.plain")],
                        beta=["alpha"])  # fmt: skip
    view = build_map_view(doc)
    assert [e["caption"] for e in view["edges"]] == [""]
    assert view["domain_edges"][0]["label"] == "plain"


def test_the_first_reason_is_the_one_that_set_the_level(manifest: dict) -> None:
    validation = {"generated_at": "t", "models": [
        {"unique_id": f"model.alpha.things.v{v}", "domain": "alpha", "model": "things",
         "version": v, "success": v == 1, "critical_failures": 0 if v == 1 else 1,
         "warnings": 1, "evaluated": 5, "validated_at": "t", "result_file": None,
         "target": "published"} for v in (1, 2)]}  # fmt: skip
    alpha = build_map_view(manifest, validation=validation)["domains"][0]
    assert alpha["health"]["level"] == "failing"
    assert alpha["health"]["reasons"][0] == "expectations failed: model.alpha.things.v2"


def test_each_column_names_its_readers_one_hop_each_way() -> None:
    """The model panel: per column who reads it; per model what it reads (issue 13.5)."""
    doc = fake.manifest(
        [fake.model("alpha", "things", None), fake.model("beta", "summary")],
        [
            fake.edge("beta.summary", "alpha.things", columns=["id"]),
            fake.edge("beta.legacy", "alpha.things"),  # columns unknown: reads every column
        ],
        beta=["alpha"],
    )  # fmt: skip
    view = build_map_view(doc)
    things = next(m for m in view["models"] if m["key"] == "alpha.things")
    readers = things["versions"][0]["readers_by_column"]
    assert [(r["model"], r["unknown"]) for r in readers["id"]] == [
        ("summary", False), ("legacy", True),
    ]  # fmt: skip
    assert [r["model"] for r in readers["label"]] == ["legacy"]
    summary = next(m for m in view["models"] if m["key"] == "beta.summary")
    assert summary["reads"] == [
        {"domain": "alpha", "model": "things", "label": None, "columns_read": ["id"]}
    ]
