"""The gate keeping of a consumer started ahead: when it may run, and why it is called off.

Producers are ``Handoff``s set by hand, as the producers' threads would; no dbt runs.
"""

from __future__ import annotations

import threading
from pathlib import Path

from datamesh.orchestrate.domain_build import decide_gate, wait_for_publish
from datamesh.orchestrate.handoff import Handoff, parsed_view
from datamesh.orchestrate.run_report import Status

MODEL = {"name": "fct_orders", "identifier": "fct_orders", "schema": "main", "database": "sales",
         "relation_name": '"sales"."main"."fct_orders"', "version": None,
         "latest_version": None, "deprecation_date": None, "access": "public",
         "description": "Orders.", "columns": [{"name": "order_id"}]}  # fmt: skip
SALES = {"domain": "sales", "models": [MODEL]}


def built(interface: dict = SALES, link: str = "/w/links/sales.duckdb") -> Handoff:
    handoff = Handoff(interface["domain"])
    handoff.mark_built(Path(link), interface)
    return handoff


def ended(status: Status) -> Handoff:
    handoff = Handoff("sales")
    handoff.mark_final(status)
    return handoff


def test_gate_opens_on_the_producers_staging_files() -> None:
    assert decide_gate({"sales": built()}, {"sales": parsed_view(SALES)}) == {
        "sales": "/w/links/sales.duckdb"
    }


def test_a_new_description_does_not_call_the_consumer_off() -> None:
    redescribed = {**SALES, "models": [{**MODEL, "description": "All orders."}]}
    assert decide_gate({"sales": built(redescribed)}, {"sales": parsed_view(SALES)}) == {
        "sales": "/w/links/sales.duckdb"
    }


def test_a_changed_interface_calls_the_consumer_off() -> None:
    deprecated = {**SALES, "models": [{**MODEL, "deprecation_date": "2099-01-01"}]}
    decision = decide_gate({"sales": built(deprecated)}, {"sales": parsed_view(SALES)})
    assert decision == "upstream 'sales' changed its interface"


def test_a_producer_that_failed_before_building_calls_the_consumer_off() -> None:
    decision = decide_gate({"sales": ended(Status.FAILED)}, {"sales": parsed_view(SALES)})
    assert decision == "upstream 'sales' failed"


def test_an_unchanged_producer_needs_no_staging_file() -> None:
    assert decide_gate({"sales": ended(Status.UNCHANGED)}, {"sales": parsed_view(SALES)}) == {}


def test_the_gate_waits_for_a_producer_still_building() -> None:
    handoff = Handoff("sales")
    timer = threading.Timer(0.1, handoff.mark_built, args=(Path("/w/s.duckdb"), SALES))
    timer.start()
    assert decide_gate({"sales": handoff}, {"sales": parsed_view(SALES)}) == {
        "sales": "/w/s.duckdb"
    }
    timer.join()


def test_publish_waits_for_every_producer_and_names_one_that_did_not_publish() -> None:
    assert wait_for_publish({"sales": ended(Status.PUBLISHED)}) is None
    assert wait_for_publish({"a": ended(Status.UNCHANGED), "b": ended(Status.BLOCKED)}) == (
        "upstream 'b' blocked"
    )
    assert wait_for_publish({}) is None


def test_an_empty_domain_publishes_nothing_a_pure_consumer_still_does() -> None:
    from datamesh.orchestrate.domain_build import publishes_nothing

    assert publishes_nothing({"models": [], "edges": []})
    assert not publishes_nothing({"models": [], "edges": [{"producer": {"domain": "alpha"}}]})
    assert not publishes_nothing({"models": [{"name": "things"}], "edges": []})
