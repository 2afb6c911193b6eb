"""Refs to an upstream's seed or non-public model, found before dbt parses the project.

The plugin injects public models only, so dbt run by hand in a domain reports such a ref as a
bare "not found". Read from the SQL text (two-argument refs with literal names), the same
sentence ``mesh manifest`` gives says what the node is and what to do; refs built by Jinja
still reach dbt's own error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from datamesh.dbt_env import REGISTRY_ENV
from datamesh.discover.projects import read_domain
from datamesh.manifest.parse_errors import (
    DomainParseError,
    FailureKind,
    ParseFailure,
    describe_non_public,
)
from datamesh.project_paths import project_folders
from datamesh.resolve.upstreams import Upstream

_REF = re.compile(r"""\bref\(\s*['"]([\w-]+)['"]\s*,\s*['"]([\w-]+)['"]""")


def non_public_refs(project_dir: Path, upstreams: list[Upstream]) -> list[ParseFailure]:
    """Each literal ref to an upstream node that is not public, as a typed parse failure."""
    interfaces = {u.name: u.interface for u in upstreams}
    domain = read_domain(project_dir)
    found: list[ParseFailure] = []
    for folder in project_folders(project_dir, "model-paths"):
        for sql in sorted(folder.rglob("*.sql")):
            for producer, target in _REF.findall(sql.read_text(encoding="utf-8", errors="replace")):
                interface = interfaces.get(producer)
                public = {m["name"] for m in (interface or {}).get("models", [])}
                what = describe_non_public(interface, target) if target not in public else None
                if what is not None:
                    found.append(
                        ParseFailure(
                            FailureKind.NOT_PUBLIC, domain, model=sql.stem,
                            file=sql.relative_to(project_dir).as_posix(), producer=producer,
                            target=target, node=what,
                        )
                    )  # fmt: skip
    return found


def run_by_platform() -> bool:
    """dbt started by a mesh command (they all set MESH_REGISTRY).

    Those classify dbt's own ref error from its fields and print the sentence with dbt's
    words after it (manifest/parse_errors.py), so only dbt run by hand needs this pre-check.
    """
    return REGISTRY_ENV in os.environ


def check_no_non_public_refs(project_dir: Path, upstreams: list[Upstream]) -> None:
    """Raise DomainParseError for the first ref to an upstream's non-public node.

    Only for dbt run by hand: see ``run_by_platform``.
    """
    if run_by_platform():
        return
    found = non_public_refs(project_dir, upstreams)
    if found:
        raise DomainParseError(found[0])
