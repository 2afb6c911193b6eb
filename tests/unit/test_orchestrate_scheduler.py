"""Which domain starts when: the scheduler's decisions on small graphs, no dbt, no threads."""

from __future__ import annotations

from pathlib import Path

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.orchestrate.run_report import Status
from datamesh.orchestrate.scheduler import Block, Limits, Stage, Start, next_starts

P, U, F, B = Status.PUBLISHED, Status.UNCHANGED, Status.FAILED, Status.BLOCKED
CHECKING, WAITING, BUILDING = Stage.CHECKING, Stage.WAITING, Stage.BUILDING


def graph(**upstreams: tuple[str, ...]) -> DomainGraph:
    return DomainGraph.from_domains(
        Domain(name, Path(name), name, tuple(ups)) for name, ups in upstreams.items()
    )


# customers -> sales -> finance -> marketing, and catalog -> sales
MESH = graph(
    customers=(), catalog=(), sales=("customers", "catalog"), finance=("sales",),
    marketing=("customers", "sales", "finance"),
)  # fmt: skip
ALL = ["customers", "catalog", "sales", "finance", "marketing"]


def registered_all(name: str) -> bool:
    return True


def starts(pending=ALL, finished=None, running=None, *, workers=2, pipeline=True,
           registered=registered_all, selected=None):  # fmt: skip
    return next_starts(
        MESH, list(pending), set(selected or ALL), finished or {}, running or {},
        registered, Limits(workers, pipeline),
    )  # fmt: skip


def test_producers_start_first_up_to_the_worker_count() -> None:
    assert starts() == [Start("customers"), Start("catalog")]
    assert starts(workers=1) == [Start("customers")]


def test_a_consumer_starts_once_its_selected_producers_finished() -> None:
    done = {"customers": P, "catalog": U}
    assert starts(["sales", "finance", "marketing"], done, pipeline=False) == [Start("sales")]


def test_a_producer_left_out_of_the_selection_is_not_waited_for() -> None:
    assert starts(["sales"], selected=["sales"]) == [Start("sales")]


def test_pipelined_a_consumer_starts_ahead_of_producers_that_are_building() -> None:
    done = {"customers": P, "catalog": P}
    running = {"sales": BUILDING}
    assert starts(["finance", "marketing"], done, running) == [Start("finance", ("sales",))]
    assert Start("finance", ("sales",)).stage == WAITING


def test_a_consumer_never_starts_ahead_of_a_producer_still_checking_or_waiting() -> None:
    done = {"customers": P, "catalog": P}
    assert starts(["finance"], done, {"sales": CHECKING}) == []
    assert starts(["finance"], done, {"sales": WAITING}) == []


def test_ahead_of_several_producers_only_when_all_unfinished_ones_build() -> None:
    done = {"customers": P, "catalog": P}
    running = {"sales": BUILDING, "finance": BUILDING}
    assert starts(["marketing"], done, running, workers=3) == [
        Start("marketing", ("sales", "finance"))
    ]
    assert starts(["marketing"], done, {"sales": BUILDING, "finance": WAITING}) == []


def test_no_start_ahead_without_pipelining_or_on_a_first_build() -> None:
    done = {"customers": P, "catalog": P}
    running = {"sales": BUILDING}
    assert starts(["finance"], done, running, pipeline=False) == []
    never_published = lambda name: name != "sales"  # noqa: E731
    assert starts(["finance"], done, running, registered=never_published) == []


def test_waiting_consumers_have_their_own_limit_beside_the_running_ones() -> None:
    done = {"customers": P, "catalog": P}
    # two domains building fill the workers, yet a consumer may still wait at its gate
    running = {"sales": BUILDING, "other": BUILDING}
    assert starts(["finance"], done, running, workers=2) == [Start("finance", ("sales",))]
    # but no more than ``workers`` wait at once
    full = {"sales": BUILDING, "x": WAITING, "y": WAITING}
    assert starts(["finance"], done, full, workers=2) == []


def test_a_ready_domain_waits_for_a_free_worker_but_waiting_ones_do_not_count() -> None:
    done = {"customers": P}
    assert starts(["catalog"], done, {"a": BUILDING, "b": CHECKING}) == []
    assert starts(["catalog"], done, {"a": BUILDING, "b": WAITING}) == [Start("catalog")]


def test_a_consumer_of_a_failed_producer_is_blocked_and_so_are_its_own_consumers() -> None:
    decisions = starts(["sales", "finance", "marketing"], {"customers": F, "catalog": P})
    assert decisions == [
        Block("sales", "customers", F),
        Block("finance", "sales", B),
        Block("marketing", "customers", F),
    ]
    assert [d.reason for d in decisions] == [
        "upstream 'customers' failed", "upstream 'sales' blocked", "upstream 'customers' failed"
    ]  # fmt: skip


def test_a_consumer_started_ahead_is_still_blocked_by_a_producer_that_already_failed() -> None:
    # marketing's customers failed; sales and finance are building
    done = {"customers": F, "catalog": P}
    running = {"sales": BUILDING, "finance": BUILDING}
    assert starts(["marketing"], done, running) == [Block("marketing", "customers", F)]


def test_each_start_takes_a_slot_for_the_next_decision() -> None:
    assert starts(["customers", "catalog"], workers=1) == [Start("customers")]
    done = {"customers": P, "catalog": P}
    first = starts(["sales", "finance"], done, {}, workers=1)
    assert first == [Start("sales")]  # finance cannot start ahead of a sales still checking
