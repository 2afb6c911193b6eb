"""Whether a column's type change leaves a predicate-only reader's answer unchanged.

A consumer that reads a producer column only in predicates does not carry its type to its
own output: the question is whether the engine still evaluates the predicate the same way.
Checked on DuckDB 2.0 (the mesh's embedded engine):

- integers of different widths are compared exactly, equality and ordering alike;
- an integer, boolean or date column compared for equality with a ``varchar`` one (or a
  ``varchar`` column with an integer, boolean or date literal) is compared by casting the text
  to the other type (the plan shows ``CAST(id AS INTEGER) = id``), so text that is the cast
  of those values matches as before; a bare ``varchar`` condition (``where flag``) is cast to
  boolean the same way;
- ordering is not preserved: ``varchar > 5`` and ``between`` fail to bind, and text orders
  differently from numbers; a fractional literal (``= 1.5``) casts the text to a decimal and
  fails on other values; text that is not the cast of such a value fails to cast at run time.

So only those pairs, read only by equality (or any predicate, for widening integers), are
told apart from a break: a warning to check the values, never a pass in silence. Every other
change of type (to or from ``double``, ``varchar`` to a number, a column reaching the output)
still breaks. Removal and rename always break, whatever the usage.
"""

from __future__ import annotations

from datamesh.manifest.columns_read import EQUALITY, PREDICATE

SIGNED = ("tinyint", "smallint", "integer", "bigint", "hugeint")
UNSIGNED = ("utinyint", "usmallint", "uinteger", "ubigint", "uhugeint")
TYPE_ALIASES = {
    "int1": "tinyint", "int2": "smallint", "short": "smallint",
    "int": "integer", "int4": "integer", "signed": "integer",
    "int8": "bigint", "long": "bigint", "int128": "hugeint",
    "float8": "double", "double precision": "double",
    "float4": "float", "real": "float",
    "string": "varchar", "text": "varchar", "char": "varchar", "bpchar": "varchar",
    "bool": "boolean", "logical": "boolean",
    "datetime": "timestamp",
}  # fmt: skip
TEXT_COMPARABLE = frozenset({*SIGNED, *UNSIGNED, "boolean", "date"})


def normalize_type(data_type: str | None) -> str:
    """A type name as DuckDB means it (``int4`` is ``integer``): aliases are no change."""
    text = " ".join((data_type or "").lower().split())
    return TYPE_ALIASES.get(text, text)


def _widens(before: str, after: str) -> bool:
    """Every value of ``before`` is a value of ``after`` (integers only)."""
    for family in (SIGNED, UNSIGNED):
        if before in family and after in family:
            return family.index(after) > family.index(before)
    if before in UNSIGNED and after in SIGNED:
        return SIGNED.index(after) > UNSIGNED.index(before)
    return False


def compared_by_cast(before: str | None, after: str | None, usage: str) -> bool:
    """Whether a reader that reads the column as ``usage`` gets the same predicate results
    after its type changes from ``before`` to ``after`` (see the module's rule)."""
    old, new = normalize_type(before), normalize_type(after)
    if usage not in (EQUALITY, PREDICATE) or old == new:
        return False
    if _widens(old, new):
        return True
    return usage == EQUALITY and new == "varchar" and old in TEXT_COMPARABLE
