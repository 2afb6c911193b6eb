"""Refs to an upstream's seed or non-public model, found in a project's SQL before dbt parses."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.files import write_files

from datamesh.dbt_env import REGISTRY_ENV
from datamesh.manifest.parse_errors import DomainParseError, FailureKind
from datamesh.resolve.private_refs import check_no_non_public_refs, non_public_refs
from datamesh.resolve.upstreams import Upstream

SHOP = Upstream(
    "shop",
    {
        "models": [{"name": "orders"}],
        "non_public": [
            {"name": "raw_orders", "resource_type": "seed", "access": None, "group": None},
            {"name": "int_orders", "resource_type": "model", "access": "private", "group": "ops"},
        ],
    },
    Path(),
)


def _consumer(tmp_path: Path, sql: dict[str, str]) -> Path:
    return write_files(
        tmp_path,
        {
            "dbt_project.yml": "name: revenue\nprofile: revenue\n",
            "dependencies.yml": "projects:\n  - name: shop\n",
            **{f"models/{name}": text for name, text in sql.items()},
        },
    )


def test_each_literal_ref_to_a_non_public_node_is_a_typed_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _consumer(
        tmp_path,
        {
            "a.sql": "select * from {{ ref('shop', 'orders') }}",
            "marts/b.sql": 'select * from {{ ref( "shop" ,"raw_orders", v=1) }}',
            "c.sql": "select * from {{ ref('shop', 'int_orders') }} join {{ ref('other', 'x') }}",
        },
    )
    found = non_public_refs(project, [SHOP])
    assert [(f.kind, f.model, f.file, f.target, f.node) for f in found] == [
        (FailureKind.NOT_PUBLIC, "c", "models/c.sql", "int_orders", "private model of group 'ops'"),
        (FailureKind.NOT_PUBLIC, "b", "models/marts/b.sql", "raw_orders", "seed"),
    ]
    monkeypatch.setenv(REGISTRY_ENV, str(tmp_path))  # a mesh command: it explains dbt's error
    check_no_non_public_refs(project, [SHOP])
    monkeypatch.delenv(REGISTRY_ENV)
    with pytest.raises(DomainParseError) as raised:
        check_no_non_public_refs(project, [SHOP])
    assert raised.value.failure == found[0]
    assert (
        "revenue.c (models/c.sql) refs shop.int_orders, which is not a public model of domain "
        "'shop' but a private model of group 'ops': only public models can be referenced"
    ) in str(raised.value)


def test_refs_to_public_models_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REGISTRY_ENV, raising=False)
    project = _consumer(tmp_path, {"a.sql": "select * from {{ ref('shop', 'orders') }}"})
    check_no_non_public_refs(project, [SHOP])
