"""Plan, run and record the suites of one domain's public model versions on one DuckDB file
or Spark schema.

Shared by ``mesh build`` (the staging copy, through ``gate.audit_domain``) and ``mesh validate``
(the published file), so both run exactly the same checks and write the same reports.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from datamesh.audit.data_docs import make_context
from datamesh.audit.expectation_files import (
    check_file_names,
    expectation_file_for,
    load_expectation_file,
)
from datamesh.audit.location import AuditLocation, engine_of
from datamesh.audit.suites import SuitePlan, plan_suite
from datamesh.audit.validate import ModelValidation, validate_database, write_results
from datamesh.engine.kinds import EngineName
from datamesh.warehouse import Warehouse


def plan_domain_suites(
    domain: str,
    domain_dir: Path | None,
    models: list[dict[str, Any]],
    as_of: datetime,
    engine: EngineName = EngineName.DUCKDB,
) -> list[SuitePlan]:
    """One plan per public model version: contract checks plus the domain's own file."""
    if domain_dir is not None:
        check_file_names(domain_dir, models)
    plans: list[SuitePlan] = []
    for model in models:
        path = (
            expectation_file_for(domain_dir, model["name"], model.get("version"))
            if domain_dir
            else None
        )
        entries = load_expectation_file(path) if path else []
        plans.append(plan_suite(domain, model, entries, as_of, engine))
    return plans


def run_domain_suites(
    domain: str,
    domain_dir: Path | None,
    models: list[dict[str, Any]],
    location: AuditLocation,
    *,
    target: str,
    warehouse: Warehouse,
    as_of: datetime,
    context: Any = None,
) -> list[ModelValidation]:
    """Validate every public model version of a domain at ``location``; write its JSON results.

    Data Docs are rendered once by the caller (``mesh validate``), not per domain.
    """
    plans = plan_domain_suites(domain, domain_dir, models, as_of, engine_of(location))
    if not plans:
        return []
    context = context if context is not None else make_context(warehouse.data_docs_dir)
    validations = validate_database(location, plans, target=target, context=context)
    write_results(warehouse, validations)
    return validations
