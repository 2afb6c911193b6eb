"""A hand-run ``--target publish`` is refused with a message; the platform's own runs are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from datamesh.profiles import is_generated_profile, profile_text, write_profile
from datamesh.resolve.target_guard import PlatformTargetError, check_target


def test_publish_with_the_domains_own_profile_names_mesh_build(tmp_path: Path) -> None:
    (tmp_path / "profiles.yml").write_text("sales: {target: dev}\n")
    with pytest.raises(PlatformTargetError) as caught:
        check_target("publish", str(tmp_path), Path("/repo/domains/sales"))
    message = str(caught.value)
    assert "target 'publish' is the mesh platform's" in message
    assert "'mesh build -s sales'" in message and "'dbt build'" in message


def test_the_generated_profile_and_other_targets_pass(tmp_path: Path) -> None:
    folder = write_profile(tmp_path / "gen", profile_text("sales", tmp_path / "s.duckdb"))
    assert is_generated_profile(folder)
    check_target("publish", str(folder), Path("/d/sales"))
    check_target("dev", str(tmp_path), Path("/d/sales"))
    check_target(None, None, Path("/d/sales"))
    assert not is_generated_profile(tmp_path / "missing")
