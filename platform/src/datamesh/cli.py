"""The ``mesh`` command: siblings of dbt's own commands, for the whole mesh."""

from __future__ import annotations

import argparse
import importlib
import sys

from datamesh.errors import MeshError

# Each stage owns its subcommand: a module with ``register(subparsers)``. Listed in the order
# ``mesh --help`` shows them.
COMMANDS: tuple[str, ...] = (
    "datamesh.discover.command",
    "datamesh.manifest.command",
    "datamesh.orchestrate.command",
    "datamesh.audit.command",
    "datamesh.check.command",
    "datamesh.map.command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesh", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMANDS:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except MeshError as exc:
        print(f"mesh {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the machine, not the mesh: a full disk, a missing or locked file
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"mesh {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"mesh {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
