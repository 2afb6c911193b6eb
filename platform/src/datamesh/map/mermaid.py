"""The map as a Mermaid flowchart in Markdown: the version of the map any Git host renders.

Domains are subgraphs, public models are nodes, edges carry the version consumed and deprecated
reads are dotted and red. Past ``MAX_MODEL_LEVEL_DOMAINS`` a model-level chart is unreadable
(and Git hosts refuse very large diagrams), so the chart shows domains only and says so.
"""

from __future__ import annotations

from typing import Any

from datamesh.console import plural
from datamesh.map.model import MAX_MODEL_LEVEL_DOMAINS


def text(value: str) -> str:
    """Text safe inside a double-quoted Mermaid label (Mermaid's own entity codes)."""
    return (
        value.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("|", "#124;")
    )


def _model_label(model: dict[str, Any]) -> str:
    return f"{text(model['name'])}<br/>{text(model['versions_caption'])}"


def _edge(source: str, target: str, label: str, deprecated: bool) -> str:
    arrow = "-.->" if deprecated else "-->"
    return f'    {source} {arrow}|"{text(label)}"| {target}'


def _link_styles(edges: list[dict[str, Any]]) -> list[str]:
    """One ``linkStyle`` per colour, for the edges the view gave a colour (deprecated reads)."""
    by_color: dict[str, list[str]] = {}
    for index, edge in enumerate(edges):
        if edge["color"]:
            by_color.setdefault(edge["color"], []).append(str(index))
    return [
        f"    linkStyle {','.join(indexes)} stroke:{color},stroke-width:2px,color:{color}"
        for color, indexes in by_color.items()
    ]


def model_flowchart(view: dict[str, Any]) -> list[str]:
    """Model level: one subgraph per domain, public models and their in-domain consumers."""
    models_by_domain: dict[str, list[dict[str, Any]]] = {}
    for model in view["models"]:
        models_by_domain.setdefault(model["domain"], []).append(model)
    internal_by_domain: dict[str, list[dict[str, Any]]] = {}
    for node in view["internal_consumers"]:
        internal_by_domain.setdefault(node["domain"], []).append(node)
    ids = {m["key"]: m["id"] for m in view["models"]}
    ids.update({n["key"]: n["id"] for n in view["internal_consumers"]})
    lines = ["flowchart LR"]
    for domain in view["domains"]:
        owner = domain["owner"].get("name")
        title = domain["name"] + (f" · {owner}" if owner else "")
        lines.append(f'    subgraph {domain["id"]}["{text(title)}"]')
        for model in models_by_domain.get(domain["name"], []):
            lines.append(f'        {model["id"]}["{_model_label(model)}"]')
        for node in internal_by_domain.get(domain["name"], []):
            lines.append(f'        {node["id"]}(["{text(node["name"])}"])')
        if not models_by_domain.get(domain["name"]) and not internal_by_domain.get(domain["name"]):
            lines.append(f'        {domain["id"]}_empty["no public models"]')
        lines.append("    end")
    known = {d["name"] for d in view["domains"]}
    for node in view["internal_consumers"]:
        if node["domain"] not in known:  # an edge to a domain the manifest does not list
            lines.append(f'    {node["id"]}(["{text(node["key"])}"])')
    for edge in view["edges"]:
        source, target = ids[edge["source"]], ids[edge["target"]]
        lines.append(_edge(source, target, edge["caption"], edge["deprecated"]))
    lines += _link_styles(view["edges"])
    lines.append("    classDef internal fill:#f5f5f5,stroke:#9e9e9e,stroke-dasharray:3 3")
    if view["internal_consumers"]:
        lines.append(
            "    class " + ",".join(n["id"] for n in view["internal_consumers"]) + " internal"
        )
    lines.append(
        f"    classDef deprecated stroke:{view['styles']['deprecated']},stroke-dasharray:5 3"
    )
    old = [m["id"] for m in view["models"] if m["deprecated"]]
    if old:
        lines.append("    class " + ",".join(old) + " deprecated")
    return lines


def domain_flowchart(view: dict[str, Any]) -> list[str]:
    """Domain level: one node per domain, one edge per producer -> consumer domain pair."""
    ids = {d["name"]: d["id"] for d in view["domains"]}
    lines = ["flowchart LR"]
    for domain in view["domains"]:
        count = len(domain["models"])
        lines.append(
            f'    {domain["id"]}["{text(domain["name"])}<br/>{plural(count, "public model")}"]'
        )
    for edge in view["domain_edges"]:
        producer, consumer = ids[edge["producer"]], ids[edge["consumer"]]
        lines.append(_edge(producer, consumer, edge["label"], edge["deprecated"]))
    lines += _link_styles(view["domain_edges"])
    by_health: dict[str, list[str]] = {}
    for domain in view["domains"]:
        by_health.setdefault(domain["health"]["level"], []).append(domain["id"])
    for level, swatch in view["styles"]["health"].items():
        lines.append(f"    classDef {level} fill:{swatch['fill']},stroke:{swatch['stroke']}")
        if by_health.get(level):
            lines.append(f"    class {','.join(by_health[level])} {level}")
    return lines


def render_markdown(view: dict[str, Any]) -> str:
    """``mesh.md``: a heading, what is drawn, the chart, and a table of domains."""
    domains = view["domains"]
    domain_level = len(domains) > MAX_MODEL_LEVEL_DOMAINS
    versions = sum(len(m["versions"]) for m in view["models"])
    out = [
        "# Mesh map",
        "",
        f"{plural(len(domains), 'domain')}, {plural(len(view['models']), 'public model')} "
        f"({plural(versions, 'version')}), {plural(len(view['edges']), 'cross-domain read')}. "
        f"Manifest of {view['manifest_generated_at']}.",
        "",
    ]
    if domain_level:
        out += [
            f"> This mesh has {len(domains)} domains, more than {MAX_MODEL_LEVEL_DOMAINS}: the "
            "chart shows **domains only**, one arrow per producer -> consumer pair. Open "
            "`index.html` (same folder) for models, versions and consumers.",
            "",
        ]
    else:
        out += [
            "Boxes are public models (their versions below the name), rounded boxes are the "
            "consumer's own models. Arrows point from producer to consumer and carry the "
            "version read; dotted red arrows read a deprecated version.",
            "",
        ]
    chart = domain_flowchart(view) if domain_level else model_flowchart(view)
    out += ["```mermaid", *chart, "```", ""]
    out += ["| Domain | Owner | Health | Public models |", "| --- | --- | --- | --- |"]
    for domain in domains:
        owner = (domain["owner"].get("name") or "-").replace("|", "\\|")
        names = ", ".join(k.split(".", 1)[1] for k in domain["models"]) or "-"
        health = domain["health"]["level"]
        out.append(f"| {domain['name']} | {owner} | {health} | {names} |")
    return "\n".join(out) + "\n"
