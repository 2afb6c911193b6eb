"""Data Docs housekeeping without GX: which runs are kept, how pages are pointed offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from datamesh.audit.data_docs import KEEP_RUNS_ENV, keep_runs, prune_results
from datamesh.audit.offline_assets import (
    CDN_FILES,
    external_loads,
    make_offline,
    rewrite_page,
    vendor_assets,
)
from datamesh.errors import MeshError


def _result(root: Path, suite: str, stamp: str, target: str) -> Path:
    path = root / suite / "__none__" / stamp / f"{target}-x.json"
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    return path


def test_prune_keeps_the_newest_runs_of_each_suite_staging_included(tmp_path: Path) -> None:
    old = _result(tmp_path, "alpha/things/v1", "20261201T000000.000001Z", "staging")
    mid = _result(tmp_path, "alpha/things/v1", "20261202T000000.000001Z", "published")
    new = _result(tmp_path, "alpha/things/v1", "20261203T000000.000001Z", "staging")
    other = _result(tmp_path, "beta/summary", "20261201T000000.000001Z", "published")
    removed = prune_results(tmp_path, keep=2)
    assert removed == [old.parent]
    assert [p.is_file() for p in (old, mid, new, other)] == [False, True, True, True]
    assert prune_results(tmp_path / "missing", keep=1) == []


def test_keep_runs_reads_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEEP_RUNS_ENV, raising=False)
    assert keep_runs() == 3
    monkeypatch.setenv(KEEP_RUNS_ENV, "5")
    assert keep_runs() == 5
    for bad in ("zero", "0", "-1"):
        monkeypatch.setenv(KEEP_RUNS_ENV, bad)
        with pytest.raises(MeshError, match=f"{KEEP_RUNS_ENV}='{bad}'"):
            keep_runs()


PAGE = """<link href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css">
<script src="https://cdn.jsdelivr.net/npm/vega-lite@5"></script>
<script src="https://cdn.jsdelivr.net/npm/vega@5" integrity="sha384-x" crossorigin="anonymous"></script>
<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1">
<style>a { background: url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png') }</style>
<a href="https://greatexpectations.io">a link a person may follow</a>
"""  # noqa: E501


def test_rewrite_points_each_asset_at_its_local_copy_relative_to_the_page(tmp_path: Path) -> None:
    page = tmp_path / "validations" / "a" / "b.html"
    text = rewrite_page(PAGE, page, tmp_path)
    assert external_loads(PAGE) != [] and external_loads(text) == []
    assert 'href="../../static/vendor/bootstrap/dist/css/bootstrap.min.css"' in text
    assert 'src="../../static/vendor/vega-lite/build/vega-lite.min.js"' in text
    assert '<script src="../../static/vendor/vega/build/vega.min.js"></script>' in text
    assert text.count("../../static/images/logo-long.png") == 2
    assert 'href="https://greatexpectations.io"' in text


def test_missing_assets_name_the_file_and_the_install_step(tmp_path: Path) -> None:
    with pytest.raises(MeshError, match=r"missing.*make setup"):
        vendor_assets(tmp_path / "docs", source=tmp_path / "nothing")


def test_make_offline_copies_what_pages_load_and_reports_what_is_left(tmp_path: Path) -> None:
    source = tmp_path / "node_modules"
    for relative in set(CDN_FILES.values()):
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        (source / relative).write_text(relative)
    (source / "@fortawesome/fontawesome-free/webfonts").mkdir(parents=True)
    (source / "@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2").write_text("font")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.html").write_text(PAGE + '<script src="https://example.org/x.js"></script>')
    site = make_offline(docs, source)
    assert site.pages == 1 and site.external == ["index.html: https://example.org/x.js"]
    vendor = docs / "static/vendor"
    assert (vendor / "vega/build/vega.min.js").read_text() == "vega/build/vega.min.js"
    assert (vendor / "@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2").is_file()
