"""The files of a new domain, as text: jaffle-shop layout, the conventions of domains/*.

Pure functions (no disk): ``domain_files`` maps a path inside the domain to its content.
The raw data is a dbt seed, so ``mesh build`` builds the domain at once, offline, with no
generator step and nothing under ``warehouse/raw/`` to provide first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from datamesh.scaffold.consumes import Consumed

SEED = "raw_items"
STAGING = "stg_raw__items"
_PREFIX = re.compile(r"^(fct|dim|stg|int)_")


@dataclass(frozen=True)
class Owner:
    name: str
    email: str | None = None


def parse_owner(text: str) -> Owner:
    """``"Ada Lovelace <ada@example.com>"`` -> Owner; a bare name or a bare email also works."""
    match = re.match(r"^\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>@\s]+@[^<>\s]+)>\s*$", text)
    if match:
        return Owner(match["name"] or match["email"], match["email"])
    if "@" in text and " " not in text.strip():
        return Owner(text.strip(), text.strip())
    return Owner(text.strip())


def mart_name(domain: str, consumed: tuple[Consumed, ...]) -> str:
    """``<domain>_<entity>``: the first consumed model's entity, else the seed's ``items``."""
    entity = _PREFIX.sub("", consumed[0].model) if consumed else "items"
    return f"{domain}_{entity}"


class _IndentedLists(yaml.SafeDumper):
    """Lists indented under their key, as every YAML file of domains/* writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _yaml(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_IndentedLists, sort_keys=False, width=100,
                     allow_unicode=True)  # fmt: skip


def project_yml(domain: str, description: str) -> str:
    return _yaml({
        "name": domain, "version": "1.0.0", "config-version": 2,
        "require-dbt-version": ">=1.11.0,<1.12.0", "profile": domain,
        "model-paths": ["models"], "seed-paths": ["seeds"], "test-paths": ["tests"],
        "macro-paths": ["macros"], "target-path": "target",
        "clean-targets": ["target", "dbt_packages"],
        "vars": {"mesh": {"description": description}},
        "models": {domain: {
            "+group": f"{domain}_team",
            "staging": {"+materialized": "view"},
            "intermediate": {"+materialized": "view"},
            "marts": {"+materialized": "table"},
        }},
    })  # fmt: skip


def profiles_yml(domain: str) -> str:
    """The engineer's ``dev`` target, and the stub that says ``publish`` is the platform's.

    The ``publish`` entry only lets dbt load the profile far enough for the dbt_datamesh plugin
    to stop a hand-run ``--target publish`` with a message naming ``mesh build``
    (datamesh/resolve/target_guard.py); nothing ever opens its in-memory database.
    """
    return f"""\
# Your own dbt runs (dev). mesh commands generate their own profile and never read this file.
{domain}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{{{ env_var('MESH_WAREHOUSE', '../../warehouse') }}}}/dev/{domain}.duckdb"
      threads: 4
      plugins:
        - module: datamesh.resolve.attach
    # The platform's target (mesh build generates its own profile with it). Listed here only so
    # that `dbt ... --target publish` stops with a message saying so, not dbt's "no target".
    publish:
      type: duckdb
      path: ":memory:"
      threads: 1
"""


def dependencies_yml(consumed: tuple[Consumed, ...]) -> str:
    names = list(dict.fromkeys(c.domain for c in consumed))
    return _yaml({"projects": [{"name": name} for name in names]})


def groups_yml(domain: str, owner: Owner) -> str:
    who: dict[str, str] = {"name": owner.name}
    if owner.email:
        who["email"] = owner.email
    return _yaml({"groups": [{
        "name": f"{domain}_team", "owner": who,
        "description": f"Owns the {domain} domain and its data products.",
    }]})  # fmt: skip


SEED_CSV = """\
id,name,created_at
1,first item,2026-01-01 09:00:00
2,second item,2026-01-02 10:30:00
3,third item,2026-01-03 12:15:00
"""


def seed_yml() -> str:
    return _yaml({"seeds": [{
        "name": SEED,
        "description": "Raw items as they land: replace with your own source (a seed, or a "
                       "source: block with meta.external_location for Parquet under raw/).",
        "config": {"column_types": {"id": "bigint", "name": "varchar",
                                    "created_at": "timestamp"}},
    }]})  # fmt: skip


STAGING_SQL = f"""\
with

source as (

    select * from {{{{ ref('{SEED}') }}}}

),

renamed as (

    select
        cast(id as bigint) as item_id,
        lower(name) as item_name,
        cast(created_at as timestamp) as created_at

    from source

)

select * from renamed
"""


def staging_yml() -> str:
    return _yaml({"models": [{
        "name": STAGING,
        "description": "Raw items renamed and typed, one row per item.",
        "columns": [
            {"name": "item_id", "description": "Item identifier.",
             "data_tests": ["unique", "not_null"]},
            {"name": "item_name", "description": "Lower-case item name."},
            {"name": "created_at", "description": "When the item was created."},
        ],
    }]})  # fmt: skip


_STAGING_COLUMNS = (
    {"name": "item_id", "data_type": "bigint", "description": "Item identifier.",
     "constraints": ["not_null", "primary_key"]},
    {"name": "item_name", "data_type": "varchar", "description": "Lower-case item name.",
     "constraints": []},
    {"name": "created_at", "data_type": "timestamp", "description": "When the item was created.",
     "constraints": []},
)  # fmt: skip


def _cte(consumed: Consumed) -> str:
    return _PREFIX.sub("", consumed.model)


def _reading_sql(source: str, ref: str, columns: list[str]) -> str:
    """A CTE over ``ref`` and a ``final`` CTE naming every column (no ``select *`` out)."""
    select = ",\n".join(f"        {source}.{name}" for name in columns)
    return f"""\
with

{source} as (

    select * from {{{{ {ref} }}}}

),

final as (

    select
{select}

    from {source}

)

select * from final
"""


def mart_sql(consumed: tuple[Consumed, ...]) -> str:
    """Reads the first consumed model (pinned ref), or the staging model when nothing is."""
    if not consumed:
        return _reading_sql("items", f"ref('{STAGING}')", [c["name"] for c in _STAGING_COLUMNS])
    first = consumed[0]
    return _reading_sql(_cte(first), first.ref, [c["name"] for c in first.columns])


def intermediate_sql(consumed: Consumed) -> str:
    """A further consumed model, read in its own model so every declared upstream is used."""
    return _reading_sql(_cte(consumed), consumed.ref, [c["name"] for c in consumed.columns])


def intermediate_name(consumed: Consumed) -> str:
    return f"int_{consumed.domain}__{consumed.model}"


def intermediate_yml(consumed: Consumed) -> str:
    return _yaml({"models": [{
        "name": intermediate_name(consumed),
        "description": f"{consumed.domain}.{consumed.model} as this domain reads it "
                       "(protected: not for other domains).",
        "access": "protected",
    }]})  # fmt: skip


def _column_yml(column: dict[str, Any], producer: str) -> dict[str, Any]:
    constraints = [c for c in column.get("constraints") or [] if c in {"not_null", "primary_key"}]
    record: dict[str, Any] = {
        "name": column["name"],
        "description": column.get("description") or f"{column['name']} from {producer}.",
        "data_type": column.get("data_type") or "varchar",
    }
    if constraints:
        record["constraints"] = [{"type": c} for c in constraints]
    tests = ["not_null"] if "not_null" in constraints else []
    if "primary_key" in constraints:
        tests = ["unique", "not_null"]
    if tests:
        record["data_tests"] = tests
    return record


def mart_yml(name: str, consumed: tuple[Consumed, ...]) -> str:
    """Public, contracted: every column with its type, description and the producer's keys."""
    if consumed:
        first = consumed[0]
        producer = f"{first.domain}.{first.model}"
        what = f"One row per row of {producer}" + (f" v{first.version}" if first.version else "")
        description = f"{what}, as this domain publishes it. Describe what it is for."
        columns = [_column_yml(c, producer) for c in first.columns]
    else:
        description = "One row per item. Describe what it is for."
        columns = [_column_yml(c, STAGING) for c in _STAGING_COLUMNS]
    return _yaml({"models": [{
        "name": name, "description": description, "access": "public",
        "config": {"contract": {"enforced": True}}, "columns": columns,
    }]})  # fmt: skip


def expectations_yml(name: str, consumed: tuple[Consumed, ...]) -> str:
    """A starting suite: the table is not empty; contract checks come from the YAML already."""
    header = (
        f"# Great Expectations run on {name} before it publishes (and by mesh validate).\n"
        "# The contract's columns, types, not-null and unique checks are added automatically;\n"
        "# add what the contract cannot say. See README 'mesh validate'.\n"
    )
    starter = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1},
               "severity": "critical"}  # fmt: skip
    return header + _yaml({"expectations": [starter]})


def domain_files(
    domain: str, description: str, owner: Owner, consumed: tuple[Consumed, ...]
) -> dict[str, str]:
    """Every file of the new domain, by its path inside the domain folder."""
    mart = mart_name(domain, consumed)
    files = {
        "dbt_project.yml": project_yml(domain, description),
        "profiles.yml": profiles_yml(domain),
        "models/_groups.yml": groups_yml(domain, owner),
        f"seeds/{SEED}.csv": SEED_CSV,
        f"seeds/{SEED}.yml": seed_yml(),
        f"models/staging/{STAGING}.sql": STAGING_SQL,
        f"models/staging/{STAGING}.yml": staging_yml(),
        f"models/marts/{mart}.sql": mart_sql(consumed),
        f"models/marts/{mart}.yml": mart_yml(mart, consumed),
        f"expectations/{mart}.yml": expectations_yml(mart, consumed),
    }
    if consumed:
        files["dependencies.yml"] = dependencies_yml(consumed)
    for extra in consumed[1:]:
        name = intermediate_name(extra)
        files[f"models/intermediate/{name}.sql"] = intermediate_sql(extra)
        files[f"models/intermediate/{name}.yml"] = intermediate_yml(extra)
    return files
