"""The ``mesh`` command: siblings of dbt's own commands, for the whole mesh."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from datamesh.errors import MeshError
from datamesh.warehouse import Warehouse, default_warehouse


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=None,
        help="folder of dbt projects (default: domains/ of this repo)",
    )  # fmt: skip
    parser.add_argument(
        "--warehouse", type=Path, default=None,
        help="warehouse folder (default: $MESH_WAREHOUSE or warehouse/)",
    )  # fmt: skip


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s", "--select", action="append", default=None,
        help="domains to pick, dbt style: sales+  +marketing  customers (repeatable)",
    )  # fmt: skip
    parser.add_argument("--exclude", action="append", default=None, help="domains to leave out")


def root_of(args: argparse.Namespace) -> Path:
    if args.root:
        return args.root.resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "domains").is_dir():
            return folder / "domains"
    return here / "domains"


def warehouse_of(args: argparse.Namespace) -> Warehouse:
    return Warehouse((args.warehouse or default_warehouse()).resolve())


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


def cmd_ls(args: argparse.Namespace) -> int:
    from datamesh.discover.graph import DomainGraph
    from datamesh.discover.projects import discover_domains
    from datamesh.discover.select import select_domains

    graph = DomainGraph.from_domains(discover_domains(root_of(args)))
    for name in select_domains(graph, args.select, args.exclude):
        print(name)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from datamesh.build.orchestrate import BuildOptions, build_mesh
    from datamesh.build.progress import Progress

    options = BuildOptions(
        select=args.select, exclude=args.exclude, workers=args.workers, threads=args.threads,
        full_refresh=args.full_refresh, wait=args.wait, pipeline=args.pipeline,
    )  # fmt: skip
    report = build_mesh(root_of(args), warehouse_of(args), options, Progress(quiet=args.quiet))
    counts: dict[str, int] = {}
    for domain in report["domains"]:
        counts[domain["status"]] = counts.get(domain["status"], 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing selected"
    print(f"mesh build {report['status']} in {report['seconds']:.1f}s: {summary}")
    for domain in report["domains"]:
        if domain["status"] in {"failed", "blocked"}:
            print(f"  {domain['domain']}: {domain['status']}: {domain['reason']}", file=sys.stderr)
    return 0 if report["status"] == "success" else 1


# Each later stage owns its subcommand: a module with ``register(subparsers, common, selection)``.
STAGE_COMMANDS: tuple[str, ...] = (
    "datamesh.check.command",
    "datamesh.map.command",
    "datamesh.audit.command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesh", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    manifest = sub.add_parser("manifest", help="discover and parse domains, write the manifest")
    _common(manifest)
    manifest.add_argument("--output", type=Path, default=None, help="where to write the JSON")
    manifest.add_argument("--no-cache", action="store_true", help="parse every domain again")
    manifest.set_defaults(func=cmd_manifest)

    ls = sub.add_parser("ls", help="print the domains a selection picks, in build order")
    _common(ls)
    _selection(ls)
    ls.set_defaults(func=cmd_ls)

    build = sub.add_parser("build", help="build, audit and publish domains in dependency order")
    _common(build)
    _selection(build)
    build.add_argument("--workers", type=int, default=None, help="domains built at once")
    build.add_argument("--threads", type=int, default=None, help="dbt threads per domain")
    build.add_argument("--full-refresh", action="store_true", help="rebuild unchanged domains")
    build.add_argument("--wait", action="store_true", help="wait for a running build to end")
    build.add_argument(
        "--no-pipeline", dest="pipeline", action="store_false",
        help="start a domain only once its producers are published (default: consumers parse "
        "while producers build and run while they are audited; nothing publishes early)",
    )  # fmt: skip
    build.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    build.set_defaults(func=cmd_build)

    for module_name in STAGE_COMMANDS:
        importlib.import_module(module_name).register(sub, _common, _selection)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except MeshError as exc:
        print(f"mesh {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"mesh {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
