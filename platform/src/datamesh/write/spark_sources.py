"""Sources on Spark: register each raw Parquet landing file as a table before a domain builds.

The domains declare where a source's raw data lands the way dbt-duckdb reads it (``meta:
external_location: read_parquet('<warehouse>/raw/<domain>/{name}.parquet')``). On Spark, dbt
renders ``source('shop', 'orders')`` as the table ``shop.orders``, so the platform creates that
table over the same file (``CREATE TABLE ... USING parquet LOCATION``) before the build: the
same models read the same data on both engines. On a real cluster the sources already exist as
catalog tables and declare no ``external_location``; those are left alone.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from datamesh.dbt_env import WAREHOUSE_ENV
from datamesh.engine.kinds import quote_identifier
from datamesh.errors import MeshError
from datamesh.project_paths import project_folders
from datamesh.yamlfile import load_yaml

_READ_PARQUET = re.compile(r"^\s*read_parquet\(\s*'((?:[^']|'')*)'\s*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SourceTable:
    """A source table and the Parquet file it is registered over."""

    schema: str
    identifier: str
    path: str
    declared_in: Path


def _render(text: str, warehouse: Path, declared_in: Path) -> str:
    """The ``external_location`` Jinja as dbt would render it, with this build's warehouse."""

    def env_var(name: str, default: str | None = None) -> str:
        if name == WAREHOUSE_ENV:
            return str(warehouse)
        value = os.environ.get(name, default)
        if value is None:
            raise MeshError(f"{declared_in}: external_location reads env_var('{name}'), unset")
        return value

    try:
        return jinja2.Environment(autoescape=False).from_string(text).render(env_var=env_var)
    except jinja2.TemplateError as exc:
        raise MeshError(f"{declared_in}: external_location does not render: {exc}") from None


def parquet_path(location: str, declared_in: Path, source: str) -> str:
    """The file an ``external_location`` reads: ``read_parquet('<file>')`` or a bare path."""
    found = _READ_PARQUET.match(location)
    if found:
        return found.group(1).replace("''", "'")
    if location.strip().endswith(".parquet") and "(" not in location:
        return location.strip()
    raise MeshError(
        f"{declared_in}: source '{source}' has external_location {location.strip()!r}, which is "
        "not a Parquet file the Spark engine can register (use read_parquet('<path>') or a "
        ".parquet path, or create the table in the catalog and drop external_location)"
    )


def _tables_of(document: Any, warehouse: Path, declared_in: Path) -> list[SourceTable]:
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        return []
    found: list[SourceTable] = []
    for source in document["sources"]:
        if not isinstance(source, dict) or not isinstance(source.get("tables"), list):
            continue
        schema = str(source.get("schema") or source.get("name"))
        source_location = (source.get("meta") or {}).get("external_location")
        for table in source["tables"]:
            if not isinstance(table, dict) or not table.get("name"):
                continue
            location = (table.get("meta") or {}).get("external_location") or source_location
            if not location:
                continue
            identifier = str(table.get("identifier") or table["name"])
            rendered = _render(str(location), warehouse, declared_in)
            label = f"{source.get('name')}.{table['name']}"
            try:
                rendered = rendered.format(name=identifier, identifier=identifier, schema=schema)
            except (KeyError, IndexError, ValueError) as exc:
                raise MeshError(
                    f"{declared_in}: source '{label}' external_location has an unknown "
                    f"placeholder {exc}"
                ) from None
            path = parquet_path(rendered, declared_in, label)
            found.append(SourceTable(schema, identifier, path, declared_in))
    return found


def source_tables(project_dir: Path, warehouse: Path) -> list[SourceTable]:
    """Every source table of the project that names a Parquet landing file."""
    tables: list[SourceTable] = []
    for folder in project_folders(project_dir, "model-paths"):
        for path in sorted(folder.rglob("*.y*ml")):
            if path.suffix in {".yml", ".yaml"}:
                tables += _tables_of(load_yaml(path), warehouse, path)
    return tables


def check_files_exist(tables: list[SourceTable]) -> None:
    """A landing file that is missing is named with its source, before Spark says less."""
    for table in tables:
        if "://" not in table.path and not Path(table.path).is_file():
            raise MeshError(
                f"{table.declared_in}: source table {table.schema}.{table.identifier} reads "
                f"{table.path}, which does not exist (generate the raw data: make data)"
            )


def _quote_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def registration_statements(tables: list[SourceTable]) -> list[str]:
    """Create each source's schema and (re)create its table over the file.

    Recreated every build: the file may have been regenerated or the warehouse moved, and an
    external table is metadata only (dropping it leaves the file).
    """
    statements: list[str] = []
    for schema in sorted({t.schema for t in tables}):
        statements.append(f"create schema if not exists {quote_identifier(schema)}")
    for table in tables:
        relation = f"{quote_identifier(table.schema)}.{quote_identifier(table.identifier)}"
        statements += [
            f"drop table if exists {relation}",
            f"create table {relation} using parquet location {_quote_string(table.path)}",
        ]
    return statements
