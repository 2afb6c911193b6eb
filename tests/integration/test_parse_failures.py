"""One ref mistake, three commands, one sentence: real dbt on a copy of the tiny mesh.

A consumer (beta) refs a producer's (alpha's) non-public model. ``mesh manifest`` stops with
exit 2, ``mesh check`` reports a finding, ``mesh build`` fails the domain: each names the
consumer model, its file, the producer, the target model and why, in the same words.
"""

from __future__ import annotations

import json
from dataclasses import astuple
from pathlib import Path

import pytest
from support.cli import MeshCli
from support.meshes import TINY_MESH, copy_mesh

from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration

SENTENCE = (
    "beta.beta_peek (models/beta_peek.sql) refs alpha.internal_things, which is not a public "
    "model of domain 'alpha' but a protected model: only public models can be referenced across "
    "domains; make it public there (access: public, contract: {enforced: true}) or ref a public "
    "model of 'alpha'"
)


@pytest.fixture
def mesh(tmp_path: Path) -> Path:
    root = copy_mesh(TINY_MESH, tmp_path / "mesh")
    (root / "beta" / "models" / "beta_peek.sql").write_text(
        "select id from {{ ref('alpha', 'internal_things') }}\n"
    )
    return root


def test_manifest_check_and_build_say_the_same_thing(mesh: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    cli = MeshCli(mesh, warehouse)

    code, _, err = astuple(cli.run("manifest"))
    assert code == 2
    assert SENTENCE in err
    assert f"domain 'beta' ({mesh / 'beta' / 'dbt_project.yml'}) failed to parse" in err
    assert "was not found" in err  # dbt's own words follow

    code, _, _ = astuple(cli.run("check"))
    assert code == 1
    check = json.loads(Warehouse(warehouse).check_report_file.read_text())
    (finding,) = check["findings"]
    assert finding["rule"] == "ref-not-public" and finding["message"] == SENTENCE
    assert (finding["domain"], finding["model"]) == ("beta", "beta_peek")
    assert check["left_out_domains"] == ["beta"]

    code, _, err = astuple(cli.run("build", "--quiet"))
    assert code == 1
    report = json.loads(Warehouse(warehouse).last_run_file.read_text())
    statuses = {d["domain"]: d for d in report["domains"]}
    assert statuses["alpha"]["status"] == "published"
    beta = statuses["beta"]
    assert beta["status"] == "failed"
    assert beta["reason"] == f"dbt build failed: {SENTENCE}"
    assert SENTENCE in beta["failures"][0]
    assert f"beta: failed: dbt build failed: {SENTENCE}" in err
