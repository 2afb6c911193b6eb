from __future__ import annotations

import re
from datetime import date

import pytest
from support.fake_manifest import column, edge, manifest, model, things

from datamesh.check.config import CheckConfig, Waiver
from datamesh.check.rules import RULES, RuleContext, apply_config, run_rules

TODAY = date(2026, 11, 26)


def fired(m: dict, today: date = TODAY, explicit=frozenset({("alpha", "things")})):
    return run_rules(RuleContext(m, today, explicit))


def rules_of(findings) -> list[str]:
    return sorted(f.rule for f in findings)


def test_clean_mesh_only_reports_the_deprecated_ref_with_days_left():
    findings = fired(things())
    assert rules_of(findings) == ["deprecated-ref"]
    (finding,) = findings
    assert finding.severity == "warning"
    assert (finding.domain, finding.model, finding.file) == (
        "beta", "legacy", "/mesh/beta/models/legacy.sql",
    )  # fmt: skip
    assert "1132 days left" in finding.message and "move to v2" in finding.message


def test_deprecation_passed_is_an_error_naming_days_ago():
    (finding,) = fired(things(), today=date(2030, 1, 11))
    assert finding.rule == "deprecated-ref-expired" and finding.severity == "error"
    assert "10 days ago" in finding.message and "alpha.things v1" in finding.message


def test_last_day_is_still_a_warning():
    (finding,) = fired(things(), today=date(2030, 1, 1))
    assert finding.rule == "deprecated-ref" and "0 days left" in finding.message


@pytest.mark.parametrize(
    ("change", "rule", "words"),
    [
        ({"contract_enforced": False}, "public-contract", "no enforced contract"),
        ({"description": "  "}, "public-description", "no description"),
        ({"group": None, "owner": None}, "public-owner", "belongs to no group"),
        ({"owner": {"name": None, "email": None}}, "public-owner", "group 'team' has no owner"),
        (
            {"columns": [column("id"), column("label", description="")]},
            "public-column-description",
            "without a description: label",
        ),
    ],
)
def test_public_model_rules(change, rule, words):
    m = manifest([model("alpha", "orders", **change)])
    findings = [f for f in fired(m) if f.rule != "unused-public-model"]
    assert rules_of(findings) == [rule]
    assert words in findings[0].message and "alpha.orders" in findings[0].message
    assert findings[0].file == "/mesh/alpha/models/orders.yml"


def test_versioned_model_must_name_latest_version():
    findings = fired(things(), explicit=frozenset())
    (finding,) = [f for f in findings if f.rule == "latest-version-declared"]
    assert (finding.domain, finding.model) == ("alpha", "things")
    assert "assumes v2" in finding.message


def test_older_version_needs_deprecation_date_but_a_prerelease_does_not():
    m = things()
    m["domains"][0]["models"][0]["deprecation_date"] = None
    m["domains"][0]["models"].append(model("alpha", "things", 3, 2))
    (finding,) = [f for f in fired(m) if f.rule == "deprecation-date"]
    assert finding.version == 1 and "older than the latest v2" in finding.message


def test_unused_upstream_names_dependencies_file():
    m = things()
    m["domains"][1]["upstreams"] = ["alpha", "gamma"]
    (finding,) = [f for f in fired(m) if f.rule == "unused-upstream"]
    assert finding.domain == "beta" and "'gamma'" in finding.message
    assert finding.file == "/mesh/beta/dependencies.yml"


def test_an_upstream_declared_only_in_dbt_loom_is_a_warning_naming_its_config():
    m = things()
    m["domains"][1]["loom_upstreams"] = ["alpha"]
    (finding,) = [f for f in fired(m) if f.rule == "dbt-loom-declaration"]
    assert (finding.severity, finding.domain) == ("warning", "beta")
    assert finding.file == "/mesh/beta/dbt_loom.config.yml"
    assert "move it to dependencies.yml (projects: [{name: alpha}])" in finding.message
    m["domains"][1]["upstreams"] = ["alpha", "gamma"]
    m["domains"][1]["loom_upstreams"] = ["gamma"]
    (unused,) = [f for f in fired(m) if f.rule == "unused-upstream"]
    assert unused.file == "/mesh/beta/dbt_loom.config.yml" and "'gamma'" in unused.message


def test_a_domain_installed_as_a_local_package_is_a_warning_with_the_fix():
    m = things()
    m["edges"].append(edge("beta.rebuilt", "alpha.things", kind="package"))
    (finding,) = [f for f in fired(m) if f.rule == "local-package-domain"]
    assert (finding.severity, finding.domain, finding.model) == ("warning", "beta", "rebuilt")
    assert "rebuilds alpha's models inside beta" in finding.message
    assert "dependencies.yml" in finding.message and "ref('alpha', 'things')" in finding.message


def test_unpinned_ref_to_versioned_model_is_a_warning():
    m = things()
    m["edges"].append(edge("beta.fresh", "alpha.things", 2, pinned=False))
    (finding,) = [f for f in fired(m) if f.rule == "unpinned-versioned-ref"]
    assert finding.severity == "warning" and finding.model == "fresh"
    assert "v=2" in finding.message


def test_unused_public_model_is_info_unless_an_exposure_uses_it():
    m = manifest([model("alpha", "orders")])
    (finding,) = fired(m)
    assert finding.rule == "unused-public-model" and finding.severity == "info"
    m["domains"][0]["exposures"] = [{"name": "board", "depends_on": ["model.alpha.orders"]}]
    assert fired(m) == []


def test_config_overrides_severity_switches_off_and_waives():
    findings = fired(manifest([model("alpha", "orders", description=""), model("alpha", "x")]))
    assert rules_of(findings) == [
        "public-description",
        "unused-public-model",
        "unused-public-model",
    ]
    config = CheckConfig(
        severities={"public-description": "warning", "unused-public-model": "info"},
        waivers=(Waiver("unused-public-model", "alpha", "x", "read by the BI tool"),),
    )
    kept, waived = apply_config(findings, config)
    assert [(f.rule, f.model, f.severity) for f in kept] == [
        ("public-description", "orders", "warning"),
        ("unused-public-model", "orders", "info"),
    ]
    assert [(f.model, w.reason) for f, w in waived] == [("x", "read by the BI tool")]
    kept, _ = apply_config(findings, CheckConfig(severities={"unused-public-model": "off"}))
    assert rules_of(kept) == ["public-description"]


def test_every_rule_has_a_kebab_case_id_and_one_line_explanation():
    for rule_id, rule in RULES.items():
        assert rule_id == rule.id and re.fullmatch(r"[a-z]+(-[a-z]+)*", rule_id), rule_id
        assert rule.severity in {"error", "warning", "info"}
        assert rule.explanation and "\n" not in rule.explanation


def test_unpinned_reader_of_a_column_the_latest_lacks_is_told_the_version_with_its_shape():
    m = things()
    v2 = m["domains"][0]["models"][1]
    v2["columns"] = [c for c in v2["columns"] if c["name"] != "label"]
    m["edges"].append(edge("beta.fresh", "alpha.things", 2, pinned=False, columns=["label"]))
    m["edges"].append(edge("beta.fine", "alpha.things", 2, pinned=False, columns=["score"]))
    found = {f.model: f.message for f in fired(m) if f.rule == "unpinned-versioned-ref"}
    assert "reads label, which v2 lacks" in found["fresh"]
    assert "ref('alpha', 'things', v=1)" in found["fresh"] and "v=2" not in found["fresh"]
    assert "ref('alpha', 'things', v=2)" in found["fine"]


def test_move_to_the_latest_is_said_only_to_readers_of_an_older_version():
    m = things()
    for record in m["domains"][0]["models"]:
        record["latest_version"] = 1  # v1 kept latest while deprecated
    m["edges"][0]["producer"]["latest_version"] = 1
    (finding,) = [f for f in fired(m) if f.rule == "deprecated-ref"]
    assert "move to" not in finding.message
