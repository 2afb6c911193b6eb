"""``dbt ... --target publish`` by hand: say that the target is the platform's, and what to run.

Only ``mesh build`` may write what consumers read (write, audit, then publish). Its dbt runs
use a profile the platform generates with one target, ``publish``; a domain's own profiles.yml
carries a ``publish`` stub only so that dbt loads it and this plugin can say so, instead of
dbt's "no target named 'publish'".
"""

from __future__ import annotations

from pathlib import Path

from datamesh.dbt_env import PLATFORM_TARGET
from datamesh.errors import MeshError
from datamesh.profiles import is_generated_profile


class PlatformTargetError(MeshError):
    """A hand-run dbt asked for the platform's ``publish`` target."""


def platform_target_message(project_dir: Path) -> str:
    domain = project_dir.name
    return (
        f"target '{PLATFORM_TARGET}' is the mesh platform's: mesh build builds, audits and "
        f"publishes this domain with a profile it generates for itself, so a hand-run dbt "
        f"never writes what consumers read. Run 'dbt build' here (target dev: your own file, "
        f"reading the producers' published data), or 'mesh build -s {domain}' from the repo "
        f"root to publish it."
    )


def check_target(target: str | None, profiles_dir: str | None, project_dir: Path) -> None:
    """Raise unless this is not ``publish``, or is the platform's generated profile."""
    if target != PLATFORM_TARGET:
        return
    if profiles_dir and is_generated_profile(Path(profiles_dir)):
        return
    raise PlatformTargetError(platform_target_message(project_dir))


def check_running_target(project_dir: Path) -> None:
    """``check_target`` with the running dbt's flags (no flags: not inside dbt, nothing to do)."""
    try:
        from dbt.flags import get_flags

        flags = get_flags()
    except Exception:  # flags not set outside a dbt invocation
        return
    check_target(getattr(flags, "TARGET", None), getattr(flags, "PROFILES_DIR", None),
                 project_dir)  # fmt: skip
