"""``mesh build``: build, audit and publish the selected domains in dependency order."""

from __future__ import annotations

import argparse
import signal
from typing import TYPE_CHECKING

from datamesh.command_args import add_selection, command_parser, root_of, warehouse_of
from datamesh.engine.kinds import EngineName, selected_engine

if TYPE_CHECKING:
    from pathlib import Path

    from datamesh.console import Console
    from datamesh.orchestrate.run_report import DomainResult, RunReport
    from datamesh.warehouse import Warehouse

DESCRIPTION = """\
Build the selected domains in dependency order, in parallel where the graph allows, each
with write-audit-publish: dbt build into a staging file, copy the public model versions
into a candidate publication, audit it (dbt tests, contracts, Great Expectations), then
switch the domain's registry entry to it in one atomic rename. A failure never replaces
what consumers read; domains downstream of it are blocked. A domain whose files, raw
inputs and upstream publications did not change is skipped (unchanged).

The summary names each domain's dbt counts and, for a failure, the first failing node
and the dbt log. The run report is kept in the warehouse (the map reads it).

A selector picks whole domains: <domain>.<model> builds that model's domain (a domain
is published whole), tag: reads the project-level +tags of dbt_project.yml."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "build", summary="build, audit and publish domains in dependency order",
        description=DESCRIPTION,
        examples=[
            "mesh build                       every domain that changed",
            "mesh build -s sales+             sales and everything that reads from it",
            "mesh build -s sales.fct_orders+ --exclude marketing",
            "mesh build --full-refresh --workers 2 --log-format json",
            "mesh build -v                    and where the time went, by phase",
        ],
        exit_codes={
            0: "every selected domain published or unchanged",
            1: "a domain failed dbt, its contracts or its audit (or was blocked by one)",
            2: "bad input: a selector, a setting, a domain dbt cannot read",
            130: "interrupted by Ctrl-C (SIGINT): nothing published after it",
            143: "interrupted by SIGTERM: nothing published after it",
        },
    )  # fmt: skip
    add_selection(parser)
    parser.add_argument("--workers", type=int, default=None, help="domains built at once")
    parser.add_argument("--threads", type=int, default=None, help="dbt threads per domain")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild unchanged domains")
    parser.add_argument("--wait", action="store_true", help="wait for a running build to end")
    parser.add_argument(
        "-v", "--verbose", action="store_true",
        help="end with where the time went: seconds by phase (start-up, parse, gate, nodes, "
        "dbt other, audit, publish) summed over domains; per domain in the run report",
    )  # fmt: skip
    parser.add_argument(
        "--allow-breaking", action="store_true",
        help="publish a new interface even if it breaks a column or version a consumer reads "
        "(default: refuse, exit 1, naming the consumers); its consumers are then rebuilt",
    )  # fmt: skip
    parser.add_argument(
        "--no-pipeline", dest="pipeline", action="store_false",
        help="start a domain only once its producers are published (default: consumers parse "
        "while producers build and run while they are audited; nothing publishes early)",
    )  # fmt: skip
    parser.add_argument(
        "--engine", choices=[e.value for e in EngineName], default=None,
        help="where domains build and publish (default: $MESH_ENGINE, else duckdb); spark "
        "needs a Thrift server: mesh engine start spark, or MESH_SPARK_HOST/MESH_SPARK_PORT",
    )  # fmt: skip
    parser.set_defaults(func=cmd_build)


PUBLISH_REFUSED = "publish refused"  # the start of a reason orchestrate/domain_build.py writes
ALLOWED_BREAKING = "published with --allow-breaking"


def dbt_counts(domain: DomainResult) -> str:
    """``12 success, 30 pass, 1 error``: dbt's own statuses, as its run_results name them."""
    return ", ".join(f"{n} {status}" for status, n in sorted(domain.counts.items()))


def first_failure(domain: DomainResult) -> str:
    """The first failing node (or why dbt stopped), on one line."""
    if not domain.failures:
        return ""
    line = " ".join(domain.failures[0].split())
    return line if len(line) <= 300 else line[:297] + "..."


def print_summary(report: RunReport, console: Console) -> None:
    """The headline, one line per domain with its dbt counts, and where to look on failure."""
    from datamesh.orchestrate.publish_gate import GATE_WARNING

    tally: dict[str, int] = {}
    for domain in report.domains:
        tally[domain.status] = tally.get(domain.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(tally.items())) or "nothing selected"
    for problem in report.integrity:
        console.log("warning", f"  {problem['domain']}: damaged: {problem['file']}: "
                    f"{problem['problem']}", **problem)  # fmt: skip
    headline = f"mesh build {report.status} in {report.seconds:.1f}s: {summary}"
    console.log("info", headline, status=str(report.status), seconds=round(report.seconds, 1),
                statuses=tally)  # fmt: skip
    width = max((len(d.domain) for d in report.domains), default=0)
    for domain in report.domains:
        counts = dbt_counts(domain)
        fields = {"domain": domain.domain, "status": str(domain.status), "counts": domain.counts}
        line = f"  {domain.domain:<{width}}  {domain.status:<11} {domain.seconds:6.1f}s"
        console.log("info", line + (f"  dbt: {counts}" if counts else ""), **fields)
    for domain in report.domains:  # expectations and publish cautions: reported, never blocking
        for warning in domain.warnings:
            label = "" if warning.startswith(GATE_WARNING) else "audit warning: "
            console.log("warning", f"  {domain.domain}: {label}{warning}",
                        domain=domain.domain, warning=warning)  # fmt: skip
    for domain in report.domains:
        if domain.status.ok and domain.reason.startswith(ALLOWED_BREAKING):
            console.log("warning", f"  {domain.domain}: {domain.reason}", domain=domain.domain)
            for line in domain.warnings:
                console.log("warning", f"    {line}", domain=domain.domain)
        if domain.status.ok:
            continue
        if domain.reason.startswith(PUBLISH_REFUSED):
            console.log("error", f"  {domain.domain}: {domain.status}: {domain.reason}",
                        domain=domain.domain, status=str(domain.status), reason=domain.reason,
                        broken=domain.failures)  # fmt: skip
            for line in domain.failures:
                console.log("error", f"    {line}", domain=domain.domain)
            continue
        failure = first_failure(domain)
        console.log(
            "error", f"  {domain.domain}: {domain.status}: {domain.reason}",
            domain=domain.domain, status=str(domain.status), reason=domain.reason,
            first_failure=failure, log_file=domain.log_file,
        )  # fmt: skip
        if failure:
            console.log("error", f"    first failure: {failure}", domain=domain.domain)
        if domain.log_file and domain.status != "blocked":
            console.log("error", f"    dbt log: {domain.log_file}", domain=domain.domain)


def print_phases(report: RunReport, console: Console) -> None:
    """One line: seconds by phase over every domain that ran dbt (run report: per domain)."""
    from datamesh.write.phases import phase_line

    totals: dict[str, float] = {}
    for domain in report.domains:
        for phase, seconds in domain.phases.items():
            totals[phase] = totals.get(phase, 0.0) + seconds
    line = phase_line(totals) if totals else "no domain ran dbt"
    console.log("info", f"time by phase, summed over domains: {line}",
                phases={k: round(v, 2) for k, v in totals.items()})  # fmt: skip


def warn_about_orphans(root: Path, warehouse: Warehouse, console: Console) -> None:
    """Files of removed domains: consumers and the map would still read their registry entry."""
    from datamesh.discover.projects import discover_domains
    from datamesh.orchestrate.orphans import orphan_domains, orphan_warning

    orphans = orphan_domains(warehouse, {d.name for d in discover_domains(root)})
    if orphans:
        console.log("warning", f"mesh build: warning: {orphan_warning(orphans)}", orphans=orphans)


def cmd_build(args: argparse.Namespace) -> int:
    from datamesh.orchestrate.build_mesh import BuildOptions, build_mesh
    from datamesh.orchestrate.progress import Progress
    from datamesh.orchestrate.run_report import RunStatus

    console = args.console
    options = BuildOptions(
        select=args.select, exclude=args.exclude, workers=args.workers, threads=args.threads,
        full_refresh=args.full_refresh, wait=args.wait, pipeline=args.pipeline,
        allow_breaking=args.allow_breaking, engine=selected_engine(args.engine),
    )  # fmt: skip
    progress = Progress(
        console.out, quiet=console.quiet, colour=console.colour, json_lines=console.json
    )
    root, warehouse = root_of(args), warehouse_of(args)
    warn_about_orphans(root, warehouse, console)
    report = build_mesh(root, warehouse, options, progress)
    print_summary(report, console)
    if args.verbose:
        print_phases(report, console)
    if report.status == RunStatus.INTERRUPTED:
        console.log("error", f"mesh build: interrupted by {report.interrupted_by}; nothing "
                    "published after it", signal=report.interrupted_by)  # fmt: skip
        return 128 + signal.Signals[report.interrupted_by].value
    return 0 if report.status == RunStatus.SUCCESS else 1
