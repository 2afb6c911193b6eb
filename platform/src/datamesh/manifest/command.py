"""``mesh manifest``: discover and parse every domain, write the cross-project manifest."""

from __future__ import annotations

import argparse
from pathlib import Path

from datamesh.command_args import command_parser, root_of, warehouse_of

DESCRIPTION = """\
Discover every dbt project, parse each with dbt in dependency order and write the
cross-project manifest (domains, owners, public models per version, cross-domain edges,
build order), valid against schemas/mesh_manifest.schema.json. A domain whose files and
upstream interfaces did not change reuses its cached parse."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "manifest", summary="discover and parse domains, write the manifest",
        description=DESCRIPTION,
        examples=[
            "mesh manifest                    write the manifest into the warehouse",
            "mesh manifest --no-cache --output /tmp/manifest.json",
        ],
        exit_codes={
            0: "manifest written",
            2: "a cycle, an unknown upstream, a bad cross-domain ref, or a domain dbt cannot "
               "parse (the message names the domain and file)",
        },
    )  # fmt: skip
    parser.add_argument("--output", type=Path, default=None, help="where to write the JSON")
    parser.add_argument("--no-cache", action="store_true", help="parse every domain again")
    parser.set_defaults(func=cmd_manifest)


def cmd_manifest(args: argparse.Namespace) -> int:
    from datamesh.manifest.assemble import build_mesh_manifest

    warehouse = warehouse_of(args)
    output = args.output.resolve() if args.output else warehouse.manifest_path
    manifest = build_mesh_manifest(root_of(args), warehouse, output, use_cache=not args.no_cache)
    print(
        f"mesh manifest: {len(manifest['domains'])} domains, "
        f"{sum(len(d['models']) for d in manifest['domains'])} public model versions, "
        f"{len(manifest['edges'])} cross-domain edges -> {output}"
    )
    print("build order: " + " -> ".join(manifest["build_order"]))
    return 0
