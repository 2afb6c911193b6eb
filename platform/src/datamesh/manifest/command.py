"""``mesh manifest``: discover and parse every domain, write the cross-project manifest."""

from __future__ import annotations

import argparse
from pathlib import Path

from datamesh.command_args import add_common, root_of, warehouse_of


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("manifest", help="discover and parse domains, write the manifest")
    add_common(parser)
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
