"""The catalog page in a real headless Chromium: loads offline, shows every domain, clicks work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import synthetic_mesh
from support.browser import VIEWPORT, DevTools, chromium

from datamesh.map.command import write_map
from datamesh.map.model import build_map_view
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def browser():
    with chromium() as tools:
        yield tools


def node_center(browser: DevTools, href: str) -> dict[str, float]:
    """Where the map's node linking to ``href`` is on screen (scrolled into view)."""
    found = browser.evaluate(
        f"""(() => {{
        const want = {json.dumps(href)};
        const a = [...document.querySelectorAll('#map svg a')]
            .find(a => (a.getAttribute('xlink:href') || a.getAttribute('href')) === want);
        if (!a) return null;
        const g = a.closest('g.node');
        g.scrollIntoView({{block: 'center', inline: 'center'}});
        return new Promise(done => requestAnimationFrame(() => {{
            const r = g.getBoundingClientRect();
            done({{x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height}});
        }}));
        }})()"""
    )
    assert found, f"no node links to {href} in the map"
    assert found["w"] > 10 and found["h"] > 10, f"node {href} is too small to click: {found}"
    return found


def domain_boxes(browser: DevTools) -> dict[str, dict[str, float]]:
    """Each drawn domain's bounding box on screen, keyed by the domain it links to."""
    return browser.evaluate(
        """(() => {
        const boxes = {};
        for (const a of document.querySelectorAll('#map svg a')) {
            const href = a.getAttribute('xlink:href') || a.getAttribute('href') || '';
            if (!href.startsWith('#domain/')) continue;
            const g = a.closest('g.cluster') || a.closest('g.node');
            const r = g.getBoundingClientRect();
            boxes[href.slice(8)] = {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
        }
        return boxes;
        })()"""
    )


def assert_all_in_view(browser: DevTools, names: list[str]) -> None:
    """Every domain's box lies inside the window and inside the map's own (unscrolled) box."""
    boxes = domain_boxes(browser)
    assert sorted(boxes) == sorted(names)
    frame = browser.evaluate(
        """(() => { const r = document.getElementById('map').getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                width: innerWidth, height: innerHeight}; })()"""
    )
    assert (frame["width"], frame["height"]) == (VIEWPORT["width"], VIEWPORT["height"])
    for name, box in boxes.items():
        inside = (
            frame["left"] <= box["left"] and box["right"] <= frame["right"]
            and frame["top"] <= box["top"] and box["bottom"] <= frame["bottom"]
            and box["right"] <= frame["width"] and box["bottom"] <= frame["height"]
        )  # fmt: skip
        assert inside, f"domain {name} at {box} is outside the map's box {frame}"
        assert box["right"] - box["left"] > 40, f"domain {name} drawn too small: {box}"


def wait_for_details(browser: DevTools, title: str) -> None:
    """The click's hashchange is handled in a later task: wait for the panel it fills."""
    browser.wait_until(
        f"(document.querySelector('#details h2') || {{}}).textContent === {json.dumps(title)}"
    )


def details_text(browser: DevTools) -> str:
    return browser.evaluate("document.getElementById('details').innerText")


def visible_domains(browser: DevTools) -> list[str]:
    """Domain names shown in the list, counted only when actually laid out on the page."""
    return browser.evaluate(
        """[...document.querySelectorAll('#domain-list > li')]
           .filter(li => li.offsetParent !== null)
           .map(li => li.querySelector('a.name').innerText)"""
    )


def test_built_mesh_page_offline_every_domain_and_click_shows_consumers(
    built_mesh, tmp_path: Path, browser: DevTools
) -> None:
    result = write_map(built_mesh.root, built_mesh.warehouse, tmp_path / "map")
    assert result.warnings == []
    page = (tmp_path / "map" / "index.html").resolve()
    url = page.as_uri()
    browser.open(url)

    names = [d["name"] for d in built_mesh.manifest["domains"]]
    assert sorted(visible_domains(browser)) == sorted(names)
    drawn = set(browser.evaluate(
        """[...document.querySelectorAll('#map svg a')]
           .map(a => a.getAttribute('xlink:href') || a.getAttribute('href'))"""
    ))  # fmt: skip
    for name in names:
        assert f"#domain/{name}" in drawn, f"domain {name} missing from the drawn map"
    # Opens with every domain inside the viewport, and "fit" brings them back after zooming.
    assert_all_in_view(browser, names)
    browser.screenshot(ARTIFACTS / "map-5-domains-1400x1000.png")
    for _ in range(4):
        browser.evaluate("document.getElementById('zoom-in').click()")
    assert browser.evaluate(
        "document.getElementById('map').scrollWidth > document.getElementById('map').clientWidth"
    ), "zooming in four times should overflow the map's box"
    browser.evaluate("document.getElementById('zoom-fit').click()")
    assert_all_in_view(browser, names)

    edge = next(e for e in built_mesh.manifest["edges"] if e["producer"]["version"] is not None)
    producer = edge["producer"]
    key = f"{producer['domain']}.{producer['model']}"
    spot = node_center(browser, f"#model/{key}")
    browser.click(spot["x"], spot["y"])
    wait_for_details(browser, key)
    text = details_text(browser)
    assert f"{key}" in text
    assert f"Consumers of v{producer['version']}" in text
    consumer = edge["consumer"]
    assert f"{consumer['domain']}.{consumer['model']}" in text
    # each column names the consumer models that read it (the edge's columns read)
    assert "read by" in text
    read = edge.get("columns")
    assert isinstance(read, list) and read, "the built mesh's edge should know its columns"
    row = browser.evaluate(
        "[...document.querySelectorAll('#details tr')].map(r => r.innerText)"
        f".find(t => t.split('\\t')[0].trim() === {json.dumps(read[0]['name'])}) || ''"
    )
    assert f"{consumer['domain']}.{consumer['model']}" in row, row
    browser.screenshot(ARTIFACTS / "map.png")
    assert browser.problems(url) == []


def test_page_says_not_run_yet_without_reports(tmp_path: Path, browser: DevTools) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    warehouse.root.mkdir()
    manifest = synthetic_mesh.generate_manifest(4, 2, seed=3)
    (warehouse.manifest_path).write_text(json.dumps(manifest), "utf-8")
    write_map(tmp_path, warehouse)
    url = (warehouse.map_dir / "index.html").resolve().as_uri()
    browser.open(url)
    header = browser.evaluate("document.getElementById('sources').innerText")
    assert header.count("not run yet") == 3, header
    assert "contract check: not run yet" in details_text(browser)
    # Dates read as people say them; the exact stamp is on hover (the title).
    said = browser.evaluate(
        """['2030-01-01T01:59:40Z', '2030-01-01T00:00:00Z', '2029-12-30T02:00:00Z',
            '2029-12-31T23:00:00Z'].map(t => meshMap.ago(t, Date.parse('2030-01-01T02:00:00Z')))"""
    )
    assert said == ["just now", "2 h ago", "2 days ago", "3 h ago"]
    stamp = browser.evaluate(
        "(() => { const t = document.querySelector('#details time');"
        " return [t.getAttribute('datetime'), t.title, t.textContent]; })()"
    )
    assert stamp[0] == manifest["generated_at"] and manifest["generated_at"] in stamp[1]
    assert stamp[2].endswith("ago") or stamp[2] == "just now" or stamp[2].startswith("in "), stamp
    assert browser.problems(url) == []


def test_synthetic_120_domain_mesh_stays_readable(tmp_path: Path, browser: DevTools) -> None:
    manifest = synthetic_mesh.generate_manifest(120, 3, seed=7)
    warehouse = Warehouse(tmp_path / "wh")
    synthetic_mesh.write_warehouse(
        warehouse.root, manifest, synthetic_mesh.generate_reports(manifest, 7)
    )
    write_map(tmp_path, warehouse)
    url = (warehouse.map_dir / "index.html").resolve().as_uri()
    browser.open(url)
    names = [d["name"] for d in manifest["domains"]]
    assert sorted(visible_domains(browser)) == sorted(names)
    # Opens on the domains ranked: worst health first, then the most read.
    view = build_map_view(manifest, **synthetic_mesh.generate_reports(manifest, 7))
    order = list(view["styles"]["health"])
    ranked = sorted(view["domains"], key=lambda d: (order.index(d["health"]["level"]),
                                                    -len(d["downstreams"]), d["name"]))  # fmt: skip
    rows = browser.evaluate(
        "[...document.querySelectorAll('#map .ranked tbody tr')].map(tr => tr.dataset.domain)"
    )
    assert rows == [d["name"] for d in ranked]
    assert browser.evaluate("document.querySelectorAll('#map svg').length") == 0
    browser.screenshot(ARTIFACTS / "map-120-domains-1400x1000.png")
    # The "Domains" tab draws the domain-level overview: one node per domain, no model node.
    browser.evaluate("document.getElementById('tab-overview').click()")
    counts = browser.evaluate(
        "[document.querySelectorAll('#map g.node').length,"
        " document.querySelectorAll('#map g.node.model').length]"
    )
    assert counts == [120, 0]
    assert browser.evaluate("document.getElementById('tab-all').hidden") is True
    # Search narrows the list: a model name only one domain publishes.
    browser.evaluate(
        "(() => { const s = document.getElementById('search'); s.value = 'payments_3';"
        " s.dispatchEvent(new Event('input')); })()"
    )
    shown = visible_domains(browser)
    assert shown and len(shown) < 10 and all("payments_3" in n for n in shown), shown
    browser.evaluate(
        "(() => { const s = document.getElementById('search'); s.value = '';"
        " s.dispatchEvent(new Event('input')); })()"
    )
    # Clicking a domain expands it: its models, what they read and who reads them.
    consumed = next(e for e in manifest["edges"] if e["consumer"]["domain"] != names[0])
    domain = consumed["producer"]["domain"]
    spot = node_center(browser, f"#domain/{domain}")
    browser.click(spot["x"], spot["y"])
    wait_for_details(browser, domain)
    assert browser.evaluate("document.getElementById('tab-focus').innerText") == f"Domain: {domain}"
    model_key = f"{domain}.{consumed['producer']['model']}"
    spot = node_center(browser, f"#model/{model_key}")
    browser.click(spot["x"], spot["y"])
    wait_for_details(browser, model_key)
    text = details_text(browser)
    assert f"{consumed['consumer']['domain']}.{consumed['consumer']['model']}" in text
    browser.screenshot(ARTIFACTS / "map-120-domains-focus.png")
    assert browser.problems(url) == []


def _rgb(hex_color: str) -> str:
    """``#c62828`` as the browser's computed style writes it: ``rgb(198, 40, 40)``."""
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_page_shows_the_models_labels_and_colours(tmp_path: Path, browser: DevTools) -> None:
    manifest = synthetic_mesh.generate_manifest(8, 3, seed=5)  # 3 healthy, 3 failing, 2 warning
    reports = synthetic_mesh.generate_reports(manifest, 5)
    before = build_map_view(manifest, reports["check"], reports["validation"], reports["last_run"])
    # A healthy domain left out of the last build: its health becomes unknown.
    unbuilt = next(d["name"] for d in before["domains"] if d["health"]["level"] == "healthy")
    reports["last_run"]["domains"] = [
        d for d in reports["last_run"]["domains"] if d["domain"] != unbuilt
    ]
    warehouse = Warehouse(tmp_path / "wh")
    synthetic_mesh.write_warehouse(warehouse.root, manifest, reports)
    view = write_map(tmp_path, warehouse).view
    assert {d["health"]["level"] for d in view["domains"]} == set(view["styles"]["health"])
    url = (warehouse.map_dir / "index.html").resolve().as_uri()
    browser.open(url)

    # Health colours: the list's dot is the domain's stroke, the drawn cluster its fill.
    for domain in view["domains"]:
        shown = browser.evaluate(
            f"""(() => {{
            const dot = document.querySelector('li[data-domain={json.dumps(domain["name"])}] .dot');
            const cluster = document.getElementById({json.dumps("all-" + domain["id"])});
            const shape = cluster && cluster.querySelector('path, polygon');
            return [getComputedStyle(dot).backgroundColor, shape && shape.getAttribute('fill')];
            }})()"""
        )
        assert shown == [_rgb(domain["stroke"]), domain["fill"]], domain["name"]
    legend = browser.evaluate(
        """[...document.querySelectorAll('.legend .lg')].map(el =>
           [el.textContent, getComputedStyle(el, '::before').borderTopColor])"""
    )
    assert legend == [[level, _rgb(s["stroke"])] for level, s in view["styles"]["health"].items()]

    # Labels: the domain panel lists the model's caption, the model panel its versions' words.
    model = next(m for m in view["models"] if m["deprecated"])
    old = next(v for v in model["versions"] if v["deprecation_date"])
    assert old["caption"] == f"{old['label']} (deprecated {old['deprecation_date']})"
    browser.evaluate(f"location.hash = {json.dumps('#domain/' + model['domain'])}")
    wait_for_details(browser, model["domain"])
    assert model["versions_caption"] in details_text(browser)
    browser.evaluate(f"location.hash = {json.dumps('#model/' + model['key'])}")
    wait_for_details(browser, model["key"])
    text = details_text(browser)
    assert old["deprecation_note"] in text and f"Consumers of {old['label']}" in text
    assert browser.problems(url) == []
