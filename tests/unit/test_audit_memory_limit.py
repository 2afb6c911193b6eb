"""The audit's memory limit: a size DuckDB reads, large enough to run, else a setting error."""

from __future__ import annotations

import pytest

from datamesh.audit.validate import MEMORY_LIMIT_ENV, duckdb_config, memory_limit_bytes
from datamesh.errors import MeshError


@pytest.mark.parametrize(
    ("text", "size"),
    [("512MB", 512_000_000), ("2GB", 2_000_000_000), ("1GiB", 1024**3), ("64 mib", 64 * 1024**2),
     ("1.5GB", 1_500_000_000), ("lots", None), ("12XB", None), ("", None)],
)  # fmt: skip
def test_memory_limit_bytes(text: str, size: int | None) -> None:
    assert memory_limit_bytes(text) == size


@pytest.mark.parametrize("value", ["1KB", "512KB", "15MB"])
def test_a_limit_too_small_to_run_is_a_setting_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, value)
    with pytest.raises(MeshError) as raised:
        duckdb_config()
    assert f"${MEMORY_LIMIT_ENV}={value!r} is below the 16MB" in str(raised.value)


def test_an_unreadable_limit_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(MeshError, match=r"\$MESH_AUDIT_MEMORY_LIMIT='lots' is not a DuckDB"):
        duckdb_config()


def test_a_workable_limit_passes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "32MB")
    assert duckdb_config() == {"memory_limit": "32MB"}
