"""The warm process compiles what every dbt build would compile again, so its children don't."""

from __future__ import annotations

from pathlib import Path

import dbt.include.duckdb
from dbt_common.clients.jinja import extract_toplevel_blocks, template_cache

from datamesh.write.warm_start import (
    JSON_SCHEMA_CLASSES,
    MACRO_BLOCKS,
    prebuild_json_schemas,
    precompile_macros,
)


def test_every_listed_json_schema_class_exists_in_this_dbt() -> None:
    # a class renamed by a dbt upgrade would quietly cost every domain build its schema again
    assert prebuild_json_schemas() == len(JSON_SCHEMA_CLASSES)


def test_adapter_macros_are_compiled_under_the_key_a_parsed_macro_carries() -> None:
    assert precompile_macros() > 0
    path = Path(dbt.include.duckdb.__file__).parent / "macros" / "adapters.sql"
    text = path.read_bytes().decode("utf-8").strip()  # as dbt's read_files loads a macro file
    blocks = extract_toplevel_blocks(text, allowed_blocks=MACRO_BLOCKS, collect_raw_data=False)
    assert blocks
    assert all(block.full_block in template_cache.file_cache for block in blocks)
