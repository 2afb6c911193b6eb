"""Which producer columns a consumer model reads, from the SQL dbt compiled for it.

sqlglot qualifies every column (expanding ``select *`` from the producers' registered columns),
then drops the projections of CTEs and subqueries that nothing downstream uses, so a
jaffle-shop ``with orders as (select * from ref(...))`` reads only what the final select, a
``where``, a join, a ``group by`` or an ``order by`` really touches. Whatever cannot be told
for sure (SQL sqlglot cannot parse, a producer table inside a table function, a star or an
unqualified column that could come from a producer of unknown shape) makes the read
``unknown``: the gate then treats the consumer as reading every column, never as reading none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope

DIALECT = "duckdb"

RelationKey = tuple[str, str, str]  # (catalog, schema, table), lower case


@dataclass(frozen=True)
class TableReads:
    """What one query reads of one relation: column names, or ``None`` for unknown."""

    columns: frozenset[str] | None
    star: bool = False  # a ``*`` over the relation was expanded from its registered columns
    reason: str | None = None  # why the read is unknown


@dataclass
class _Collected:
    columns: dict[RelationKey, set[str]] = field(default_factory=dict)
    star: set[RelationKey] = field(default_factory=set)
    unknown: dict[RelationKey, str] = field(default_factory=dict)


def relation_key(relation_name: str) -> RelationKey | None:
    """``"sales"."main"."fct_orders"`` as a key; None for a name without catalog and schema."""
    try:
        table = exp.to_table(relation_name, dialect=DIALECT)
    except SqlglotError:
        return None
    if not (table.catalog and table.db and table.name):
        return None
    return (table.catalog.lower(), table.db.lower(), table.name.lower())


def _table_key(table: exp.Table) -> RelationKey | None:
    if not (isinstance(table.this, exp.Identifier) and table.catalog and table.db):
        return None
    return (table.catalog.lower(), table.db.lower(), table.name.lower())


def _schema(tables: Mapping[RelationKey, Sequence[str]]) -> dict:
    nested: dict = {}
    for (catalog, db, name), columns in tables.items():
        nested.setdefault(catalog, {}).setdefault(db, {})[name] = {
            c.lower(): "text" for c in columns
        }
    return nested


def _visible_producers(scope: Scope, producers: set[RelationKey]) -> dict[str, RelationKey]:
    """Aliases in ``scope`` (and, for correlated subqueries, its parents) naming a producer."""
    found: dict[str, RelationKey] = {}
    current: Scope | None = scope
    while current is not None:
        for alias, source in current.sources.items():
            if alias in found or not isinstance(source, exp.Table):
                continue
            key = _table_key(source)
            if key in producers:
                found[alias] = key
        current = current.parent
    return found


def _collect(tree: exp.Expression, producers: set[RelationKey], out: _Collected) -> None:
    seen_tables: set[int] = set()
    for scope in traverse_scope(tree):
        for source in scope.sources.values():
            if isinstance(source, exp.Table):
                seen_tables.add(id(source))
        aliases = _visible_producers(scope, producers)
        if not aliases:
            continue
        own = {a for a, s in scope.sources.items() if isinstance(s, exp.Table) and a in aliases}
        select = scope.expression
        if isinstance(select, exp.Select):
            for projection in select.expressions:
                if isinstance(projection, exp.Star) and own:
                    for alias in own:
                        out.unknown[aliases[alias]] = "a '*' that could not be expanded"
        for column in scope.columns:
            if isinstance(column.this, exp.Star):
                if column.table in aliases:
                    out.unknown[aliases[column.table]] = "a '*' that could not be expanded"
                continue
            if column.table in aliases:
                out.columns.setdefault(aliases[column.table], set()).add(column.name.lower())
            elif not column.table and len(scope.sources) == 1 and own:
                # one source, and it is the producer: a column it lacks is still read of it
                out.columns.setdefault(aliases[next(iter(own))], set()).add(column.name.lower())
            elif not column.table and own:
                for alias in own:
                    out.unknown[aliases[alias]] = f"column '{column.name}' of unknown origin"
    for table in tree.find_all(exp.Table):
        key = _table_key(table)
        if key in producers and id(table) not in seen_tables:
            out.unknown[key] = "read inside an expression sqlglot cannot follow"


def _stars(tree: exp.Expression, producers: set[RelationKey]) -> set[RelationKey]:
    """Producers a ``*`` selects from directly (before qualification expands it)."""
    starred: set[RelationKey] = set()
    for scope in traverse_scope(tree):
        select = scope.expression
        if not isinstance(select, exp.Select):
            continue
        stars = [p for p in select.expressions if isinstance(p, exp.Star)]
        table_stars = {
            p.table for p in select.expressions if isinstance(p, exp.Column) and p.is_star
        }
        for alias, source in scope.sources.items():
            key = _table_key(source) if isinstance(source, exp.Table) else None
            if key in producers and (stars or alias in table_stars):
                starred.add(key)
    return starred


def columns_read(
    sql: str,
    producers: Mapping[RelationKey, Sequence[str] | None],
    known: Mapping[RelationKey, Sequence[str]] | None = None,
) -> dict[RelationKey, TableReads]:
    """For each relation of ``producers`` (its registered columns, or None when not known),
    the columns ``sql`` reads of it.

    ``known`` gives the columns of other relations the query reads (the consumer's own
    models), which lets unqualified columns be told apart; relations missing from it are
    taken as not holding any producer column.
    """
    wanted = set(producers)
    result: dict[RelationKey, TableReads] = {}
    shapeless = {key for key, cols in producers.items() if cols is None}
    for key in shapeless:
        result[key] = TableReads(None, reason="the producer's columns are not registered")
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=DIALECT) if s is not None]
    except SqlglotError as exc:
        reason = f"SQL that sqlglot cannot parse ({str(exc).splitlines()[0]})"
        return {key: TableReads(None, reason=reason) for key in wanted}
    schema = _schema({**(known or {}), **{k: v for k, v in producers.items() if v is not None}})
    out = _Collected()
    star: set[RelationKey] = set()
    for statement in statements:
        try:
            star |= _stars(statement.copy(), wanted)
            tree = qualify(
                statement, dialect=DIALECT, schema=schema, expand_stars=True,
                validate_qualify_columns=False, quote_identifiers=False, identify=False,
            )  # fmt: skip
            tree = pushdown_projections(tree)
            _collect(tree, wanted, out)
        except SqlglotError as exc:
            reason = f"SQL that sqlglot cannot resolve ({str(exc).splitlines()[0]})"
            for key in wanted:
                out.unknown.setdefault(key, reason)
    for key in wanted - shapeless:
        if key in out.unknown:
            result[key] = TableReads(None, star=key in star, reason=out.unknown[key])
        else:
            result[key] = TableReads(frozenset(out.columns.get(key, ())), star=key in star)
    return result


def first_line(source: str, words: Sequence[str]) -> int | None:
    """The first line (1-based) of ``source`` holding any of ``words`` as a whole word.

    Best effort: the compiled SQL's positions do not map back to the model's file through
    Jinja, so the model's own source text is searched for the name instead.
    """
    patterns = [re.compile(rf"(?<![\w.]){re.escape(w)}(?!\w)|\.{re.escape(w)}(?!\w)", re.I)
                for w in words if w]  # fmt: skip
    for number, line in enumerate(source.splitlines(), start=1):
        code = line.split("--", 1)[0]
        if any(p.search(code) for p in patterns):
            return number
    return None
