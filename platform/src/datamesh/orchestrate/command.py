"""``mesh build``: build, audit and publish the selected domains in dependency order."""

from __future__ import annotations

import argparse
import signal
import sys

from datamesh.command_args import add_common, add_selection, root_of, warehouse_of


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("build", help="build, audit and publish domains in dependency order")
    add_common(parser)
    add_selection(parser)
    parser.add_argument("--workers", type=int, default=None, help="domains built at once")
    parser.add_argument("--threads", type=int, default=None, help="dbt threads per domain")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild unchanged domains")
    parser.add_argument("--wait", action="store_true", help="wait for a running build to end")
    parser.add_argument(
        "--no-pipeline", dest="pipeline", action="store_false",
        help="start a domain only once its producers are published (default: consumers parse "
        "while producers build and run while they are audited; nothing publishes early)",
    )  # fmt: skip
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(func=cmd_build)


def cmd_build(args: argparse.Namespace) -> int:
    from datamesh.orchestrate.build_mesh import BuildOptions, build_mesh
    from datamesh.orchestrate.progress import Progress
    from datamesh.orchestrate.run_report import RunStatus

    options = BuildOptions(
        select=args.select, exclude=args.exclude, workers=args.workers, threads=args.threads,
        full_refresh=args.full_refresh, wait=args.wait, pipeline=args.pipeline,
    )  # fmt: skip
    report = build_mesh(root_of(args), warehouse_of(args), options, Progress(quiet=args.quiet))
    counts: dict[str, int] = {}
    for domain in report.domains:
        counts[domain.status] = counts.get(domain.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing selected"
    for problem in report.integrity:
        print(f"  {problem['domain']}: damaged: {problem['file']}: {problem['problem']}")
    print(f"mesh build {report.status} in {report.seconds:.1f}s: {summary}")
    for domain in report.domains:
        if not domain.status.ok:
            print(f"  {domain.domain}: {domain.status}: {domain.reason}", file=sys.stderr)
    if report.status == RunStatus.INTERRUPTED:
        print(f"mesh build: interrupted by {report.interrupted_by}; nothing published after it",
              file=sys.stderr)  # fmt: skip
        return 128 + signal.Signals[report.interrupted_by].value
    return 0 if report.status == RunStatus.SUCCESS else 1
