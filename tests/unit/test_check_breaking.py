from __future__ import annotations

from support.fake_manifest import column, edge, manifest, model, things

from datamesh.impact.breaking import breaking_changes


def v(m: dict, version: int) -> dict:
    return next(x for x in m["domains"][0]["models"] if x["version"] == version)


def summary(changes) -> list[tuple]:
    return [
        (c.kind, c.model, c.version, c.column, c.breaking,
         [(r.domain, r.model, r.version) for r in c.consumers])
        for c in changes
    ]  # fmt: skip


def test_same_manifest_has_no_changes():
    assert breaking_changes(things(), things()) == []


def test_new_version_beside_the_old_one_is_not_breaking():
    current = things()
    current["domains"][0]["models"].append(model("alpha", "things", 3, 3))
    for record in current["domains"][0]["models"]:
        record["latest_version"] = 3
    assert breaking_changes(things(), current) == []


def test_removed_column_breaks_only_readers_of_that_version():
    current = things()
    v(current, 2)["columns"] = [c for c in v(current, 2)["columns"] if c["name"] != "score"]
    assert summary(breaking_changes(things(), current)) == [
        ("column-removed", "things", 2, "score", True, [("beta", "summary", 2)])
    ]


def test_renamed_column_and_changed_type():
    current = things()
    v(current, 1)["columns"][1] = column("name", "varchar")
    v(current, 2)["columns"][0] = column("id", "bigint", "not_null")
    changes = breaking_changes(things(), current)
    assert summary(changes) == [
        ("column-renamed", "things", 1, "label", True, [("beta", "legacy", 1)]),
        ("column-type-changed", "things", 2, "id", True, [("beta", "summary", 2)]),
    ]
    assert (changes[0].before, changes[0].after) == ("label", "name")
    assert (changes[1].before, changes[1].after) == ("integer", "bigint")


def test_type_aliases_are_not_changes():
    current = things()
    v(current, 1)["columns"][0] = column("id", "INT", "not_null")
    v(current, 1)["columns"][1] = column("label", "text")
    assert breaking_changes(things(), current) == []


def test_removed_constraint_and_unenforced_contract():
    current = things()
    v(current, 1)["columns"][0]["constraints"] = []
    v(current, 2)["contract_enforced"] = False
    assert summary(breaking_changes(things(), current)) == [
        ("constraint-removed", "things", 1, "id", True, [("beta", "legacy", 1)]),
        ("contract-unenforced", "things", 2, None, True, [("beta", "summary", 2)]),
    ]


def test_removed_version_and_removed_model():
    current = things()
    current["domains"][0]["models"] = [v(current, 2)]
    assert summary(breaking_changes(things(), current)) == [
        ("version-removed", "things", 1, None, True, [("beta", "legacy", 1)])
    ]
    current["domains"][0]["models"] = []
    kinds = summary(breaking_changes(things(), current))
    assert [k[:3] for k in kinds] == [
        ("model-removed", "things", 1),
        ("model-removed", "things", 2),
    ]


def test_access_narrowed_when_the_model_is_still_defined():
    current = things()
    current["domains"][0]["models"] = []
    changes = breaking_changes(things(), current, still_defined=lambda d, m: True)
    assert {c.kind for c in changes} == {"access-narrowed"}
    assert [c.consumers[0].model for c in changes] == ["legacy", "summary"]


def test_change_nobody_reads_is_reported_but_not_breaking():
    baseline = things()
    baseline["edges"] = baseline["edges"][1:]  # nobody reads v1
    current = things()
    current["edges"] = current["edges"][1:]
    v(current, 1)["columns"] = v(current, 1)["columns"][:1]
    (change,) = breaking_changes(baseline, current)
    assert change.kind == "column-removed" and not change.breaking
    assert change.severity == "info"


def test_latest_version_moved_back_breaks_unpinned_readers_only():
    baseline = things()
    baseline["edges"].append(edge("beta.fresh", "alpha.things", 2, pinned=False))
    current = things()
    current["edges"].append(edge("beta.fresh", "alpha.things", 1, pinned=False))
    for record in current["domains"][0]["models"]:
        record["latest_version"] = 1
    assert summary(breaking_changes(baseline, current)) == [
        ("latest-version-moved-back", "things", 1, None, True, [("beta", "fresh", 2)])
    ]


def test_unversioned_contracted_model_gets_the_same_gate_and_exposures_count():
    baseline = manifest([model("alpha", "orders")], [edge("beta.report", "alpha.orders")])
    baseline["domains"][0]["exposures"] = [{"name": "board", "depends_on": ["model.alpha.orders"]}]
    current = manifest([model("alpha", "orders", columns=[column("id", "integer", "not_null")])])
    assert summary(breaking_changes(baseline, current)) == [
        ("column-removed", "orders", None, "label", True,
         [("alpha", "exposure:board", None), ("beta", "report", None)]),
    ]  # fmt: skip


def test_model_that_becomes_versioned_is_compared_with_its_latest():
    baseline = manifest([model("alpha", "orders")], [edge("beta.report", "alpha.orders")])
    current = manifest([model("alpha", "orders", 1, 2), model("alpha", "orders", 2, 2)])
    assert breaking_changes(baseline, current) == []


def test_domains_that_did_not_parse_are_skipped():
    current = things()
    current["domains"][0]["models"] = []
    assert breaking_changes(things(), current, skip_domains=frozenset({"alpha"})) == []


def test_two_renamed_columns_are_both_renames():
    def orders(*names: str) -> dict:
        record = model("alpha", "orders", columns=[column(n, "integer") for n in names])
        return manifest([record], [edge("beta.report", "alpha.orders")], beta=["alpha"])

    changes = breaking_changes(orders("a", "b", "id"), orders("x", "y", "id"))
    assert summary(changes) == [
        ("column-renamed", "orders", None, "a", True, [("beta", "report", None)]),
        ("column-renamed", "orders", None, "b", True, [("beta", "report", None)]),
    ]
    assert [(c.before, c.after) for c in changes] == [("a", "x"), ("b", "y")]
    assert [c.message for c in changes] == [
        "alpha.orders: column 'a' renamed to 'x'",
        "alpha.orders: column 'b' renamed to 'y'",
    ]


def orders_mesh(*edges: dict, columns=("id", "order_date", "region"), latest=None) -> dict:
    """alpha.orders (unversioned, or v1 and v2 when ``latest``) read by beta's models."""
    cols = [column(n, "integer" if n == "id" else "varchar") for n in columns]
    if latest is None:
        models = [model("alpha", "orders", columns=cols)]
    else:
        models = [model("alpha", "orders", 1, latest, columns=list(cols)),
                  model("alpha", "orders", 2, latest, columns=list(cols))]  # fmt: skip
    return manifest(models, list(edges), beta=["alpha"])


def test_a_column_change_breaks_only_the_readers_of_that_column():
    reads_date = edge("beta.activity", "alpha.orders", columns=["id", "order_date"])
    reads_id = edge("beta.payments", "alpha.orders", columns=["id"])
    baseline = orders_mesh(reads_date, reads_id)
    current = orders_mesh(reads_date, reads_id, columns=("id", "region"))
    (change,) = breaking_changes(baseline, current)
    assert summary([change]) == [
        ("column-removed", "orders", None, "order_date", True, [("beta", "activity", None)])
    ]
    reader = change.consumers[0]
    assert (reader.file, reader.line, reader.owner) == ("beta/models/activity.sql", 2, "Team beta")
    assert "ship the change as v2 beside v1" in reader.advice


def test_a_change_nobody_reads_is_info_and_an_unknown_read_is_every_column():
    reads_id = edge("beta.payments", "alpha.orders", columns=["id"])
    baseline = orders_mesh(reads_id)
    (change,) = breaking_changes(baseline, orders_mesh(reads_id, columns=("id", "order_date")))
    assert change.kind == "column-removed" and change.severity == "info" and not change.consumers
    unknown = edge("beta.payments", "alpha.orders")  # columns: unknown
    current = orders_mesh(unknown, columns=("id", "order_date"))
    (change,) = breaking_changes(orders_mesh(unknown), current)
    assert change.breaking


def test_a_reader_pinned_to_v1_is_not_broken_by_a_change_to_v2():
    pinned = edge("beta.contacts", "alpha.orders", 1, columns=["id", "region"])
    baseline = orders_mesh(pinned, latest=2)
    current = orders_mesh(pinned, latest=2)
    v2 = current["domains"][0]["models"][1]
    v2["columns"] = [c for c in v2["columns"] if c["name"] != "region"]
    (change,) = breaking_changes(baseline, current)
    assert (change.version, change.breaking) == (2, False)


def test_a_reader_moved_off_the_column_in_the_same_change_is_not_broken():
    before = edge("beta.activity", "alpha.orders", columns=["id", "order_date"])
    after = edge("beta.activity", "alpha.orders", columns=["id"])
    (change,) = breaking_changes(orders_mesh(before), orders_mesh(after, columns=("id", "region")))
    assert change.kind == "column-removed" and not change.breaking


def test_moving_latest_forward_breaks_unpinned_readers_of_what_v2_drops_and_says_pin_v1():
    unpinned = edge("beta.activity", "alpha.orders", 1, pinned=False, columns=["order_date"])
    fine = edge("beta.other", "alpha.orders", 1, pinned=False, columns=["id"])
    baseline = orders_mesh(unpinned, fine, latest=1)
    current = orders_mesh(
        {**unpinned, "producer": {**unpinned["producer"], "version": 2}}, fine, latest=2
    )
    v2 = current["domains"][0]["models"][1]
    v2["columns"] = [c for c in v2["columns"] if c["name"] != "order_date"]
    changes = [c for c in breaking_changes(baseline, current) if c.breaking]
    assert summary(changes) == [
        ("latest-version-moved-forward", "orders", 2, None, True, [("beta", "activity", 1)])
    ]
    advice = changes[0].consumers[0].advice
    assert "ref('alpha', 'orders', v=1)" in advice and "v=2" not in advice


def test_additions_are_the_changelog():
    from datamesh.impact.breaking import additions

    baseline = orders_mesh(latest=1)
    current = orders_mesh(columns=("id", "order_date", "region", "channel"), latest=2)
    found = [(a.kind, a.version, a.column) for a in additions(baseline, current)]
    assert ("column-added", 1, "channel") in found
    assert found.count(("latest-version-moved", 2, None)) == 1
    assert breaking_changes(baseline, current) == []


def _retyped(*edges: dict, column_name: str = "id", to: str = "varchar") -> list:
    baseline = orders_mesh(*edges)
    current = orders_mesh(*edges)
    for c in current["domains"][0]["models"][0]["columns"]:
        if c["name"] == column_name:
            c["data_type"] = to
    return breaking_changes(baseline, current)


def test_a_key_read_only_by_equality_and_retyped_to_text_is_a_warning_not_a_break():
    joins = edge("beta.activity", "alpha.orders", columns=["id", "region"],
                 usage={"id": "predicate-equality"})  # fmt: skip
    projects = edge("beta.report", "alpha.orders", columns=["id"])
    (change,) = _retyped(joins)
    assert (change.breaking, change.severity) == (False, "warning")
    assert [(c.domain, c.model) for c in change.cautions] == [("beta", "activity")]
    assert "implicit cast" in change.cautions[0].advice
    (change,) = _retyped(joins, projects)
    assert summary([change]) == [
        ("column-type-changed", "orders", None, "id", True, [("beta", "report", None)])
    ]
    assert [c.model for c in change.cautions] == ["activity"]


def test_ordering_reads_other_types_removal_and_rename_still_break_predicate_readers():
    ordered = edge("beta.activity", "alpha.orders", columns=["id"], usage={"id": "predicate"})
    assert _retyped(ordered)[0].breaking  # varchar > 5 does not bind
    equal = edge("beta.activity", "alpha.orders", columns=["id"],
                 usage={"id": "predicate-equality", "region": "predicate-equality"})  # fmt: skip
    assert _retyped(equal, to="double")[0].breaking
    region = edge("beta.activity", "alpha.orders", columns=["region"],
                  usage={"region": "predicate-equality"})  # fmt: skip
    assert _retyped(region, column_name="region", to="integer")[0].breaking
    current = orders_mesh(equal, columns=("order_date", "region"))
    (removed,) = breaking_changes(orders_mesh(equal), current)
    assert (removed.kind, removed.breaking) == ("column-removed", True)
