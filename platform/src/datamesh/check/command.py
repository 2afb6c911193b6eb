"""``mesh check``: what CI runs on every change to a domain.

Exit codes: 0 clean (warnings and info allowed), 1 findings or breaking changes at error
level, 2 the check itself could not run (bad input: config, baseline, a domain dbt cannot parse).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from datamesh.command_args import add_common, add_selection, root_of, warehouse_of


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from exc


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check", help="governance rules and breaking changes against a baseline (for CI)"
    )
    add_common(parser)
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
        "--today", type=_day, default=None, help="date for deprecation deadlines (YYYY-MM-DD)"
    )
    parser.set_defaults(func=cmd_check)


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
    options = CheckOptions(args.baseline, config, args.today, args.select, args.exclude)
    result = run_check(root, warehouse_of(args), options)
    if args.format == "json":
        sys.stdout.write(render_json(result))
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(result))
    else:
        sys.stdout.write(render_text(result, colour=use_colour(sys.stdout)))
    if args.junit_xml:
        args.junit_xml.parent.mkdir(parents=True, exist_ok=True)
        args.junit_xml.write_text(render_junit(result, list(RULES)), encoding="utf-8")
    return result.exit_code
