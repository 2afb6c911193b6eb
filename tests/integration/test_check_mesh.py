"""``mesh check`` end to end: real dbt parses of baseline/changed copies of the tiny mesh.

Each test copies tests/fixtures/tiny_mesh into a fresh git repo, commits it as the baseline,
edits YAML or SQL like a pull request would, and runs ``datamesh.cli.main(["check", ...])``.
One warehouse is shared by the module so unchanged domains hit the content-keyed parse cache.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.cli import MeshCli
from support.meshes import TINY_MESH, copy_mesh

from datamesh.check import report_file
from datamesh.jsonio import read_report
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration

TODAY = "2026-11-26"  # v1 of alpha.things is deprecated on 2030-01-01: 1132 days left


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("check-warehouse")


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=repo, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repo whose HEAD holds the tiny mesh under mesh/."""
    repo = tmp_path / "repo"
    copy_mesh(TINY_MESH, repo / "mesh")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "baseline")
    return repo


class Run:
    def __init__(self, code: int, out: str, err: str, report: dict | None) -> None:
        self.code, self.out, self.err, self.report = code, out, err, report

    def rules(self) -> list[str]:
        return sorted(f["rule"] for f in self.report["findings"])

    def changes(self) -> list[tuple]:
        return sorted(
            (c["kind"], c["model"], c["version"], c["column"], c["breaking"],
             [(r["domain"], r["model"], r["version"]) for r in c["consumers"]])
            for c in self.report["breaking_changes"]
        )  # fmt: skip


def check(repo: Path, warehouse: Path, *args: str, today: str = TODAY) -> Run:
    latest = Warehouse(warehouse).check_report_file
    latest.unlink(missing_ok=True)
    run = MeshCli(repo / "mesh", warehouse).run("check", "--today", today, *args)
    report = read_report(latest, report_file.SCHEMA, report_file.WHAT)  # schema-checked
    return Run(run.code, run.out, run.err, report)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def things_yml(repo: Path) -> Path:
    return repo / "mesh" / "alpha" / "models" / "things.yml"


def test_clean_change_passes_with_deprecation_warning(repo, warehouse):
    sql = repo / "mesh/alpha/models/things_v2.sql"
    sql.write_text("-- a comment: same columns, same types\n" + sql.read_text())
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.code == 0, run.out + run.err
    assert run.report["breaking_changes"] == []
    (finding,) = run.report["findings"]
    assert finding["rule"] == "deprecated-ref" and finding["severity"] == "warning"
    assert finding["file"] == "mesh/beta/models/beta_legacy.sql"
    assert "1132 days left" in finding["message"]
    assert run.report["summary"] == {"error": 0, "warning": 1, "info": 0}
    assert "mesh check passed" in run.out


def test_new_version_beside_the_old_one_passes(repo, warehouse):
    models = repo / "mesh/alpha/models"
    (models / "things_v3.sql").write_text(
        "select id, label, id * 100 as score, id as rank from {{ ref('raw_things') }}\n"
    )
    edit(things_yml(repo), "latest_version: 2", "latest_version: 3")
    edit(things_yml(repo), "      - v: 2\n", (
        "      - v: 2\n        deprecation_date: 2031-01-01\n"
        "      - v: 3\n        columns:\n          - include: all\n"
        "          - {name: rank, description: Rank., data_type: integer}\n"
    ))  # fmt: skip
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.code == 0, run.out + run.err
    assert run.report["breaking_changes"] == []
    assert run.rules() == ["deprecated-ref", "deprecated-ref"]


COLUMN_REMOVED_V2 = (
    "      - v: 2\n",
    "      - v: 2\n        columns:\n          - include: all\n            exclude: [score]\n",
)


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        pytest.param(  # beta_summary reads v2's score only: label's change is info there
            [("data_type: varchar", "data_type: integer")],
            [("column-type-changed", "things", 1, "label", True, [("beta", "beta_legacy", 1)]),
             ("column-type-changed", "things", 2, "label", False, [])],
            id="type-changed",
        ),
        pytest.param(
            [COLUMN_REMOVED_V2],
            [("column-removed", "things", 2, "score", True, [("beta", "beta_summary", 2)])],
            id="column-removed-from-one-version",
        ),
        pytest.param(
            [("- name: label", "- name: title")],
            [("column-renamed", "things", 1, "label", True, [("beta", "beta_legacy", 1)]),
             ("column-renamed", "things", 2, "label", False, [])],
            id="column-renamed",
        ),
        pytest.param(
            [("[{type: not_null}, {type: primary_key}]", "[{type: primary_key}]")],
            [("constraint-removed", "things", 1, "id", True, [("beta", "beta_legacy", 1)]),
             ("constraint-removed", "things", 2, "id", False, [])],
            id="constraint-removed",
        ),
        pytest.param(
            [("contract: {enforced: true}", "contract: {enforced: false}")],
            [("contract-unenforced", "things", 1, None, True, [("beta", "beta_legacy", 1)]),
             ("contract-unenforced", "things", 2, None, True, [("beta", "beta_summary", 2)])],
            id="contract-unenforced",
        ),
    ],
)  # fmt: skip
def test_breaking_change_names_the_consumers_it_breaks(repo, warehouse, edits, expected):
    for old, new in edits:
        edit(things_yml(repo), old, new)
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.changes() == expected
    assert run.code == 1
    assert "BREAKING" in run.out and "breaks: beta." in run.out


def test_latest_version_moved_back_without_unpinned_readers_is_reported_not_failing(
    repo, warehouse
):
    edit(things_yml(repo), "latest_version: 2", "latest_version: 1")
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.changes() == [("latest-version-moved-back", "things", 1, None, False, [])]
    assert run.code == 0, run.out


def test_latest_version_moved_back_breaks_an_unpinned_reader(repo, warehouse):
    (repo / "mesh/beta/models/beta_latest.sql").write_text(
        "select id from {{ ref('alpha', 'things') }}\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "unpinned reader")
    edit(things_yml(repo), "latest_version: 2", "latest_version: 1")
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.changes() == [
        ("latest-version-moved-back", "things", 1, None, True, [("beta", "beta_latest", 2)])
    ]
    assert "unpinned-versioned-ref" in run.rules()
    assert run.code == 1


def test_removed_version_breaks_its_reader_and_the_ref_is_a_finding(repo, warehouse):
    (repo / "mesh/alpha/models/things_v1.sql").unlink()
    edit(
        things_yml(repo),
        "      - v: 1\n        deprecation_date: 2030-01-01\n"
        "        columns:\n          - include: all\n            exclude: [score]\n",
        "",
    )
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.code == 1
    assert run.changes() == [
        ("version-removed", "things", 1, None, True, [("beta", "beta_legacy", 1)])
    ]
    (finding,) = run.report["findings"]
    assert finding["rule"] == "ref-missing"
    assert finding["file"] == "mesh/beta/models/beta_legacy.sql"
    assert run.report["left_out_domains"] == ["beta"]


def test_access_narrowed_is_a_ref_not_public_finding_and_a_breaking_change(repo, warehouse):
    edit(things_yml(repo), "access: public", "access: protected")
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.code == 1
    assert run.changes() == [
        ("access-narrowed", "things", 1, None, True, [("beta", "beta_legacy", 1)]),
        ("access-narrowed", "things", 2, None, True, [("beta", "beta_summary", 2)]),
    ]
    (finding,) = run.report["findings"]
    assert finding["rule"] == "ref-not-public" and finding["model"] == "beta_legacy"


def test_ref_to_a_non_public_model_names_the_model_file(repo, warehouse):
    (repo / "mesh/beta/models/beta_peek.sql").write_text(
        "select id from {{ ref('alpha', 'internal_things') }}\n"
    )
    run = check(repo, warehouse)
    assert run.code == 1
    (finding,) = run.report["findings"]  # alpha.things' readers are unknown: no unused info
    assert finding["rule"] == "ref-not-public" and finding["severity"] == "error"
    assert finding["file"] == "mesh/beta/models/beta_peek.sql"
    assert "alpha.internal_things" in finding["message"]


def test_ref_to_an_undeclared_domain_names_the_model_file(repo, warehouse):
    (repo / "mesh/beta/dependencies.yml").unlink()
    run = check(repo, warehouse)
    assert run.code == 1
    (finding,) = run.report["findings"]
    assert finding["rule"] == "ref-undeclared-domain"
    assert finding["file"].startswith("mesh/beta/models/beta_")
    assert "mesh/beta/dependencies.yml" in finding["message"]


def add_gamma(repo: Path) -> None:
    """A third domain with one public model nobody reads, declared by beta but unused."""
    gamma = repo / "mesh" / "gamma"
    shutil.copytree(repo / "mesh" / "alpha", gamma)
    for path in (gamma / "dbt_project.yml", gamma / "profiles.yml", gamma / "models/_groups.yml"):
        path.write_text(path.read_text().replace("alpha", "gamma"))
    (repo / "mesh/beta/dependencies.yml").write_text(
        "projects:\n  - name: alpha\n  - name: gamma\n"
    )


def test_governance_rules_fire_on_a_real_parse(repo, warehouse):
    add_gamma(repo)
    yml = things_yml(repo)
    edit(yml, "    description: Things alpha publishes.\n", "")
    edit(yml, "        description: Label.\n", "")
    edit(yml, "    latest_version: 2\n", "")
    edit(yml, "        deprecation_date: 2030-01-01\n", "")
    edit(
        yml,
        "  - name: internal_things\n    description: Not for other domains.\n"
        "    access: protected\n",
        "",
    )
    (repo / "mesh/alpha/models/internal_things.yml").write_text(
        "models:\n  - name: internal_things\n    description: Now public, no contract.\n"
        "    access: public\n"
    )
    edit(repo / "mesh/alpha/dbt_project.yml", "    +group: team_alpha\n", "")
    (repo / "mesh/beta/models/beta_latest.sql").write_text(
        "select id from {{ ref('alpha', 'things') }}\n"
    )
    run = check(repo, warehouse)
    found = {(f["rule"], f["domain"], f["model"], f["version"]) for f in run.report["findings"]}
    assert found >= {
        ("public-description", "alpha", "things", 1),
        ("public-column-description", "alpha", "things", 2),
        ("latest-version-declared", "alpha", "things", None),
        ("deprecation-date", "alpha", "things", 1),
        ("public-contract", "alpha", "internal_things", None),
        ("public-owner", "alpha", "internal_things", None),
        ("unpinned-versioned-ref", "beta", "beta_latest", None),
        ("unused-upstream", "beta", None, None),
        ("unused-public-model", "gamma", "things", None),
        ("unused-public-model", "alpha", "internal_things", None),
    }, run.out
    by_rule = {f["rule"]: f for f in run.report["findings"]}
    assert by_rule["public-description"]["file"] == "mesh/alpha/models/things.yml"
    assert by_rule["unused-upstream"]["file"] == "mesh/beta/dependencies.yml"
    assert by_rule["unused-upstream"]["severity"] == "warning"
    assert by_rule["unused-public-model"]["severity"] == "info"
    assert run.code == 1


def test_expired_deprecation_fails(repo, warehouse):
    run = check(repo, warehouse, today="2030-01-31")
    assert run.code == 1
    assert run.rules() == ["deprecated-ref-expired"]
    assert "30 days ago" in run.report["findings"][0]["message"]


def test_waiver_and_severity_override_from_the_repo_config(repo, warehouse):
    (repo / "mesh_check.yml").write_text(
        "rules:\n  deprecated-ref-expired: {severity: warning}\n"
        "waivers:\n  - rule: deprecated-ref-expired\n    model: beta.beta_legacy\n"
        "    reason: migration scheduled in DATA-42\n"
    )
    run = check(repo, warehouse, today="2030-01-31")
    assert run.code == 0, run.out + run.err
    assert run.report["findings"] == []
    assert run.report["waived"][0]["reason"] == "migration scheduled in DATA-42"
    assert "waived  deprecated-ref-expired  beta.beta_legacy" in run.out


def test_waiver_without_reason_is_exit_2_naming_the_file(repo, warehouse):
    config = repo / "mesh_check.yml"
    config.write_text("waivers:\n  - {rule: deprecated-ref, model: beta.beta_legacy}\n")
    run = check(repo, warehouse)
    assert run.code == 2
    assert str(config) in run.err and "has no reason" in run.err


def test_saved_manifest_baseline_and_every_output_format(repo, warehouse, tmp_path):
    saved = tmp_path / "baseline.json"
    assert MeshCli(repo / "mesh", tmp_path / "wh").run("manifest", "--output", str(saved)).code == 0
    edit(things_yml(repo), "data_type: varchar", "data_type: integer")
    junit = tmp_path / "out" / "check.xml"
    run = check(repo, warehouse, "--baseline", str(saved), "--format", "json",
                "--junit-xml", str(junit))  # fmt: skip
    assert run.code == 1
    assert json.loads(run.out)["breaking_changes"] == run.report["breaking_changes"]
    assert [c["kind"] for c in run.report["breaking_changes"]] == ["column-type-changed"] * 2
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert suites[1].get("failures") == "1"  # v2's label has no reader
    run = check(repo, warehouse, "--baseline", str(saved), "--format", "markdown")
    assert "#### Breaking changes" in run.out
    assert "| yes | `column-type-changed` | alpha.things v1 | label | varchar → integer " \
           "| beta.beta_legacy (reads v1) [mesh/beta/models/beta_legacy.sql:3, owner Team beta] " \
           "| `mesh/alpha/models/things.yml` |" in run.out  # fmt: skip


def test_bad_baseline_is_exit_2(repo, warehouse):
    run = check(repo, warehouse, "--baseline", "no-such-branch")
    assert run.code == 2
    assert (
        "'no-such-branch'" in run.err and "neither a saved manifest file nor a git ref" in run.err
    )


def test_other_parse_failure_is_exit_2_with_dbts_message(repo, warehouse):
    (repo / "mesh/beta/models/beta_broken.sql").write_text("select {{ oops( }}\n")
    run = check(repo, warehouse)
    assert run.code == 2
    assert "domain 'beta'" in run.err and "beta_broken.sql" in run.err


def test_a_column_nobody_reads_is_info_and_passes(repo, warehouse):
    edit(things_yml(repo), COLUMN_REMOVED_V2[0], COLUMN_REMOVED_V2[1].replace("score", "label"))
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.changes() == [("column-removed", "things", 2, "label", False, [])]
    (change,) = run.report["breaking_changes"]
    assert change["severity"] == "info"
    assert run.code == 0, run.out


def test_a_reader_moved_off_the_column_in_the_same_change_is_not_broken(repo, warehouse):
    edit(things_yml(repo), *COLUMN_REMOVED_V2)
    edit(repo / "mesh/beta/models/beta_summary.sql", "sum(score)", "sum(id)")
    run = check(repo, warehouse, "--baseline", "HEAD")
    assert run.changes() == [("column-removed", "things", 2, "score", False, [])]
    assert run.code == 0, run.out


def test_a_broken_reader_is_named_with_file_line_owner_and_advice(repo, warehouse):
    edit(things_yml(repo), *COLUMN_REMOVED_V2)
    run = check(repo, warehouse, "--baseline", "HEAD", "--format", "markdown")
    assert run.code == 1
    (change,) = run.report["breaking_changes"]
    (reader,) = change["consumers"]
    assert (reader["file"], reader["line"], reader["owner"], reader["version"]) == (
        "mesh/beta/models/beta_summary.sql", 3, "Team beta", 2,
    )  # fmt: skip
    assert "pinned to v2: keep v2's shape and ship the change as a new version" in reader["advice"]
    assert "| score | score → (removed) |" in run.out
    assert "- **Team beta**: beta.beta_summary (mesh/beta/models/beta_summary.sql:3)" in run.out
    assert "### Introduced by this change (against `HEAD`)" in run.out
    assert run.out.index("`deprecated-ref`") > run.out.index("### Already on the baseline")


V3_WITHOUT_LABEL = (
    "      - v: 2\n",
    "      - v: 2\n      - v: 3\n        columns:\n          - include: all\n"
    "            exclude: [label]\n",
)


def test_moving_latest_forward_breaks_unpinned_readers_of_what_it_drops_and_says_pin_v2(
    repo, warehouse
):
    (repo / "mesh/beta/models/beta_latest.sql").write_text(
        "select id, label from {{ ref('alpha', 'things') }}\n"
    )
    (repo / "mesh/beta/models/beta_scores.sql").write_text(
        "select id, score from {{ ref('alpha', 'things') }}\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "unpinned readers")
    (repo / "mesh/alpha/models/things_v3.sql").write_text(
        "select id, id * 10 as score from {{ ref('raw_things') }}\n"
    )
    edit(things_yml(repo), *V3_WITHOUT_LABEL)
    edit(things_yml(repo), "latest_version: 2", "latest_version: 3")
    run = check(repo, warehouse, "--baseline", "HEAD", "--format", "json")
    assert run.code == 1
    breaking = [c for c in run.report["breaking_changes"] if c["breaking"]]
    assert [(c["kind"], [r["model"] for r in c["consumers"]]) for c in breaking] == [
        ("latest-version-moved-forward", ["beta_latest"])
    ]
    advice = breaking[0]["consumers"][0]["advice"]
    assert "ref('alpha', 'things', v=2)" in advice and "v=3)" not in advice
    unpinned = {
        f["model"]: f["message"] for f in run.report["findings"]
        if f["rule"] == "unpinned-versioned-ref"
    }  # fmt: skip
    assert "reads label, which v3 lacks" in unpinned["beta_latest"]
    assert "v=2" in unpinned["beta_latest"] and "v=3" in unpinned["beta_scores"]
    added = [(a["kind"], a["version"]) for a in run.report["changelog"]]
    assert ("version-added", 3) in added


ID_TO_VARCHAR_V2 = (
    "      - v: 2\n",
    "      - v: 2\n        columns:\n          - include: all\n            exclude: [id]\n"
    "          - name: id\n            description: Key.\n            data_type: varchar\n"
    "            constraints: [{type: not_null}, {type: primary_key}]\n",
)


@pytest.mark.parametrize(
    ("predicate", "breaks"),
    [
        pytest.param("where id <> 0", False, id="equality-is-a-warning"),
        pytest.param("where id > 0", True, id="ordering-breaks"),
    ],
)
def test_a_key_read_only_in_a_predicate_retyped_to_varchar(repo, warehouse, predicate, breaks):
    summary = repo / "mesh/beta/models/beta_summary.sql"
    summary.write_text(summary.read_text().rstrip("\n") + f"\n{predicate}\n")
    git(repo, "commit", "-qam", "beta_summary filters on id")
    edit(things_yml(repo), *ID_TO_VARCHAR_V2)
    run = check(repo, warehouse, "--baseline", "HEAD")
    readers = [("beta", "beta_summary", 2)]
    assert run.changes() == [
        ("column-type-changed", "things", 2, "id", breaks, readers if breaks else [])
    ]
    (change,) = run.report["breaking_changes"]
    cautions = [(c["domain"], c["model"], c["version"]) for c in change["cautions"]]
    assert cautions == ([] if breaks else readers)
    assert change["severity"] == ("error" if breaks else "warning")
    assert run.code == (1 if breaks else 0), run.out
    if not breaks:
        assert "compared by implicit cast (does not fail), check: beta.beta_summary" in run.out
