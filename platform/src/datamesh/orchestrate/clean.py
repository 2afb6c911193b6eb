"""``mesh clean --orphans``: remove what the warehouse keeps for domains that no longer exist."""

from __future__ import annotations

import argparse

from datamesh.command_args import command_parser, root_of, warehouse_of

DESCRIPTION = """\
With --orphans: find the domains the warehouse holds files for (registry entry,
publications, staging, dev file, dbt state, validation results) that no folder under the
root declares any more, print each path, then delete them. Takes the build lock, so it never
runs beside a build. --dry-run prints without deleting."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "clean", summary="remove warehouse files of domains that no longer exist",
        description=DESCRIPTION,
        examples=["mesh clean --orphans --dry-run", "mesh clean --orphans"],
        exit_codes={0: "nothing to remove, or removed", 2: "no --orphans, or the warehouse "
                    "or the domains cannot be read"},
    )  # fmt: skip
    parser.add_argument(
        "--orphans", action="store_true", help="remove what belongs to domains that are gone"
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would go; delete none")
    parser.add_argument("--wait", action="store_true", help="wait for a running build to end")
    parser.set_defaults(func=cmd_clean)


def cmd_clean(args: argparse.Namespace) -> int:
    from datamesh.discover.projects import discover_domains
    from datamesh.errors import MeshError
    from datamesh.orchestrate.lock import build_lock
    from datamesh.orchestrate.orphans import orphan_domains, orphan_paths, remove_orphan

    if not args.orphans:
        raise MeshError("say what to clean: --orphans (nothing else is cleaned yet)")
    root, warehouse = root_of(args), warehouse_of(args)
    known = {d.name for d in discover_domains(root)}
    with build_lock(warehouse.build_lock_file, wait=args.wait):
        orphans = orphan_domains(warehouse, known)
        if not orphans:
            print(f"no orphans: every domain in {warehouse.root} exists under {root}")
            return 0
        verb = "would remove" if args.dry_run else "removing"
        for domain in orphans:
            print(f"{verb} domain '{domain}' (no project under {root}):")
            for path in orphan_paths(warehouse, domain):
                print(f"  {path}")
            if not args.dry_run:
                remove_orphan(warehouse, domain)
    return 0
