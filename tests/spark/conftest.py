"""One Spark Thrift server per test session: the environment's (MESH_SPARK_HOST/PORT, which
``.ci/run`` sets after ``mesh engine start spark``), else one started here and stopped after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from datamesh.engine import spark_server
from datamesh.warehouse import Warehouse


@pytest.fixture(scope="session")
def spark_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[spark_server.Endpoint]:
    external = spark_server.external_endpoint()
    if external is not None:
        if not spark_server.listening(external.host, external.port):
            pytest.fail(f"the Spark server at {external.host}:{external.port} does not answer")
        yield external
        return
    warehouse = Warehouse(tmp_path_factory.mktemp("spark-server"))
    try:
        yield spark_server.start(warehouse, port=10600)
    finally:
        spark_server.stop(warehouse)
