"""A synthetic mesh of real (tiny) dbt projects, for the platform-scale benchmark.

Unlike ``scripts/synthetic_mesh.py`` (a manifest only, for map readability tests), these are
real domains: staging views and intermediate models, 1-3 upstreams each (only earlier domains, so
the graph is acyclic), a few public contracted models of which one is versioned (v1 deprecated,
v2 latest), and models that ref upstream public models. No data is needed: only parsing runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import synthetic_mesh

PUBLIC_PER_DOMAIN = 3  # public models; the first has two versions (two .sql files)


@dataclass(frozen=True)
class DomainPlan:
    """What one synthetic domain contains."""

    name: str
    upstreams: tuple[str, ...]
    public: tuple[str, ...]
    consumed: tuple[tuple[str, str, int | None], ...]  # (upstream, model, version)
    private: int  # staging + intermediate models besides the consumer models


def public_models(domain: str) -> tuple[str, ...]:
    return tuple(f"{domain}_product_{i}" for i in range(PUBLIC_PER_DOMAIN))


def plan_domains(domains: int, models: int, seed: int) -> list[DomainPlan]:
    """Domains in build order with exactly ``models`` model files each (versions count)."""
    minimum = PUBLIC_PER_DOMAIN + 1 + 3 + 2  # publics, the extra version, 3 consumers, 2 private
    if models < minimum:
        raise ValueError(f"--models must be at least {minimum} for a synthetic domain")
    rng = random.Random(seed)
    names = synthetic_mesh.domain_names(domains)
    plans = []
    for index, name in enumerate(names):
        upstreams = tuple(sorted(rng.sample(names[:index], min(index, rng.randint(1, 3)))))
        consumed = []
        for upstream in upstreams:
            model = rng.choice(public_models(upstream))
            version = rng.choice([1, 2]) if model.endswith("_product_0") else None
            consumed.append((upstream, model, version))
        private = models - (PUBLIC_PER_DOMAIN + 1) - len(consumed)
        plans.append(DomainPlan(name, upstreams, public_models(name), tuple(consumed), private))
    return plans


def _project_yml(name: str) -> str:
    return (
        f'name: {name}\nversion: "1.0.0"\nconfig-version: 2\nprofile: {name}\n'
        f'vars:\n  mesh:\n    description: "Synthetic domain {name}."\n'
        f"models:\n  {name}:\n    +group: team_{name}\n"
        "    staging:\n      +materialized: view\n"
        "    intermediate:\n      +materialized: view\n"
        "    marts:\n      +materialized: table\n"
    )


def _public_yml(plan: DomainPlan) -> str:
    columns = (
        "    columns:\n"
        "      - {name: id, data_type: integer, constraints: [{type: not_null}],"
        " data_tests: [unique]}\n"
        "      - {name: label, data_type: varchar}\n"
        "      - {name: amount, data_type: double}\n"
    )
    lines = [
        "groups:",
        f"  - name: team_{plan.name}",
        f"    owner: {{name: Team {plan.name}, email: {plan.name}@example.com}}",
        "models:",
    ]
    for index, model in enumerate(plan.public):
        lines += [
            f"  - name: {model}",
            f"    description: Public product {index} of {plan.name}.",
            "    access: public",
            "    config: {contract: {enforced: true}}",
        ]
        if index == 0:
            lines += [
                "    latest_version: 2",
                "    versions:",
                "      - {v: 1, deprecation_date: 2027-06-30}",
                "      - {v: 2}",
            ]
        lines.append(columns.rstrip("\n"))
    return "\n".join(lines) + "\n"


def write_domain(root: Path, plan: DomainPlan) -> Path:
    """One dbt project folder; returns it."""
    folder = root / plan.name
    for layer in ("staging", "intermediate", "marts"):
        (folder / "models" / layer).mkdir(parents=True, exist_ok=True)
    (folder / "dbt_project.yml").write_text(_project_yml(plan.name), "utf-8")
    (folder / "profiles.yml").write_text(synthetic_mesh.PROFILE.format(name=plan.name), "utf-8")
    if plan.upstreams:
        (folder / "dependencies.yml").write_text(
            "projects:\n" + "".join(f"  - name: {u}\n" for u in plan.upstreams), "utf-8"
        )
    models = folder / "models"
    stg = f"stg_{plan.name}__events"
    (models / "staging" / f"{stg}.sql").write_text(
        "select range::integer as id, 'x' || range as label, range * 1.5 as amount\n"
        "from range(10)\n",
        "utf-8",
    )
    previous = stg
    for index in range(plan.private - 1):
        model = f"int_{plan.name}__step_{index}"
        (models / "intermediate" / f"{model}.sql").write_text(
            f"select id, label, amount + {index} as amount from {{{{ ref('{previous}') }}}}\n",
            "utf-8",
        )
        previous = model
    for upstream, model, version in plan.consumed:
        ref_args = f"'{upstream}', '{model}'" + (f", v={version}" if version else "")
        (models / "intermediate" / f"int_{plan.name}__from_{upstream}.sql").write_text(
            f"select id, label, amount from {{{{ ref({ref_args}) }}}}\n", "utf-8"
        )
    body = f"select id, label, amount::double as amount from {{{{ ref('{previous}') }}}}\n"
    for index, model in enumerate(plan.public):
        files = [f"{model}_v1", f"{model}_v2"] if index == 0 else [model]
        for stem in files:
            (models / "marts" / f"{stem}.sql").write_text(body, "utf-8")
    (models / "marts" / "_public.yml").write_text(_public_yml(plan), "utf-8")
    return folder


def write_synthetic_mesh(root: Path, domains: int, models: int, seed: int = 7) -> list[Path]:
    """``domains`` dbt projects of ``models`` models each under ``root``, in build order."""
    root.mkdir(parents=True, exist_ok=True)
    return [write_domain(root, plan) for plan in plan_domains(domains, models, seed)]
