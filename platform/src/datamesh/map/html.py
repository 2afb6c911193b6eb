"""``index.html``: the mesh catalog in one self-contained file.

The page is a template plus CSS and JavaScript written for it (``map/assets/``), the view model
embedded as JSON and the Graphviz drawings inlined as SVG ``<template>``s. The colours come from
the view's palette (written here as CSS custom properties) and the labels from the view itself,
so the page says and shows what the Mermaid and DOT drawings do. A Content Security
Policy forbids every request, so the file reads the same offline, from a CI artifact or a mail.
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib.resources import files
from typing import Any

from datamesh.console import plural
from datamesh.map.model import MAX_MODEL_LEVEL_DOMAINS

CSS_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}")
SWATCH_PARTS = ("fill", "stroke", "text")


def _asset(name: str) -> str:
    return files("datamesh.map").joinpath(f"assets/{name}").read_text("utf-8")


def embed_json(payload: Any) -> str:
    """JSON that cannot end its ``<script>`` element early, whatever the strings hold."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def inline_svg(document: str) -> str:
    """An SVG document from ``dot`` without its XML prolog, ready to sit inside HTML."""
    start = document.find("<svg")
    return document[start:].strip() if start >= 0 else ""


def _color(value: str) -> str:
    """A hex colour, checked: it is written into a ``<style>`` element as it is."""
    if not CSS_COLOR.fullmatch(value):
        raise ValueError(f"not a hex colour for the page's CSS: {value!r}")
    return value


def palette_css(styles: dict[str, Any]) -> str:
    """The view's palette as CSS: ``--health-<level>-<part>`` and ``--deprecated`` on the root,
    and ``--fill``/``--stroke``/``--text`` on each ``.health-<level>`` (what map.css reads)."""
    health = styles["health"]
    root = [
        f"  --health-{level}-{part}: {_color(swatch[part])};"
        for level, swatch in health.items()
        for part in SWATCH_PARTS
    ]
    root.append(f"  --deprecated: {_color(styles['deprecated'])};")
    classes = [
        f".health-{level} {{ "
        + " ".join(f"--{part}: var(--health-{level}-{part});" for part in SWATCH_PARTS)
        + " }"
        for level in health
    ]
    return "\n".join([":root {", *root, "}", *classes])


def legend(styles: dict[str, Any]) -> str:
    """One legend entry per health level, in the palette's order (worst first)."""
    return "".join(
        f'<span class="lg health-{escape(level)}">{escape(level)}</span>'
        for level in styles["health"]
    )


def map_note(view: dict[str, Any], has_svg: bool) -> str:
    if not has_svg:
        return "Graphviz (dot) was not installed when this page was written: no drawing."
    count = len(view["domains"])
    if count > MAX_MODEL_LEVEL_DOMAINS:
        return (
            f"{count} domains: the page opens on them ranked (worst health, most read first); "
            "'Domains' draws them all. Click a domain (map, ranking or list) to draw its "
            "neighbourhood: its models, what they read and who reads them."
        )
    return (
        "Clusters are domains, boxes public models with their versions, dashed boxes the "
        "consumers' own models. Arrows carry the version read; red dashed ones a deprecated one."
    )


def render_page(view: dict[str, Any], svgs: dict[str, str]) -> str:
    """The page; ``svgs`` maps a template id (``svg-overview``, ``svg-all``,
    ``svg-focus-<domain id>``) to an SVG document, and may be empty."""
    templates = "\n".join(
        f'<template id="{escape(name)}">{inline_svg(svg)}</template>' for name, svg in svgs.items()
    )
    data = {**view, "map_note": map_note(view, bool(svgs))}
    title = f"Mesh map · {plural(len(view['domains']), 'domain')}"
    replacements = {
        "__TITLE__": escape(title),
        "__PALETTE__": palette_css(view["styles"]),
        "__CSS__": _asset("map.css"),
        "__LEGEND__": legend(view["styles"]),
        "__TEMPLATES__": templates,
        "__DATA__": embed_json(data),
        "__JS__": _asset("map.js"),
    }
    # One pass: a substituted value that happens to contain a marker is left as it is.
    pattern = re.compile("|".join(map(re.escape, replacements)))
    return pattern.sub(lambda m: replacements[m.group(0)], _asset("page.html"))
