"""The ``mesh`` command: siblings of dbt's own commands, for the whole mesh."""

from __future__ import annotations

import argparse
import importlib
import io
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata

from datamesh import __version__
from datamesh.console import Console, JsonLines, wants_colour
from datamesh.errors import MeshError

# Each stage owns its subcommand: a module with ``register(subparsers)``. Listed in the order
# ``mesh --help`` shows them.
COMMANDS: tuple[str, ...] = (
    "datamesh.discover.command",
    "datamesh.manifest.command",
    "datamesh.impact.command",
    "datamesh.orchestrate.command",
    "datamesh.orchestrate.state_path",
    "datamesh.orchestrate.clean",
    "datamesh.audit.command",
    "datamesh.check.command",
    "datamesh.map.command",
    "datamesh.docs.command",
    "datamesh.scaffold.command",
    "datamesh.engine.command",
)

DESCRIPTION = """\
mesh: the analytics mesh's commands, siblings of dbt's own. Discover the dbt projects
under domains/, write the cross-project manifest, build, audit and publish domains in
dependency order, check contracts for CI, validate published data and draw the map."""

EPILOG = """\
every command takes: --root DIR, --warehouse DIR, --no-color, --log-format text|json, --debug, -q
run 'mesh <command> --help' for its examples and exit codes.
"""


def version_text() -> str:
    """``mesh --version``: ours and the dbt packages it drives, as dbt prints its own."""
    lines = [f"mesh {__version__}"]
    for package in ("dbt-core", "dbt-duckdb"):
        try:
            lines.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{package} not installed")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mesh", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument(
        "--version", action="version", version=version_text(),
        help="print the versions of mesh, dbt-core and dbt-duckdb, and exit",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    for module_name in COMMANDS:
        importlib.import_module(module_name).register(sub)
    return parser


class _Discard(io.TextIOBase):
    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


@contextmanager
def _streams(console: Console, stdout_is_data: bool) -> Iterator[None]:
    """What a command prints goes through the shared settings: JSON lines, or nothing with -q.

    A command whose stdout is its answer (``ls``, ``check``'s report, ``state-path``) keeps it.
    """
    saved = sys.stdout, sys.stderr
    if not stdout_is_data:
        if console.quiet:
            sys.stdout = _Discard()
        elif console.json:
            sys.stdout = JsonLines(saved[0], "info", console.command)
    if console.json:
        sys.stderr = JsonLines(saved[1], "error", console.command)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream not in saved:
                stream.flush()
        sys.stdout, sys.stderr = saved


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console(
        command=args.command, log_format=args.log_format, quiet=args.quiet,
        colour=wants_colour(sys.stdout, args.no_color), out=sys.stdout, err=sys.stderr,
    )  # fmt: skip
    args.console = console
    name = f"mesh {args.command}"

    def fail(message: str, code: int, **fields: object) -> int:
        if args.debug:
            traceback.print_exc(file=console.err)
        console.log("error", f"{name}: {message}", exit_code=code, **fields)
        return code

    with _streams(console, getattr(args, "stdout_is_data", False)):
        try:
            return args.func(args)
        except MeshError as exc:
            return fail(f"error: {exc}", exc.exit_code, error=type(exc).__name__)
        except OSError as exc:  # the machine, not the mesh: a full disk, a missing or locked file
            where = f"{exc.filename}: " if exc.filename else ""
            return fail(f"error: {where}{exc.strerror or exc}", 2, error=type(exc).__name__)
        except KeyboardInterrupt:
            return fail("interrupted", 130)
        except Exception as exc:  # a bug of ours: say so in one line; --debug shows where
            hint = "" if args.debug else " (run again with --debug for the traceback)"
            return fail(f"internal error: {type(exc).__name__}: {exc}{hint}", 2,
                        error=type(exc).__name__)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
