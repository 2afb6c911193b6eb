"""Statements the platform itself runs on Spark (schemas, source tables, fingerprints).

dbt runs the models; this is the platform's own, small connection over the same Thrift
endpoint, through PyHive (installed with dbt-spark's PyHive extra).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from datamesh.engine.spark_server import Endpoint, SparkServerError


@contextlib.contextmanager
def spark_cursor(endpoint: Endpoint) -> Iterator[Any]:
    """A cursor on the server; a refused connection is a named error, not a traceback."""
    try:
        from pyhive import hive
    except ImportError:
        raise SparkServerError(
            "PyHive is not installed: install the Spark extra (make setup-spark)"
        ) from None
    try:
        connection = hive.connect(host=endpoint.host, port=endpoint.port)
    except Exception as exc:  # thrift raises its own transport errors
        raise SparkServerError(
            f"cannot connect to the Spark server at {endpoint.host}:{endpoint.port}: {exc}"
        ) from None
    try:
        cursor = connection.cursor()
        yield cursor
        cursor.close()
    finally:
        connection.close()


def run_statements(endpoint: Endpoint, statements: list[str]) -> None:
    with spark_cursor(endpoint) as cursor:
        for statement in statements:
            cursor.execute(statement)


def query(endpoint: Endpoint, statement: str) -> list[tuple[Any, ...]]:
    with spark_cursor(endpoint) as cursor:
        cursor.execute(statement)
        return list(cursor.fetchall())
