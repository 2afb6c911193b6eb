"""The type-pair rule for predicate-only readers (DuckDB's implicit casts)."""

from __future__ import annotations

import pytest

from datamesh.impact.cast_compare import compared_by_cast


@pytest.mark.parametrize(
    ("before", "after", "usage", "expected"),
    [
        ("integer", "varchar", "predicate-equality", True),
        ("BIGINT", "text", "predicate-equality", True),
        ("boolean", "varchar", "predicate-equality", True),
        ("date", "varchar", "predicate-equality", True),
        ("integer", "varchar", "predicate", False),  # ordering: varchar > 5 does not bind
        ("integer", "varchar", "output", False),  # the consumer's own output changes type
        ("varchar", "integer", "predicate-equality", False),  # 'abc' = int fails to cast
        ("double", "varchar", "predicate-equality", False),  # '1.5' = 2 is true in DuckDB
        ("timestamp", "varchar", "predicate-equality", False),
        ("integer", "bigint", "predicate", True),  # widening: exact, order included
        ("int", "hugeint", "predicate-equality", True),
        ("bigint", "integer", "predicate", False),  # narrowing may overflow
        ("integer", "bigint", "output", False),
        ("integer", "double", "predicate", False),
        ("int4", "integer", "predicate", False),  # not a change at all
    ],
)
def test_type_pairs(before: str, after: str, usage: str, expected: bool) -> None:
    assert compared_by_cast(before, after, usage) is expected
