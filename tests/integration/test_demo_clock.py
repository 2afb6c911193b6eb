"""The demo has no time bomb: ``make mesh`` checks as of its data's own date (``DEMO_AS_OF`` in
the Makefile, exported as ``MESH_AS_OF``), so customers.dim_customers v1 (deprecated on
2027-06-30, read by marketing on purpose) stays a warning with days left on any later day."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess

import pytest
from support.cli import MeshCli
from support.meshes import DOMAINS, REPO

import datamesh.check.command as check_command

pytestmark = pytest.mark.integration

DEMO_AS_OF = dt.date.fromisoformat(
    re.search(r"^DEMO_AS_OF \?= (\S+)$", (REPO / "Makefile").read_text(), re.M).group(1)
)
DAYS_LEFT = (dt.date(2027, 6, 30) - DEMO_AS_OF).days
DEPRECATED = re.compile(
    rf"marketing\.\w+ reads customers\.dim_customers v1, deprecated on 2027-06-30: "
    rf"{DAYS_LEFT} days left"
)


class AfterTheDeadline(dt.date):
    """The clock on the first day after dim_customers v1's deprecation date."""

    @classmethod
    def today(cls) -> dt.date:
        return dt.date(2027, 7, 1)


def test_make_check_reads_the_demo_clock_not_the_wall_clock(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"MESH_AS_OF", "MAKEFLAGS"}}
    env["MESH_WAREHOUSE"] = str(tmp_path / "wh")
    run = subprocess.run(["make", "-s", "check"], cwd=REPO, env=env, capture_output=True,
                         text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert DEPRECATED.search(run.stdout), run.stdout  # days counted from DEMO_AS_OF, not today
    assert "deprecated-ref-expired" not in run.stdout


def test_after_the_deadline_make_mesh_still_passes_and_bare_check_fails(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check_command, "date", AfterTheDeadline)
    cli = MeshCli(DOMAINS, tmp_path / "wh")
    monkeypatch.delenv("MESH_AS_OF", raising=False)
    bare = cli.run("check", "--no-color")  # anyone's mesh check on 2027-07-01: the deadline bites
    assert bare.code == 1
    assert re.search(r"ERROR +deprecated-ref-expired +marketing\.", bare.out), bare.out
    monkeypatch.setenv("MESH_AS_OF", DEMO_AS_OF.isoformat())  # what make mesh exports
    demo = cli.run("check", "--no-color")
    assert demo.code == 0, demo.output
    assert DEPRECATED.search(demo.out), demo.out
