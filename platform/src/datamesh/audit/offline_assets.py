"""Data Docs without the network: the CSS/JS GX links from CDNs, served from local copies.

Great Expectations 1.24 writes pages that load Bootstrap, jQuery, bootstrap-table, Vega and
Font Awesome from public CDNs and its logo from a cloud bucket: offline the index table stays
empty and nothing links. The same files, at the same versions, come from the npm registry at
setup time (``platform/data_docs_assets``, ``make setup``); after GX renders the site they are
copied under ``static/vendor/`` and every page's URLs are rewritten to them, relative to the
page, so the folder can be moved or opened from a CI artifact. Nothing is downloaded at run time.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from datamesh.errors import MeshError

ASSETS_ENV = "MESH_DATA_DOCS_ASSETS"
VENDOR_DIR = "static/vendor"
# platform/src/datamesh/audit/ -> platform/data_docs_assets/node_modules
DEFAULT_ASSETS = Path(__file__).resolve().parents[3] / "data_docs_assets" / "node_modules"

# What GX 1.24's templates load (URL without query) -> the file in the installed npm packages.
CDN_FILES: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap/dist/js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js/dist/umd/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "@fortawesome/fontawesome-free/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}  # fmt: skip
# Folders a copied file reads relative to itself (Font Awesome's CSS -> ../webfonts/).
COMPANION_DIRS = {
    "@fortawesome/fontawesome-free/css/all.min.css": "@fortawesome/fontawesome-free/webfonts"
}
# GX's logo from its bucket -> the copy GX itself writes under static/images/.
LOGO = re.compile(
    r"https://great-expectations-web-assets\.s3[^\"')\s]*?/[\w-]+\.png(\?[^\"')\s]*)?"
)
LOCAL_LOGO = "static/images/logo-long.png"
# A URL a page would load (not a link a person may follow): what must be gone after the rewrite.
LOADED_URL = re.compile(
    r"<(?:script|img)\b[^>]*\bsrc=\"(https?://[^\"]+)\"|<link\b[^>]*\bhref=\"(https?://[^\"]+)\""
    r"|url\('?(https?://[^')]+)'?\)"
)
LOCAL_TAG = re.compile(r"<(?:script|link)\b[^>]*static/vendor/[^>]*>")
CORS_ATTRS = re.compile(r'\s(?:integrity|crossorigin)="[^"]*"')
URL_IN_PAGE = re.compile(
    "|".join(re.escape(url) for url in sorted(CDN_FILES, key=len, reverse=True))
)


@dataclass
class OfflineSite:
    """What making a site offline did: pages rewritten, and URLs still external (named)."""

    pages: int = 0
    external: list[str] = field(default_factory=list)


def assets_dir() -> Path:
    """The installed npm packages: ``MESH_DATA_DOCS_ASSETS`` or the platform's own folder."""
    env = os.environ.get(ASSETS_ENV)
    return Path(env) if env else DEFAULT_ASSETS


def vendor_assets(docs_dir: Path, source: Path | None = None) -> Path:
    """Copy every file the pages load into ``<docs>/static/vendor``; a MeshError naming the
    missing file (and how to install it) when the packages are not installed."""
    source = source or assets_dir()
    vendor = docs_dir / VENDOR_DIR
    for relative in sorted(set(CDN_FILES.values())):
        origin = source / relative
        if not origin.is_file():
            raise MeshError(
                f"{origin}: missing, so Data Docs would load it from a CDN; install the Data "
                f"Docs assets with `make setup` (npm ci in platform/data_docs_assets) or point "
                f"{ASSETS_ENV} at a node_modules folder holding them"
            )
        target = vendor / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)
        if relative in COMPANION_DIRS:
            folder = COMPANION_DIRS[relative]
            shutil.copytree(source / folder, vendor / folder, dirs_exist_ok=True)
    return vendor


def rewrite_page(text: str, page: Path, docs_dir: Path) -> str:
    """The page with CDN URLs pointing at the local copies, relative to ``page``."""
    base = page.parent

    def local(relative: str) -> str:
        return Path(os.path.relpath(docs_dir / relative, base)).as_posix()

    text = URL_IN_PAGE.sub(lambda m: local(f"{VENDOR_DIR}/{CDN_FILES[m.group(0)]}"), text)
    text = LOGO.sub(lambda m: local(LOCAL_LOGO), text)
    # A file:// page has no origin: ``crossorigin`` makes the browser refuse a local script.
    return LOCAL_TAG.sub(lambda m: CORS_ATTRS.sub("", m.group(0)), text)


def external_loads(text: str) -> list[str]:
    """URLs a page would still fetch from the network (scripts, images, styles)."""
    return [next(g for g in m.groups() if g) for m in LOADED_URL.finditer(text)]


def make_offline(docs_dir: Path, source: Path | None = None) -> OfflineSite:
    """Vendor the assets, then rewrite every page and stylesheet of the site in place."""
    vendor_assets(docs_dir, source)
    site = OfflineSite()
    files = [*docs_dir.rglob("*.html"), *(docs_dir / "static" / "styles").glob("*.css")]
    for path in sorted(files):
        if VENDOR_DIR in path.relative_to(docs_dir).as_posix():
            continue
        text = path.read_text(encoding="utf-8")
        new = rewrite_page(text, path, docs_dir)
        if new != text:
            path.write_text(new, encoding="utf-8")
        site.pages += path.suffix == ".html"
        site.external += [f"{path.relative_to(docs_dir)}: {url}" for url in external_loads(new)]
    return site
