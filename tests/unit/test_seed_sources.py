"""Which seeds a project's own sources read, from its files alone (no dbt)."""

from __future__ import annotations

from pathlib import Path

from support.files import write_files

from datamesh.write.seed_sources import seeds_read_as_sources


def test_a_source_table_named_like_a_seed_is_read_as_a_source(tmp_path: Path) -> None:
    project = write_files(
        tmp_path,
        {
            "dbt_project.yml": "name: shop\nseed-paths: [data]\n",
            "data/raw/Raw_Orders.csv": "id\n1\n",
            "data/raw_items.csv": "id\n1\n",
            "data/lookup.csv": "id\n1\n",
            "models/staging/_sources.yml": (
                "sources:\n  - name: raw\n    tables:\n      - name: raw_orders\n"
                "      - name: items\n        identifier: raw_items\n      - name: elsewhere\n"
            ),
            "models/broken.yml": "sources: [\n",  # dbt reports this file, not us
        },
    )
    assert seeds_read_as_sources(project) == ["Raw_Orders", "raw_items"]


def test_no_seeds_or_no_matching_source_means_no_seed_step(tmp_path: Path) -> None:
    project = write_files(
        tmp_path,
        {
            "dbt_project.yml": "name: shop\n",
            "models/_sources.yml": "sources:\n  - name: raw\n    tables: [{name: orders}]\n",
        },
    )
    assert seeds_read_as_sources(project) == []
    write_files(tmp_path, {"seeds/countries.csv": "code\nNL\n"})
    assert seeds_read_as_sources(project) == []
