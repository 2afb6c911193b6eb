"""The DuckDB compatibility fix is pinned to the versions it was tested with."""

from __future__ import annotations

import pytest

from datamesh.audit import gx_duckdb
from datamesh.errors import MeshError


def test_installed_versions_are_the_tested_ones() -> None:
    # Fails on an upgrade: re-run tests/integration/test_validate_gx_duckdb.py, then update
    # gx_duckdb.TESTED_WITH (or drop the fix if GX lists duckdb as a persisted dialect).
    assert gx_duckdb.version_mismatches() == []


def test_apply_refuses_untested_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(gx_duckdb.TESTED_WITH, "great-expectations", "0.0.1")
    with pytest.raises(MeshError) as caught:
        gx_duckdb.apply()
    message = str(caught.value)
    assert "datamesh.audit.gx_duckdb" in message
    assert "great-expectations" in message and "tested with 0.0.1" in message
