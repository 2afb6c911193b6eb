"""Arguments every ``mesh`` subcommand shares, and how they turn into a root and a warehouse.

Each stage registers its own subcommand (``<stage>/command.py``: ``register(subparsers)``) and
takes these helpers from here, so no stage imports the CLI that imports it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from datamesh.warehouse import Warehouse, default_warehouse


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=None,
        help="folder of dbt projects (default: domains/ of this repo)",
    )  # fmt: skip
    parser.add_argument(
        "--warehouse", type=Path, default=None,
        help="warehouse folder (default: $MESH_WAREHOUSE or warehouse/)",
    )  # fmt: skip


def add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s", "--select", action="append", default=None,
        help="domains to pick, dbt style: sales+  +marketing  customers (repeatable)",
    )  # fmt: skip
    parser.add_argument("--exclude", action="append", default=None, help="domains to leave out")


def root_of(args: argparse.Namespace) -> Path:
    """``--root``, else the ``domains/`` folder of the repo the command runs in."""
    if args.root:
        return args.root.resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "domains").is_dir():
            return folder / "domains"
    return here / "domains"


def warehouse_of(args: argparse.Namespace) -> Warehouse:
    return Warehouse((args.warehouse or default_warehouse()).resolve())
