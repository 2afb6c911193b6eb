"""Publish is one atomic step and damage is caught: kills at every publish step, damaged files.

Real ``mesh build`` processes on the tiny mesh (alpha publishes ``things`` v1/v2, beta reads
both): a build is SIGKILLed at each named publish step (``MESH_FAULT_AT``), then the mesh on
disk must be consistent (the registry names a whole publication whose checksum matches), and
the next build must succeed and leave no stray publication behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from support.cli import MeshCli
from support.meshes import TINY_MESH, copy_mesh

from datamesh.faults import FAULT_ENV, PUBLISH_POINTS
from datamesh.orchestrate.run_report import read_run_report
from datamesh.publish.integrity import file_checksum
from datamesh.warehouse import Warehouse

pytestmark = [pytest.mark.integration, pytest.mark.fault]


@dataclass
class Mesh:
    root: Path
    warehouse: Warehouse

    def build(self, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "MESH_WAREHOUSE": str(self.warehouse.root)}
        env.pop(FAULT_ENV, None)
        if fault:
            env[FAULT_ENV] = fault
        command = MeshCli(self.root, self.warehouse).argv("build", "-q", *args)
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)

    def entry(self, domain: str) -> dict:
        return json.loads(self.warehouse.registry_file(domain).read_text())

    def copy_to(self, dest: Path) -> Mesh:
        shutil.copytree(self.root, dest / "mesh")
        shutil.copytree(self.warehouse.root, dest / "wh")
        return Mesh(dest / "mesh", Warehouse(dest / "wh"))


def last_run(mesh: Mesh) -> dict:
    return read_run_report(mesh.warehouse.last_run_file).to_json()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Mesh:
    base = tmp_path_factory.mktemp("tiny")
    copy_mesh(TINY_MESH, base / "mesh")
    mesh = Mesh(base / "mesh", Warehouse(base / "wh"))
    done = mesh.build()
    assert done.returncode == 0, done.stdout + done.stderr
    return mesh


@pytest.fixture
def mesh(tiny: Mesh, tmp_path: Path) -> Mesh:
    return tiny.copy_to(tmp_path)


def change_alpha(mesh: Mesh) -> None:
    """A real change: alpha's v2 scores differently, so alpha must build and publish again."""
    sql = mesh.root / "alpha" / "models" / "things_v2.sql"
    sql.write_text(sql.read_text().replace("id * 10 as score", "id * 20 as score"))


def table_names(file: Path) -> list[str]:
    with duckdb.connect(str(file), read_only=True) as conn:
        rows = conn.execute("select table_name from information_schema.tables").fetchall()
    return sorted(r[0] for r in rows)


def assert_consistent(mesh: Mesh, domain: str) -> Path:
    """The registry names a whole publication with the recorded checksum and every public table."""
    entry = mesh.entry(domain)
    file = mesh.warehouse.root / entry["storage"]
    assert file.is_file(), f"registry names {file}, which is missing"
    assert file_checksum(file) == entry["checksum"]
    assert table_names(file) == sorted({m["identifier"] for m in entry["models"]})
    return file


def scores(file: Path) -> list[int]:
    with duckdb.connect(str(file), read_only=True) as conn:
        return [
            r[0] for r in conn.execute("select score from main.things_v2 order by id").fetchall()
        ]


def test_publication_holds_the_public_interface_only(tiny: Mesh) -> None:
    file = assert_consistent(tiny, "alpha")
    assert table_names(file) == ["things_v1", "things_v2"]  # no internal_things, no raw_things seed
    assert file.parent.parent == tiny.warehouse.publications_dir("alpha")


@pytest.mark.parametrize("point", PUBLISH_POINTS)
def test_a_kill_at_each_publish_step_leaves_a_consistent_mesh(mesh: Mesh, point: str) -> None:
    before_entry = mesh.warehouse.registry_file("alpha").read_bytes()
    before_file = assert_consistent(mesh, "alpha")
    change_alpha(mesh)

    killed = mesh.build("-s", "alpha", fault=point)

    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    after_file = assert_consistent(mesh, "alpha")
    if point in {"publish:candidate-written", "publish:audited"}:  # not switched yet
        assert mesh.warehouse.registry_file("alpha").read_bytes() == before_entry
        assert after_file == before_file and scores(after_file) == [10, 20, 30]
    else:  # switched: the new publication, whole
        assert after_file != before_file and scores(after_file) == [20, 40, 60]

    again = mesh.build("-s", "alpha+")
    assert again.returncode == 0, again.stdout + again.stderr
    final = assert_consistent(mesh, "alpha")
    assert scores(final) == [20, 40, 60]
    assert_consistent(mesh, "beta")
    kept = sorted(p.name for p in mesh.warehouse.publications_dir("alpha").iterdir())
    entry = mesh.entry("alpha")
    named = {Path(entry["storage"]).parent.name, Path(entry["previous_storage"] or "x").parent.name}
    assert set(kept) <= named, f"stray publications left: {kept}"


def test_a_truncated_publication_is_named_and_rebuilt_with_its_consumers(mesh: Mesh) -> None:
    file = assert_consistent(mesh, "alpha")
    beta_before = mesh.entry("beta")["run_id"]
    with file.open("r+b") as handle:
        handle.truncate(4096)

    done = mesh.build()

    assert done.returncode == 0, done.stdout + done.stderr
    assert str(file) in done.stdout + done.stderr
    report = last_run(mesh)
    assert [i["domain"] for i in report["integrity"]] == ["alpha"]
    assert "4096 bytes" in report["integrity"][0]["problem"]
    statuses = {d["domain"]: d["status"] for d in report["domains"]}
    assert statuses == {"alpha": "published", "beta": "published"}
    assert mesh.entry("beta")["run_id"] != beta_before
    assert_consistent(mesh, "alpha")


def test_a_publication_written_through_duckdb_is_caught(mesh: Mesh) -> None:
    file = assert_consistent(mesh, "alpha")
    with duckdb.connect(str(file)) as conn:  # what a hostile model could have done
        conn.execute("delete from main.things_v2 where id = 1")

    done = mesh.build("-s", "alpha")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "checksum differs" in done.stdout + done.stderr and str(file) in done.stdout
    assert scores(assert_consistent(mesh, "alpha")) == [10, 20, 30]


def test_a_damaged_publication_that_cannot_be_rebuilt_fails_the_build(mesh: Mesh) -> None:
    file = assert_consistent(mesh, "alpha")
    with file.open("r+b") as handle:
        handle.truncate(4096)
    sql = mesh.root / "alpha" / "models" / "things_v2.sql"
    sql.write_text(sql.read_text().replace("from {{ ref('raw_things') }}", "from no_such_table"))

    done = mesh.build()

    assert done.returncode == 1, done.stdout + done.stderr
    assert str(file) in done.stdout
    report = last_run(mesh)
    assert {d["domain"]: d["status"] for d in report["domains"]} == {
        "alpha": "failed", "beta": "blocked",
    }  # fmt: skip


def test_a_truncated_registry_entry_is_rebuilt(mesh: Mesh) -> None:
    path = mesh.warehouse.registry_file("alpha")
    path.write_text(path.read_text()[:100])

    done = mesh.build()

    assert done.returncode == 0, done.stdout + done.stderr
    assert str(path) in done.stdout
    assert_consistent(mesh, "alpha")


def test_a_consumer_cannot_read_a_private_model_by_name(mesh: Mesh) -> None:
    before = digest(assert_consistent(mesh, "alpha"))
    (mesh.root / "beta" / "models" / "sneaky.sql").write_text(
        "select * from alpha.main.internal_things\n"
    )

    done = mesh.build("-s", "beta")

    assert done.returncode == 1, done.stdout + done.stderr
    report = last_run(mesh)
    beta = next(d for d in report["domains"] if d["domain"] == "beta")
    assert any("model.beta.sneaky" in f and "internal_things" in f for f in beta["failures"])
    assert digest(assert_consistent(mesh, "alpha")) == before
