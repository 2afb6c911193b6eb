"""Where a domain's dbt build spent its time, from dbt's own log (write/phases.py)."""

from __future__ import annotations

from datamesh.write.phases import dbt_phases, phase_line

EARLIER_RUN = """\
\x1b[0m09:00:00.000000 [info ] [MainThread]: Running with dbt=1.11.16
\x1b[0m09:00:09.000000 [info ] [MainThread]: Found 1 model, 1 source, 511 macros
\x1b[0m09:00:20.000000 [debug] [MainThread]: Command `dbt build` succeeded at 09:00:20 after 21.00 seconds
"""  # noqa: E501
LAST_RUN = """\
\x1b[0m23:59:58.500000 [info ] [MainThread]: Running with dbt=1.11.16
\x1b[0m23:59:59.000000 [debug] [MainThread]: Partial parsing enabled: 0 files deleted
\x1b[0m00:00:01.750000 [info ] [MainThread]: Found 11 models, 46 data tests, 2 sources, 1 group
\x1b[0m00:00:09.000000 [info ] [MainThread]: Finished running 2 table models, 4 view models in 0 hours 0 minutes and 7.00 seconds (7.00s).
\x1b[0m00:00:09.400000 [debug] [MainThread]: Command `dbt build` succeeded at 00:00:09.4 after 11.50 seconds
"""  # noqa: E501


def test_the_last_run_of_an_appended_log_is_read_across_midnight() -> None:
    gate = "mesh: waited at the start gate for 2.50s\n"
    phases = dbt_phases(EARLIER_RUN + LAST_RUN, gate, wall_seconds=14.0)
    assert phases == {
        "startup": 2.5,  # 14.0 wall - 11.5 that dbt counted itself
        "parse": 3.25,  # 23:59:58.5 -> 00:00:01.75
        "gate": 2.5,
        "execution": 4.5,  # 7.0 running, of which 2.5 waiting at the gate
        "dbt_other": 1.25,  # 11.5 - 3.25 - 7.0
    }


def test_a_run_that_died_in_the_parse_reports_only_what_it_reached() -> None:
    died = "\x1b[0m10:00:00.000000 [info ] [MainThread]: Running with dbt=1.11.16\n"
    assert dbt_phases(died, "", wall_seconds=5.0) == {"gate": 0.0}
    assert dbt_phases("", "", wall_seconds=5.0) == {}


def test_the_summary_line_names_phases_in_build_order() -> None:
    line = phase_line({"publish": 0.4, "startup": 10.24, "execution": 3.0, "dbt_other": 1.0})
    assert line == "start-up 10.2s, nodes 3.0s, dbt other 1.0s, publish 0.4s"
