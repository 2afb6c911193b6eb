"""``mesh validate``: run the expectation suites on the published data of selected domains."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from datamesh.command_args import add_selection, command_parser, root_of, warehouse_of
from datamesh.console import plural
from datamesh.errors import MeshError

DESCRIPTION = """\
Run the Great Expectations suites of every public model version of the selected domains
on their published data: checks drawn from dbt tests and contracts, plus the domain's own
expectations/<model>.yml. Writes one JSON result per model version, a summary and
Great Expectations Data Docs to the warehouse's reports folder."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "validate", summary="run Great Expectations suites on published model versions",
        description=DESCRIPTION,
        examples=[
            "mesh validate                    every published domain",
            "mesh validate -s sales --no-docs",
            "mesh validate --as-of 2026-12-01 freshness counted back from that day",
        ],
        exit_codes={
            0: "every critical expectation passed (warnings allowed)",
            1: "a critical expectation failed",
            2: "bad input: a domain never published, a missing table, a malformed "
               "expectation file, a bad setting",
        },
    )  # fmt: skip
    add_selection(parser)
    parser.add_argument(
        "--as-of", default=None,
        help="time freshness limits count back from (default: $MESH_AS_OF or now, UTC)",
    )  # fmt: skip
    parser.add_argument("--no-docs", action="store_true", help="skip writing Data Docs")
    parser.set_defaults(func=cmd_validate)


def summary_table(validations: list[Any]) -> str:
    """One line per model version, then one per failed expectation."""
    rows = [("model version", "target", "result", "critical", "warnings", "checks")]
    for v in validations:
        result = "pass" if v.success else "FAIL"
        rows.append((v.plan.name, v.target, result, str(len(v.critical_failures)),
                     str(len(v.failed_warnings)), str(len(v.outcomes))))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]  # fmt: skip
    for v in validations:
        for outcome in v.critical_failures + v.failed_warnings:
            lines.append(f"  {outcome.severity:8} {v.plan.name}: {outcome.describe()}")
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    from datamesh.audit.data_docs import build_data_docs, keep_runs, make_context
    from datamesh.audit.run_suites import run_domain_suites
    from datamesh.audit.summary import read_validation_summary
    from datamesh.audit.validate import duckdb_config, resolve_as_of
    from datamesh.discover.graph import DomainGraph
    from datamesh.discover.projects import discover_domains
    from datamesh.discover.select import select_domains
    from datamesh.engine.locations import published_location
    from datamesh.registry import read_interface

    root, warehouse = root_of(args), warehouse_of(args)
    duckdb_config()  # settings first: a bad one is named before anything is read
    graph = DomainGraph.from_domains(discover_domains(root))
    names = select_domains(graph, args.select, args.exclude)
    as_of = resolve_as_of(args.as_of)
    interfaces = {}
    for name in names:
        interface = read_interface(warehouse.registry_dir, name)
        if interface is None:
            raise MeshError(
                f"domain '{name}' has never been published ({warehouse.registry_file(name)} "
                "missing); run mesh build first"
            )
        interfaces[name] = interface
    read_validation_summary(warehouse.validation_summary_file)  # a corrupt one: stop now
    context = make_context(None if args.no_docs else warehouse.data_docs_dir)
    validations = []
    for name in names:
        validations += run_domain_suites(
            name, graph.domains[name].path, interfaces[name]["models"],
            published_location(warehouse, interfaces[name]), target="published",
            warehouse=warehouse, as_of=as_of, context=context,
        )  # fmt: skip
    print(summary_table(validations))
    failed = [v for v in validations if not v.success]
    results = warehouse.validation_dir
    print(
        f"mesh validate: {len(validations)} model versions, {len(failed)} with critical "
        f"failures; results in {results}"
    )
    if not args.no_docs and validations:
        docs = build_data_docs(context, warehouse.data_docs_dir)
        print(f"data docs: {docs.index} (last {plural(keep_runs(), 'run')} of each suite; "
              f"{plural(len(docs.pruned), 'older run')} pruned)")  # fmt: skip
        for warning in docs.warnings:
            print(f"mesh validate: warning: {warning}", file=sys.stderr)
    if failed:
        print(f"mesh validate: {len(failed)} model versions failed critical expectations",
              file=sys.stderr)  # fmt: skip
    return 1 if failed else 0
