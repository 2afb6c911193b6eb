"""Run planned suites against one DuckDB file or Spark schema with Great Expectations' SQL path.

Every metric is computed inside the engine (a DuckDB file is opened READ_ONLY, under a memory
limit; Spark runs the SQL through its Thrift server, ``gx_spark``); nothing loads a table into
Python. Uniqueness runs as ``gx_uniqueness``'s GROUP BY expectation, which DuckDB can spill,
instead of GX's window function or ``count(distinct)``; only a key that fails is queried again,
for a sample of its duplicated values. What differs by engine is chosen from the location's
type here (``location.py``); the suites and their records are the same.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from datamesh.audit import gx_duckdb
from datamesh.audit.expectation_files import ExpectationFileError
from datamesh.audit.location import AuditLocation, MissingTableError, describe, relation, short_name
from datamesh.audit.severity import Severity
from datamesh.audit.suites import PlannedExpectation, SuitePlan
from datamesh.audit.summary import ModelSummary, merge_into_summary
from datamesh.engine.kinds import SparkSchema, quote_identifier
from datamesh.errors import MeshError
from datamesh.jsonio import write_json_atomic
from datamesh.warehouse import Warehouse

AS_OF_ENV = "MESH_AS_OF"
MEMORY_LIMIT_ENV = "MESH_AUDIT_MEMORY_LIMIT"
# DuckDB's default (80% of RAM) lets a count(distinct) over 25M keys grow a 1.3 GB hash table;
# under a limit it partitions and spills instead, and at 10M orders it even runs faster
# (fewer fresh pages to fault in). Big enough for every check the suites plan.
DEFAULT_MEMORY_LIMIT = "512MB"
RESULT_FORMAT = "BASIC"  # counts, percents and up to 20 unexpected values; no index queries
UNIQUE = "expect_column_values_to_be_unique"
META_KEY = "mesh_key"
# GX contexts and engines are not meant to be shared across threads; builds audit in threads.
_GX_LOCK = threading.Lock()
SUMMARY_KEYS = ("unique_id", "domain", "model", "version", "success", "critical_failures",
                "warnings", "evaluated", "validated_at", "target")  # fmt: skip


# GX warns once per type check that duckdb has no dialect module; the SQLAlchemy names it falls
# back to are exactly what suites.SQLALCHEMY_TYPES maps to, so the warning is noise.
logging.getLogger("great_expectations.expectations.type_comparison").setLevel(logging.ERROR)


@dataclass
class ExpectationOutcome:
    key: str
    type: str
    kwargs: dict[str, Any]
    severity: Severity
    source: str
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    unexpected_sample: list[Any] = field(default_factory=list)
    error: str | None = None

    def describe(self) -> str:
        """One line for a terminal or a build report: what failed and how badly."""
        column = self.kwargs.get("column") or self.kwargs.get("column_list") or ""
        what = f"{self.type}({column})" if column else self.type
        if self.error:
            return f"{what}: error: {self.error}"
        if self.unexpected_count is not None:
            sample = ", ".join(str(v) for v in self.unexpected_sample[:5])
            return f"{what}: {self.unexpected_count} unexpected rows" + (
                f" (e.g. {sample})" if sample else ""
            )
        bounds = [f"{k}={self.kwargs[k]}" for k in ("min_value", "max_value") if k in self.kwargs]
        expected = f" (expected {', '.join(bounds)})" if bounds else ""
        return f"{what}: observed {self.observed_value}{expected}"


@dataclass
class ModelValidation:
    """The outcome of one model version's suite on one file."""

    plan: SuitePlan
    target: str  # staging | published
    database_file: str  # the file, or the Spark schema's URL
    relation: str
    validated_at: str
    seconds: float
    outcomes: list[ExpectationOutcome]

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == Severity.CRITICAL]

    @property
    def failed_warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == Severity.WARNING]

    @property
    def success(self) -> bool:
        return not self.critical_failures

    def to_json(self) -> dict[str, Any]:
        return {
            "unique_id": self.plan.unique_id,
            "domain": self.plan.domain,
            "model": self.plan.model,
            "version": self.plan.version,
            "relation": self.relation,
            "target": self.target,
            "database_file": self.database_file,
            "validated_at": self.validated_at,
            "seconds": round(self.seconds, 3),
            "success": self.success,
            "critical_failures": len(self.critical_failures),
            "warnings": len(self.failed_warnings),
            "evaluated": len(self.outcomes),
            "expectations": [asdict(o) for o in self.outcomes],
        }


def resolve_as_of(value: str | None = None) -> datetime:
    """The time freshness limits count back from: given, else ``$MESH_AS_OF``, else now (UTC)."""
    text = value or os.environ.get(AS_OF_ENV)
    if not text:
        return datetime.now(UTC).replace(tzinfo=None)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MeshError(f"as-of {text!r} is not an ISO date or timestamp (YYYY-MM-DD)") from None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


MEMORY_UNITS = {
    "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4,
}  # fmt: skip
MIN_MEMORY_LIMIT = 16 * 1000**2  # below this the audit's own queries cannot run


def memory_limit_bytes(text: str) -> int | None:
    """``512MB`` -> bytes, as DuckDB reads it (KB = 1000, KiB = 1024); None if not a size."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", text.lower())
    if not found or found[2] not in {"", *MEMORY_UNITS}:
        return None
    return int(float(found[1]) * MEMORY_UNITS.get(found[2] or "b", 1))


def duckdb_config() -> dict[str, str]:
    """DuckDB settings for validation connections: a memory limit (``$MESH_AUDIT_MEMORY_LIMIT``).

    A limit too small to run the audit at all is a setting error, never reported as failing data.
    """
    config = {"memory_limit": os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT}
    size = memory_limit_bytes(config["memory_limit"])
    if size is None:
        raise MeshError(
            f"${MEMORY_LIMIT_ENV}={config['memory_limit']!r} is not a DuckDB memory limit "
            "(e.g. 512MB, 2GB)"
        )
    if size < MIN_MEMORY_LIMIT:
        raise MeshError(
            f"${MEMORY_LIMIT_ENV}={config['memory_limit']!r} is below the 16MB the audit needs "
            "to run its queries (default 512MB)"
        )
    try:
        duckdb.connect(":memory:", config=config).close()
    except duckdb.Error as exc:
        raise MeshError(
            f"${MEMORY_LIMIT_ENV}={config['memory_limit']!r} is not a DuckDB memory limit "
            f"(e.g. 512MB, 2GB): {exc}"
        ) from None
    return config


def check_tables(location: AuditLocation, plans: list[SuitePlan]) -> None:
    """Every planned relation exists at the location; otherwise an error naming it and the model."""
    if isinstance(location, SparkSchema):
        from datamesh.audit import gx_spark

        gx_spark.check_tables(location, plans)
        return
    database_file = location
    if not database_file.is_file():
        raise MissingTableError(f"{database_file}: database file not found")
    with duckdb.connect(str(database_file), read_only=True) as conn:
        found = set(
            conn.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        )
    for plan in plans:
        if (plan.schema, plan.identifier) not in found:
            raise MissingTableError(
                f"{database_file}: table {plan.schema}.{plan.identifier} of {plan.unique_id} "
                "not found"
            )


def _gx_expectation(planned: PlannedExpectation) -> Any:
    """The GX expectation that runs first for a planned one (uniqueness goes through the gate)."""
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    from datamesh.audit import gx_uniqueness  # registers its expectation with GX

    type_, kwargs = planned.type, dict(planned.kwargs)
    if type_ == UNIQUE and set(kwargs) == {"column"}:  # with mostly, row_condition...: GX's own
        type_ = gx_uniqueness.EXPECTATION
    try:
        config = ExpectationConfiguration(type=type_, kwargs=kwargs, meta={META_KEY: planned.key})
        return config.to_domain_obj()
    except Exception as exc:  # GX raises several types for an unknown type or bad kwargs
        detail = " ".join(str(exc).split())[:300]
        raise ExpectationFileError(f"{planned.source}: not a valid expectation: {detail}") from exc


def build_gx_suite(plan: SuitePlan) -> tuple[Any, dict[str, str]]:
    """A GX ExpectationSuite for the plan; malformed entries raise naming file and entry.

    GX keeps one of two expectations that are equal once its defaults are filled in (a
    contract's not-null and a file's ``null_share`` of 0, say), whatever their meta. The
    second map names, for each planned key GX would drop, the kept key whose result it shares.
    """
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=plan.name)
    kept: list[tuple[Any, str]] = []
    same_as: dict[str, str] = {}
    for planned in plan.expectations:
        expectation = _gx_expectation(planned)
        twin = next(
            (key for other, key in kept if suite._expectations_are_equalish(other, expectation)),
            None,
        )  # GX's own test (private, pinned with gx_duckdb.TESTED_WITH)
        if twin is not None:
            same_as[planned.key] = twin
            continue
        kept.append((expectation, planned.key))
        suite.add_expectation(expectation)
    return suite, same_as


def _error_of(exception_info: Any) -> str | None:
    if not isinstance(exception_info, dict):
        return None
    if exception_info.get("raised_exception"):
        return str(exception_info.get("exception_message"))
    for value in exception_info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _outcome(planned: PlannedExpectation, result: Any) -> ExpectationOutcome:
    details = result.result or {}
    error = _error_of(result.exception_info)
    return ExpectationOutcome(
        key=planned.key,
        type=planned.type,
        kwargs=planned.kwargs,
        severity=planned.severity,
        source=planned.source,
        success=bool(result.success) and error is None,
        observed_value=details.get("observed_value"),
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=details.get("unexpected_percent"),
        unexpected_sample=list(details.get("partial_unexpected_list") or [])[:20],
        error=error,
    )


def _quote(location: AuditLocation, column: str) -> str:
    if isinstance(location, SparkSchema):
        return quote_identifier(column)  # Spark reads "x" as a string
    return '"' + column.replace('"', '""') + '"'


def _unique_details(batch: Any, outcome: ExpectationOutcome, location: AuditLocation) -> None:
    """A sample of the duplicated values of a key that failed (the counts came with the check)."""
    import great_expectations.expectations as gxe

    quoted = _quote(location, outcome.kwargs["column"])
    result = batch.validate(
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=f"select {quoted} as duplicated from {{batch}} "
            f"where {quoted} is not null group by {quoted} having count(*) > 1"
        ),
        result_format="COMPLETE",
    )
    rows = ((result.result or {}).get("details") or {}).get("unexpected_rows") or []
    outcome.unexpected_sample = sorted((r["duplicated"] for r in rows), key=str)[:20]
    outcome.error = outcome.error or _error_of(result.exception_info)


def _close(datasource: Any) -> None:
    """Release GX's persisted connection (a DuckDB file can then be opened read-write again)."""
    engine = getattr(datasource, "_execution_engine", None)
    if engine is not None:
        connection = getattr(engine, "_connection", None)
        if connection is not None:
            connection.close()
            engine._connection = None
        engine.engine.dispose()
    inspector_engine = getattr(datasource, "_engine", None)  # used to check tables exist
    if inspector_engine is not None:
        inspector_engine.dispose()


def validate_database(
    location: AuditLocation,
    plans: list[SuitePlan],
    *,
    target: str,
    context: Any,
) -> list[ModelValidation]:
    """Run each plan's suite on its table at ``location``: a DuckDB file (opened READ_ONLY) or
    a Spark schema (plans for Spark name its reflected types: ``plan_suite(engine=...)``)."""

    if not isinstance(location, SparkSchema):
        gx_duckdb.apply()
    suites = [build_gx_suite(plan) for plan in plans]  # malformed entries fail before any query
    check_tables(location, plans)
    validations: list[ModelValidation] = []
    name = f"{target}-{short_name(location)}"
    with _GX_LOCK, _datasource(context, name, location) as datasource:
        for plan, (suite, same_as) in zip(plans, suites, strict=True):
            validations.append(
                _run_one(context, datasource, plan, suite, same_as, target, location)
            )
    return validations


def _datasource(context: Any, name: str, location: AuditLocation) -> Any:
    if isinstance(location, SparkSchema):
        from datamesh.audit import gx_spark

        return _removed_on_exit(context, name, gx_spark.add_datasource(context, name, location))
    return duckdb_datasource(context, name, location)


@contextlib.contextmanager
def duckdb_datasource(context: Any, name: str, database_file: Path) -> Iterator[Any]:
    """A GX SQL datasource on the file, READ_ONLY and under the memory limit; closed on exit."""
    datasource = context.data_sources.add_sql(
        name=name,
        connection_string=f"duckdb:///{database_file}",
        kwargs={"connect_args": {"read_only": True, "config": duckdb_config()}},
    )
    with _removed_on_exit(context, name, datasource):
        yield datasource


@contextlib.contextmanager
def _removed_on_exit(context: Any, name: str, datasource: Any) -> Iterator[Any]:
    try:
        yield datasource
    finally:
        _close(datasource)
        context.data_sources.delete(name)


def _run_one(
    context: Any,
    datasource: Any,
    plan: SuitePlan,
    suite: Any,
    same_as: dict[str, str],
    target: str,
    location: AuditLocation,
) -> ModelValidation:
    import great_expectations as gx

    started = time.perf_counter()
    validated_at = datetime.now(UTC).isoformat(timespec="seconds")
    asset = datasource.add_table_asset(
        # GX deprecates schema_name; DuckDB's default schema needs none, a Spark schema is the
        # datasource's own (its URL names it; the interface's DuckDB schema does not apply)
        name=plan.name, table_name=plan.identifier,
        schema_name=None if plan.schema == "main" or isinstance(location, SparkSchema)
        else plan.schema,
    )  # fmt: skip
    batch_definition = asset.add_batch_definition_whole_table(name="whole_table")
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{target}-{plan.name}", data=batch_definition, suite=suite)
    )
    result = definition.run(result_format=RESULT_FORMAT)
    by_key = {r.expectation_config.meta.get(META_KEY): r for r in result.results}
    outcomes = [_outcome(p, by_key[same_as.get(p.key, p.key)]) for p in plan.expectations]
    failed_unique = [o for o in outcomes if o.type == UNIQUE and not o.success and not o.error]
    if failed_unique:
        batch = batch_definition.get_batch()
        for outcome in failed_unique:
            _unique_details(batch, outcome, location)
    return ModelValidation(
        plan, target, describe(location), relation(location, plan.schema, plan.identifier),
        validated_at, time.perf_counter() - started, outcomes,
    )  # fmt: skip


def write_results(warehouse: Warehouse, validations: list[ModelValidation]) -> list[Path]:
    """One JSON per model version, and their lines in the summary the map reads."""
    paths: list[Path] = []
    lines: list[ModelSummary] = []
    for validation in validations:
        plan = validation.plan
        path = warehouse.validation_result_file(plan.domain, plan.file_stem)
        data = validation.to_json()
        write_json_atomic(path, data)
        paths.append(path)
        lines.append(
            ModelSummary(
                **{key: data[key] for key in SUMMARY_KEYS},
                result_file=path.relative_to(warehouse.reports_dir).as_posix(),
            )
        )
    merge_into_summary(warehouse.validation_summary_file, lines)
    return paths
