"""How right the breaking-change gate is (issue 13): precision and recall against real dbt.

Every single-column mutation (remove, rename, change type) of every public model version of
the demo domains is judged twice by ``impact/breaking.py``: by column (the edges' columns read,
from compiled SQL) and by model (every edge read as ``columns: unknown``: the gate before
issue 13). Ground truth, per (mutation, consumer model) pair: the mutation is applied to the
producer's published table (DuckDB ``ALTER TABLE``) and its registry entry, then each consumer
domain that reads that version is built with real dbt (one in-process ``dbt build --select
<its readers>+`` per consumer domain, from a copy of its baseline build); the consumer model is
broken when it fails, is skipped, a test on it fails, or its output (column names and types,
rows, an order-independent hash) differs from the baseline build. The mesh is built once.

    .venv/bin/python scripts/bench/gate_accuracy.py --orders 2000 --output warehouse/bench
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Run as a script, this folder comes first on sys.path, and bench/profile.py would shadow the
# standard library's ``profile`` (which dbt imports): import from scripts/ instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(REPO / "scripts"))

import generate_data  # noqa: E402

from datamesh.dbt_env import PUBLISH_PATH_ENV  # noqa: E402
from datamesh.discover.graph import DomainGraph  # noqa: E402
from datamesh.discover.projects import SKIPPED_DIRS, discover_domains  # noqa: E402
from datamesh.impact.breaking import breaking_changes, normalize_type  # noqa: E402
from datamesh.manifest.assemble import build_mesh_manifest  # noqa: E402
from datamesh.manifest.parse import _parse as run_dbt_in_process  # noqa: E402
from datamesh.orchestrate.build_mesh import BuildOptions, build_mesh  # noqa: E402
from datamesh.orchestrate.progress import Progress  # noqa: E402
from datamesh.registry import read_interface, write_interface  # noqa: E402
from datamesh.warehouse import Warehouse  # noqa: E402

KINDS = ("remove", "rename", "type")
AS_OF = date(2026, 12, 1)


@dataclass(frozen=True)
class Mutation:
    domain: str
    model: str
    version: Any
    identifier: str
    column: str
    data_type: str
    kind: str

    @property
    def label(self) -> str:
        version = f" v{self.version}" if self.version is not None else ""
        return f"{self.kind} {self.domain}.{self.model}{version}.{self.column}"

    def new_type(self) -> str:
        """A type the column is not: string and varchar are one type, so string becomes integer."""
        return "integer" if normalize_type(self.data_type) == "varchar" else "varchar"

    def alter(self) -> str:
        table, column = f'main."{self.identifier}"', f'"{self.column}"'
        if self.kind == "remove":
            return f"alter table {table} drop column {column}"
        if self.kind == "rename":
            return f'alter table {table} rename column {column} to "{self.column}_renamed"'
        using = (
            f"length({column})" if self.new_type() == "integer" else f"cast({column} as varchar)"
        )
        return f"alter table {table} alter {column} type {self.new_type()} using {using}"

    def apply_to_record(self, model: dict[str, Any]) -> None:
        """The same change to a model record (manifest or registry)."""
        columns = model["columns"]
        index = next(i for i, c in enumerate(columns) if c["name"] == self.column)
        if self.kind == "remove":
            columns.pop(index)
        elif self.kind == "rename":
            columns[index] = {**columns[index], "name": f"{self.column}_renamed"}
        else:
            columns[index] = {**columns[index], "data_type": self.new_type()}


def mutations(manifest: dict[str, Any]) -> list[Mutation]:
    found = []
    for domain in manifest["domains"]:
        for model in domain["models"]:
            for column in model["columns"]:
                for kind in KINDS:
                    found.append(Mutation(
                        domain["name"], model["name"], model.get("version"),
                        model["identifier"], column["name"], column.get("data_type") or "", kind,
                    ))  # fmt: skip
    return found


def _same_version(edge: dict[str, Any], m: Mutation) -> bool:
    producer = edge["producer"]
    return (producer["domain"], producer["model"], str(producer.get("version"))) == (
        m.domain, m.model, str(m.version),
    )  # fmt: skip


def _unknown_reads(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as the model-level gate saw it: every edge reads every column."""
    blind = copy.deepcopy(manifest)
    for edge in blind["edges"]:
        edge["columns"], edge["star"] = "unknown", False
    return blind


Pairs = set[tuple[str, str]]


def gate(baseline: dict[str, Any], m: Mutation) -> tuple[Pairs, Pairs, float]:
    """Consumer models the gate says ``m`` breaks, those it only warns about (compared by an
    implicit cast), and the seconds it took."""
    current = copy.deepcopy(baseline)
    for domain in current["domains"]:
        for model in domain["models"]:
            if domain["name"] == m.domain and model["unique_id"] == _unique_id(baseline, m):
                m.apply_to_record(model)
    started = time.perf_counter()
    changes = breaking_changes(baseline, current)
    seconds = time.perf_counter() - started
    said = {
        (c.domain, c.model) for ch in changes if ch.breaking for c in ch.consumers
        if not c.model.startswith("exposure:")  # no dbt model to build: not in the pairs
    }  # fmt: skip
    warned = {(c.domain, c.model) for ch in changes for c in ch.cautions}
    return said, warned, seconds


def _unique_id(manifest: dict[str, Any], m: Mutation) -> str:
    return next(
        model["unique_id"] for d in manifest["domains"] if d["name"] == m.domain
        for model in d["models"] if model["name"] == m.model
        and str(model.get("version")) == str(m.version)
    )  # fmt: skip


def _copy_db(source: Path, dest: Path) -> None:
    """A DuckDB file with its write-ahead log: an in-process dbt run may not have checkpointed."""
    shutil.copyfile(source, dest)
    wal = source.with_name(source.name + ".wal")
    if wal.is_file():
        shutil.copyfile(wal, dest.with_name(dest.name + ".wal"))


class GroundTruth:
    """Builds consumer domains with real dbt against mutated producers."""

    def __init__(self, root: Path, warehouse: Warehouse, work: Path) -> None:
        self.warehouse, self.work = warehouse, work
        self.graph = DomainGraph.from_domains(discover_domains(root))
        self.baseline_db: dict[str, Path] = {}
        self.digests: dict[tuple[str, str], Any] = {}
        self.manifests: dict[str, dict[str, Any]] = {}
        self.runs = 0  # fresh folders, one per dbt run or digest
        self.why: dict[tuple[str, str, str], str] = {}

    def _build(
        self, domain: str, staging: Path, registry: Path, select: list[str] | None
    ) -> dict[str, Any]:
        target, logs = staging.parent / "target", staging.parent / "logs"
        command = ("build", *(["--select", *select] if select else []))
        run_dbt_in_process(
            self.graph.domains[domain], self.warehouse, registry, target, logs,
            command=command, env={PUBLISH_PATH_ENV: str(staging)},
        )  # fmt: skip
        results = target / "run_results.json"
        if domain not in self.manifests:
            self.manifests[domain] = json.loads((target / "manifest.json").read_text())
        return json.loads(results.read_text()) if results.is_file() else {"results": []}

    def baseline(self, domain: str, models: set[str]) -> None:
        staging = self.work / "base" / domain / f"{domain}.duckdb"
        staging.parent.mkdir(parents=True, exist_ok=True)
        results = self._build(domain, staging, self.warehouse.registry_dir, None)
        bad = [r["unique_id"] for r in results["results"] if r["status"] in {"error", "fail"}]
        if bad:
            raise SystemExit(f"baseline build of {domain} failed: {bad}")
        self.baseline_db[domain] = staging
        for model in models:
            self.digests[(domain, model)] = self._digest(domain, staging, model, {})

    def _digest(self, domain: str, db: Path, model: str, storage: dict[str, Path]) -> Any:
        # a fresh path: DuckDB shares one instance per path in a process, and the in-process
        # dbt runs keep theirs (with their producers attached)
        self.runs += 1
        fresh = self.work / "digest" / str(self.runs) / db.name
        fresh.parent.mkdir(parents=True)
        _copy_db(db, fresh)
        with duckdb.connect(str(fresh)) as conn:
            for upstream in self.graph.domains[domain].upstreams:
                path = storage.get(upstream) or self.warehouse.published_file(upstream)
                copied = fresh.parent / upstream / path.name  # not a path dbt holds open
                copied.parent.mkdir()
                shutil.copyfile(path, copied)
                conn.execute(f"attach '{copied}' as \"{upstream}\" (read_only)")
            relation = f'"{domain}"."main"."{model}"'
            try:
                columns = conn.execute(f"describe {relation}").fetchall()
                rows = conn.execute(f"select count(*), sum(hash(t)) from {relation} t").fetchone()
            except duckdb.Error as exc:
                columns, rows = [], ("error", str(exc).splitlines()[0])
        shutil.rmtree(fresh.parent, ignore_errors=True)
        return ([(c[0], c[1]) for c in columns], rows)

    def broken(self, m: Mutation, consumers: dict[str, set[str]]) -> set[tuple[str, str]]:
        """Consumer models that really break under ``m``."""
        self.runs += 1
        mutated = self.work / "mut" / str(self.runs) / f"{m.domain}.duckdb"
        mutated.parent.mkdir(parents=True)
        shutil.copyfile(self.warehouse.published_file(m.domain), mutated)
        with duckdb.connect(str(mutated)) as conn:
            conn.execute(m.alter())
        registry = self.work / "registry"
        shutil.rmtree(registry, ignore_errors=True)
        shutil.copytree(self.warehouse.registry_dir, registry)
        entry = read_interface(registry, m.domain)
        entry["storage"] = str(mutated)
        for model in entry["models"]:
            if model["name"] == m.model and str(model.get("version")) == str(m.version):
                m.apply_to_record(model)
        write_interface(registry, entry)
        found: set[tuple[str, str]] = set()
        for domain, models in consumers.items():
            self.runs += 1
            staging = self.work / "run" / str(self.runs) / f"{domain}.duckdb"
            staging.parent.mkdir(parents=True)
            _copy_db(self.baseline_db[domain], staging)
            results = self._build(domain, staging, registry, [f"{x}+" for x in sorted(models)])
            nodes = self.manifests[domain]["nodes"]
            failed = {r["unique_id"] for r in results["results"]
                      if r["status"] in {"error", "fail", "skipped", "runtime error"}}  # fmt: skip
            for model in models:
                uid = next(u for u, n in nodes.items() if n.get("resource_type") == "model"
                           and n["name"] == model and n["package_name"] == domain)  # fmt: skip
                tests_failed = any(nodes.get(u, {}).get("attached_node") == uid for u in failed)
                ran = any(r["unique_id"] == uid for r in results["results"])
                why = ("failed" if uid in failed else "a test failed" if tests_failed
                       else "did not run" if not ran else None)  # fmt: skip
                if why is None:
                    digest = self._digest(domain, staging, model, {m.domain: mutated})
                    if digest != self.digests[(domain, model)]:
                        why = f"output changed: {self.digests[(domain, model)]} -> {digest}"
                if why is not None:
                    found.add((domain, model))
                    self.why[(m.label, domain, model)] = why[:300]
            shutil.rmtree(staging.parent, ignore_errors=True)
        return found


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _ms(seconds: list[float]) -> float:
    return round(1000 * sum(seconds) / max(1, len(seconds)), 3)


def score(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    tp = sum(1 for said, truth in pairs if said and truth)
    fp = sum(1 for said, truth in pairs if said and not truth)
    fn = sum(1 for said, truth in pairs if truth and not said)
    return {"true_positives": tp, "false_positives": fp, "false_negatives": fn,
            "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--output", type=Path, default=REPO / "warehouse" / "bench")
    parser.add_argument("--limit", type=int, default=None, help="first N read mutations only")
    parser.add_argument("--work", type=Path, default=None,
                        help="keep the built mesh here and reuse it on the next run")  # fmt: skip
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gate-accuracy-") as scratch:
        work = (args.work or Path(scratch)).resolve()
        root = work / "domains"
        warehouse = Warehouse(work / "warehouse")
        if not (warehouse.registry_dir / "marketing.json").is_file():
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(REPO / "domains", root, ignore=shutil.ignore_patterns(*SKIPPED_DIRS))
            generate_data.generate(warehouse.root, args.orders, AS_OF, 42)
            report = build_mesh(root, warehouse, BuildOptions(), Progress(quiet=True))
            if str(report.status) != "success":
                raise SystemExit(f"the baseline mesh did not build: {report.statuses()}")
        for scratch_dir in ("base", "run", "mut", "digest", "registry"):
            shutil.rmtree(work / scratch_dir, ignore_errors=True)
        manifest = build_mesh_manifest(root, warehouse, work / "manifest.json")
        blind = _unknown_reads(manifest)
        truth = GroundTruth(root, warehouse, work)
        readers: dict[str, set[str]] = {}
        for edge in manifest["edges"]:
            readers.setdefault(edge["consumer"]["domain"], set()).add(edge["consumer"]["model"])
        for domain, models in sorted(readers.items()):
            truth.baseline(domain, models)
        every = mutations(manifest)
        read = [m for m in every if any(_same_version(e, m) for e in manifest["edges"])]
        unread = [m for m in every if m not in read]
        if args.limit:
            read = read[: args.limit]
        rows, column_pairs, model_pairs = [], [], []
        column_seconds, model_seconds, truth_seconds = [], [], []
        failed_truth: list[str] = []
        for m in unread:  # no model reads this version (maybe an exposure): nothing to build
            _, _, seconds = gate(manifest, m)
            column_seconds.append(seconds)
        for number, m in enumerate(read, start=1):
            edges = [e for e in manifest["edges"] if _same_version(e, m)]
            consumers: dict[str, set[str]] = {}
            for edge in edges:
                consumers.setdefault(edge["consumer"]["domain"], set()).add(
                    edge["consumer"]["model"]
                )
            by_column, warned, seconds = gate(manifest, m)
            column_seconds.append(seconds)
            by_model, _, seconds = gate(blind, m)
            model_seconds.append(seconds)
            t0 = time.perf_counter()
            try:
                broken = truth.broken(m, consumers)
            except Exception as exc:  # noqa: BLE001 - one mutation's tooling failure is reported
                failed_truth.append(f"{m.label}: {type(exc).__name__}: {exc}")
                print(f"[{number}/{len(read)}] {m.label}: no ground truth: {exc}", flush=True)
                continue
            truth_seconds.append(time.perf_counter() - t0)
            for domain, models in consumers.items():
                for model in models:
                    key = (domain, model)
                    column_pairs.append((key in by_column, key in broken))
                    model_pairs.append((key in by_model, key in broken))
                    rows.append({"mutation": m.label, "consumer": f"{domain}.{model}",
                                 "broken": key in broken, "column_gate": key in by_column,
                                 "column_gate_warned": key in warned,
                                 "model_gate": key in by_model})  # fmt: skip
            shown = [f"{d}.{x} ({truth.why.get((m.label, d, x))})" for d, x in sorted(broken)]
            print(f"[{number}/{len(read)}] {m.label}: broken: {', '.join(shown) or '-'}; "
                  f"column gate: {sorted(by_column)}", flush=True)  # fmt: skip
    result = {
        "mutations": len(every),
        "mutations_with_readers": len(read),
        "pairs": len(column_pairs),
        "column_gate": {**score(column_pairs), "ms_per_mutation": _ms(column_seconds),
                        "warned": sum(1 for r in rows if r["column_gate_warned"]),
                        "warned_but_broken": sum(
                            1 for r in rows if r["column_gate_warned"] and r["broken"])},
        "without_ground_truth": failed_truth,
        "model_gate": {**score(model_pairs), "ms_per_mutation": _ms(model_seconds)},
        "ground_truth_seconds_per_mutation": round(sum(truth_seconds) / max(1, len(read)), 2),
        "orders": args.orders,
        "seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
    }  # fmt: skip
    args.output.mkdir(parents=True, exist_ok=True)
    out = args.output / "gate_accuracy.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    wrong = [r for r in rows if r["column_gate"] != r["broken"]]
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))
    for row in wrong:
        print(f"column gate {'missed' if row['broken'] else 'over-reported'}: "
              f"{row['mutation']} -> {row['consumer']}")  # fmt: skip
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
