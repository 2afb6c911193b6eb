"""``mesh state-path``: where dbt's manifest of a domain's last published build is kept.

Slim CI compares a change with what is published: ``dbt build -s state:modified+ --state
<folder> --defer``. dbt's target folder cannot be that folder: every parse and every build,
failed ones too, overwrites it. So a publish keeps a copy of its build's manifest.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from datamesh.command_args import command_parser, root_of, warehouse_of
from datamesh.errors import MeshError
from datamesh.warehouse import Warehouse

STATE_FILES = ("manifest.json",)

DESCRIPTION = """\
Print the folder holding dbt's manifest.json of the build that last published a domain,
for dbt's state selection (Slim CI): build only what a change modified, and read the
rest from the published mesh.

  cd domains/sales
  dbt build -s state:modified+ --state "$(mesh state-path sales)" --defer

The folder is written when the domain publishes (mesh build), so it describes what
consumers read now, not the last parse or a failed build."""


def keep_publish_state(warehouse: Warehouse, domain: str) -> Path | None:
    """Copy the just-published build's manifest.json out of dbt's target folder, atomically."""
    source = warehouse.target_dir(domain)
    if not all((source / name).is_file() for name in STATE_FILES):
        return None
    dest = warehouse.publish_state_dir(domain)
    dest.mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        partial = dest / f".{name}.partial"
        shutil.copyfile(source / name, partial)
        os.replace(partial, dest / name)
    return dest


def publish_state(warehouse: Warehouse, domain: str) -> Path:
    """The state folder of ``domain``; a ``MeshError`` when it never published."""
    folder = warehouse.publish_state_dir(domain)
    if not (folder / "manifest.json").is_file():
        raise MeshError(
            f"domain '{domain}' was never built and published in {warehouse.root} "
            f"({folder / 'manifest.json'} missing); run mesh build -s {domain} first"
        )
    return folder


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "state-path", summary="print the dbt state folder of a domain's last publish",
        description=DESCRIPTION,
        examples=[
            "mesh state-path sales",
            'dbt build -s state:modified+ --state "$(mesh state-path sales)" --defer',
        ],
        exit_codes={0: "printed the folder", 2: "the domain was never built and published"},
    )  # fmt: skip
    parser.add_argument("domain", help="the domain (its dbt project name)")
    parser.set_defaults(func=cmd_state_path, stdout_is_data=True)


def cmd_state_path(args: argparse.Namespace) -> int:
    from datamesh.discover.graph import DomainGraph
    from datamesh.discover.projects import discover_domains
    from datamesh.discover.select import select_domains

    graph = DomainGraph.from_domains(discover_domains(root_of(args)))
    select_domains(graph, [args.domain])  # an unknown name is named, with the known ones
    print(publish_state(warehouse_of(args), args.domain))
    return 0
