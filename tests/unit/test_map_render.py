"""Mermaid, DOT and HTML renderings of the map, checked structurally (no browser here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import synthetic_mesh
from test_map_model import manifest  # noqa: F401  (fixture)

from datamesh.map.dot import mesh_dot, model_dot, overview_dot, quote
from datamesh.map.html import embed_json, render_page
from datamesh.map.mermaid import model_flowchart, render_markdown, text
from datamesh.map.model import MAX_MODEL_LEVEL_DOMAINS, build_map_view

NODE_ID = r"[A-Za-z_][A-Za-z0-9_]*"
MERMAID_EDGE = re.compile(rf"^\s*({NODE_ID}) (-->|-\.->)\|\"[^\"]*\"\| ({NODE_ID})$")
MERMAID_NODE = re.compile(rf'^\s*({NODE_ID})(\["[^"]*"\]|\(\["[^"]*"\]\))$')
MERMAID_SUBGRAPH = re.compile(rf'^\s*subgraph ({NODE_ID})\["[^"]*"\]$')


def parse_mermaid(chart: str) -> dict[str, list]:
    """A structural parse of the flowchart subset we write; raises on anything else."""
    lines = chart.strip().splitlines()
    assert lines[0] == "flowchart LR", lines[0]
    depth, nodes, edges, subgraphs = 0, set(), [], []
    for line in lines[1:]:
        if match := MERMAID_SUBGRAPH.match(line):
            depth += 1
            subgraphs.append(match.group(1))
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0, "end without subgraph"
        elif match := MERMAID_NODE.match(line):
            nodes.add(match.group(1))
        elif match := MERMAID_EDGE.match(line):
            edges.append((match.group(1), match.group(2), match.group(3)))
        elif re.match(r"^\s*(classDef|class|linkStyle) ", line):
            continue
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    assert depth == 0, "unbalanced subgraph/end"
    for source, _, target in edges:
        assert source in nodes and target in nodes, f"edge {source} -> {target} undeclared"
    assert not nodes & {"end", "graph", "subgraph"}
    return {"nodes": sorted(nodes), "edges": edges, "subgraphs": subgraphs}


def mermaid_block(markdown: str) -> str:
    match = re.search(r"```mermaid\n(.*?)```", markdown, re.S)
    assert match, "no mermaid block"
    return match.group(1)


def test_mermaid_model_level_parses_and_marks_deprecated(manifest: dict) -> None:  # noqa: F811
    view = build_map_view(manifest)
    markdown = render_markdown(view)
    parsed = parse_mermaid(mermaid_block(markdown))
    assert parsed["subgraphs"] == ["d__alpha", "d__beta", "d__gamma"]
    assert ("m__alpha__things", "-.->", "c__beta__legacy") in parsed["edges"]
    assert ("m__alpha__things", "-->", "m__beta__summary") in parsed["edges"]
    assert '|"v1 (deprecated 2030-01-01)"|' in markdown and "linkStyle 0 " in markdown
    assert "| gamma | Team gamma | unknown | - |" in markdown


def test_mermaid_escapes_quotes_and_brackets() -> None:
    assert text('a "b" <c> | d') == "a #quot;b#quot; #lt;c#gt; #124; d"


def test_mermaid_switches_to_domain_level_for_a_large_mesh() -> None:
    view = build_map_view(synthetic_mesh.generate_manifest(MAX_MODEL_LEVEL_DOMAINS + 1, 2, seed=1))
    markdown = render_markdown(view)
    parsed = parse_mermaid(mermaid_block(markdown))
    assert len(parsed["nodes"]) == MAX_MODEL_LEVEL_DOMAINS + 1 and parsed["subgraphs"] == []
    assert "chart shows **domains only**" in markdown
    small = build_map_view(synthetic_mesh.generate_manifest(MAX_MODEL_LEVEL_DOMAINS, 2, seed=1))
    assert parse_mermaid("\n".join(model_flowchart(small)))["subgraphs"]


def test_dot_quotes_and_links(manifest: dict) -> None:  # noqa: F811
    assert quote('a "b"\\') == '"a \\"b\\"\\\\"'
    view = build_map_view(manifest)
    source = model_dot(view)
    assert 'URL="#model/alpha.things"' in source
    assert "m__alpha__things -> c__beta__legacy" in source and 'style="dashed"' in source
    assert source.count("subgraph cluster_") == 3
    assert mesh_dot(view) == source
    assert 'URL="#domain/gamma"' in overview_dot(view)


def test_embedded_json_cannot_close_its_script() -> None:
    payload = {"description": "</script><script>alert(1)</script> & <!--"}
    embedded = embed_json(payload)
    assert "<" not in embedded and ">" not in embedded
    assert json.loads(embedded) == payload


def test_page_is_self_contained_and_carries_the_view(manifest: dict) -> None:  # noqa: F811
    view = build_map_view(manifest)
    page = render_page(view, {"svg-overview": '<?xml version="1.0"?>\n<svg id="x"></svg>\n'})
    assert "__CSS__" not in page and "__JS__" not in page and "__DATA__" not in page
    assert '<template id="svg-overview"><svg id="x"></svg></template>' in page
    assert "default-src 'none'" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "a remote URL in the page"
    data = re.search(r'<script type="application/json" id="mesh-data">(.*?)</script>', page, re.S)
    assert data and json.loads(data.group(1))["domains"][0]["name"] == "alpha"


@pytest.mark.parametrize("asset", ["map.js", "map.css", "page.html"])
def test_assets_do_not_reference_the_network(asset: str) -> None:
    text_ = Path(__file__).resolve().parents[2] / "platform/src/datamesh/map/assets" / asset
    content = text_.read_text("utf-8")
    for needle in ("http://", "https://", "@import", "fetch(", "XMLHttpRequest", "url("):
        assert needle not in content, f"{asset} contains {needle}"
