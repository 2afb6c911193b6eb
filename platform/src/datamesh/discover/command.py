"""``mesh ls``: the domains a selection picks, in build order."""

from __future__ import annotations

import argparse

from datamesh.command_args import add_common, add_selection, root_of


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ls", help="print the domains a selection picks, in build order")
    add_common(parser)
    add_selection(parser)
    parser.set_defaults(func=cmd_ls)


def cmd_ls(args: argparse.Namespace) -> int:
    from datamesh.discover.graph import DomainGraph
    from datamesh.discover.projects import discover_domains
    from datamesh.discover.select import select_domains

    graph = DomainGraph.from_domains(discover_domains(root_of(args)))
    for name in select_domains(graph, args.select, args.exclude):
        print(name)
    return 0
