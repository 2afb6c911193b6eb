"""The progress lines of a build use the run report's words for how a domain ended."""

from __future__ import annotations

import io

import pytest

from datamesh.orchestrate.build_mesh import _report_end
from datamesh.orchestrate.progress import COLOURS, Progress
from datamesh.orchestrate.run_report import DomainResult, Status


@pytest.mark.parametrize("status", list(Status))
def test_a_domains_end_is_shown_with_its_status_word(status: Status) -> None:
    stream = io.StringIO()
    _report_end(Progress(stream), DomainResult("shop", status, "why"))
    word = stream.getvalue().split("]", 1)[1].split()[0]
    assert word == str(status)


def test_every_word_of_the_run_report_has_a_colour_and_skipped_is_gone() -> None:
    assert "skipped" not in COLOURS
    assert {str(status) for status in Status} <= set(COLOURS)
