"""The profile the platform generates for its own dbt runs, and the flags that select it."""

from __future__ import annotations

from pathlib import Path

import jinja2
import yaml

from datamesh.dbt_env import PLATFORM_TARGET, PUBLISH_PATH_ENV, dbt_common_args
from datamesh.profiles import ENGINE, platform_profiles_dir, profile_text, write_profile
from datamesh.warehouse import Warehouse

STAGING = Path("/w/staging/shop/shop.duckdb")


def _render(template: str, env: dict[str, str]) -> str:
    """The value as dbt renders it: ``env_var(name, default)`` from ``env``."""
    return jinja2.Template(template).render(
        env_var=lambda name, default=None: env.get(name, default)
    )


def test_one_duckdb_target_under_the_projects_profile_name() -> None:
    document = yaml.safe_load(profile_text("analytics_snowflake", STAGING, threads=3))
    assert list(document) == ["analytics_snowflake"]
    profile = document["analytics_snowflake"]
    assert profile["target"] == PLATFORM_TARGET == "publish"
    assert list(profile["outputs"]) == [PLATFORM_TARGET]
    output = profile["outputs"][PLATFORM_TARGET]
    assert output["type"] == ENGINE == "duckdb"
    assert output["threads"] == 3
    assert output["plugins"] == [{"module": "datamesh.resolve.attach"}]
    assert set(output) == {"type", "path", "threads", "plugins"}  # no credentials of any kind


def test_the_path_is_the_builds_staging_file_else_the_stable_one() -> None:
    path = yaml.safe_load(profile_text("shop", STAGING))["shop"]["outputs"]["publish"]["path"]
    assert _render(path, {}) == str(STAGING)
    assert _render(path, {PUBLISH_PATH_ENV: "/elsewhere/x.duckdb"}) == "/elsewhere/x.duckdb"


def test_a_quote_in_the_warehouse_path_stays_one_string() -> None:
    odd = Path('/w/o\'neil "wh"/staging/shop/shop.duckdb')
    path = yaml.safe_load(profile_text("shop", odd))["shop"]["outputs"]["publish"]["path"]
    assert _render(path, {}) == str(odd)


def test_written_in_the_warehouse_under_the_domain_and_only_when_changed(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    folder = platform_profiles_dir(warehouse, "revenue", "analytics_snowflake")
    assert folder == warehouse.profiles_dir("revenue") == tmp_path / "wh/state/profiles/revenue"
    file = folder / "profiles.yml"
    staging = str(warehouse.staging_file("revenue"))
    assert staging in file.read_text()
    inode = file.stat().st_ino
    platform_profiles_dir(warehouse, "revenue", "analytics_snowflake")
    assert file.stat().st_ino == inode  # same text: not rewritten
    write_profile(folder, "changed: {}\n")
    assert file.read_text() == "changed: {}\n"
    assert [p.name for p in folder.iterdir()] == ["profiles.yml"]  # no temporary file left


def test_every_platform_dbt_call_selects_the_generated_profile() -> None:
    args = dbt_common_args(Path("/p"), Path("/profiles"), Path("/t"), Path("/l"))
    pairs = dict(zip(args[::2], args[1::2], strict=False))
    assert pairs["--project-dir"] == "/p"
    assert pairs["--profiles-dir"] == "/profiles"  # never the project folder
    assert pairs["--target"] == PLATFORM_TARGET
    assert "--no-send-anonymous-usage-stats" in args  # dbt writes no .user.yml anywhere
