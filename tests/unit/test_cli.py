"""The ``mesh`` command line as dbt's sibling: version, help, shared flags, the build summary."""

from __future__ import annotations

import argparse
import io
import json
from datetime import date
from importlib import metadata
from pathlib import Path

import pytest
from support.cli import MeshCli
from support.meshes import TINY_MESH

from datamesh import __version__
from datamesh.check.command import check_day
from datamesh.check.report import use_colour
from datamesh.cli import build_parser, main
from datamesh.console import Console, JsonLines
from datamesh.orchestrate.command import print_summary
from datamesh.orchestrate.progress import Progress
from datamesh.orchestrate.run_report import DomainResult, RunReport, Status


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_version_names_mesh_and_dbt_core(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"mesh {__version__}"
    assert f"dbt-core {metadata.version('dbt-core')}" in lines


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_subcommand_help_has_description_examples_exit_codes(name: str) -> None:
    text = subcommands()[name].format_help()
    description = text.split("\n\n")[1]
    assert len(description.split()) >= 8, f"mesh {name}: no description: {description!r}"
    examples = text.split("examples:\n", 1)[1].split("\n\n")[0]
    assert examples.count("\n  mesh ") + examples.startswith("  mesh ") >= 1
    codes = text.split("exit codes:\n", 1)[1]
    assert "    0  " in codes and ("    2  " in codes or "    1  " in codes)
    for markup in ("``", "::", ".. "):
        assert markup not in text, f"mesh {name} --help has RST markup {markup!r}"


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_subcommand_takes_the_shared_flags(name: str) -> None:
    flags = {s for a in subcommands()[name]._actions for s in a.option_strings}
    assert {"--no-color", "--log-format", "--debug", "-q", "--root", "--warehouse"} <= flags


def test_top_level_help_is_plain_text() -> None:
    text = build_parser().format_help()
    assert "``" not in text and "state-path" in text and "--log-format" in text


def test_json_log_format_writes_errors_as_one_object_a_line(tmp_path: Path) -> None:
    run = MeshCli(TINY_MESH, tmp_path / "wh").run("ls", "-s", "nope+", "--log-format", "json")
    assert run.code == 2 and run.out == ""
    (line,) = run.err.splitlines()
    record = json.loads(line)
    assert record["level"] == "error" and record["command"] == "ls"
    assert "no domain named 'nope'" in record["message"]
    assert record["fields"] == {"exit_code": 2, "error": "MeshError"}


def test_json_lines_turn_printed_lines_into_records() -> None:
    sink = io.StringIO()
    stream = JsonLines(sink, "info", "map")
    stream.write("first line\nsecond")
    stream.write(" half\n")
    stream.flush()
    records = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [r["message"] for r in records] == ["first line", "second half"]
    assert {r["level"] for r in records} == {"info"}


def _crash(args: argparse.Namespace) -> int:
    raise ValueError("a bug of ours")


def test_unexpected_error_is_one_line_and_debug_adds_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datamesh.discover.command as ls_command

    monkeypatch.setattr(ls_command, "cmd_ls", _crash)
    cli = MeshCli(TINY_MESH, tmp_path / "wh")
    plain = cli.run("ls")
    assert plain.code == 2 and "Traceback" not in plain.err
    assert "mesh ls: internal error: ValueError: a bug of ours (run again with --debug" in plain.err
    debug = cli.run("ls", "--debug")
    assert debug.code == 2
    assert "Traceback (most recent call last)" in debug.err and "_crash" in debug.err


def test_quiet_drops_summary_lines_but_not_the_answer(tmp_path: Path) -> None:
    cli = MeshCli(TINY_MESH, tmp_path / "wh")
    assert cli.run("ls", "-q").out.split() == ["alpha", "beta"]


def test_ls_json_lists_name_path_neighbours_and_owner(tmp_path: Path) -> None:
    run = MeshCli(TINY_MESH, tmp_path / "wh").run("ls", "--output", "json", "-s", "alpha+")
    assert run.code == 0
    domains = json.loads(run.out)["domains"]
    assert [d["name"] for d in domains] == ["alpha", "beta"]
    alpha, beta = domains
    assert alpha["path"] == str((TINY_MESH / "alpha").resolve())
    assert (alpha["upstreams"], alpha["downstreams"]) == ([], ["beta"])
    assert (beta["upstreams"], beta["downstreams"]) == (["alpha"], [])
    assert alpha["owner"]["name"] and "@" in alpha["owner"]["email"]


def _report() -> RunReport:
    ok = DomainResult("alpha", Status.PUBLISHED, seconds=2.0, counts={"success": 3, "pass": 4})
    bad = DomainResult(
        "beta", Status.FAILED, reason="dbt build failed", seconds=1.5,
        counts={"success": 1, "error": 1}, log_file="/wh/state/logs/beta/build.log",
        failures=["model.beta.summary: error: Binder Error:\n  column x not found", "second"],
    )  # fmt: skip
    run = {"run_id": "r", "started_at": "t", "seconds": 3.5, "warehouse": "/wh",
           "selected": ["alpha", "beta"], "workers": 2, "full_refresh": False}  # fmt: skip
    return RunReport.of([ok, bad], **run)


def test_build_summary_names_counts_first_failure_and_log() -> None:
    out, err = io.StringIO(), io.StringIO()
    print_summary(_report(), Console("build", out=out, err=err))
    assert "mesh build failed in 3.5s: 1 failed, 1 published" in out.getvalue()
    assert "alpha  published      2.0s  dbt: 4 pass, 3 success" in out.getvalue()
    assert "beta   failed         1.5s  dbt: 1 error, 1 success" in out.getvalue()
    assert "  beta: failed: dbt build failed\n" in err.getvalue()
    assert "first failure: model.beta.summary: error: Binder Error: column x not found\n" in (
        err.getvalue()
    )
    assert "dbt log: /wh/state/logs/beta/build.log" in err.getvalue()
    assert "second" not in err.getvalue()


def test_build_summary_as_json_carries_the_fields() -> None:
    out, err = io.StringIO(), io.StringIO()
    print_summary(_report(), Console("build", log_format="json", out=out, err=err))
    headline, *domains = [json.loads(line) for line in out.getvalue().splitlines()]
    assert headline["fields"]["statuses"] == {"failed": 1, "published": 1}
    assert domains[0]["fields"]["counts"] == {"success": 3, "pass": 4}
    failure = json.loads(err.getvalue().splitlines()[0])
    assert failure["level"] == "error"
    assert failure["fields"]["log_file"] == "/wh/state/logs/beta/build.log"
    assert failure["fields"]["first_failure"].startswith("model.beta.summary: error:")


def test_quiet_build_summary_keeps_only_errors() -> None:
    out, err = io.StringIO(), io.StringIO()
    print_summary(_report(), Console("build", quiet=True, out=out, err=err))
    assert out.getvalue() == "" and "beta: failed" in err.getvalue()


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_color_flag_and_env_turn_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(FakeTty()) is True
    assert use_colour(FakeTty(), no_color=True) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour(FakeTty()) is False


def test_progress_paints_only_when_colour_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    painted, plain = FakeTty(), FakeTty()
    Progress(painted).event("alpha", "published")
    Progress(plain, colour=False).event("alpha", "published")
    assert "\033[32m" in painted.getvalue() and "\033[32m" not in plain.getvalue()


def test_check_day_is_given_else_mesh_as_of_else_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MESH_AS_OF", "2026-12-01T06:00:00")
    assert check_day(date(2027, 7, 1)) == date(2027, 7, 1)
    assert check_day(None) == date(2026, 12, 1)
    monkeypatch.delenv("MESH_AS_OF")
    assert check_day(None) == date.today()


def test_printed_warnings_keep_their_level_in_json() -> None:
    sink = io.StringIO()
    JsonLines(sink, "error", "map").write("mesh map: warning: no dot\nmesh map: error: bad\n")
    assert [json.loads(line)["level"] for line in sink.getvalue().splitlines()] == [
        "warning", "error"
    ]  # fmt: skip


def test_warnings_print_even_when_quiet() -> None:
    out, err = io.StringIO(), io.StringIO()
    Console("build", quiet=True, out=out, err=err).log("warning", "damaged: f")
    assert out.getvalue() == "damaged: f\n" and err.getvalue() == ""
