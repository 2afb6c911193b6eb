"""Mermaid, DOT and the page say the same words and show the same colours: the view model's."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

import pytest
from support import fake_manifest as fake
from test_map_model import manifest  # noqa: F401  (fixture)

from datamesh.manifest.schema import validate_manifest
from datamesh.map.dot import model_dot, overview_dot, quote
from datamesh.map.html import palette_css, render_page
from datamesh.map.mermaid import domain_flowchart, model_flowchart, text
from datamesh.map.model import build_map_view
from datamesh.map.style import (
    DEPRECATED_COLOR,
    HEALTH_ORDER,
    HEALTH_PALETTE,
    Health,
    domain_edge_label,
    version_caption,
)


def test_one_wording_for_a_version() -> None:
    assert version_caption(1, True, "2027-06-30") == "v1 (deprecated 2027-06-30)"
    assert version_caption(1, True, None) == "v1 (deprecated)"
    assert version_caption(2, False, None) == "v2"
    assert version_caption(None, False, None) == "unversioned"


def test_domain_edge_label_cuts_off_past_the_limit() -> None:
    assert domain_edge_label(["a v1", "b v2"], False, 2) == "a v1, b v2"
    assert domain_edge_label(["a v1", "b v2", "c v1"], True, 2) == "3 models (deprecated read)"
    assert domain_edge_label(["a v1", "b v2", "c v1"], True, None) == (
        "a v1, b v2, c v1 (deprecated read)"
    )


def _page_data(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="mesh-data">(.*?)</script>', page, re.S)
    assert found, "no embedded view in the page"
    return json.loads(found.group(1))


def test_renderers_show_the_models_label_for_a_deprecated_version(manifest: dict) -> None:  # noqa: F811
    view = build_map_view(manifest)
    things = next(m for m in view["models"] if m["key"] == "alpha.things")
    v1 = things["versions"][0]
    assert v1["caption"] == "v1 (deprecated 2030-01-01)"
    assert things["versions_caption"] == "v1 (deprecated 2030-01-01), v2"
    edge = next(e for e in view["edges"] if e["deprecated"])
    assert edge["caption"] == v1["caption"]

    mermaid = "\n".join(model_flowchart(view))
    node = next(
        line for line in mermaid.splitlines() if line.strip().startswith(things["id"] + "[")
    )
    assert text(things["versions_caption"]) in node
    assert f'-.->|"{text(edge["caption"])}"|' in mermaid

    dot = model_dot(view)
    node = next(line for line in dot.splitlines() if line.strip().startswith(things["id"] + " "))
    assert f">{escape(v1['caption'])}<" in node
    assert f"label={quote(edge['caption'])}" in dot

    data = _page_data(render_page(view, {}))
    page_things = next(m for m in data["models"] if m["key"] == "alpha.things")
    assert page_things["versions_caption"] == things["versions_caption"]
    assert page_things["versions"][0]["caption"] == v1["caption"]
    assert next(e for e in data["edges"] if e["deprecated"])["caption"] == edge["caption"]


@pytest.fixture
def four_healths() -> dict[str, Any]:
    """Domains a..d, failing, warning, healthy and unknown in that order."""
    doc = fake.manifest([fake.model(name, "m") for name in "abcd"])
    validate_manifest(doc)
    check = {"findings": [{"rule": "r", "severity": "warning", "message": "m", "domain": "b",
                           "model": None, "version": None, "file": "f", "explanation": ""}],
             "breaking_changes": []}  # fmt: skip
    run = {"status": "failed", "domains": [
        {"domain": "a", "status": "failed", "reason": "dbt build failed"},
        {"domain": "b", "status": "published", "reason": ""},
        {"domain": "c", "status": "published", "reason": ""},
    ]}  # fmt: skip
    view = build_map_view(doc, check=check, last_run=run)
    levels = [d["health"]["level"] for d in view["domains"]]
    assert levels == [Health.FAILING, Health.WARNING, Health.HEALTHY, Health.UNKNOWN]
    return view


def test_renderers_show_the_models_colour_for_each_health(four_healths: dict) -> None:
    view = four_healths
    for domain in view["domains"]:
        swatch = HEALTH_PALETTE[domain["health"]["level"]]
        assert (domain["fill"], domain["stroke"]) == (swatch.fill, swatch.stroke)

    # Mermaid: a class per health level, each domain node in its level's class.
    chart = "\n".join(domain_flowchart(view))
    class_defs = dict(re.findall(r"classDef (\w+) (fill:#\w+,stroke:#\w+)", chart))
    members = {
        node: level
        for ids, level in re.findall(r"^\s*class ([\w,]+) (\w+)$", chart, re.M)
        for node in ids.split(",")
    }
    # DOT: the overview's nodes and the model drawing's clusters carry fill and border.
    overview, clusters = overview_dot(view), model_dot(view)
    # The page: CSS custom properties written from the palette, one class per level.
    css = palette_css(view["styles"])
    for domain in view["domains"]:
        level, fill, stroke = domain["health"]["level"], domain["fill"], domain["stroke"]
        assert class_defs[members[domain["id"]]] == f"fill:{fill},stroke:{stroke}"
        node = next(line for line in overview.splitlines() if line.startswith(f"  {domain['id']} "))
        assert f'fillcolor="{fill}"' in node and f'color="{stroke}"' in node
        cluster = clusters.split(f"subgraph cluster_{domain['id']} ", 1)[1].split(";", 1)[0]
        assert f'fillcolor="{fill}"' in cluster and f'color="{stroke}"' in cluster
        assert f"--health-{level}-fill: {fill};" in css
        assert f"--health-{level}-stroke: {stroke};" in css
        assert f".health-{level} {{ --fill: var(--health-{level}-fill);" in css


def test_page_palette_and_legend_come_from_the_view(four_healths: dict) -> None:
    page = render_page(four_healths, {})
    assert "__PALETTE__" not in page and "__LEGEND__" not in page
    assert f"--deprecated: {DEPRECATED_COLOR};" in page
    legend = re.findall(r'<span class="lg health-(\w+)">(\w+)</span>', page)
    assert [level for level, _ in legend] == [str(level) for level in HEALTH_ORDER]
    assert _page_data(page)["styles"]["health"]["failing"]["stroke"] == (
        HEALTH_PALETTE[Health.FAILING].stroke
    )


def test_page_assets_do_not_spell_health_colours_or_version_labels() -> None:
    from importlib.resources import files

    assets = files("datamesh.map").joinpath("assets")
    css = assets.joinpath("map.css").read_text("utf-8")
    js = assets.joinpath("map.js").read_text("utf-8")
    for swatch in HEALTH_PALETTE.values():
        for color in (swatch.fill, swatch.stroke):  # text may share the page's ink
            assert color.lower() not in css.lower(), f"map.css spells {color}: use the palette"
    assert DEPRECATED_COLOR.lower() not in css.lower()
    assert '"deprecated ' not in js and "(deprecated" not in js, "map.js words a version itself"
    assert '"v" +' not in js, "map.js builds a version label itself"


def test_a_colour_that_is_not_hex_is_refused() -> None:
    styles = {"health": {"failing": {"fill": "red}</style>", "stroke": "#000", "text": "#000"}},
              "deprecated": "#c0392b"}  # fmt: skip
    with pytest.raises(ValueError, match="not a hex colour"):
        palette_css(styles)


def test_counts_read_right_in_the_singular_and_plural() -> None:
    from datamesh.console import plural
    from datamesh.map.mermaid import domain_flowchart

    assert [plural(1, "model"), plural(2, "model"), plural(0, "domain")] == [
        "1 model", "2 models", "0 domains"]  # fmt: skip
    doc = fake.manifest([fake.model("alpha", "things")], [], beta=[])
    chart = "\n".join(domain_flowchart(build_map_view(doc)))
    assert '1 public model"' in chart and '0 public models"' in chart
