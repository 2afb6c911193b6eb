"""``mesh map``: write the mesh map (Mermaid, DOT, SVG) and the offline catalog page."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamesh.command_args import command_parser, root_of, warehouse_of
from datamesh.console import plural
from datamesh.map.dot import (
    dot_available,
    focus_dot,
    mesh_dot,
    model_dot,
    overview_dot,
    render_svgs,
)
from datamesh.map.html import render_page
from datamesh.map.inputs import read_map_inputs
from datamesh.map.mermaid import render_markdown
from datamesh.map.model import MAX_MODEL_LEVEL_DOMAINS, build_map_view
from datamesh.warehouse import Warehouse

NO_DOT_WARNING = (
    "Graphviz 'dot' is not on PATH: wrote mesh.dot but no mesh.svg, and the page shows the map "
    "as a list (install graphviz: scripts/install_system_deps.sh)"
)


@dataclass
class MapResult:
    """What ``write_map`` wrote, for the CLI to report."""

    output: Path
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    view: dict[str, Any] = field(default_factory=dict)


def _page_drawings(view: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Template ids and DOT sources of every drawing the page carries."""
    names, sources = ["svg-overview"], [overview_dot(view)]
    if len(view["domains"]) <= MAX_MODEL_LEVEL_DOMAINS:
        names.append("svg-all")
        sources.append(model_dot(view))
    for domain in view["domains"]:
        names.append(f"svg-focus-{domain['id']}")
        sources.append(focus_dot(view, domain["name"]))
    return names, sources


def write_map(root: Path, warehouse: Warehouse, output: Path | None = None) -> MapResult:
    """Join the inputs, then write mesh.md, mesh.dot, mesh.svg and index.html to ``output``."""
    inputs = read_map_inputs(root, warehouse)
    view = build_map_view(
        inputs.manifest, inputs.check, inputs.validation, inputs.last_run,
        runs=inputs.runs, publications=inputs.publications,
    )  # fmt: skip
    output = output or warehouse.map_dir
    output.mkdir(parents=True, exist_ok=True)
    result = MapResult(output=output, view=view)

    def write(name: str, text: str) -> None:
        path = output / name
        path.write_text(text, encoding="utf-8")
        result.files.append(path)

    write("mesh.md", render_markdown(view))
    write("mesh.dot", mesh_dot(view))
    svgs: dict[str, str] = {}
    if dot_available():
        names, sources = _page_drawings(view)
        svgs = dict(zip(names, render_svgs(sources), strict=True))
        write("mesh.svg", svgs.get("svg-all") or svgs["svg-overview"])
    else:
        (output / "mesh.svg").unlink(missing_ok=True)
        result.warnings.append(NO_DOT_WARNING)
    write("index.html", render_page(view, svgs))
    return result


def cmd_map(args: argparse.Namespace) -> int:

    output = args.output.resolve() if args.output else None
    result = write_map(root_of(args), warehouse_of(args), output)
    for warning in result.warnings:
        print(f"mesh map: warning: {warning}", file=sys.stderr)
    view = result.view
    level = "domain" if len(view["domains"]) > MAX_MODEL_LEVEL_DOMAINS else "model"
    print(
        f"mesh map: {plural(len(view['domains']), 'domain')}, "
        f"{plural(len(view['models']), 'public model')}, "
        f"{plural(len(view['edges']), 'cross-domain read')} ({level}-level diagram) "
        f"-> {result.output}"
    )
    for path in result.files:
        print(f"  {path.name}")
    missing = [k for k, s in view["sources"].items() if s["status"] == "not run yet"]
    if missing:
        print(f"  not run yet: {', '.join(missing)} (the page says so)")
    return 0


MAP_DESCRIPTION = """\
Draw the mesh from the manifest (built first if missing) and the latest check, validation
and build reports: mesh.md (Mermaid), mesh.dot and mesh.svg (Graphviz), and index.html, a
catalog page that makes no network request."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``mesh map`` to the CLI."""
    parser = command_parser(
        sub, "map", summary="draw the mesh (Mermaid, DOT, SVG) and write the offline catalog page",
        description=MAP_DESCRIPTION,
        examples=[
            "mesh map                         write the map folder of the warehouse",
            "mesh map --output /tmp/map       then open /tmp/map/index.html",
        ],
        exit_codes={0: "map written (inputs not run yet are shown as such)",
                    2: "the manifest cannot be built, or a report is unreadable"},
    )  # fmt: skip
    parser.add_argument(
        "--output", type=Path, default=None,
        help="folder for mesh.md, mesh.dot, mesh.svg, index.html (default: the map folder"
        " in the warehouse)",
    )  # fmt: skip
    parser.set_defaults(func=cmd_map)
