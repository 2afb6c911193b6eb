"""The wall a dbt process runs behind: it may write only in the folders its build owns.

READ_ONLY attach and DuckDB's own settings are conventions a SQL statement can undo (detach,
attach again read-write); this is enforced by the kernel (Landlock, see landlock.py). Fail
closed: without Landlock, nothing starts unless ``MESH_SANDBOX=off`` says so, loudly.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from datamesh.errors import MeshError
from datamesh.sandbox.landlock import LandlockUnavailable, WriteOnlyHere

SANDBOX_ENV = "MESH_SANDBOX"  # "off": run dbt without the wall (machines without Landlock)
APPLIED_ENV = "MESH_SANDBOX_APPLIED"  # set for a walled child: its dbt plugin adds no second wall
OFF_VALUES = {"off", "0", "false", "no"}
DENIED_MARKERS = ("Permission denied", "Errno 13", "EACCES")


class SandboxUnavailable(MeshError):
    """The kernel cannot enforce the wall and the user did not opt out."""


def sandbox_disabled(environ: dict[str, str] | None = None) -> bool:
    """True when ``MESH_SANDBOX=off`` (or 0/false/no) asks to run dbt without the wall."""
    value = (environ if environ is not None else os.environ).get(SANDBOX_ENV, "")
    return value.strip().lower() in OFF_VALUES


def warn_disabled(who: str) -> None:
    print(
        f"mesh: WARNING: {SANDBOX_ENV}=off: {who} runs WITHOUT the write wall; a model can "
        "overwrite other domains' published data and the registry",
        file=sys.stderr,
    )


def write_wall(writable: Iterable[Path], who: str) -> WriteOnlyHere:
    """A Landlock ruleset for ``who`` (named in the error), writable only beneath ``writable``."""
    folders = [Path(p) for p in writable]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    try:
        return WriteOnlyHere(folders)
    except LandlockUnavailable as exc:
        raise SandboxUnavailable(
            f"cannot start {who} behind the write wall: {exc}. The wall is what keeps a "
            "model from rewriting other domains' published data. On a machine without "
            f"Landlock, set {SANDBOX_ENV}=off to run without it (not for shared warehouses)."
        ) from None


def denied_hint(failure: str, ruleset: WriteOnlyHere) -> str:
    """Say why a write was refused: DuckDB's own message only says 'Permission denied'."""
    if not any(marker in failure for marker in DENIED_MARKERS):
        return failure
    allowed = ", ".join(str(p) for p in ruleset.writable)
    return f"{failure} [mesh sandbox: this dbt process may write only in: {allowed}]"


class ChildWall:
    """The wall for one dbt child: build it here, apply it between fork and exec.

    ``preexec(before)`` returns the function to give ``subprocess`` as ``preexec_fn``; ``env``
    holds what the child needs (a private TMPDIR, removed on close; the marker for the dbt
    plugin). Give ``tmpdir`` inside a folder that is cleared anyway, so a killed parent
    leaves nothing behind in /tmp.
    """

    def __init__(self, writable: Iterable[Path], who: str, tmpdir: Path | None = None) -> None:
        self.ruleset: WriteOnlyHere | None = None
        self.env: dict[str, str] = {}
        self._tmp: Path | None = None
        if sandbox_disabled():
            warn_disabled(who)
            return
        # a TMPDIR of its own: /tmp may hold a warehouse, so it cannot be writable as a whole
        if tmpdir is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="mesh-dbt-"))
        else:
            self._tmp = tmpdir
            shutil.rmtree(tmpdir, ignore_errors=True)
            tmpdir.mkdir(parents=True)
        try:
            self.ruleset = write_wall([*writable, self._tmp, Path("/dev")], who)
        except BaseException:
            self.close()
            raise
        self.env = {"TMPDIR": str(self._tmp), APPLIED_ENV: "1"}

    def preexec(self, before: Callable[[], None] | None = None) -> Callable[[], None] | None:
        ruleset = self.ruleset
        if ruleset is None:
            return before

        def enter() -> None:
            if before is not None:
                before()
            ruleset.restrict_self()

        return enter

    def explain(self, failures: list[str]) -> list[str]:
        if self.ruleset is None:
            return failures
        return [denied_hint(failure, self.ruleset) for failure in failures]

    def close(self) -> None:
        if self.ruleset is not None:
            self.ruleset.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> ChildWall:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
