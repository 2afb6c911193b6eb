"""Item 7: the same five domains on local Spark against DuckDB (reported, no target).

One machine favours DuckDB (an embedded engine against a JVM with a Thrift hop and a Hive
metastore); the point is that the same mesh runs unchanged on an engine that scales out. Both
sides build the same data (1M orders in full mode, the quick scale otherwise) into a warehouse
of their own, with ``mesh build --full-refresh``: write, audit with Great Expectations, publish.
The Spark server is started for this item from the installed pyspark (or the one
MESH_SPARK_HOST/PORT name is used), and its memory counts in Spark's peak (it is the engine).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.context import REPO, Bench
from bench.measure import Measurement
from bench.results import Row, Scenario
from datamesh.engine import spark_server
from datamesh.warehouse import Warehouse

FULL_SPARK_ORDERS = 1_000_000


def _generate(bench: Bench, warehouse: Path, orders: int) -> None:
    command = [sys.executable, str(REPO / "scripts" / "generate_data.py"), "--orders", str(orders),
               "--warehouse", str(warehouse), "--as-of", bench.settings.as_of.isoformat(),
               "--seed", str(bench.settings.seed), "--if-missing"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, env=bench.env(warehouse))


def _build(bench: Bench, label: str, warehouse: Path, *engine: str, also: tuple[int, ...] = ()
           ) -> Measurement:  # fmt: skip
    command = bench.mesh_on("build", "--full-refresh", "-q", *engine, warehouse=warehouse)
    return bench.measure(label, command, env=bench.env(warehouse), also=also)


def spark_vs_duckdb(bench: Bench) -> Scenario:
    orders = bench.settings.orders if bench.settings.quick else FULL_SPARK_ORDERS
    orders = min(orders, bench.settings.orders)
    scenario = Scenario(7, f"The five domains on local Spark vs DuckDB ({orders:,} orders)")
    base = bench.work / "engines"
    duck, spark = base / "duckdb-warehouse", base / "spark-warehouse"
    for warehouse in (duck, spark):
        _generate(bench, warehouse, orders)
    external = spark_server.external_endpoint()
    spark_home = Warehouse(spark)
    endpoint = external or spark_server.start(spark_home)
    record = spark_server.read_record(spark_home)
    server = (record.pid,) if external is None and record is not None else ()
    runs = 1 if bench.settings.quick else 2
    duck_runs: list[Measurement] = []
    spark_runs: list[Measurement] = []
    try:
        bench.say(f"Spark server at {endpoint.host}:{endpoint.port}; one unmeasured build each")
        _build(bench, "duckdb-warm-up", duck)
        _build(bench, "spark-warm-up", spark, "--engine", "spark", also=server)
        for index in range(runs):
            sides = [
                lambda: duck_runs.append(_build(bench, "duckdb-build", duck)),
                lambda: spark_runs.append(
                    _build(bench, "spark-build", spark, "--engine", "spark", also=server)
                ),
            ]
            for side in sides[index % 2 :] + sides[: index % 2]:
                side()
    finally:
        if external is None:
            spark_server.stop(spark_home)
    duck_row = Row.of("mesh build --full-refresh on DuckDB", duck_runs)
    spark_row = Row.of("mesh build --full-refresh --engine spark (incl. the server's memory)",
                       spark_runs)  # fmt: skip
    scenario.rows += [duck_row, spark_row]
    scenario.notes.append(
        f"Spark / DuckDB wall time {spark_row.seconds.median / duck_row.seconds.median:.2f}x, "
        f"peak memory {spark_row.peak_bytes.median / duck_row.peak_bytes.median:.2f}x "
        "(local[2] Spark on this machine; reported, no target)"
    )
    return scenario
