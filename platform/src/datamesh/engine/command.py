"""``mesh engine start|stop|status spark``: the local Spark Thrift server a Spark mesh builds on."""

from __future__ import annotations

import argparse
import json

from datamesh.command_args import command_parser, warehouse_of
from datamesh.engine import spark_server

ENGINES = ("spark",)

DESCRIPTION = """\
Run the local Spark Thrift server that a mesh built on Spark uses (DuckDB, the default
engine, needs no server). The server runs from the installed pyspark, keeps its Hive
metastore and table files under <warehouse>/engine/spark/, and writes its output to
<warehouse>/engine/spark/server.log. On a real cluster, set MESH_SPARK_HOST and
MESH_SPARK_PORT to its Thrift endpoint instead: then nothing is started here."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "engine", summary="start, stop or show the local Spark server",
        description=DESCRIPTION,
        examples=["mesh engine start spark", "mesh engine status spark --format json",
                  "mesh engine stop spark"],
        exit_codes={0: "done (status: the server answers)",
                    1: "status: no server answers",
                    2: "the server could not be started or reached (the message says why)"},
    )  # fmt: skip
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument(
        "--port",
        type=int,
        default=spark_server.DEFAULT_PORT,
        help="port to listen on when free (default %(default)s; else any)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="status as text or one JSON object")  # fmt: skip
    parser.set_defaults(func=cmd_engine, stdout_is_data=True)


def cmd_engine(args: argparse.Namespace) -> int:
    warehouse = warehouse_of(args)
    if args.action == "start":
        if not args.quiet:
            print(f"starting the Spark server (log: {warehouse.spark_dir / 'server.log'})")
        where = spark_server.start(warehouse, port=args.port)
        print(f"spark listening on {where.host}:{where.port}")
        return 0
    if args.action == "stop":
        record = spark_server.stop(warehouse)
        print("no Spark server was running" if record is None
              else f"stopped the Spark server (pid {record.pid}, port {record.port})")  # fmt: skip
        return 0
    state = spark_server.status(warehouse)
    answer = {
        "engine": "spark",
        "host": state.endpoint.host if state.endpoint else None,
        "port": state.endpoint.port if state.endpoint else None,
        "external": bool(state.endpoint and state.endpoint.external),
        "running": state.running, "listening": state.listening,
        "pid": state.record.pid if state.record else None,
        "log": state.record.log if state.record else None,
    }  # fmt: skip
    if args.format == "json":
        print(json.dumps(answer))
    elif state.endpoint is None:
        print("spark: not started (mesh engine start spark)")
    else:
        word = "listening" if state.listening else ("starting" if state.running else "not running")
        print(f"spark: {word} on {state.endpoint.host}:{state.endpoint.port}"
              + (" (MESH_SPARK_HOST/PORT)" if state.endpoint.external else ""))  # fmt: skip
    return 0 if state.listening else 1
