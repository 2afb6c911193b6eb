"""Where the test meshes live and how a test takes a private copy of one."""

from __future__ import annotations

import shutil
from pathlib import Path

from datamesh.discover.projects import SKIPPED_DIRS

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
DOMAINS = REPO / "domains"
TINY_MESH = TESTS / "fixtures" / "tiny_mesh"
# Two projects as another team keeps them: shop has no profiles.yml, revenue a Snowflake one.
ADOPT_MESH = TESTS / "fixtures" / "adopt"
# Meshes in the shapes other teams bring (issue 12), each two projects built unedited:
LOOM_MESH = TESTS / "fixtures" / "loom"  # upstream declared only in dbt_loom.config.yml
SINGLE_REF_MESH = TESTS / "fixtures" / "single_ref"  # ref('customers') resolves upstream
LOCAL_PACKAGE_MESH = TESTS / "fixtures" / "local_package"  # producer installed as a package
NESTED_MESH = TESTS / "fixtures" / "nested"  # projects/<folder>/, folder != project name
# jaffle's staging reads its own seeds through source() (it builds with `dbt seed && dbt build`).
SEED_SOURCES_MESH = TESTS / "fixtures" / "seed_sources"
# catalogue's public model has no contract; its YAML documents two of four columns, reordered.
LOOSE_DOCS_MESH = TESTS / "fixtures" / "loose_docs"

# What discovery skips is build output, not part of a domain; .user.yml is dbt's per-user id.
COPY_IGNORE = (*sorted(SKIPPED_DIRS), ".user.yml")


def copy_mesh(source: Path, dest: Path) -> Path:
    """A private copy of the dbt projects under ``source``, without build output."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*COPY_IGNORE))
    return dest
