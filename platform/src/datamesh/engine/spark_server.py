"""A local Spark Thrift server for meshes built on Spark, run from the installed pyspark.

One long-lived server owns the Hive metastore (embedded Derby admits a single JVM), and every
domain's dbt connects to it over Thrift: the way a real cluster is used, where the same
profile points at a cluster's Thrift endpoint instead (``MESH_SPARK_HOST``/``MESH_SPARK_PORT``).
The pip pyspark ships the Thrift server's jars but not ``sbin/start-thriftserver.sh``, so the
server is started with ``spark-submit`` and its class. Spark's output goes to a log file in the
warehouse, never to the terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from datamesh.errors import MeshError
from datamesh.jsonio import write_json_atomic
from datamesh.warehouse import Warehouse

HOST_ENV = "MESH_SPARK_HOST"
PORT_ENV = "MESH_SPARK_PORT"
DEFAULT_PORT = 10000
SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0


class SparkServerError(MeshError):
    """The local Spark server cannot be started, reached or stopped."""


@dataclass(frozen=True)
class Endpoint:
    """Where dbt and Great Expectations reach Spark SQL."""

    host: str
    port: int
    external: bool  # named by MESH_SPARK_HOST/PORT: not ours to start or stop


@dataclass(frozen=True)
class ServerRecord:
    """What ``mesh engine start spark`` started, kept so status/stop find it."""

    host: str
    port: int
    pid: int
    log: str
    started_at: float


@dataclass(frozen=True)
class Status:
    endpoint: Endpoint | None
    record: ServerRecord | None
    running: bool
    listening: bool


def _record_file(warehouse: Warehouse) -> Path:
    return warehouse.spark_dir / "server.json"


def _log_file(warehouse: Warehouse) -> Path:
    return warehouse.spark_dir / "server.log"


def external_endpoint() -> Endpoint | None:
    """The server named by the environment, if any; a bad port is named."""
    host = os.environ.get(HOST_ENV)
    port = os.environ.get(PORT_ENV)
    if not host and not port:
        return None
    try:
        number = int(port) if port else DEFAULT_PORT
    except ValueError:
        raise SparkServerError(f"{PORT_ENV}={port!r} is not a port number") from None
    return Endpoint(host or "127.0.0.1", number, external=True)


def read_record(warehouse: Warehouse) -> ServerRecord | None:
    file = _record_file(warehouse)
    if not file.is_file():
        return None
    try:
        return ServerRecord(**json.loads(file.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise SparkServerError(
            f"{file} is damaged ({exc}); stop the server by hand if one runs, then delete it"
        ) from None


def listening(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie left by a parent that has not reaped it is not a running server
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def status(warehouse: Warehouse) -> Status:
    external = external_endpoint()
    if external is not None:
        return Status(external, None, True, listening(external.host, external.port))
    record = read_record(warehouse)
    if record is None:
        return Status(None, None, False, False)
    endpoint = Endpoint(record.host, record.port, external=False)
    running = _alive(record.pid)
    return Status(endpoint, record, running, running and listening(record.host, record.port))


def endpoint(warehouse: Warehouse) -> Endpoint:
    """The Spark server a Spark build uses: the environment's, else the one started here."""
    state = status(warehouse)
    if state.endpoint is None or not state.running:
        raise SparkServerError(
            f"no Spark server for {warehouse.root}: run 'mesh engine start spark' or set "
            f"{HOST_ENV}/{PORT_ENV} to a running Spark Thrift server"
        )
    if not state.listening:
        where = f"{state.endpoint.host}:{state.endpoint.port}"
        raise SparkServerError(f"the Spark server at {where} does not answer")
    return state.endpoint


def spark_home() -> Path:
    """The installed pyspark package folder, which is a complete SPARK_HOME."""
    try:
        import pyspark
    except ImportError:
        raise SparkServerError(
            "pyspark is not installed: install the Spark extra (pip install -e '.[spark]', "
            "or 'make setup-spark')"
        ) from None
    home = Path(pyspark.__file__).parent
    if not (home / "bin" / "spark-submit").is_file():
        raise SparkServerError(f"{home} has no bin/spark-submit: reinstall pyspark")
    return home


def _free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise SparkServerError("no free TCP port for the Spark server")


def server_command(warehouse: Warehouse, home: Path, port: int) -> list[str]:
    folder = warehouse.spark_dir
    metastore = f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true"
    return [
        str(home / "bin" / "spark-submit"),
        "--class", SERVER_CLASS,
        "--master", "local[2]",
        "--driver-memory", "2g",
        "--driver-java-options", f"-Dderby.system.home={folder}",
        "--conf", "spark.sql.shuffle.partitions=4",
        "--conf", "spark.ui.enabled=false",
        "--conf", f"spark.sql.warehouse.dir={folder / 'tables'}",
        "--conf", f"spark.local.dir={folder / 'tmp'}",
        "--hiveconf", f"javax.jdo.option.ConnectionURL={metastore}",
        "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1",
        "--hiveconf", f"hive.server2.thrift.port={port}",
        "spark-internal",
    ]  # fmt: skip


def _tail(file: Path, lines: int = 15) -> str:
    try:
        return "\n".join(file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start(warehouse: Warehouse, *, port: int = DEFAULT_PORT, timeout: float = START_TIMEOUT_S
          ) -> Endpoint:  # fmt: skip
    """Start the local server (or find the one already running) and wait until it listens."""
    external = external_endpoint()
    if external is not None:
        raise SparkServerError(
            f"{HOST_ENV}/{PORT_ENV} name a server ({external.host}:{external.port}): the mesh "
            "uses it and starts none; unset them to run a local one"
        )
    current = status(warehouse)
    if current.record is not None and current.running:
        if not current.listening:
            _wait_listening(warehouse, current.record, timeout)
        return Endpoint(current.record.host, current.record.port, external=False)
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkServerError("Spark needs Java 17: no 'java' on PATH and no JAVA_HOME")
    home = spark_home()
    folder = warehouse.spark_dir
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    chosen = _free_port(port)
    log = _log_file(warehouse)
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOG_DIR": str(folder)}
    with log.open("ab") as out:
        process = subprocess.Popen(
            server_command(warehouse, home, chosen), stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT, cwd=folder, env=env, start_new_session=True,
        )  # fmt: skip
    record = ServerRecord("127.0.0.1", chosen, process.pid, str(log), time.time())
    write_json_atomic(_record_file(warehouse), asdict(record))
    _wait_listening(warehouse, record, timeout, process)
    return Endpoint(record.host, record.port, external=False)


def _wait_listening(warehouse: Warehouse, record: ServerRecord, timeout: float,
                    process: subprocess.Popen | None = None) -> None:  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listening(record.host, record.port):
            return
        exited = process.poll() is not None if process else not _alive(record.pid)
        if exited:
            _record_file(warehouse).unlink(missing_ok=True)
            raise SparkServerError(
                f"the Spark server exited while starting; its log {record.log} ends:\n"
                + _tail(Path(record.log))
            )
        time.sleep(0.5)
    stop(warehouse)
    raise SparkServerError(
        f"the Spark server did not listen on {record.host}:{record.port} within {timeout:.0f} s; "
        f"see {record.log}"
    )


def stop(warehouse: Warehouse, timeout: float = STOP_TIMEOUT_S) -> ServerRecord | None:
    """Stop the server started here (its whole process group); None when none was running."""
    record = read_record(warehouse)
    if record is None:
        return None
    if _alive(record.pid):
        _signal_group(record.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(record.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(record.pid):
            _signal_group(record.pid, signal.SIGKILL)
    # started by this very process: reap it (blocking: it is dead or dying of SIGKILL), else a
    # zombie keeps its pid; another process's child raises ChildProcessError at once
    with contextlib.suppress(ChildProcessError):
        os.waitpid(record.pid, 0)
    _record_file(warehouse).unlink(missing_ok=True)
    return record


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)
