"""One ref mistake, three commands, one sentence: real dbt on a copy of the tiny mesh.

A consumer (beta) refs a producer's (alpha's) non-public model. ``mesh manifest`` stops with
exit 2, ``mesh check`` reports a finding, ``mesh build`` fails the domain: each names the
consumer model, its file, the producer, the target model and why, in the same words.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from datamesh.cli import main
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration

TINY_MESH = Path(__file__).resolve().parents[1] / "fixtures" / "tiny_mesh"
SENTENCE = (
    "beta.beta_peek (models/beta_peek.sql) refs alpha.internal_things, which is not a public "
    "model of domain 'alpha' (only public models can be referenced across domains)"
)


@pytest.fixture
def mesh(tmp_path: Path) -> Path:
    root = tmp_path / "mesh"
    shutil.copytree(TINY_MESH, root, ignore=shutil.ignore_patterns(".user.yml"))
    (root / "beta" / "models" / "beta_peek.sql").write_text(
        "select id from {{ ref('alpha', 'internal_things') }}\n"
    )
    return root


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_manifest_check_and_build_say_the_same_thing(mesh: Path, tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "warehouse"
    common = ("--root", str(mesh), "--warehouse", str(warehouse))

    code, _, err = run(capsys, "manifest", *common)
    assert code == 2
    assert SENTENCE in err
    assert f"domain 'beta' ({mesh / 'beta' / 'dbt_project.yml'}) failed to parse" in err
    assert "was not found" in err  # dbt's own words follow

    code, _, _ = run(capsys, "check", *common)
    assert code == 1
    check = json.loads(Warehouse(warehouse).check_report_file.read_text())
    (finding,) = check["findings"]
    assert finding["rule"] == "ref-not-public" and finding["message"] == SENTENCE
    assert (finding["domain"], finding["model"]) == ("beta", "beta_peek")
    assert check["left_out_domains"] == ["beta"]

    code, _, err = run(capsys, "build", *common, "--quiet")
    assert code == 1
    report = json.loads(Warehouse(warehouse).last_run_file.read_text())
    statuses = {d["domain"]: d for d in report["domains"]}
    assert statuses["alpha"]["status"] == "published"
    beta = statuses["beta"]
    assert beta["status"] == "failed"
    assert beta["reason"] == f"dbt build failed: {SENTENCE}"
    assert SENTENCE in beta["failures"][0]
    assert f"beta: failed: dbt build failed: {SENTENCE}" in err
