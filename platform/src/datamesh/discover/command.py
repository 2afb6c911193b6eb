"""``mesh ls``: the domains a selection picks, in build order."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from datamesh.command_args import add_selection, command_parser, root_of

DESCRIPTION = """\
Print the domains a selection picks, producers before consumers (the order mesh build
uses). Discovery only: no dbt run, nothing written. With --output json, one JSON
document: per domain its name, folder, upstreams, downstreams and owner (from its
group YAML)."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "ls", summary="print the domains a selection picks, in build order",
        description=DESCRIPTION,
        examples=[
            "mesh ls                          every domain, in build order",
            "mesh ls -s sales+                sales and everything that reads from it",
            "mesh ls -s tag:core path:domains/finance",
            "mesh ls -s sales.fct_orders+ --output json",
        ],
        exit_codes={0: "printed the selection", 2: "bad selector, or a domain cannot be read"},
    )  # fmt: skip
    add_selection(parser)
    parser.add_argument(
        "--output", choices=("text", "json"), default="text",
        help="text: one name a line; json: name, path, upstreams, downstreams, owner per domain",
    )  # fmt: skip
    parser.set_defaults(func=cmd_ls, stdout_is_data=True)


def listing(graph: Any, names: list[str]) -> list[dict[str, Any]]:
    """What ``mesh ls --output json`` prints for each selected domain."""
    from datamesh.discover.owner import domain_owner

    return [
        {
            "name": name,
            "path": str(graph.domains[name].path),
            "upstreams": list(graph.upstreams(name)),
            "downstreams": list(graph.downstreams(name)),
            "owner": domain_owner(graph.domains[name]),
        }
        for name in names
    ]


def cmd_ls(args: argparse.Namespace) -> int:
    from datamesh.discover.graph import DomainGraph
    from datamesh.discover.projects import discover_domains
    from datamesh.discover.select import select_domains

    graph = DomainGraph.from_domains(discover_domains(root_of(args)))
    names = select_domains(graph, args.select, args.exclude)
    if args.output == "json":
        sys.stdout.write(json.dumps({"domains": listing(graph, names)}, indent=2) + "\n")
        return 0
    for name in names:
        print(name)
    return 0
