"""The contract between the platform and the dbt processes it starts: variables and flags.

Every environment variable that the platform, its dbt plugins and the domains' profiles share
is named here, and nowhere else in the package.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WAREHOUSE_ENV = "MESH_WAREHOUSE"  # the warehouse folder (profiles, sources, the plugins)
REGISTRY_ENV = "MESH_REGISTRY"  # the registry the resolver reads (default: the warehouse's)
PUBLISH_PATH_ENV = "MESH_PUBLISH_PATH"  # the staging file of a platform build (publish target)
PUBLISH_SCHEMA_ENV = "MESH_PUBLISH_SCHEMA"  # the schema a platform build writes on Spark
ENGINE_OF_BUILD_ENV = "MESH_BUILD_ENGINE"  # the engine of a platform build (its upstreams' too)
GATE_ENV = "MESH_START_GATE"  # the start gate a consumer started ahead waits at
# "1": the attach plugin attaches no producer (``mesh check`` compiles SQL and reads no data)
NO_ATTACH_ENV = "MESH_NO_ATTACH"

# The one target of the profile the platform generates for its own runs (datamesh/profiles.py).
PLATFORM_TARGET = "publish"

# dbt's own telemetry stays off in every process the platform starts.
QUIET_DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for one in-process dbt invocation and put the old ones back."""
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_common_args(
    project_dir: Path, profiles_dir: Path, target_dir: Path, log_dir: Path
) -> list[str]:
    """Flags every platform dbt call uses: the generated profile, outputs in the warehouse."""
    return [
        "--project-dir", str(project_dir),
        "--profiles-dir", str(profiles_dir),
        "--target", PLATFORM_TARGET,
        "--target-path", str(target_dir),
        "--log-path", str(log_dir),
        "--no-send-anonymous-usage-stats",
    ]  # fmt: skip
