"""``mesh engine``'s errors and records without a JVM: what a user sees when Spark is not there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import MeshCli

from datamesh.engine import spark_server
from datamesh.warehouse import Warehouse


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MeshCli:
    for name in (spark_server.HOST_ENV, spark_server.PORT_ENV):
        monkeypatch.delenv(name, raising=False)
    return MeshCli(None, tmp_path / "wh")


def test_status_without_a_server_says_how_to_start_one(cli: MeshCli) -> None:
    run = cli.run("engine", "status", "spark")
    assert run.code == 1
    assert "mesh engine start spark" in run.out


def test_a_bad_port_variable_is_named(cli: MeshCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(spark_server.PORT_ENV, "tenthousand")
    run = cli.run("engine", "status", "spark")
    assert run.code == 2
    assert "MESH_SPARK_PORT='tenthousand' is not a port number" in run.err
    assert "Traceback" not in run.output


def test_start_refuses_when_the_environment_names_a_server(
    cli: MeshCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(spark_server.HOST_ENV, "spark.example.com")
    monkeypatch.setenv(spark_server.PORT_ENV, "10001")
    run = cli.run("engine", "start", "spark")
    assert run.code == 2
    assert "spark.example.com:10001" in run.err and "starts none" in run.err


def test_an_external_server_that_does_not_answer_is_reported(
    cli: MeshCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(spark_server.HOST_ENV, "127.0.0.1")
    monkeypatch.setenv(spark_server.PORT_ENV, "1")  # nothing listens on port 1
    run = cli.run("engine", "status", "spark", "--format", "json")
    assert run.code == 1
    answer = json.loads(run.out)
    assert answer["external"] is True and answer["listening"] is False
    with pytest.raises(spark_server.SparkServerError, match="127.0.0.1:1 does not answer"):
        spark_server.endpoint(Warehouse(cli.warehouse))


def test_a_damaged_server_record_is_named(cli: MeshCli) -> None:
    warehouse = Warehouse(Path(cli.warehouse))
    warehouse.spark_dir.mkdir(parents=True)
    (warehouse.spark_dir / "server.json").write_text("{not json")
    run = cli.run("engine", "status", "spark")
    assert run.code == 2
    assert str(warehouse.spark_dir / "server.json") in run.err and "damaged" in run.err


def test_a_recorded_server_that_died_is_not_running(cli: MeshCli) -> None:
    warehouse = Warehouse(Path(cli.warehouse))
    warehouse.spark_dir.mkdir(parents=True)
    dead = {"host": "127.0.0.1", "port": 1, "pid": 2**22 + 7, "log": "x", "started_at": 0.0}
    (warehouse.spark_dir / "server.json").write_text(json.dumps(dead))
    state = spark_server.status(warehouse)
    assert state.record is not None and not state.running and not state.listening
    with pytest.raises(spark_server.SparkServerError, match="mesh engine start spark"):
        spark_server.endpoint(warehouse)
    assert cli.run("engine", "stop", "spark").code == 0  # forgets the dead server's record
    assert not (warehouse.spark_dir / "server.json").exists()


def test_the_server_command_keeps_everything_in_the_warehouse(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    command = spark_server.server_command(warehouse, Path("/opt/spark"), 10123)
    joined = " ".join(command)
    assert spark_server.SERVER_CLASS in command
    assert f"databaseName={warehouse.spark_dir / 'metastore_db'}" in joined
    assert f"spark.sql.warehouse.dir={warehouse.spark_dir / 'tables'}" in joined
    assert "hive.server2.thrift.port=10123" in joined
    assert "hive.server2.thrift.bind.host=127.0.0.1" in joined
