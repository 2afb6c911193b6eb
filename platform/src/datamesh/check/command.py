"""``mesh check``: what CI runs on every change to a domain.

Exit codes: 0 clean (warnings and info allowed), 1 findings or breaking changes at error
level, 2 the check itself could not run (bad input: config, baseline, a domain dbt cannot parse).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from pathlib import Path

from datamesh.command_args import add_selection, command_parser, root_of, warehouse_of
from datamesh.errors import MeshError

AS_OF_ENV = "MESH_AS_OF"  # the mesh's clock; validate's freshness limits read it too

DESCRIPTION = """\
What CI runs on every change to a domain. Parses every domain with dbt, applies the
governance rules (severities and waivers in mesh_check.yml) and compares the public
interface with a baseline (a git ref or a saved mesh manifest): each breaking change
lists the consumers it breaks. Every run also writes its JSON report to the warehouse.
Deprecation deadlines count from --today, else the date of $MESH_AS_OF, else today:
make mesh sets MESH_AS_OF to the day its generated data ends, so the demo reads the
same on any later day."""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from exc


def register(sub: argparse._SubParsersAction) -> None:
    parser = command_parser(
        sub, "check", summary="governance rules and breaking changes against a baseline (for CI)",
        description=DESCRIPTION,
        examples=[
            "mesh check                       rules only, coloured text on a terminal",
            "mesh check --baseline origin/main --format markdown --junit-xml check.xml",
            "mesh check --baseline old_manifest.json --format json",
            "mesh check --today 2027-07-01    what the deadlines say on that day",
        ],
        exit_codes={
            0: "clean (warnings and info allowed)",
            1: "an error-level finding, or a breaking change that has consumers",
            2: "the check could not run: bad mesh_check.yml, bad baseline, a domain dbt "
               "cannot parse",
        },
    )  # fmt: skip
    add_selection(parser)
    parser.add_argument(
        "--baseline", default=None,
        help="git ref (origin/main) or a saved mesh manifest JSON to compare against",
    )  # fmt: skip
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--junit-xml", type=Path, default=None, help="also write JUnit XML here")
    parser.add_argument(
        "--config", type=Path, default=None,
        help="rules config (default: mesh_check.yml in the mesh root or a folder above it)",
    )  # fmt: skip
    parser.add_argument(
        "--today", type=_day, default=None,
        help=f"date for deprecation deadlines, YYYY-MM-DD (default: ${AS_OF_ENV}'s date, else "
        "today)",
    )  # fmt: skip
    parser.set_defaults(func=cmd_check, stdout_is_data=True)


def check_day(given: date | None) -> date:
    """The day deprecation deadlines count from: ``--today``, ``$MESH_AS_OF``, the clock."""
    if given is not None:
        return given
    text = os.environ.get(AS_OF_ENV)
    if not text:
        return date.today()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise MeshError(f"${AS_OF_ENV} is {text!r}: not an ISO date or timestamp") from None


def cmd_check(args: argparse.Namespace) -> int:
    from datamesh.check.config import find_config, load_config
    from datamesh.check.report import (
        render_json,
        render_junit,
        render_markdown,
        render_text,
        use_colour,
    )
    from datamesh.check.rules import RULES
    from datamesh.check.run import CheckOptions, run_check

    root = root_of(args)
    config_path = args.config.resolve() if args.config else find_config(root)
    config = load_config(config_path, RULES)
    today = check_day(args.today)
    options = CheckOptions(args.baseline, config, today, args.select, args.exclude)
    result = run_check(root, warehouse_of(args), options)
    if args.format == "json":
        sys.stdout.write(render_json(result))
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(result))
    else:
        sys.stdout.write(render_text(result, colour=use_colour(sys.stdout, args.no_color)))
    if args.junit_xml:
        args.junit_xml.parent.mkdir(parents=True, exist_ok=True)
        args.junit_xml.write_text(render_junit(result, list(RULES)), encoding="utf-8")
    return result.exit_code
