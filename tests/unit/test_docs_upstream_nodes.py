"""mesh docs: injected upstream nodes get the producer's documentation from the registry."""

from __future__ import annotations

from typing import Any

from datamesh.docs.upstream_nodes import complete_catalog, complete_manifest, static_page

INTERFACE: dict[str, Any] = {
    "domain": "alpha", "storage": "domains/alpha/p1/alpha.duckdb", "published_at": "2026-12-01",
    "groups": [{"name": "team_alpha", "owner": {"name": "Alpha", "email": "a@x.org"}}],
    "models": [{
        "unique_id": "model.alpha.things.v2", "name": "things", "version": 2,
        "latest_version": 2, "access": "public", "description": "Things alpha publishes.",
        "group": "team_alpha", "owner": {"name": "Alpha", "email": "a@x.org"},
        "contract_enforced": True, "materialized": "table", "database": "alpha",
        "schema": "main", "identifier": "things_v2",
        "columns": [{"name": "id", "data_type": "integer", "description": "Key.",
                     "constraints": ["not_null", "primary_key"]}],
    }],
}  # fmt: skip


def _manifest() -> dict[str, Any]:
    """As dbt writes it: the injected node bare, the project's own node documented."""
    injected = {
        "unique_id": "model.alpha.things.v2",
        "original_file_path": "",
        "description": "",
        "columns": {},
        "contract": {"enforced": False, "alias_types": True},
        "config": {"materialized": "view", "access": "protected", "meta": {}},
        "meta": {},
    }
    own = {"unique_id": "model.beta.s", "original_file_path": "models/s.sql", "description": "S",
           "columns": {}}  # fmt: skip
    return {"nodes": {"model.alpha.things.v2": injected, "model.beta.s": own}, "groups": {}}


def test_injected_node_gets_description_owner_columns_contract() -> None:
    manifest = _manifest()
    assert complete_manifest(manifest, {"alpha": INTERFACE}) == ["model.alpha.things.v2"]
    node = manifest["nodes"]["model.alpha.things.v2"]
    assert node["description"] == "Things alpha publishes."
    column = node["columns"]["id"]
    assert (column["data_type"], column["description"]) == ("integer", "Key.")
    assert [c["type"] for c in column["constraints"]] == ["not_null", "primary_key"]
    assert node["contract"]["enforced"] is True and node["config"]["contract"]["enforced"] is True
    assert node["config"]["materialized"] == "table" and node["config"]["access"] == "public"
    assert node["group"] == "team_alpha" and node["meta"]["owner"] == "Alpha <a@x.org>"
    assert manifest["groups"]["group.alpha.team_alpha"]["owner"]["email"] == "a@x.org"
    assert manifest["nodes"]["model.beta.s"] == _manifest()["nodes"]["model.beta.s"]


def test_catalog_gets_the_upstream_table_and_types() -> None:
    manifest, catalog = _manifest(), {"nodes": {}, "sources": {}}
    assert complete_catalog(catalog, manifest, {"alpha": INTERFACE}) == ["model.alpha.things.v2"]
    entry = catalog["nodes"]["model.alpha.things.v2"]
    assert (
        entry["metadata"]["name"] == "things_v2" and entry["metadata"]["owner"] == "Alpha <a@x.org>"
    )
    assert entry["columns"]["id"] == {
        "type": "integer",
        "index": 1,
        "name": "id",
        "comment": "Key.",
    }
    assert "model.beta.s" not in catalog["nodes"]


def test_static_page_inlines_both_documents() -> None:
    page = static_page(
        '<script>m="MANIFEST.JSON INLINE DATA";c="CATALOG.JSON INLINE DATA"', "{1}", "{2}"
    )
    assert page == "<script>m={1};c={2}"
