"""The check's one config file at the repo root: severity overrides and per-model waivers.

```yaml
rules:
  public-column-description: {severity: warning}
waivers:
  - rule: unused-public-model
    model: catalog.dim_stores
    reason: read by the BI tool, which has no exposure yet
```
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from datamesh.check.findings import OFF, SEVERITIES, Finding, Severity
from datamesh.errors import MeshError
from datamesh.yamlfile import load_yaml

CONFIG_FILE = "mesh_check.yml"


@dataclass(frozen=True)
class Waiver:
    """One rule switched off for one model, with the written reason a reviewer accepted."""

    rule: str
    domain: str
    model: str
    reason: str

    def matches(self, finding: Finding) -> bool:
        return (
            finding.rule == self.rule
            and finding.domain == self.domain
            and finding.model == self.model
        )


@dataclass(frozen=True)
class CheckConfig:
    """Severity per rule (overrides only) and the waivers; an empty config changes nothing."""

    severities: dict[str, Severity] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()

    def severity(self, rule: str, default: Severity) -> Severity:
        return self.severities.get(rule, default)

    def waiver_for(self, finding: Finding) -> Waiver | None:
        return next((w for w in self.waivers if w.matches(finding)), None)


def find_config(root: Path) -> Path | None:
    """``mesh_check.yml`` in the mesh root or a folder above it, up to the git repo's top."""
    for folder in (root.resolve(), *root.resolve().parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def _severities(path: Path, rules: object, known: set[str]) -> dict[str, Severity]:
    if rules is None:
        return {}
    if not isinstance(rules, dict):
        raise MeshError(f"{path}: 'rules:' must map rule ids to {{severity: ...}}")
    allowed = (*SEVERITIES, OFF)
    severities: dict[str, Severity] = {}
    for rule, settings in rules.items():
        if rule not in known:
            raise MeshError(
                f"{path}: rules: unknown rule '{rule}' (known: {', '.join(sorted(known))})"
            )
        severity = settings.get("severity") if isinstance(settings, dict) else None
        if severity is False:  # YAML 1.1 reads an unquoted `off` as false
            severity = OFF
        if severity not in allowed:
            raise MeshError(
                f"{path}: rules: {rule}: severity must be one of {', '.join(allowed)}, "
                f"got {severity!r}"
            )
        severities[rule] = Severity(severity)
    return severities


def _waivers(path: Path, entries: object, known: set[str]) -> tuple[Waiver, ...]:
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise MeshError(f"{path}: 'waivers:' must be a list of {{rule, model, reason}}")
    waivers: list[Waiver] = []
    for index, entry in enumerate(entries):
        where = f"{path}: waivers[{index}]"
        if not isinstance(entry, dict):
            raise MeshError(f"{where}: expected a mapping with rule, model and reason")
        rule, model, reason = entry.get("rule"), entry.get("model"), entry.get("reason")
        if rule not in known:
            raise MeshError(f"{where}: unknown rule {rule!r} (known: {', '.join(sorted(known))})")
        if not isinstance(model, str) or model.count(".") != 1 or "" in model.split("."):
            raise MeshError(f"{where}: 'model' must be '<domain>.<model>', got {model!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise MeshError(
                f"{where}: waiver of '{rule}' for '{model}' has no reason: "
                "write why the rule does not apply"
            )
        domain, name = model.split(".")
        waivers.append(Waiver(rule, domain, name, reason.strip()))
    return tuple(waivers)


def load_config(path: Path | None, known_rules: Iterable[str]) -> CheckConfig:
    """Read and validate the config; every mistake is a MeshError (exit 2) naming the file."""
    if path is None:
        return CheckConfig()
    if not path.is_file():
        raise MeshError(f"{path}: check config not found")
    data = load_yaml(path) or {}
    if not isinstance(data, dict):
        raise MeshError(f"{path}: expected a mapping with 'rules:' and/or 'waivers:'")
    unknown = sorted(set(data) - {"rules", "waivers"})
    if unknown:
        raise MeshError(f"{path}: unknown key(s) {', '.join(unknown)} (expected rules, waivers)")
    known = set(known_rules)
    return CheckConfig(
        severities=_severities(path, data.get("rules"), known),
        waivers=_waivers(path, data.get("waivers"), known),
    )
