"""``mesh impact``'s answer from a manifest: who reads a model, a version, a column."""

from __future__ import annotations

import pytest
from support.fake_manifest import edge, things

from datamesh.errors import MeshError
from datamesh.impact.readers import parse_target, readers_of


def mesh() -> dict:
    m = things()
    m["edges"] = [
        edge("beta.legacy", "alpha.things", 1, columns=["id", "label"]),
        edge("beta.summary", "alpha.things", 2, columns=["score"]),
        edge("beta.opaque", "alpha.things", 2),  # unknown: reads every column
    ]
    return m


def names(readers) -> list[str]:
    return [r.model for r in readers]


def test_readers_of_a_column_include_unknown_reads():
    assert names(readers_of(mesh(), "alpha", "things", "label")) == ["legacy", "opaque"]
    assert names(readers_of(mesh(), "alpha", "things", "score")) == ["opaque", "summary"]


def test_readers_of_a_version_with_columns_file_line_and_owner():
    (reader,) = readers_of(mesh(), "alpha", "things", version=1)
    assert (reader.columns, reader.file, reader.line, reader.owner, reader.pinned) == (
        ["id", "label"], "models/legacy.sql", 2, "Team beta", True,
    )  # fmt: skip
    opaque = readers_of(mesh(), "alpha", "things", version="2")[0]
    assert opaque.model == "opaque" and opaque.columns is None


@pytest.mark.parametrize(
    ("target", "version", "message"),
    [
        ("alpha.nothing", None, "alpha.nothing is not a public model"),
        ("alpha.things.nope", None, "has no column 'nope'"),
        ("alpha.things", 7, "has no version 7"),
    ],
)
def test_unknown_targets_are_named(target, version, message):
    with pytest.raises(MeshError, match=message):
        readers_of(mesh(), *parse_target(target), version=version)


def test_target_must_have_two_or_three_parts():
    with pytest.raises(MeshError, match="expected <domain>.<model>"):
        parse_target("alpha")


def test_each_reader_of_a_column_names_what_it_feeds_and_how_it_reads_it():
    m = mesh()
    legacy = m["edges"][0]
    legacy["columns"][0].update(usage="predicate-equality", feeds=[])
    legacy["columns"][1].update(feeds=["title", "label"])
    by_model = {r.model: r for r in readers_of(m, "alpha", "things", "label")}
    assert by_model["legacy"].lineage == [
        {"column": "label", "usage": "output", "feeds": ["beta.legacy.title", "beta.legacy.label"]}
    ]
    assert by_model["opaque"].lineage is None  # unresolved: no lineage to give
    (reader,) = readers_of(m, "alpha", "things", "id", version=1)
    assert reader.to_json()["lineage"] == [{"column": "id", "usage": "predicate-equality",
                                            "feeds": []}]  # fmt: skip
