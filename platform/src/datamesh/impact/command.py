"""``mesh impact``: who reads a public model, a version or a column, from the compiled SQL."""

from __future__ import annotations

import argparse
import json
import sys

from datamesh.command_args import command_parser, root_of, warehouse_of

DESCRIPTION = """\
List the consumer models that read a public model of another domain: all of it, one version
(--version) or one column (<domain>.<model>.<column>). Reads come from each consumer's compiled
SQL (select * expanded, CTEs followed); a consumer whose SQL cannot be resolved reads every
column and is listed with columns 'unknown'. Each column read names the reader's output columns
it feeds (column lineage, one hop) and whether it is read only in a predicate: in the JSON for
every reader, in the text for the column asked about."""


PREDICATE_ONLY = {
    "predicate-equality": "read only in predicates, by equality",
    "predicate": "read only in predicates",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "impact", summary="who reads a model, a version or a column",
        description=DESCRIPTION,
        examples=[
            "mesh impact sales.fct_orders                 every reader, with the columns it reads",
            "mesh impact sales.fct_orders.order_date      readers of one column",
            "mesh impact customers.dim_customers --version 1 --format json",
        ],
        exit_codes={
            0: "readers listed (maybe none)",
            2: "no such public model, version or column, or a domain dbt cannot parse",
        },
    )  # fmt: skip
    parser.add_argument("target", help="<domain>.<model> or <domain>.<model>.<column>")
    parser.add_argument("--version", default=None, help="only readers of this version")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=cmd_impact)


def cmd_impact(args: argparse.Namespace) -> int:
    from datamesh.impact.readers import parse_target, readers_of
    from datamesh.manifest.assemble import build_mesh_manifest

    domain, model, column = parse_target(args.target)
    manifest = build_mesh_manifest(root_of(args), warehouse_of(args))
    readers = readers_of(manifest, domain, model, column, args.version)
    if args.format == "json":
        payload = {
            "target": {"domain": domain, "model": model, "column": column,
                       "version": args.version},
            "readers": [r.to_json() for r in readers],
        }  # fmt: skip
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return 0
    what = args.target + (f" v{args.version}" if args.version else "")
    if not readers:
        print(f"nobody reads {what}")
        return 0
    print(f"{len(readers)} reader(s) of {what}:")
    for r in readers:
        version = f" v{r.version}" + (" (pinned)" if r.pinned else " (unversioned ref)")
        where = f"{r.domain}/{r.file}" + (f":{r.line}" if r.line else "")
        columns = ", ".join(r.columns) if r.columns is not None else "unknown (every column)"
        print(f"  {r.domain}.{r.model}  reads{version if r.version is not None else ''}: "
              f"{columns}  {where}  owner: {r.owner or '-'}")  # fmt: skip
        for read in r.lineage or [] if column else []:
            how = PREDICATE_ONLY.get(read["usage"], "reaches no output column")
            into = ", ".join(read["feeds"]) or f"no output column ({how})"
            print(f"    {domain}.{model}.{read['column']} -> {into}")
    return 0
