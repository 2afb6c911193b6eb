"""The fake manifests the unit tests use are the real manifest's shape: its schema says so."""

from __future__ import annotations

import pytest
from support import fake_manifest as fake

from datamesh.manifest.schema import manifest_schema, validate_manifest


def properties(definition: str | None = None) -> set[str]:
    schema = manifest_schema()
    return set((schema["$defs"][definition] if definition else schema)["properties"])


def test_things_matches_the_manifest_schema() -> None:
    validate_manifest(fake.things())


def test_every_builder_together_matches_the_schema() -> None:
    doc = fake.manifest(
        [fake.model("alpha", "orders"), fake.model("beta", "x", 1, 1, access="protected")],
        [fake.edge("beta.x", "alpha.orders")],
        beta=["alpha"], gamma=[],
    )  # fmt: skip
    validate_manifest(doc)
    assert [d["downstreams"] for d in doc["domains"]] == [["beta"], [], []]


@pytest.mark.parametrize(
    ("record", "definition"),
    [
        (fake.things(), None),
        (fake.things()["domains"][0], "domain"),
        (fake.model("alpha", "things", 1, 2), "model"),
        (fake.column("id"), "column"),
        (fake.things()["edges"][0], "edge"),
    ],
    ids=["manifest", "domain", "model", "column", "edge"],
)
def test_fakes_carry_every_field_the_schema_names(record: dict, definition: str | None) -> None:
    """A field the schema gains (even an optional one) must reach the fakes too."""
    assert set(record) == properties(definition)


def test_endpoints_carry_every_field_the_schema_names() -> None:
    edge = fake.edge("beta.legacy", "alpha.things", 1)
    assert set(edge["consumer"]) | set(edge["producer"]) == properties("endpoint")
