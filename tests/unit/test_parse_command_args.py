"""The in-process dbt command line: subcommand words first, option values kept with options."""

from __future__ import annotations

from datamesh.manifest.parse import command_args


def test_option_values_stay_after_their_option() -> None:
    args = command_args(("build", "--select", "a+", "b+"), ["--project-dir", "p"])
    assert args == ["build", "--project-dir", "p", "--select", "a+", "b+", "--no-partial-parse"]


def test_subcommand_words_come_first() -> None:
    args = command_args(("docs", "generate", "--empty-catalog"), ["--log-level", "none"])
    assert args == ["docs", "generate", "--log-level", "none", "--empty-catalog",
                    "--no-partial-parse"]  # fmt: skip
