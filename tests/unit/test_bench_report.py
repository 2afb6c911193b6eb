"""The Markdown table, targets, dbt log phases and the --only option."""

from __future__ import annotations

import argparse

import pytest
from bench.measure import summarise
from bench.profile import dbt_log_phases
from bench.report import fmt_stats, render_markdown
from bench.results import Row, Scenario, at_most
from benchmark import parse_only


def test_stats_show_spread_or_say_single_run():
    assert fmt_stats(summarise([2.0, 1.0, 4.0])) == "2.0 (1.0-4.0)"
    assert fmt_stats(summarise([2.0])) == "2.0 (n=1)"
    assert fmt_stats(None) == "-"


def test_target_met_and_missed_and_unmeasured():
    assert at_most("x", 1.1, 1.15, "x").met is True
    assert at_most("x", 1.2, 1.15, "x").met is False
    assert at_most("x", None, 1.15, "x").met is None


def test_markdown_has_rows_targets_machine_and_notes():
    scenario = Scenario(
        1, "t", rows=[Row("mesh", summarise([3.0, 5.0]), summarise([2**20, 2**20]))]
    )
    scenario.rows.append(Row("mesh map", skipped="`mesh map` not available"))
    scenario.targets.append(at_most("mesh / monolith wall time", 1.3, 1.15, "x"))
    scenario.notes.append("time goes to parsing")
    run = {
        "started_at": "2026-11-01T00:00:00+00:00", "seconds": 10, "load_average_end": [1, 1, 1],
        "machine": {"cpu": "CPU", "cores": 2, "memory_gib": 24, "os": "Linux", "python": "3.11",
                    "packages": {"dbt-core": "1.11.16"}, "load_average": [1, 1, 1],
                    "commit": "abc"},
        "settings": {"quick": True, "orders": 200000, "domains": 20, "models": 10, "repeat": 2},
    }  # fmt: skip
    text = render_markdown(run, [scenario])
    assert "| 1 | mesh | 4.00 (3.00-5.00) | 1 (1-1) | 2 |" in text
    assert "not run: `mesh map` not available" in text
    assert "| 1 | mesh / monolith wall time | 1.30x | <= 1.15x | **no** |" in text
    assert "CPU, 2 cores" in text and "200,000 orders" in text
    assert "- (1) time goes to parsing" in text


def test_dbt_log_phases():
    log = (
        "03:30:53  Unable to do partial parsing because profile has changed\n"
        "03:30:58  Finished running 2 table models, 46 data tests in 0 hours 0 minutes and "
        "3.07 seconds (3.07s).\n"
    )
    assert dbt_log_phases(log) == {
        "execution_seconds": 3.07,
        "gate_seconds": 0.0,
        "full_parse_reason": "profile has changed",
    }
    assert dbt_log_phases("nothing") == {
        "execution_seconds": None, "gate_seconds": 0.0, "full_parse_reason": None,
    }  # fmt: skip
    ahead = log.replace("03:30:58", "mesh: waited at the start gate for 1.07s\n03:30:58")
    assert dbt_log_phases(ahead)["execution_seconds"] == pytest.approx(2.0)  # wait is not work


def test_only_picks_scenarios_and_rejects_unknown_ones():
    assert parse_only("5,1, 2") == [1, 2, 5]
    assert parse_only(None) == [1, 2, 3, 4, 5, 6, 7]
    with pytest.raises(argparse.ArgumentTypeError, match=r"no scenario \[8\]"):
        parse_only("1,8")
    with pytest.raises(argparse.ArgumentTypeError, match="numbers like 1,2,5"):
        parse_only("one")


def test_dependency_levels_is_the_longest_chain():
    from bench.mesh_build import dependency_levels

    manifest = {
        "build_order": ["customers", "catalog", "sales", "finance", "marketing"],
        "domains": [
            {"name": "customers", "upstreams": []},
            {"name": "catalog", "upstreams": []},
            {"name": "sales", "upstreams": ["customers", "catalog"]},
            {"name": "finance", "upstreams": ["sales", "catalog"]},
            {"name": "marketing", "upstreams": ["customers", "sales", "finance"]},
        ],
    }
    assert dependency_levels(manifest) == 4
    assert dependency_levels({"build_order": [], "domains": []}) == 0


def test_parse_notes_list_dbt_full_parse_reasons():
    from bench.mesh_build import parse_notes

    def breakdown(reason):
        return {"domains": {"sales": {"full_parse_reason": reason}}}

    assert parse_notes([breakdown(None)]) == []
    first = parse_notes([breakdown("saved manifest not found. Starting full parse.")])
    assert len(first) == 1 and "saved manifest not found" in first[0]
    changed = parse_notes([breakdown("profile has changed"), breakdown("profile has changed")])
    assert changed == ["dbt parsed domains in full, not partially: 'profile has changed'"]
