"""The synthetic mesh for the platform-scale item: sizes, acyclic upstreams, versioned publics."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bench.synthetic_projects import plan_domains, write_synthetic_mesh


def test_upstreams_are_earlier_domains_one_to_three():
    plans = plan_domains(40, 30, seed=1)
    assert plans[0].upstreams == ()
    seen = {plans[0].name}
    for plan in plans[1:]:
        assert set(plan.upstreams) <= seen
        assert 1 <= len(plan.upstreams) <= 3
        seen.add(plan.name)
    assert len(seen) == 40


def test_every_domain_has_exactly_the_asked_model_files(tmp_path: Path):
    folders = write_synthetic_mesh(tmp_path, 6, 12, seed=3)
    assert [f.name for f in folders] == [p.name for p in plan_domains(6, 12, seed=3)]
    for folder in folders:
        assert len(list((folder / "models").rglob("*.sql"))) == 12


def test_first_public_model_is_versioned_and_consumers_ref_upstreams(tmp_path: Path):
    folders = write_synthetic_mesh(tmp_path, 4, 10, seed=5)
    public = yaml.safe_load((folders[0] / "models" / "marts" / "_public.yml").read_text())
    first = public["models"][0]
    assert first["access"] == "public" and first["latest_version"] == 2
    assert [v["v"] for v in first["versions"]] == [1, 2]
    deps = yaml.safe_load((folders[3] / "dependencies.yml").read_text())["projects"]
    consumers = list((folders[3] / "models" / "intermediate").glob("*__from_*.sql"))
    assert len(consumers) == len(deps)
    assert f"ref('{deps[0]['name']}'," in "".join(p.read_text() for p in consumers)


def test_too_few_models_is_refused():
    with pytest.raises(ValueError, match="--models must be at least"):
        plan_domains(3, 5, seed=0)
