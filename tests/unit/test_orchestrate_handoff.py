"""The start gate and the hand-off of staging files between a producer and its consumers."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from datamesh.orchestrate.handoff import link_for_consumers, parsed_view
from datamesh.resolve.start_gate import GateClosed, close_gate, open_gate, wait_for_gate
from datamesh.warehouse import Warehouse


def test_open_gate_passes_the_files_to_attach(tmp_path: Path) -> None:
    gate = tmp_path / "gate.json"
    open_gate(gate, {"sales": "/w/links/sales.duckdb"})
    assert wait_for_gate(gate) == {"sales": "/w/links/sales.duckdb"}


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
    timer = threading.Timer(0.2, open_gate, args=(gate, {"sales": "/w/sales.duckdb"}))
    started = time.perf_counter()
    timer.start()
    assert wait_for_gate(gate) == {"sales": "/w/sales.duckdb"}
    assert time.perf_counter() - started >= 0.15
    timer.join()


def test_parsed_view_is_what_a_consumer_parse_reads() -> None:
    model = {"name": "fct_orders", "identifier": "fct_orders", "schema": "main",
             "database": "sales", "relation_name": '"sales"."main"."fct_orders"',
             "version": None, "latest_version": None, "deprecation_date": None,
             "access": "public", "description": "Orders.",
             "columns": [{"name": "order_id"}]}  # fmt: skip
    parsed = {"domain": "sales", "models": [model]}
    published = {**parsed, "fingerprint": "f", "run_id": "r", "published_at": "t"}
    redescribed = {**parsed, "models": [{**model, "description": "All orders."}]}
    assert parsed_view(published) == parsed_view(parsed) == parsed_view(redescribed)
    deprecated = {**parsed, "models": [{**model, "deprecation_date": "2099-01-01"}]}
    assert parsed_view(deprecated) != parsed_view(parsed)
    private = {**parsed, "models": [{**model, "access": "protected"}]}
    assert parsed_view(private) != parsed_view(parsed)
    assert parsed_view(None) is None


def test_link_outlives_the_publish_and_clean_up_of_the_staging_file(tmp_path: Path) -> None:
    staging = tmp_path / "staging" / "sales" / "sales.duckdb"
    staging.parent.mkdir(parents=True)
    staging.write_bytes(b"built data")
    link = link_for_consumers(staging, Warehouse(tmp_path).handoff_dir)
    os.replace(staging, tmp_path / "sales.duckdb")  # publish
    shutil.rmtree(staging.parent)  # clean-up
    assert link.read_bytes() == b"built data"
    relinked = link_for_consumers(tmp_path / "sales.duckdb", link.parent)  # replaces the link
    assert relinked.samefile(tmp_path / "sales.duckdb")
