"""A two-domain mesh built end to end on a real Spark Thrift server, through dbt-spark.

alpha publishes ``things`` v1 (deprecated) and v2 and a protected ``internal_things``; beta
reads v1 and v2 through the registry. Each test that changes something works on its own copy of
the domains and warehouse: build schemas carry their warehouse's tag, so copies on one server
never collect each other's schemas.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from support.cli import MeshCli, hand_dbt
from support.meshes import DOMAINS, TINY_MESH, copy_mesh

from datamesh.dbt_env import environment
from datamesh.engine import spark_server
from datamesh.engine.kinds import schema_of
from datamesh.engine.spark_sql import query, run_statements
from datamesh.faults import FAULT_ENV
from datamesh.publish.spark_publish import domain_schemas, verify_spark_publication
from datamesh.registry import read_interface
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.spark


def spark_ready(root: Path) -> Path:
    """The tiny mesh as a team would make it portable: ``string`` types, Parquet tables."""
    for yml in root.rglob("*.yml"):
        text = yml.read_text(encoding="utf-8")
        yml.write_text(text.replace("data_type: varchar", "data_type: string"), encoding="utf-8")
    for project in ("alpha", "beta"):
        file = root / project / "dbt_project.yml"
        text = file.read_text(encoding="utf-8")
        text = text.replace(
            f"models:\n  {project}:\n", f"models:\n  {project}:\n    +file_format: parquet\n"
        )
        seeds = "seeds:\n  +file_format: parquet\n"
        if project == "alpha":  # Spark reads a CSV's integers as bigint; the contract says int
            seeds += "  alpha:\n    raw_things:\n      +column_types: {id: int, label: string}\n"
        file.write_text(text + seeds, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def spark_env(spark_endpoint: spark_server.Endpoint) -> Iterator[spark_server.Endpoint]:
    """``mesh build --engine spark`` in this process finds the server through the environment."""
    server = {spark_server.HOST_ENV: spark_endpoint.host,
              spark_server.PORT_ENV: str(spark_endpoint.port)}  # fmt: skip
    with environment(**server):
        yield spark_endpoint


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, spark_env: spark_server.Endpoint) -> Path:
    """The tiny mesh built once on Spark; returns the folder holding domains/ and warehouse/."""
    base = tmp_path_factory.mktemp("spark-mesh")
    spark_ready(copy_mesh(TINY_MESH, base / "domains"))
    result = MeshCli(base / "domains", base / "warehouse").run("build", "--engine", "spark")
    assert result.code == 0, result.output
    return base


def copy_built(built: Path, dest: Path) -> tuple[MeshCli, Warehouse]:
    shutil.copytree(built / "domains", dest / "domains")
    shutil.copytree(built / "warehouse", dest / "warehouse")
    warehouse = Warehouse(dest / "warehouse")
    return MeshCli(dest / "domains", warehouse), warehouse


def published_schema(warehouse: Warehouse, domain: str) -> str:
    entry = read_interface(warehouse.registry_dir, domain)
    assert entry is not None and entry["engine"] == "spark"
    schema = schema_of(entry["storage"])
    assert schema is not None
    return schema


def kill_alpha_build_at(cli: MeshCli, point: str) -> None:
    """A real ``mesh build`` of alpha on Spark, SIGKILLed at a publish step."""
    killed = subprocess.run(
        cli.argv("build", "--engine", "spark", "--full-refresh", "-s", "alpha"),
        env={**os.environ, FAULT_ENV: point}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stdout + killed.stderr


def own_schemas(endpoint: spark_server.Endpoint, warehouse: Warehouse, domain: str) -> list[str]:
    """The build schemas this warehouse made for ``domain`` (copies have their own tag)."""
    return domain_schemas(endpoint, domain, warehouse.root)


def rows(endpoint: spark_server.Endpoint, sql: str) -> list[tuple]:
    return sorted(query(endpoint, sql))


def test_both_domains_publish_on_spark_and_beta_reads_alpha_versions(
    built: Path, spark_env: spark_server.Endpoint
) -> None:
    warehouse = Warehouse(built / "warehouse")
    alpha, beta = published_schema(warehouse, "alpha"), published_schema(warehouse, "beta")
    assert alpha.startswith("alpha__b") and beta.startswith("beta__b")
    # beta_legacy read v1 (id, label), beta_summary v2 (score = id * 10)
    assert rows(spark_env, f"select * from {beta}.beta_legacy") == [
        (1, "one"), (2, "two"), (3, "three")
    ]  # fmt: skip
    assert rows(spark_env, f"select * from {beta}.beta_summary") == [(3, 60)]
    # refs resolved to alpha's published schema, by version
    compiled = (warehouse.target_dir("beta") / "compiled" / "beta" / "models").glob("*.sql")
    sql = {p.stem: p.read_text(encoding="utf-8") for p in compiled}
    assert f"{alpha}.things_v1" in sql["beta_legacy"].replace("`", "")
    assert f"{alpha}.things_v2" in sql["beta_summary"].replace("`", "")
    # the deprecation of v1 reached beta's dbt
    log = (warehouse.log_dir("beta") / "build.log").read_text(encoding="utf-8")
    assert "deprecat" in log.lower() and "things" in log


def test_great_expectations_ran_on_the_spark_tables(built: Path) -> None:
    warehouse = Warehouse(built / "warehouse")
    files = {p.name: json.loads(p.read_text(encoding="utf-8"))
             for p in warehouse.validation_result_files()}  # fmt: skip
    alpha = [r for r in files.values() if r["domain"] == "alpha"]
    assert len(alpha) == 2, sorted(files)  # things v1 and v2
    for result in alpha:
        assert result["success"] is True
        assert result["expectations"], result
        assert all(e["success"] for e in result["expectations"])


def test_grants_file_gives_consumers_read_on_public_versions_only(built: Path) -> None:
    warehouse = Warehouse(built / "warehouse")
    schema = published_schema(warehouse, "alpha")
    text = warehouse.grants_file("alpha").read_text(encoding="utf-8")
    assert f"GRANT SELECT ON TABLE `{schema}`.`things_v1` TO `beta`;" in text
    assert f"GRANT SELECT ON TABLE `{schema}`.`things_v2` TO `beta`;" in text
    assert f"REVOKE ALL PRIVILEGES ON SCHEMA `{schema}` FROM `beta`;" in text
    assert "internal_things" not in text


def test_a_protected_ref_fails_at_parse_and_publishes_nothing(
    built: Path, tmp_path: Path, spark_env: spark_server.Endpoint
) -> None:
    cli, warehouse = copy_built(built, tmp_path)
    before = read_interface(warehouse.registry_dir, "beta")
    model = tmp_path / "domains" / "beta" / "models" / "beta_sneaky.sql"
    model.write_text("select id from {{ ref('alpha', 'internal_things') }}\n", encoding="utf-8")
    result = cli.run("build", "--engine", "spark", "-s", "beta")
    assert result.code == 1
    assert "internal_things" in result.output
    assert read_interface(warehouse.registry_dir, "beta") == before


def test_a_failing_test_does_not_publish_and_leaves_the_published_schema(
    built: Path, tmp_path: Path, spark_env: spark_server.Endpoint
) -> None:
    cli, warehouse = copy_built(built, tmp_path)
    before = read_interface(warehouse.registry_dir, "alpha")
    schema = published_schema(warehouse, "alpha")
    yml = tmp_path / "domains" / "alpha" / "models" / "things.yml"
    text = yml.read_text(encoding="utf-8")
    yml.write_text(
        text.replace("        data_type: string\n",
                     "        data_type: string\n        data_tests:\n"
                     "          - accepted_values:\n"
                     "              arguments: {values: ['one']}\n", 1),
        encoding="utf-8",
    )  # fmt: skip
    result = cli.run("build", "--engine", "spark", "-s", "alpha")
    assert result.code == 1, result.output
    assert "accepted_values" in result.output
    assert read_interface(warehouse.registry_dir, "alpha") == before
    assert rows(spark_env, f"select id from {schema}.things_v2") == [(1,), (2,), (3,)]
    assert own_schemas(spark_env, warehouse, "alpha") == []  # the failed build's is dropped


@pytest.mark.fault
def test_a_build_killed_before_the_switch_leaves_what_consumers_read(
    built: Path, tmp_path: Path, spark_env: spark_server.Endpoint
) -> None:
    cli, warehouse = copy_built(built, tmp_path)
    before = read_interface(warehouse.registry_dir, "alpha")
    schema = published_schema(warehouse, "alpha")
    kill_alpha_build_at(cli, "publish:audited")
    assert read_interface(warehouse.registry_dir, "alpha") == before
    assert rows(spark_env, f"select id from {schema}.things_v2") == [(1,), (2,), (3,)]
    # the killed build's schema is abandoned; the next build drops it and publishes anew
    abandoned = own_schemas(spark_env, warehouse, "alpha")
    assert len(abandoned) == 1
    again = cli.run("build", "--engine", "spark", "--full-refresh", "-s", "alpha")
    assert again.code == 0, again.output
    assert own_schemas(spark_env, warehouse, "alpha") == [published_schema(warehouse, "alpha")]
    assert abandoned[0] != published_schema(warehouse, "alpha")
    assert rows(spark_env, f"select id from {schema}.things_v2")  # the previous one is kept


@pytest.mark.fault
def test_a_build_killed_right_after_the_switch_left_a_whole_publication(
    built: Path, tmp_path: Path, spark_env: spark_server.Endpoint
) -> None:
    cli, warehouse = copy_built(built, tmp_path)
    old = published_schema(warehouse, "alpha")
    kill_alpha_build_at(cli, "publish:registered")
    new = published_schema(warehouse, "alpha")  # the switch happened: the new one, whole
    assert new != old
    assert rows(spark_env, f"select id, score from {new}.things_v2") == [(1, 10), (2, 20), (3, 30)]
    entry = read_interface(warehouse.registry_dir, "alpha")
    assert verify_spark_publication(spark_env, entry) is None
    # the next build trusts it (nothing changed, nothing damaged) and keeps both schemas
    again = cli.run("build", "--engine", "spark", "-s", "alpha")
    assert again.code == 0, again.output
    assert "alpha" in again.output and "unchanged" in again.output
    assert published_schema(warehouse, "alpha") == new
    assert rows(spark_env, f"select count(*) from {old}.things_v2") == [(3,)]


@pytest.mark.fault
def test_a_write_to_a_published_table_is_found_and_rebuilt(
    built: Path, tmp_path: Path, spark_env: spark_server.Endpoint
) -> None:
    cli, warehouse = copy_built(built, tmp_path)
    # a publication of this copy's own: the module's mesh stays untouched for the other tests
    own = cli.run("build", "--engine", "spark", "--full-refresh", "-s", "alpha")
    assert own.code == 0, own.output
    schema = published_schema(warehouse, "alpha")
    assert schema in own_schemas(spark_env, warehouse, "alpha")
    # a consumer's session can write a producer's schema on open-source Spark (no grants)
    run_statements(spark_env, [f"insert into {schema}.things_v2 values (4, 'FOUR', 40)"])
    result = cli.run("build", "--engine", "spark")
    assert result.code == 0, result.output
    assert f"{schema}`.`things_v2` of domain 'alpha' was changed after it was published" in (
        result.output
    )
    report = json.loads(warehouse.last_run_file.read_text(encoding="utf-8"))
    assert [p["domain"] for p in report["integrity"]] == ["alpha"]
    new = published_schema(warehouse, "alpha")
    assert new != schema
    assert rows(spark_env, f"select id from {new}.things_v2") == [(1,), (2,), (3,)]


def test_an_engineer_builds_on_spark_with_the_domains_spark_dev_target(
    built: Path, tmp_path: Path, spark_env: spark_server.Endpoint
) -> None:
    """``dbt build --target spark_dev`` in a domain, with the target the domains ship."""
    cli, warehouse = copy_built(built, tmp_path)
    shipped = yaml.safe_load((DOMAINS / "sales" / "profiles.yml").read_text(encoding="utf-8"))
    target = dict(shipped["sales"]["outputs"]["spark_dev"], schema="beta_dev_test")
    profile = tmp_path / "domains" / "beta" / "profiles.yml"
    document = yaml.safe_load(profile.read_text(encoding="utf-8"))
    document["beta"]["outputs"]["spark_dev"] = target
    profile.write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        done = hand_dbt(tmp_path / "domains" / "beta", warehouse.root, "build", "--target",
                        "spark_dev")  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "slated for deprecation" in done.stdout  # beta_legacy reads things v1
        alpha = published_schema(warehouse, "alpha")
        assert rows(spark_env, "select * from beta_dev_test.beta_summary") == [(3, 60)]
        compiled = tmp_path / "domains" / "beta" / "target" / "compiled" / "beta" / "models"
        assert alpha in (compiled / "beta_summary.sql").read_text(encoding="utf-8")
    finally:
        run_statements(spark_env, ["drop schema if exists beta_dev_test cascade"])
