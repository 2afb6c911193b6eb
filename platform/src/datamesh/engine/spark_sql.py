"""Statements the platform itself runs on Spark (schemas, source tables, fingerprints).

dbt runs the models; this is the platform's own, small connection over the same Thrift
endpoint, through PyHive (installed with dbt-spark's PyHive extra).
"""

from __future__ import annotations

import contextlib
import re
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


class SparkStatementError(SparkServerError):
    """Spark refused a statement the platform ran: Spark's own sentence, and the statement."""

    def __init__(self, message: str, statement: str) -> None:
        self.message, self.statement = message, statement
        super().__init__(f"{message} (in: {statement[:200]})")


# "Error running query: [SCHEMA_NOT_FOUND] org.apache...NoSuchDatabaseException: " before the
# sentence a person reads
_JAVA_PREFIX = re.compile(r"^Error running query: (\[\w+\] )?[\w.$]+: ")


def spark_message(exc: BaseException) -> str:
    """Spark's own error sentence out of PyHive's Thrift response (which carries a Java stack)."""
    text = ""
    for arg in getattr(exc, "args", ()):
        status = getattr(arg, "status", None)
        message = getattr(status, "errorMessage", None) or getattr(arg, "errorMessage", None)
        if message:
            text = str(message)
            break
    text = (text or str(exc)).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return _JAVA_PREFIX.sub("", first)[:500]


def execute(cursor: Any, statement: str) -> None:
    """Run one statement; a refusal is a SparkStatementError with Spark's sentence."""
    try:
        cursor.execute(statement)
    except Exception as exc:  # PyHive's OperationalError/ProgrammingError, thrift's errors
        raise SparkStatementError(spark_message(exc), statement) from None


def run_statements(endpoint: Endpoint, statements: list[str]) -> None:
    with spark_cursor(endpoint) as cursor:
        for statement in statements:
            execute(cursor, statement)


def query(endpoint: Endpoint, statement: str) -> list[tuple[Any, ...]]:
    with spark_cursor(endpoint) as cursor:
        execute(cursor, statement)
        return list(cursor.fetchall())
