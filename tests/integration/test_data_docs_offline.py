"""Great Expectations Data Docs with the network blocked: styled, the index table has its rows,
a row opens its validation page; and only the last N runs' pages are kept (staging included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import DevTools, chromium
from support.cli import MeshCli

from datamesh.audit.data_docs import KEEP_RUNS_ENV, PAGES_DIR, RESULTS_DIR
from datamesh.audit.offline_assets import CDN_FILES, external_loads

pytestmark = pytest.mark.integration

AS_OF = "2026-11-01T23:00:00"  # the test data's as-of day (tests/conftest.py TEST_AS_OF)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
INDEX_TABLE = "#section-1-content-block-2-1-body-table"


def runs_per_suite(folder: Path, suffix: str) -> dict[str, int]:
    """How many run-time folders each suite has under ``folder`` (results or pages)."""
    counts: dict[str, int] = {}
    for path in folder.rglob(f"*{suffix}"):
        suite = path.parent.parent.parent.relative_to(folder).as_posix()
        counts[suite] = counts.get(suite, 0) + 1
    return counts


def test_data_docs_render_offline_and_keep_the_last_runs(
    built_mesh, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mesh = built_mesh.copy_to(tmp_path)
    docs = mesh.warehouse.data_docs_dir
    # The build's audits left one staging result per model version; two validations add two.
    before = runs_per_suite(docs / RESULTS_DIR, ".json")
    assert before and set(before.values()) == {1}, before
    monkeypatch.setenv(KEEP_RUNS_ENV, "2")
    cli = MeshCli(mesh.root, mesh.warehouse)
    for _ in range(2):
        run = cli.run("validate", "--as-of", AS_OF)
        assert run.code == 0, run.output
    assert f"; {len(before)} older runs pruned" in run.out, run.out
    assert "warning" not in run.err, run.err
    assert runs_per_suite(docs / RESULTS_DIR, ".json") == {s: 2 for s in before}
    assert runs_per_suite(docs / PAGES_DIR, ".html") == {s: 2 for s in before}
    assert not list((docs / PAGES_DIR).rglob("staging-*.html")), "the staging run was kept"

    index = docs / "index.html"
    pages = [index, *sorted((docs / PAGES_DIR).rglob("*.html"))[:2]]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert external_loads(text) == [], page
        assert not any(url in text for url in CDN_FILES), page

    with chromium(offline=True) as browser:
        url = index.resolve().as_uri()
        browser.open(url)
        shown = browser.evaluate(
            f"""(() => {{
            const rows = [...document.querySelectorAll('{INDEX_TABLE} tbody tr[data-href]')];
            const css = getComputedStyle(document.querySelector('.navbar') || document.body);
            const all = jQuery('{INDEX_TABLE}').bootstrapTable('getData');
            return {{rows: rows.map(r => r.dataset.href), total: all.length,
                     table: !!(window.jQuery &&
                     jQuery.fn.bootstrapTable), vega: typeof vegaEmbed, font: css.fontFamily,
                     icons: document.fonts.check('16px "Font Awesome 6 Free"')}};
            }})()"""
        )
        assert shown["table"] and shown["vega"] == "function", shown
        # Every kept run is in the table (paged by ten), each row linking to an existing page.
        assert shown["total"] == 2 * len(before) and len(shown["rows"]) == 10, shown
        for href in shown["rows"]:
            assert (docs / href).is_file(), href
        browser.screenshot(ARTIFACTS / "data-docs-offline.png")
        assert _problems(browser, url) == []
        # A row is a link: clicking it opens that validation's page, also rendered offline.
        since = len(browser.events)
        browser.evaluate(f"document.querySelector('{INDEX_TABLE} tbody tr[data-href] td').click()")
        browser.wait_for("Page.loadEventFired", since)
        opened = browser.evaluate("[location.href, document.querySelectorAll('table').length]")
        assert opened[0] == (docs / shown["rows"][0]).resolve().as_uri(), opened
        assert opened[1] > 0
        assert _problems(browser, url) == []


def _problems(browser: DevTools, page_url: str) -> list[str]:
    """The browser's problems, less requests for local files (the vendored assets)."""
    return [
        p for p in browser.problems(page_url) if not p.startswith("request left the page: file://")
    ]
