"""The monolith builder: cross-project refs become local, configs move under a subfolder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from bench.monolith import (
    MonolithError,
    find_collisions,
    rewrite_cross_refs,
    write_monolith,
)
from support.meshes import TINY_MESH


def test_cross_project_ref_becomes_local_and_keeps_version():
    text = "select * from {{ ref('customers', 'dim_customers', v=2) }}"
    assert (
        rewrite_cross_refs(text, ["customers"]) == "select * from {{ ref('dim_customers', v=2) }}"
    )


def test_double_quotes_and_spaces_are_rewritten():
    text = '{{ ref( "sales" ,  "fct_orders" ) }}'
    assert rewrite_cross_refs(text, {"sales"}) == '{{ ref("fct_orders" ) }}'


def test_refs_whose_first_argument_is_not_a_domain_stay():
    text = "{{ ref('stg_orders') }} {{ ref('some_package', 'model') }}"
    assert rewrite_cross_refs(text, ["sales"]) == text


def test_relationships_test_target_in_yaml_is_rewritten():
    text = "to: ref('catalog', 'dim_stores')"
    assert rewrite_cross_refs(text, ["catalog"]) == "to: ref('dim_stores')"


def test_collisions_name_the_kind_the_name_and_both_domains():
    found = find_collisions(
        {"a": {"model": {"x", "y"}, "source": {"crm"}}, "b": {"model": {"x"}, "source": {"erp"}}}
    )
    assert found == ["model 'x' defined by a, b"]


def test_tiny_mesh_becomes_one_project(tmp_path: Path):
    info = write_monolith(TINY_MESH, tmp_path / "mono")
    mono = tmp_path / "mono"
    assert info["domains"] == ["alpha", "beta"]
    assert (mono / "models" / "alpha" / "things_v2.sql").is_file()
    assert (mono / "seeds" / "alpha" / "raw_things.csv").is_file()
    legacy = (mono / "models" / "beta" / "beta_legacy.sql").read_text()
    assert "ref('things', v=1)" in legacy
    project = yaml.safe_load((mono / "dbt_project.yml").read_text())
    assert project["models"]["monolith"]["alpha"]["+group"] == "team_alpha"
    assert project["models"]["monolith"]["beta"]["+materialized"] == "table"
    assert "threads: " in (mono / "profiles.yml").read_text()


def test_a_model_name_in_two_domains_fails_naming_it(tiny_mesh: Path, tmp_path: Path):
    root = tiny_mesh
    shutil.copy(root / "alpha" / "models" / "internal_things.sql", root / "beta" / "models")
    with pytest.raises(MonolithError, match="model 'internal_things' defined by alpha, beta"):
        write_monolith(root, tmp_path / "mono")


def test_project_name_differing_from_folder_fails_naming_the_file(tiny_mesh: Path, tmp_path: Path):
    root = tiny_mesh
    shutil.move(root / "beta", root / "gamma")
    with pytest.raises(MonolithError, match=r"gamma/dbt_project.yml: project name 'beta'"):
        write_monolith(root, tmp_path / "mono")


def test_no_projects_is_an_error(tmp_path: Path):
    with pytest.raises(MonolithError, match="no dbt projects found"):
        write_monolith(tmp_path, tmp_path / "mono")
