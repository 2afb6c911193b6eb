"""The raw data generator's command line: --if-missing, regeneration and reported row counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import generate_data
import pytest

from datamesh.dbt_env import WAREHOUSE_ENV

ORDERS = 200
ARGS = ["--orders", str(ORDERS), "--as-of", "2026-11-01", "--seed", "7"]


def _raw_files(warehouse: Path) -> dict[str, Path]:
    return {key: warehouse / rel for key, rel in generate_data.RAW_FILES.items()}


def _mtimes(warehouse: Path) -> dict[str, int]:
    return {key: path.stat().st_mtime_ns for key, path in _raw_files(warehouse).items()}


def test_if_missing_skips_when_every_file_exists(tmp_path: Path, capsys: pytest.CaptureFixture):
    warehouse = tmp_path / "wh"
    assert generate_data.main([*ARGS, "--warehouse", str(warehouse)]) == 0
    files = _raw_files(warehouse)
    assert all(path.is_file() for path in files.values())
    before = _mtimes(warehouse)
    capsys.readouterr()

    assert generate_data.main([*ARGS, "--warehouse", str(warehouse), "--if-missing"]) == 0

    assert _mtimes(warehouse) == before
    assert "already in" in capsys.readouterr().out


def test_missing_file_is_regenerated(tmp_path: Path):
    warehouse = tmp_path / "wh"
    assert generate_data.main([*ARGS, "--warehouse", str(warehouse)]) == 0
    files = _raw_files(warehouse)
    files["payments"].unlink()

    assert generate_data.main([*ARGS, "--warehouse", str(warehouse)]) == 0

    assert all(path.is_file() for path in files.values())


def test_if_missing_regenerates_when_a_file_is_missing(tmp_path: Path):
    warehouse = tmp_path / "wh"
    assert generate_data.main([*ARGS, "--warehouse", str(warehouse)]) == 0
    files = _raw_files(warehouse)
    files["orders"].unlink()

    assert generate_data.main([*ARGS, "--warehouse", str(warehouse), "--if-missing"]) == 0

    assert all(path.is_file() for path in files.values())


def test_default_warehouse_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    warehouse = tmp_path / "from-env"
    monkeypatch.setenv(WAREHOUSE_ENV, str(warehouse))

    assert generate_data.main(ARGS) == 0

    assert all(path.is_file() for path in _raw_files(warehouse).values())


def test_reported_counts_match_the_files(tmp_path: Path):
    warehouse = tmp_path / "wh"
    counts = generate_data.generate(warehouse, ORDERS, generate_data.date(2026, 11, 1), 7)

    assert set(counts) == set(generate_data.RAW_FILES)
    con = duckdb.connect()
    try:
        for key, path in _raw_files(warehouse).items():
            (rows,) = con.execute(
                f"select count(*) from read_parquet('{path.as_posix()}')"
            ).fetchone()
            assert counts[key] == rows > 0, key
    finally:
        con.close()
    # orders carry a few exact duplicates on top of the requested number
    assert counts["orders"] > ORDERS
