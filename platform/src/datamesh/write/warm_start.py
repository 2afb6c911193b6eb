"""Start dbt without paying Python's start-up and dbt's imports once per domain.

A ``mesh build`` starts one warm process that imports dbt, the DuckDB adapter and the mesh's dbt
plugins once, then forks a child per domain build: the child inherits every imported module
(copy-on-write) and runs dbt's command line in process, as the ``dbt`` executable would, with
its own working folder, environment, log file and write wall. Measured on the five domains,
start-up plus adapter registration was the largest phase of a domain build (write/phases.py).
Before its first fork it also compiles what every dbt build compiles the same way (dbt's and
the adapter's macro templates, the JSON schemas of project and profile), once for all.

The warm process is single-threaded (a fork of a threaded process may deadlock), reads requests
as JSON lines on stdin and answers on stdout: ``{"id", "pid"}`` when a child started, then
``{"id", "exit"}`` when it ended. A child dies with the warm process (PR_SET_PDEATHSIG), which
dies with the build that started it, so a killed build leaves no dbt running. ``MESH_WARM_START=
off`` starts every dbt as a fresh process instead.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WARM_START_ENV = "MESH_WARM_START"  # "off": a fresh dbt process per domain build
OFF_VALUES = {"off", "0", "false", "no"}
PRELOAD = (
    "dbt.cli.main", "dbt.task.build", "dbt.parser.manifest", "dbt.adapters.duckdb",
    "dbt.adapters.duckdb.impl", "dbt.adapters.duckdb.plugins", "dbt_datamesh",
    "datamesh.resolve.attach", "dbt.parser.schema_yaml_readers", "multiprocessing.resource_tracker",
    "google.protobuf.descriptor_pb2", "_strptime", "netrc", "shlex",
)  # fmt: skip
# dbt's own macros and the DuckDB adapter's: compiled once here, inherited by every child
MACRO_PACKAGES = ("dbt.include.global_project", "dbt.include.duckdb")
MACRO_BLOCKS = {"macro", "materialization", "test", "data_test"}  # as dbt's MacroParser reads
# The classes whose JSON schema every dbt build builds (mashumaro, lru-cached per process):
# recorded from a build of a domain on dbt 1.11; a class not found is skipped
JSON_SCHEMA_CLASSES = (
    "dbt.contracts.project.ProjectFlags", "dbt.contracts.project.ProfileConfig",
    "dbt.contracts.project.Project", "dbt.contracts.project.PackageConfig",
    "dbt.contracts.project.Configuration", "dbt.contracts.selection.SelectorFile",
    "dbt.adapters.duckdb.credentials.DuckDBCredentials",
    "dbt_common.contracts.constraints.ColumnLevelConstraint", "dbt.task.test.TestResultData",
)  # fmt: skip
_PR_SET_PDEATHSIG = 1


def warm_start_enabled(environ: dict[str, str] | None = None) -> bool:
    value = (environ if environ is not None else os.environ).get(WARM_START_ENV, "")
    return value.strip().lower() not in OFF_VALUES


# ---------------------------------------------------------------------------------------------
# The warm process (python -m datamesh.write.warm_start)


def _prctl() -> Any:
    import ctypes

    return ctypes.CDLL("libc.so.6", use_errno=True).prctl


def _run_child(request: dict[str, Any], prctl: Any, channel: int) -> None:
    """In the forked child: become the requested ``dbt`` run, then exit with its code."""
    code = 2
    try:
        os.close(channel)  # the warm process's answers are not the child's to write
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import tempfile

        tempfile.tempdir = None  # TMPDIR changed: the child's own private folder
        if request.get("writable") is not None:
            from datamesh.sandbox.landlock import WriteOnlyHere

            WriteOnlyHere(Path(p) for p in request["writable"]).restrict_self()
        from dbt.cli.main import cli

        sys.argv = ["dbt", *request["args"]]
        try:
            cli.main(args=request["args"], prog_name="dbt")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # anything before dbt ran: say it where the log is read
        with contextlib.suppress(Exception):
            print(f"mesh: dbt could not start: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


@dataclass(frozen=True)
class _MacroText:
    macro_sql: str  # the key of dbt's template cache, as a parsed Macro node carries it


def precompile_macros(packages: tuple[str, ...] = MACRO_PACKAGES) -> int:
    """Compile the Jinja templates of dbt's and the adapter's macros into dbt's template cache.

    Profiled on a synthetic mesh (py-spy), compiling these templates was a quarter of each
    forked dbt's samples: every child compiled the same macros again. dbt's cache is keyed by
    the macro's text, so a child whose manifest carries the same text finds it compiled; a
    macro a project overrides has other text and is compiled by the child as before.
    """
    import importlib

    from dbt_common.clients.jinja import extract_toplevel_blocks, template_cache

    compiled = 0
    for package in packages:
        try:
            root = Path(importlib.import_module(package).__file__ or "").parent
        except ImportError:
            continue
        for path in sorted(root.rglob("*.sql")):
            text = path.read_bytes().decode("utf-8").strip()  # as dbt reads it
            for block in extract_toplevel_blocks(text, allowed_blocks=MACRO_BLOCKS,
                                                 collect_raw_data=False):  # fmt: skip
                with contextlib.suppress(Exception):  # the child compiles (and reports) it
                    template_cache.get_node_template(_MacroText(block.full_block))
                    compiled += 1
    return compiled


def prebuild_json_schemas(classes: tuple[str, ...] = JSON_SCHEMA_CLASSES) -> int:
    """Build the JSON schemas dbt validates its project, profile and results against.

    Profiled (cProfile), building them (``dbtClassMixin.json_schema``) was a fifth of a tiny
    domain's dbt build; the schema depends only on the class, so the children inherit it.
    With both prewarmed, that build took 1.2-1.3 CPU-seconds in process instead of 2.0-2.2.
    """
    import importlib

    built = 0
    for dotted in classes:
        module, _, name = dotted.rpartition(".")
        with contextlib.suppress(Exception):  # another dbt version: the child builds it
            getattr(importlib.import_module(module), name).json_schema()
            built += 1
    return built


def serve() -> None:
    """The warm process's loop: fork a child per request, report its pid and exit code."""
    import importlib

    prctl = _prctl()
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with the build that started it
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle, not ours
    for module in PRELOAD:
        importlib.import_module(module)
    precompile_macros()
    prebuild_json_schemas()
    out = os.fdopen(os.dup(1), "w", buffering=1)
    running: dict[int, str] = {}
    buffer = b""

    def answer(**fields: Any) -> None:
        out.write(json.dumps(fields) + "\n")

    answer(ready=True)
    stdin = sys.stdin.fileno()
    while True:
        readable, _, _ = select.select([stdin], [], [], 0.05)
        if readable:
            chunk = os.read(stdin, 65536)
            if not chunk:
                break  # the build closed the pipe: it ended
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _run_child(request, prctl, out.fileno())
                running[pid] = request["id"]
                answer(id=request["id"], pid=pid)
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            answer(id=running.pop(pid), exit=os.waitstatus_to_exitcode(status))
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------------------------------------
# The build's side


@dataclass
class _Pending:
    pid: int | None = None
    exit: int | None = None
    started: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)


class WarmChild:
    """A dbt run in the warm process, with the part of ``subprocess.Popen`` the build uses."""

    def __init__(self, pending: _Pending) -> None:
        self._pending = pending
        self.pid = pending.pid

    def wait(self, timeout: float | None = None) -> int:
        if not self._pending.ended.wait(timeout):
            raise subprocess.TimeoutExpired("dbt", timeout or 0)
        return self._pending.exit if self._pending.exit is not None else 1

    def poll(self) -> int | None:
        return self._pending.exit if self._pending.ended.is_set() else None

    def _signal(self, sig: signal.Signals) -> None:
        if self.pid is not None and not self._pending.ended.is_set():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)


_STARTER: WarmStarter | None = None
_STARTER_LOCK = threading.Lock()


def warm_starter() -> WarmStarter:
    """This process's warm process, started on first use (again if it died)."""
    global _STARTER
    with _STARTER_LOCK:
        if _STARTER is None or not _STARTER.alive:
            _STARTER = WarmStarter()
            atexit.register(_STARTER.close)
        return _STARTER


class WarmStarter:
    """The warm process of one build; ``start`` runs ``dbt <args>`` in a fork of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._count = 0
        self._process = subprocess.Popen(
            [sys.executable, "-m", "datamesh.write.warm_start"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True, bufsize=1,
        )  # fmt: skip
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, name="warm-start", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            message = json.loads(line)
            if message.get("ready"):
                self._ready.set()
                continue
            pending = (self._pending.pop if "exit" in message else self._pending.get)(message["id"])
            if pending is None:
                continue
            if "pid" in message:
                pending.pid = message["pid"]
                pending.started.set()
            if "exit" in message:
                pending.exit = message["exit"]
                pending.ended.set()
        for pending in self._pending.values():  # the warm process died: so did its children
            pending.started.set()
            if not pending.ended.is_set():
                pending.exit = -signal.SIGKILL
                pending.ended.set()
        self._ready.set()

    def start(self, args: list[str], *, cwd: Path, env: dict[str, str], log: Path,
              writable: list[Path] | None) -> WarmChild:  # fmt: skip
        """``dbt <args>`` in ``cwd`` with exactly ``env``, output to ``log``, behind the wall."""
        self._ready.wait()
        with self._lock:
            self._count += 1
            key = str(self._count)
            pending = self._pending[key] = _Pending()
            request = {
                "id": key, "args": args, "cwd": str(cwd), "env": env, "log": str(log),
                "writable": None if writable is None else [str(p) for p in writable],
            }  # fmt: skip
            assert self._process.stdin is not None
            try:
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pending.exit = -signal.SIGKILL
                pending.started.set()
                pending.ended.set()
        pending.started.wait()
        return WarmChild(pending)

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            assert self._process.stdin is not None
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


if __name__ == "__main__":
    serve()
