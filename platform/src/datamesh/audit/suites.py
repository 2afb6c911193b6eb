"""Plan the expectation suite of one model version: from its contract plus the domain's file.

Pure data in, pure data out (no Great Expectations import), so the rules that turn a contract
into expectations are unit-tested in milliseconds. ``validate.py`` turns a plan into a GX suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from datamesh.audit.expectation_files import (
    FRESHNESS,
    NULL_SHARE,
    ExpectationFileError,
    FileExpectation,
)
from datamesh.audit.severity import Severity
from datamesh.engine.kinds import EngineName
from datamesh.errors import MeshError

CRITICAL = Severity.CRITICAL
WARNING = Severity.WARNING
CONTRACT = "contract"
DOCUMENTED = "documented columns (contract not enforced)"

# Contract type -> the SQLAlchemy type name GX compares against on its SQL path (DuckDB).
# The one place this mapping lives; GX checks with isinstance, so "Integer" also admits BigInteger.
# Spellings of one type (varchar and string, int and integer) map to one name, so they are equal.
SQLALCHEMY_TYPES: dict[str, str] = {
    "integer": "Integer", "int": "Integer", "int4": "Integer", "int32": "Integer",
    "bigint": "BigInteger", "int8": "BigInteger", "int64": "BigInteger", "long": "BigInteger",
    "smallint": "SmallInteger", "int2": "SmallInteger",
    "double": "Float", "double precision": "Float", "float8": "Float", "float": "Float",
    "real": "Float", "float4": "Float",
    "decimal": "Numeric", "numeric": "Numeric",
    "varchar": "String", "text": "String", "string": "String", "char": "String",
    "date": "DATE",
    "timestamp": "TIMESTAMP", "datetime": "TIMESTAMP",
    "boolean": "BOOLEAN", "bool": "BOOLEAN",
}  # fmt: skip
# Where PyHive's dialect reflects a Spark column as another class than DuckDB's dialect does
# (checked with Spark 3.5.9: boolean -> Boolean; date, timestamp, decimal -> its own
# TypeDecorators, which no SQLAlchemy type name matches; gx_spark lets GX resolve their names).
# bigint, int, smallint, string/varchar/char, double/float reflect as on DuckDB.
SPARK_TYPES: dict[str, str] = {
    "BOOLEAN": "Boolean", "DATE": "HiveDate", "TIMESTAMP": "HiveTimestamp",
    "Numeric": "HiveDecimal",
}  # fmt: skip
_TYPE_ARGS = re.compile(r"\s*\(.*\)\s*$")


@dataclass(frozen=True)
class PlannedExpectation:
    """One check: a GX expectation type and kwargs, its severity, and where it came from."""

    key: str  # unique in its suite; results are matched back by it
    type: str
    kwargs: dict[str, Any]
    severity: Severity
    source: str


@dataclass(frozen=True)
class SuitePlan:
    """Every check one model version must pass, and the relation they run on."""

    domain: str
    model: str
    version: int | str | None
    unique_id: str
    schema: str
    identifier: str
    expectations: tuple[PlannedExpectation, ...]

    @property
    def name(self) -> str:
        suffix = f".v{self.version}" if self.version is not None else ""
        return f"{self.domain}.{self.model}{suffix}"

    @property
    def file_stem(self) -> str:
        return self.model + (f"_v{self.version}" if self.version is not None else "")


def sqlalchemy_type(data_type: str, where: str, engine: EngineName = EngineName.DUCKDB) -> str:
    """The type name GX checks for a contract type such as ``bigint`` or ``decimal(10,2)``.

    Named as the engine's SQLAlchemy dialect reflects the column, so a column of the declared
    type passes on either engine.
    """
    base = _TYPE_ARGS.sub("", data_type.strip().lower())
    try:
        name = SQLALCHEMY_TYPES[base]
    except KeyError:
        known = ", ".join(sorted(set(SQLALCHEMY_TYPES)))
        raise MeshError(
            f"{where}: data_type {data_type!r} has no type check (known: {known})"
        ) from None
    return SPARK_TYPES.get(name, name) if engine == EngineName.SPARK else name


def _severity_of_test(test: dict[str, Any]) -> Severity:
    return WARNING if str(test.get("severity", "error")).lower() == "warn" else CRITICAL


class _Builder:
    def __init__(self) -> None:
        self.items: dict[str, PlannedExpectation] = {}

    def add(self, key: str, type_: str, kwargs: dict, severity: Severity, source: str) -> None:
        """Add a check; the same check from two sources keeps the stricter severity."""
        old = self.items.get(key)
        if old is not None:
            if old.severity == CRITICAL or severity != CRITICAL:
                return
            source = old.source
        self.items[key] = PlannedExpectation(key, type_, kwargs, severity, source)


def _model_where(model: dict[str, Any]) -> str:
    version = f" v{model['version']}" if model.get("version") is not None else ""
    return f"{model.get('yaml_file') or model['unique_id']}: {model['name']}{version}"


def contract_expectations(
    model: dict[str, Any], engine: EngineName = EngineName.DUCKDB
) -> list[PlannedExpectation]:
    """Checks that follow from the model record: columns, types, not-null, unique, sets, rows."""
    where = _model_where(model)
    plan = _Builder()
    columns = model.get("columns") or []
    plan.add("row_count", "expect_table_row_count_to_be_between", {"min_value": 1},
             CRITICAL, CONTRACT)  # fmt: skip
    # Column list and types are a promise only where dbt enforces the contract; elsewhere the
    # YAML may document some columns in any order, and a mismatch is reported, not blocking.
    shape, shape_source = (
        (CRITICAL, CONTRACT) if model.get("contract_enforced") else (WARNING, DOCUMENTED)
    )
    if columns:
        plan.add("columns", "expect_table_columns_to_match_ordered_list",
                 {"column_list": [c["name"] for c in columns]}, shape, shape_source)  # fmt: skip
    # model_record copies a multi-column key onto each of its columns: those are not unique alone
    in_compound = {
        name
        for c in model.get("constraints") or []
        if c.get("type") in {"primary_key", "unique"} and len(c.get("columns") or []) > 1
        for name in c["columns"]
    }
    names = {c["name"] for c in columns}
    for column in columns:
        name = column["name"]
        if column.get("data_type"):
            try:
                type_name = sqlalchemy_type(column["data_type"], f"{where}: column {name}", engine)
            except MeshError:
                if shape == CRITICAL:
                    raise
                continue  # a documented type only: dbt never checked it, nor does the audit
            plan.add(f"type:{name}", "expect_column_values_to_be_of_type",
                     {"column": name, "type_": type_name}, shape, shape_source)  # fmt: skip
        constraints = set(column.get("constraints") or [])
        if constraints & {"not_null", "primary_key"}:
            plan.add(f"not_null:{name}", "expect_column_values_to_not_be_null", {"column": name},
                     CRITICAL, "contract constraint")  # fmt: skip
        if constraints & {"unique", "primary_key"} and name not in in_compound:
            plan.add(f"unique:{name}", "expect_column_values_to_be_unique", {"column": name},
                     CRITICAL, "contract constraint")  # fmt: skip
    for constraint in model.get("constraints") or []:
        cols = constraint.get("columns") or []
        if constraint.get("type") in {"primary_key", "unique"} and len(cols) > 1:
            plan.add(f"unique:{','.join(cols)}", "expect_compound_columns_to_be_unique",
                     {"column_list": list(cols)}, CRITICAL, "contract constraint")  # fmt: skip
    for test in model.get("data_tests") or []:
        column, kind, severity = test.get("column"), test.get("type"), _severity_of_test(test)
        if not column or (names and column not in names):
            continue  # a test on an expression (dbt runs it); only real columns are checked here
        if kind == "not_null":
            plan.add(f"not_null:{column}", "expect_column_values_to_not_be_null",
                     {"column": column}, severity, "dbt test")  # fmt: skip
        elif kind == "unique":
            plan.add(f"unique:{column}", "expect_column_values_to_be_unique",
                     {"column": column}, severity, "dbt test")  # fmt: skip
        elif kind == "accepted_values":
            kwargs = test.get("kwargs") or {}
            values = kwargs.get("values", (kwargs.get("arguments") or {}).get("values"))
            if values is None:
                raise MeshError(f"{where}: accepted_values test on {column} has no values")
            kwargs = {"column": column, "value_set": list(values)}
            plan.add(f"in_set:{column}", "expect_column_values_to_be_in_set", kwargs, severity,
                     "dbt test")  # fmt: skip
    return list(plan.items.values())


def file_expectation(
    entry: FileExpectation, model: dict[str, Any], as_of: datetime
) -> PlannedExpectation:
    """A domain-written entry as a GX expectation; friendly types are converted here."""
    columns = {c["name"]: c for c in model.get("columns") or []}
    column = entry.kwargs.get("column")
    if column is not None and columns and column not in columns:
        raise ExpectationFileError(
            f"{entry.source}: column {column!r} is not a column of {model['unique_id']} "
            f"(columns: {', '.join(columns)})"
        )
    key = f"file:{entry.file.name}[{entry.index}]"
    if entry.type == FRESHNESS:
        limit = as_of - timedelta(hours=entry.kwargs["max_age_hours"])
        data_type = str((columns.get(column) or {}).get("data_type") or "").lower()
        min_value: Any = limit.date() if data_type == "date" else limit
        kwargs = {"column": column, "min_value": min_value}
        return PlannedExpectation(key, "expect_column_max_to_be_between", kwargs,
                                  entry.severity, entry.source)  # fmt: skip
    if entry.type == NULL_SHARE:
        kwargs = {"column": column, "mostly": round(1.0 - entry.kwargs["max_share"], 10)}
        return PlannedExpectation(key, "expect_column_values_to_not_be_null", kwargs,
                                  entry.severity, entry.source)  # fmt: skip
    return PlannedExpectation(key, entry.type, dict(entry.kwargs), entry.severity, entry.source)


def _identity(planned: PlannedExpectation) -> str:
    return planned.type + repr(sorted(planned.kwargs.items(), key=lambda kv: kv[0]))


def plan_suite(
    domain: str,
    model: dict[str, Any],
    file_entries: list[FileExpectation],
    as_of: datetime,
    engine: EngineName = EngineName.DUCKDB,
) -> SuitePlan:
    """The whole suite of one model version; ``as_of`` (naive UTC) anchors freshness limits.

    ``engine`` names the types the way its dialect reflects them; every other check is the same.
    """
    expectations = contract_expectations(model, engine)
    seen = {_identity(e): i for i, e in enumerate(expectations)}
    for entry in file_entries:
        planned = file_expectation(entry, model, as_of)
        index = seen.get(_identity(planned))
        if index is None:  # GX keeps one of two equal expectations: so does the plan
            seen[_identity(planned)] = len(expectations)
            expectations.append(planned)
        elif planned.severity == CRITICAL:
            expectations[index] = replace(expectations[index], severity=CRITICAL)
    return SuitePlan(
        domain=domain,
        model=model["name"],
        version=model.get("version"),
        unique_id=model["unique_id"],
        schema=model.get("schema") or "main",
        identifier=model["identifier"],
        expectations=tuple(expectations),
    )
