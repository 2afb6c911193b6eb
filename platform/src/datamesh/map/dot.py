"""The map as Graphviz DOT, and SVG drawn from it by ``dot`` when Graphviz is installed.

Three drawings share one style: the whole mesh at model level (small meshes), a domain-level
overview (any size: one node per domain), and one focus drawing per domain (its models, what
they read and who reads them) that the HTML page shows when a domain is expanded. Nodes link to
``#model/<domain>.<model>`` / ``#domain/<name>`` so a click in the page opens their details.
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from typing import Any

from datamesh.console import plural
from datamesh.errors import MeshError
from datamesh.map.model import MAX_MODEL_LEVEL_DOMAINS, safe_id

FONT = "DejaVu Sans"
DOT_TIMEOUT_SECONDS = 300
ISOLATED_ROW = 6


def quote(value: str) -> str:
    """A DOT double-quoted string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**attrs: str | None) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        if name == "label" and value.startswith("<") and value.endswith(">"):
            parts.append(f"label={value}")
        else:
            parts.append(f"{name.rstrip('_')}={quote(value)}")
    return "[" + ", ".join(parts) + "]"


def _header(name: str, comment: str) -> list[str]:
    return [
        f"// {comment}",
        f"digraph {quote(name)} {{",
        f'  graph [rankdir=LR, fontname="{FONT}", fontsize=12, nodesep=0.25, ranksep=0.9,'
        f" id={quote(name)}];",
        f'  node [fontname="{FONT}", fontsize=11, shape=box, style="rounded,filled",'
        ' fillcolor="#ffffff", color="#546e7a"];',
        f'  edge [fontname="{FONT}", fontsize=10, color="#607d8b", fontcolor="#37474f"];',
    ]


def _two_line_label(title: str, lines: list[str]) -> str:
    """A bold title over small lines; a table, so Graphviz leaves room for both fonts."""
    rows = "".join(
        f'<TR><TD><FONT POINT-SIZE="9">{escape(line)}</FONT></TD></TR>' for line in lines
    )
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        f"<TR><TD><B>{escape(title)}</B></TD></TR>{rows}</TABLE>>"
    )


def _read_style(edge: dict[str, Any]) -> dict[str, str | None]:
    """A read of a deprecated version is dashed, in the colour the view gives it."""
    if not edge["deprecated"]:
        return {}
    return {"style": "dashed", "color": edge["color"], "fontcolor": edge["color"]}


def _model_node(model: dict[str, Any], prefix: str) -> str:
    # An unversioned model's box is just its name: "unversioned" in every box is noise.
    captions = [v["caption"] for v in model["versions"] if v["version"] not in (None, "")]
    label = _two_line_label(model["name"], captions)
    return f"    {model['id']} " + _attrs(
        label=label,
        id_=f"{prefix}-{model['id']}",
        URL=f"#model/{model['key']}",
        tooltip=f"{model['key']}: {plural(model['consumer_count'], 'consumer read')}",
        class_="model deprecated" if model["deprecated"] else "model",
        color=model["stroke"],
    )


def _internal_node(node: dict[str, Any], prefix: str) -> str:
    return f"    {node['id']} " + _attrs(
        label=node["name"],
        id_=f"{prefix}-{node['id']}",
        URL=f"#domain/{node['domain']}",
        tooltip=f"{node['key']} (not public)",
        class_="internal",
        style="rounded,dashed",
        fillcolor="#fafafa",
    )


def _cluster(domain: dict[str, Any], body: list[str], prefix: str) -> list[str]:
    owner = domain["owner"].get("name")
    title = domain["name"] + (f"\n{owner}" if owner else "")
    return [
        f"  subgraph cluster_{domain['id']} {{",
        "    graph "
        + _attrs(
            label=title,
            id_=f"{prefix}-{domain['id']}",
            URL=f"#domain/{domain['name']}",
            tooltip=f"domain {domain['name']}: {domain['health']['level']}",
            style="rounded,filled",
            fillcolor=domain["fill"],
            color=domain["stroke"],
            class_=f"domain health-{domain['health']['level']}",
        )
        + ";",
        *body,
        "  }",
    ]


def _model_edge(edge: dict[str, Any], ids: dict[str, str], prefix: str, index: int) -> str:
    return f"  {ids[edge['source']]} -> {ids[edge['target']]} " + _attrs(
        label=edge["caption"],
        id_=f"{prefix}-e{index}",
        class_="edge-deprecated" if edge["deprecated"] else "edge-read",
        **_read_style(edge),
    )


def _model_graph(
    view: dict[str, Any], name: str, prefix: str, domains: set[str], comment: str
) -> str:
    """Model-level drawing restricted to ``domains`` plus the far ends of their edges."""
    edges = [e for e in view["edges"] if e["source"].split(".")[0] in domains
             or e["target"].split(".")[0] in domains]  # fmt: skip
    shown = {k for e in edges for k in (e["source"], e["target"])}
    shown |= {m["key"] for m in view["models"] if m["domain"] in domains}
    nodes: dict[str, list[str]] = {}
    for model in view["models"]:
        if model["key"] in shown:
            nodes.setdefault(model["domain"], []).append(_model_node(model, prefix))
    for node in view["internal_consumers"]:
        if node["key"] in shown:
            nodes.setdefault(node["domain"], []).append(_internal_node(node, prefix))
    lines = _header(name, comment)
    for domain in view["domains"]:
        if domain["name"] in domains or domain["name"] in nodes:
            body = nodes.get(domain["name"]) or [
                f"    {domain['id']}_empty " + _attrs(label="no public models", shape="plaintext")
            ]
            lines += _cluster(domain, body, prefix)
    known = {d["name"] for d in view["domains"]}
    for domain_name, body in nodes.items():
        if domain_name not in known:
            lines += body
    ids = {m["key"]: m["id"] for m in view["models"]}
    ids.update({n["key"]: n["id"] for n in view["internal_consumers"]})
    lines += [_model_edge(e, ids, prefix, i) for i, e in enumerate(edges)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def model_dot(view: dict[str, Any]) -> str:
    """Every domain, public model and cross-domain read."""
    return _model_graph(
        view, "mesh", "all", {d["name"] for d in view["domains"]},
        "Mesh map, model level: clusters are domains, arrows point producer -> consumer.",
    )  # fmt: skip


def focus_dot(view: dict[str, Any], domain: str) -> str:
    """One domain's models, the models they read and the models reading them."""
    return _model_graph(
        view, f"focus_{domain}", f"f-{safe_id(domain)}", {domain},
        f"Mesh map around domain {domain}: what it publishes, reads and who reads it.",
    )  # fmt: skip


def _isolated_grid(view: dict[str, Any], ids: dict[str, str]) -> list[str]:
    """Domains that read nothing and nobody reads: rows of a box, not one tall column."""
    linked = {e[k] for e in view["domain_edges"] for k in ("producer", "consumer")}
    alone = [ids[d["name"]] for d in view["domains"] if d["name"] not in linked]
    if len(alone) < ISOLATED_ROW:
        return []
    lines = [
        "  subgraph cluster_isolated {",
        "    graph " + _attrs(label=f"{plural(len(alone), 'domain')} without cross-domain reads",
                              style="rounded,dashed", color="#b0bec5", id_="ov-isolated") + ";",
        "    " + "; ".join(alone) + ";",
    ]  # fmt: skip
    for start in range(0, len(alone), ISOLATED_ROW):
        row = alone[start : start + ISOLATED_ROW]
        if len(row) > 1:
            lines.append("    " + " -> ".join(row) + " [style=invis];")
    lines.append("  }")
    return lines


def overview_dot(view: dict[str, Any]) -> str:
    """One node per domain coloured by health; one arrow per producer -> consumer pair."""
    lines = _header(
        "mesh_domains",
        f"Mesh map, domain level ({plural(len(view['domains']), 'domain')}): one arrow per "
        "producer -> "
        "consumer pair; a model-level drawing of this many domains would not be readable.",
    )
    ids = {d["name"]: d["id"] for d in view["domains"]}
    for domain in view["domains"]:
        owner = domain["owner"].get("name") or "no owner"
        label = _two_line_label(
            domain["name"], [f"{owner} · {plural(len(domain['models']), 'model')}"]
        )
        lines.append(
            f"  {domain['id']} "
            + _attrs(
                label=label,
                id_=f"ov-{domain['id']}",
                URL=f"#domain/{domain['name']}",
                tooltip=f"{domain['name']}: {domain['health']['level']}",
                fillcolor=domain["fill"],
                color=domain["stroke"],
                class_=f"domain health-{domain['health']['level']}",
            )
        )
    lines += _isolated_grid(view, ids)
    # Past MAX_MODEL_LEVEL_DOMAINS, edge labels double the drawing's size: hover shows them.
    labelled = len(view["domains"]) <= MAX_MODEL_LEVEL_DOMAINS
    for index, edge in enumerate(view["domain_edges"]):
        if edge["producer"] not in ids or edge["consumer"] not in ids:
            continue
        tooltip = f"{edge['producer']} -> {edge['consumer']}: " + ", ".join(edge["refs"])
        label = edge["label"] if labelled else None
        lines.append(
            f"  {ids[edge['producer']]} -> {ids[edge['consumer']]} "
            + _attrs(label=label, id_=f"ov-e{index}", tooltip=tooltip, **_read_style(edge))
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def mesh_dot(view: dict[str, Any]) -> str:
    """What ``mesh.dot`` holds: model level when readable, else the domain overview."""
    if len(view["domains"]) > MAX_MODEL_LEVEL_DOMAINS:
        return overview_dot(view)
    return model_dot(view)


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render_svgs(sources: list[str]) -> list[str]:
    """Lay out several DOT graphs with one ``dot`` process; one SVG document per graph."""
    if not sources:
        return []
    executable = shutil.which("dot")
    if executable is None:
        raise MeshError("Graphviz 'dot' is not on PATH (install graphviz)")
    try:
        done = subprocess.run(
            [executable, "-Tsvg"],
            input="".join(sources),
            capture_output=True,
            text=True,
            timeout=DOT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise MeshError(f"dot took more than {DOT_TIMEOUT_SECONDS}s to draw the map") from exc
    if done.returncode != 0:
        first = sources[0].splitlines()[1] if len(sources[0].splitlines()) > 1 else sources[0]
        raise MeshError(f"dot rejected the map ({first.strip()} ...): {done.stderr.strip()}")
    documents = [part + "</svg>\n" for part in done.stdout.split("</svg>\n") if "<svg" in part]
    if len(documents) != len(sources):
        raise MeshError(f"dot drew {len(documents)} SVG documents for {len(sources)} graphs")
    return documents
