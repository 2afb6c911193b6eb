"""Great Expectations Data Docs (``Warehouse.data_docs_dir``), and the context that feeds them.

The context is ephemeral (nothing of GX's own project layout is written) except for two
folders: validation results are kept as JSON under ``<data docs>/.results`` so that the index
lists every model version validated so far (``mesh build`` audits one domain at a time), and the
HTML site is written to the data docs folder. Data Docs load their CSS/JS from public CDNs; offline
they render unstyled, which is acceptable for this report (the mesh map page is self-contained).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

RESULTS_DIR = ".results"
SITE_NAME = "mesh"


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


def build_data_docs(context: Any, docs_dir: Path) -> Path:
    """Render the site from every stored validation result; returns its index.html."""
    context.build_data_docs(site_names=[SITE_NAME])
    return docs_dir / "index.html"
