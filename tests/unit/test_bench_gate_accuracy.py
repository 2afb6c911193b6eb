"""The gate-accuracy benchmark's mutations and scoring (the dbt part runs in the script)."""

from __future__ import annotations

import duckdb
from bench.gate_accuracy import Mutation, gate, score
from support.fake_manifest import column, edge, manifest, model


def mutation(kind: str, name: str = "label", data_type: str = "varchar") -> Mutation:
    return Mutation("alpha", "orders", None, "orders", name, data_type, kind)


def test_each_mutation_changes_the_table_and_the_record_alike() -> None:
    conn = duckdb.connect()
    for kind in ("remove", "rename", "type"):
        conn.execute("create or replace table orders as select 1 as id, 'ab' as label")
        conn.execute(mutation(kind).alter())
        table = [(r[0], r[1]) for r in conn.execute("describe orders").fetchall()]
        record = {"columns": [column("id", "integer"), column("label", "varchar")]}
        mutation(kind).apply_to_record(record)
        described = [(c["name"], c["data_type"].upper()) for c in record["columns"]]
        assert table == described, kind


def test_a_type_mutation_changes_the_type_however_the_contract_spells_it() -> None:
    assert [mutation("type", data_type=t).new_type() for t in ("varchar", "string", "TEXT")] == [
        "integer", "integer", "integer"
    ]  # fmt: skip
    assert mutation("type", data_type="bigint").new_type() == "varchar"


def test_gates_by_column_and_by_model_and_their_scores() -> None:
    orders = model("alpha", "orders", columns=[column("id", "integer"), column("label")])
    reads_id = edge("beta.a", "alpha.orders", columns=["id"], usage={"id": "predicate-equality"})
    unknown = edge("beta.b", "alpha.orders")
    mesh = manifest([orders], [reads_id, unknown], beta=["alpha"])
    said, warned, _ = gate(mesh, mutation("remove"))
    assert (said, warned) == ({("beta", "b")}, set())
    said, warned, _ = gate(mesh, mutation("type", "id", "integer"))  # to varchar: a still binds
    assert (said, warned) == ({("beta", "b")}, {("beta", "a")})
    assert score([(True, True), (True, False), (False, True), (False, False)]) == {
        "true_positives": 1, "false_positives": 1, "false_negatives": 1,
        "precision": 0.5, "recall": 0.5,
    }  # fmt: skip
