"""Which producer columns a consumer model reads, from the SQL dbt compiled for it.

sqlglot qualifies every column (expanding ``select *`` from the producers' registered columns),
then drops the projections of CTEs and subqueries that nothing downstream uses, so a
jaffle-shop ``with orders as (select * from ref(...))`` reads only what the final select, a
``where``, a join, a ``group by`` or an ``order by`` really touches. Whatever cannot be told
for sure (SQL sqlglot cannot parse, a producer table inside a table function, a star or an
unqualified column that could come from a producer of unknown shape) makes the read
``unknown``: the gate then treats the consumer as reading every column, never as reading none.

Each column read is also told *how* it is read (``usage``): ``output`` when it reaches the
consumer's output (projected, through CTEs, subqueries and set operations, even inside an
expression), ``predicate-equality`` when it is read only in predicates that test it for
equality (``=``, ``<>``, ``in``, ``is [not] distinct from``, ``is null``, a bare condition, a
``group by`` key), ``predicate`` when read only in predicates of another kind (ordering,
arithmetic or a function, ``order by``). Whatever cannot be followed counts as ``output``.
``feeds`` names the consumer's output columns a producer column derives into (one hop).
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
# sqlglot imports a dialect's module on first use; load it now, in the importing thread: a lazy
# import in a domain thread while another thread forks dbt with preexec_fn can deadlock
sqlglot.Dialect.get_or_raise(DIALECT)

RelationKey = tuple[str, str, str]  # (catalog, schema, table), lower case
ProducerColumn = tuple[RelationKey, str]
Flow = dict[ProducerColumn, bool]  # producer column -> passed through as is (no expression)

OUTPUT, EQUALITY, PREDICATE = "output", "predicate-equality", "predicate"
USAGES = (OUTPUT, EQUALITY, PREDICATE)


@dataclass(frozen=True)
class TableReads:
    """What one query reads of one relation: column names, or ``None`` for unknown."""

    columns: frozenset[str] | None
    star: bool = False  # a ``*`` over the relation was expanded from its registered columns
    reason: str | None = None  # why the read is unknown
    usage: Mapping[str, str] = field(default_factory=dict)  # column -> how it is read
    feeds: Mapping[str, frozenset[str]] = field(default_factory=dict)  # -> output columns


@dataclass
class _Collected:
    columns: dict[RelationKey, set[str]] = field(default_factory=dict)
    star: set[RelationKey] = field(default_factory=set)
    unknown: dict[RelationKey, str] = field(default_factory=dict)
    usage: dict[ProducerColumn, set[str]] = field(default_factory=dict)
    feeds: dict[ProducerColumn, set[str]] = field(default_factory=dict)
    untraced: bool = False  # a read the usage walk could not follow: every usage is output


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


_EQUALITY_OPS = (exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.NullSafeNEQ)
_CONDITIONS = (exp.And, exp.Or, exp.Not, exp.Where, exp.Having, exp.Qualify, exp.Join)


def _fractional(node: exp.Expression) -> bool:
    """A number literal that is not an integer: DuckDB then casts text to a decimal."""
    return isinstance(node, exp.Literal) and not node.is_string and not node.name.isdigit()


def _comparison(node: exp.Expression, clause: str | None) -> str:
    """How a predicate in ``clause`` reads ``node``: by equality, or otherwise (safe side)."""
    while isinstance(node.parent, exp.Paren):
        node = node.parent
    parent = node.parent
    if clause == "group":
        return EQUALITY if isinstance(parent, exp.Group) else PREDICATE
    if clause not in ("where", "joins", "having", "qualify"):
        return PREDICATE  # order by, limit, ...: ordering or unknown
    if isinstance(parent, _EQUALITY_OPS):
        sides = (parent.this, parent.expression)
        return PREDICATE if any(_fractional(side) for side in sides) else EQUALITY
    if isinstance(parent, exp.In) and parent.this is node:
        return PREDICATE if any(_fractional(v) for v in parent.expressions) else EQUALITY
    if isinstance(parent, exp.Is) and isinstance(parent.expression, exp.Null):
        return EQUALITY
    if isinstance(parent, _CONDITIONS):
        return EQUALITY  # a bare boolean condition
    return PREDICATE


def _place(node: exp.Expression, select: exp.Expression) -> tuple[str | None, exp.Expression]:
    """The clause of ``select`` holding ``node`` (``expressions``: a projection) and the
    clause's node right under ``select``."""
    while node.parent is not None and node.parent is not select:
        node = node.parent
    return (node.arg_key if node.parent is select else None), node


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


class _Flows:
    """Follows producer columns from where a query reads them to its output.

    Scopes come innermost first (``traverse_scope``): each CTE, derived table and set
    operation maps its output columns to the producer columns they derive from, so a
    predicate over a CTE's column is judged as a predicate over the producer column behind it,
    and only what the outermost select projects reaches the output.
    """

    def __init__(self, producers: set[RelationKey], out: _Collected) -> None:
        self.producers, self.out = producers, out
        self.derived: dict[int, dict[str, Flow]] = {}

    def _resolve(self, scope: Scope, column: exp.Column) -> Flow:
        current: Scope | None = scope
        while current is not None:
            source = current.sources.get(column.table) if column.table else None
            if source is None and not column.table and len(current.sources) == 1:
                source = next(iter(current.sources.values()))
            if isinstance(source, exp.Table):
                key = _table_key(source)
                return {(key, column.name.lower()): True} if key in self.producers else {}
            if isinstance(source, Scope):
                return dict(self.derived.get(id(source), {}).get(column.name.lower(), {}))
            if source is not None or (not column.table and current.sources):
                break  # a source of another kind, or an unqualified column among several
            current = current.parent
        self.out.untraced = True  # cannot tell where it comes from: take no risk
        return {}

    def _use(self, flow: Flow, how: str) -> None:
        for column, as_is in flow.items():
            self.out.usage.setdefault(column, set()).add(how if as_is else PREDICATE)

    def add(self, scope: Scope) -> None:
        node = scope.expression
        if isinstance(node, exp.SetOperation):
            projections = self._set_operation(scope, node)
        elif isinstance(node, exp.Select):
            projections = self._select(scope, node)
        else:
            if any(self._resolve(scope, c) for c in scope.columns):
                self.out.untraced = True  # a producer column in a scope not followed
            return
        self.derived[id(scope)] = projections
        if scope.is_root:
            for name, flow in projections.items():
                for column in flow:
                    self.out.usage.setdefault(column, set()).add(OUTPUT)
                    self.out.feeds.setdefault(column, set()).add(name)

    def _set_operation(self, scope: Scope, node: exp.SetOperation) -> dict[str, Flow]:
        names = [n.lower() for n in node.named_selects]
        projections: dict[str, Flow] = {name: {} for name in names}
        for branch in scope.set_operation_scopes:
            flows = list(self.derived.get(id(branch), {}).values())
            for name, flow in zip(names, flows, strict=False):
                for column, as_is in flow.items():
                    projections[name][column] = projections[name].get(column, True) and as_is
        return projections

    def _select(self, scope: Scope, select: exp.Select) -> dict[str, Flow]:
        projections: dict[str, Flow] = {}
        for projection in select.expressions:
            projections.setdefault(projection.alias_or_name.lower(), {})

        def into(top: exp.Expression, flow: Flow, as_is: bool) -> None:
            target = projections.setdefault(top.alias_or_name.lower(), {})
            for column, was in flow.items():
                target[column] = target.get(column, True) and was and as_is

        for column in scope.columns:
            if isinstance(column.this, exp.Star):
                continue
            flow = self._resolve(scope, column)
            if not flow:
                continue
            clause, top = _place(column, select)
            if clause == "expressions":
                inner = top.this if isinstance(top, exp.Alias) else top
                into(top, flow, _unparen(inner) is column)
            else:
                self._use(flow, _comparison(column, clause))
        for child in scope.subquery_scopes:
            flow: Flow = {}
            for child_flow in self.derived.get(id(child), {}).values():
                flow.update(child_flow)
            clause, top = _place(child.expression, select)
            if clause == "expressions":
                into(top, flow, False)
            else:
                subquery = child.expression.parent
                in_list = isinstance(subquery, exp.Subquery) and isinstance(subquery.parent, exp.In)
                self._use(flow, _comparison(subquery.parent, clause) if in_list else PREDICATE)
        return projections


def _collect(tree: exp.Expression, producers: set[RelationKey], out: _Collected) -> None:
    seen_tables: set[int] = set()
    flows = _Flows(producers, out)
    for scope in traverse_scope(tree):
        flows.add(scope)
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
            columns = frozenset(out.columns.get(key, ()))
            result[key] = TableReads(
                columns, star=key in star,
                usage={c: _usage(out.usage.get((key, c)), out.untraced) for c in columns},
                feeds={c: frozenset(out.feeds.get((key, c), ())) for c in columns},
            )  # fmt: skip
    return result


def _usage(found: set[str] | None, untraced: bool) -> str:
    """The strongest way a column is read; one that could not be followed, or any column of a
    query with a read the walk could not follow, reaches the output."""
    if untraced or not found or OUTPUT in found:
        return OUTPUT
    return PREDICATE if PREDICATE in found else EQUALITY


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
