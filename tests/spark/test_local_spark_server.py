"""``mesh engine start|status|stop spark`` on a real Thrift server from the installed pyspark."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support.cli import MeshCli

from datamesh.engine import spark_server
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.spark


def test_start_answers_sql_then_stop_leaves_nothing_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (spark_server.HOST_ENV, spark_server.PORT_ENV):
        monkeypatch.delenv(name, raising=False)
    warehouse = Warehouse(tmp_path / "wh")
    cli = MeshCli(None, warehouse)
    try:
        started = cli.run("engine", "start", "spark", "--port", "10500")
        assert started.code == 0, started.output
        assert "spark listening on 127.0.0.1:" in started.out
        status = cli.run("engine", "status", "spark", "--format", "json")
        assert status.code == 0, status.output
        answer = json.loads(status.out)
        assert answer["listening"] and not answer["external"]
        assert cli.run("engine", "start", "spark").code == 0  # a second start finds the first

        from pyhive import hive

        cursor = hive.connect(host=answer["host"], port=answer["port"]).cursor()
        cursor.execute("create schema if not exists probe")
        cursor.execute("create table probe.one using parquet as select 1 as id")
        cursor.execute("select id from probe.one")
        assert cursor.fetchall() == [(1,)]
        assert (warehouse.spark_dir / "tables" / "probe.db" / "one").is_dir()
        assert (warehouse.spark_dir / "metastore_db").is_dir()
        assert Path(answer["log"]).stat().st_size > 0  # Spark's output: in the log, not here
        assert "INFO" not in started.output
    finally:
        stopped = cli.run("engine", "stop", "spark")
    assert stopped.code == 0 and f"pid {answer['pid']}" in stopped.out
    with pytest.raises(ProcessLookupError):
        os.kill(answer["pid"], 0)
    assert cli.run("engine", "status", "spark").code == 1
