"""Great Expectations Data Docs (``Warehouse.data_docs_dir``), and the context that feeds them.

The context is ephemeral (nothing of GX's own project layout is written) except for two
folders: validation results are kept as JSON under ``<data docs>/.results`` so that the index
lists every model version validated so far (``mesh build`` audits one domain at a time), and the
HTML site is written to the data docs folder. GX's pages load their CSS/JS from public CDNs:
``offline_assets.make_offline`` points them at local copies installed at setup time. Only the
last ``MESH_DATA_DOCS_KEEP_RUNS`` validations of each suite are kept (staging audits of builds
included), so the site does not grow by a page per model version per run forever.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datamesh.audit.offline_assets import make_offline
from datamesh.errors import MeshError

RESULTS_DIR = ".results"
PAGES_DIR = "validations"  # GX's rendered validation results, one page per stored result
SITE_NAME = "mesh"
KEEP_RUNS_ENV = "MESH_DATA_DOCS_KEEP_RUNS"
DEFAULT_KEEP_RUNS = 3


def keep_runs() -> int:
    """How many validations of each suite the Data Docs keep (``MESH_DATA_DOCS_KEEP_RUNS``)."""
    raw = os.environ.get(KEEP_RUNS_ENV, "").strip()
    if not raw:
        return DEFAULT_KEEP_RUNS
    if not raw.isdigit() or int(raw) < 1:
        raise MeshError(f"{KEEP_RUNS_ENV}={raw!r}: expected a whole number of runs, 1 or more")
    return int(raw)


def prune_results(results_dir: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest validation runs of each suite; return what went.

    GX stores a result as ``<suite>/<run name>/<run time>/<batch>.json``; run times are
    ``20261204T203956.899904Z`` stamps, so their names sort in time order."""
    runs_by_suite: dict[Path, set[Path]] = {}
    for result in results_dir.rglob("*.json") if results_dir.is_dir() else []:
        run_time = result.parent
        runs_by_suite.setdefault(run_time.parent.parent, set()).add(run_time)
    removed = []
    for runs in runs_by_suite.values():
        for old in sorted(runs, key=lambda p: p.name, reverse=True)[keep:]:
            shutil.rmtree(old)
            removed.append(old)
            if not any(old.parent.iterdir()):
                old.parent.rmdir()
    return sorted(removed)


def make_context(docs_dir: Path | None) -> Any:
    """An ephemeral GX context; with ``docs_dir`` its results and Data Docs go there."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
    )

    defaults = InMemoryStoreBackendDefaults()
    config = DataContextConfig(store_backend_defaults=defaults, analytics_enabled=False)
    if docs_dir is not None:
        site = docs_dir
        config.stores[defaults.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site / RESULTS_DIR),
            },
        }
        config.data_docs_sites = {
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        }
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = _no_progress_bars()
    return context


def _no_progress_bars() -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    return ProgressBarsConfig(globally=False, metric_calculations=False)


@dataclass
class DataDocs:
    """The site written: its index, and what is worth telling about it."""

    index: Path
    pruned: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_data_docs(context: Any, docs_dir: Path) -> DataDocs:
    """Render the site from the kept validation results, with local CSS/JS only.

    Pages of pruned results would linger (GX adds pages, it never removes them), so the
    rendered validations are cleared first and rendered again from the results kept."""
    pruned = prune_results(docs_dir / RESULTS_DIR, keep_runs())
    shutil.rmtree(docs_dir / PAGES_DIR, ignore_errors=True)
    context.build_data_docs(site_names=[SITE_NAME])
    docs = DataDocs(docs_dir / "index.html", pruned)
    try:
        site = make_offline(docs_dir)
    except MeshError as exc:
        docs.warnings.append(f"Data Docs need the network: {exc}")
        return docs
    docs.warnings += [f"Data Docs still load {url}" for url in site.external]
    return docs
