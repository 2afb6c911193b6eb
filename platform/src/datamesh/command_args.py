"""Arguments every ``mesh`` subcommand shares, and how they turn into a root and a warehouse.

Each stage registers its own subcommand (``<stage>/command.py``: ``register(subparsers)``) and
takes these helpers from here, so no stage imports the CLI that imports it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from datamesh.dbt_env import WAREHOUSE_ENV
from datamesh.errors import MeshError
from datamesh.warehouse import Warehouse, default_warehouse

LOG_FORMATS = ("text", "json")


def command_parser(
    sub: argparse._SubParsersAction,
    name: str,
    *,
    summary: str,
    description: str,
    examples: list[str],
    exit_codes: dict[int, str],
) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` says what it does, shows examples and its exit codes.

    Plain text only (no RST): ``--help`` is read in a terminal, and the README shows it as is.
    The shared flags (:func:`add_common`) are added here, so no subcommand can miss them.
    """
    epilog = "examples:\n" + "".join(f"  {line}\n" for line in examples)
    codes = "".join(f"  {code:>3}  {what}\n" for code, what in exit_codes.items())
    epilog += "\nexit codes:\n" + codes
    parser = sub.add_parser(
        name, help=summary, description=description, epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    add_common(parser)
    return parser


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=None,
        help="folder of dbt projects, or one project (default: domains/ of this repo, else the "
        "current folder)",
    )  # fmt: skip
    parser.add_argument(
        "--warehouse", type=Path, default=None,
        help="warehouse folder (default: $MESH_WAREHOUSE or warehouse/)",
    )  # fmt: skip
    parser.add_argument(
        "--no-color", action="store_true",
        help="no colour in progress and reports (also: $NO_COLOR set to anything)",
    )  # fmt: skip
    parser.add_argument(
        "--log-format", choices=LOG_FORMATS, default="text",
        help="json: the command's own messages (progress, summary, errors) as one JSON object "
        "per line: ts, level, command, message, fields",
    )  # fmt: skip
    parser.add_argument(
        "--debug", action="store_true", help="print the traceback of an error (never otherwise)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true",
        help="no progress or summary lines; errors, and the output the command exists for "
        "(ls, check's report, state-path), still print",
    )  # fmt: skip


def add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s", "--select", action="append", default=None,
        help="domains to pick, dbt style (repeatable, or space/comma separated): sales+  "
        "+marketing  tag:core  path:domains/sales  sales.fct_orders  *",
    )  # fmt: skip
    parser.add_argument(
        "--exclude", action="append", default=None,
        help="domains to leave out (same selector grammar)",
    )  # fmt: skip


def root_of(args: argparse.Namespace) -> Path:
    """``--root``, else the ``domains/`` folder of the repo the command runs in, else the
    current folder: one dbt project, or projects at any depth below it (``projects/<name>/``)."""
    if args.root:
        return args.root.resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "domains").is_dir():
            return folder / "domains"
    return here


def warehouse_of(args: argparse.Namespace) -> Warehouse:
    """The warehouse a command writes to, checked before any stage blames a domain for it."""
    setting = "--warehouse" if args.warehouse else f"${WAREHOUSE_ENV}"
    return usable_warehouse(Warehouse((args.warehouse or default_warehouse()).resolve()), setting)


def usable_warehouse(warehouse: Warehouse, setting: str) -> Warehouse:
    """A warehouse folder that exists (or can be made) and is writable; else a clear error."""
    root = warehouse.root
    existing = next((p for p in (root, *root.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise MeshError(f"{setting} is {root}, but {existing} is a file, not a folder")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise MeshError(f"{setting} is {root}, but {existing} is not writable")
    if "{" in str(root) or "}" in str(root):
        raise MeshError(f"{setting} is {root}: braces in the warehouse path are not supported "
                        "(dbt-duckdb formats source locations with them)")  # fmt: skip
    return warehouse
