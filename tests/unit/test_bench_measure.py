"""Measurement helpers: /proc parsing, process trees, median/min/max, a measured process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bench.measure import (
    CommandFailed,
    descendants,
    parse_ppid,
    parse_status_kib,
    ratio,
    run_measured,
    summarise,
)


def test_status_value_in_kib():
    text = "Name:\tdbt\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"
    assert parse_status_kib(text, "VmRSS") == 1024
    assert parse_status_kib(text, "VmHWM") == 2048
    assert parse_status_kib(text, "VmSwap") == 0


def test_parent_pid_when_the_command_name_has_spaces_and_parens():
    assert parse_ppid("4242 (my (odd) name) S 17 4242 4242 0 -1") == 17


def test_descendants_follow_every_level_and_skip_other_trees():
    parents = {10: 1, 11: 10, 12: 11, 13: 10, 20: 1, 21: 20}
    assert descendants(10, parents) == {10, 11, 12, 13}


def test_median_min_max_of_an_even_number_of_runs():
    stats = summarise([4.0, 1.0, 3.0, 10.0])
    assert (stats.median, stats.min, stats.max, stats.n) == (3.5, 1.0, 10.0, 4)


def test_one_run_is_its_own_median():
    stats = summarise([2.5])
    assert (stats.median, stats.min, stats.max, stats.n) == (2.5, 2.5, 2.5, 1)


def test_no_runs_is_an_error():
    with pytest.raises(ValueError, match="no runs"):
        summarise([])


def test_ratio_of_medians_and_zero_denominator():
    assert ratio(summarise([6.0]), summarise([2.0])) == 3.0
    assert ratio(summarise([6.0]), summarise([0.0])) is None


def test_child_memory_is_counted_in_the_tree(tmp_path: Path):
    """The parent holds little; its child holds ~80 MB: the tree peak must include the child."""
    child = "b = bytearray(80 * 1024 * 1024); import time; time.sleep(0.6)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    result = run_measured([sys.executable, "-c", parent], log=tmp_path / "log", interval=0.02)
    assert result.returncode == 0
    assert result.peak_bytes > 80 * 1024 * 1024
    assert result.max_process_bytes > 80 * 1024 * 1024
    assert result.seconds >= 0.6


def test_a_failing_command_raises_with_its_output(tmp_path: Path):
    command = [sys.executable, "-c", "import sys; print('boom here'); sys.exit(3)"]
    with pytest.raises(CommandFailed, match=r"exited 3(.|\n)*boom here"):
        run_measured(command, log=tmp_path / "log")
