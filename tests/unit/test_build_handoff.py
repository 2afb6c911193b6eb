"""The start gate and the hand-off of staging files between a producer and its consumers."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from datamesh.build.handoff import (
    GateClosed,
    close_gate,
    link_for_consumers,
    open_gate,
    parsed_view,
    wait_for_gate,
)


def test_open_gate_passes_the_files_to_attach(tmp_path: Path) -> None:
    gate = tmp_path / "gate.json"
    open_gate(gate, {"sales": "/w/staging/handoff-links/sales.duckdb"})
    assert wait_for_gate(gate) == {"sales": "/w/staging/handoff-links/sales.duckdb"}


def test_closed_gate_stops_the_consumer_with_the_reason(tmp_path: Path) -> None:
    gate = tmp_path / "gate.json"
    close_gate(gate, "upstream 'sales' failed")
    with pytest.raises(GateClosed, match="called this build off: upstream 'sales' failed"):
        wait_for_gate(gate)


def test_unreadable_gate_names_the_file(tmp_path: Path) -> None:
    gate = tmp_path / "gate.json"
    gate.write_text("{not json")
    with pytest.raises(GateClosed, match=f"{gate}: unreadable start gate"):
        wait_for_gate(gate)


def test_consumer_waits_until_the_gate_is_written(tmp_path: Path) -> None:
    gate = tmp_path / "gate.json"
    timer = threading.Timer(0.2, open_gate, args=(gate, {}))
    timer.start()
    assert wait_for_gate(gate) == {}
    timer.join()


def test_parsed_view_ignores_what_only_publishing_writes() -> None:
    parsed = {"domain": "sales", "models": [{"name": "fct_orders", "columns": ("a", "b")}]}
    published = {**parsed, "fingerprint": "f", "run_id": "r", "published_at": "t"}
    assert parsed_view(published) == parsed_view(parsed)
    assert parsed_view({**parsed, "models": []}) != parsed_view(parsed)
    assert parsed_view(None) is None


def test_link_outlives_the_publish_and_clean_up_of_the_staging_file(tmp_path: Path) -> None:
    staging = tmp_path / "staging" / "sales" / "sales.duckdb"
    staging.parent.mkdir(parents=True)
    staging.write_bytes(b"built data")
    link = link_for_consumers(staging, tmp_path / "staging" / "handoff-links")
    os.replace(staging, tmp_path / "sales.duckdb")  # publish
    shutil.rmtree(staging.parent)  # clean-up
    assert link.read_bytes() == b"built data"
    assert link_for_consumers(tmp_path / "sales.duckdb", link.parent) == link  # relinks
