"""The baseline to compare against: a saved mesh manifest, or the domains at a git ref."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from datamesh.errors import MeshError
from datamesh.manifest.schema import validate_manifest
from datamesh.warehouse import Warehouse


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise MeshError("git is not installed: pass a saved mesh manifest as --baseline") from exc


def load_saved_manifest(path: Path) -> dict[str, Any]:
    """A mesh manifest JSON written by ``mesh manifest`` or ``mesh build``."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MeshError(f"{path}: baseline is not valid JSON: {exc}") from exc
    except OSError as exc:
        raise MeshError(f"{path}: baseline cannot be read: {exc.strerror}") from exc
    try:
        validate_manifest(manifest)
    except MeshError as exc:
        raise MeshError(f"{path}: baseline: {exc}") from exc
    return manifest


def export_git_tree(ref: str, root: Path, dest: Path) -> Path:
    """Write the mesh root as it is at ``ref`` into ``dest``; returns the exported root."""
    root = root.resolve()
    top = _git(["rev-parse", "--show-toplevel"], root)
    if top.returncode != 0:
        raise MeshError(f"{root}: not inside a git repository, so --baseline {ref!r} cannot be "
                        "a git ref (pass a saved mesh manifest instead)")  # fmt: skip
    toplevel = Path(top.stdout.decode().strip()).resolve()
    prefix = root.relative_to(toplevel).as_posix()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], toplevel)
    if commit.returncode != 0:
        raise MeshError(f"--baseline {ref!r}: neither a saved manifest file nor a git ref of "
                        f"{toplevel}")  # fmt: skip
    archive = _git(["archive", "--format=tar", ref, prefix], toplevel)
    if archive.returncode != 0:
        detail = archive.stderr.decode(errors="replace").strip()
        raise MeshError(f"--baseline {ref!r}: git has no folder '{prefix}' at that ref ({detail})")
    untar = subprocess.run(
        ["tar", "-x", "-C", str(dest)], input=archive.stdout, capture_output=True, check=False
    )
    if untar.returncode != 0:
        raise MeshError(f"--baseline {ref!r}: cannot unpack the git archive: {untar.stderr!r}")
    return dest / prefix if prefix != "." else dest


def baseline_manifest(baseline: str, root: Path, warehouse: Warehouse) -> dict[str, Any]:
    """The baseline mesh manifest: a saved manifest file, or a real dbt parse of a git ref.

    A git ref is parsed in its own state folder (``Warehouse.baseline_state``) so its parse cache
    never evicts the working tree's; the cache is content-keyed, so a repeated check is fast.
    """
    path = Path(baseline)
    if path.is_file():
        return load_saved_manifest(path)
    from datamesh.manifest.assemble import build_mesh_manifest

    state = warehouse.baseline_state
    with tempfile.TemporaryDirectory(prefix="mesh-baseline-") as tmp:
        exported = export_git_tree(baseline, root, Path(tmp))
        try:
            manifest = build_mesh_manifest(exported, state, state.manifest_path)
        except MeshError as exc:
            raise MeshError(f"baseline {baseline!r} cannot be parsed: {exc}") from exc
    manifest["root"] = f"{baseline}:{root.name}"
    return manifest
