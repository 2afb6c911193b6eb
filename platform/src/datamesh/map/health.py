"""How one domain stands, from the latest result FOR THAT DOMAIN of each stage.

The last run report describes one build, which may have selected a single domain (``mesh build
-s support``) or run on a branch that failed; judging every domain by it made the others
"unknown" and a domain whose published data is fine "failing". Here each signal is that
domain's own latest result: its latest build attempt in any run report, the expectations of
its model versions, and the contract check. A result older than the domain's current
publication is about data consumers no longer read: it is marked stale, and never makes a
domain failing on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from datamesh.map.style import HEALTH_ORDER, GxStatus, Health

OK_BUILDS = {"published", "unchanged"}


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 stamp as an aware datetime; None when absent or not a stamp."""
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def older(stamp: Any, than: Any) -> bool:
    """True only when both are stamps and ``stamp`` is strictly earlier."""
    a, b = parse_time(stamp), parse_time(than)
    return a is not None and b is not None and a < b


def latest_attempts(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each domain's latest build result across run reports, with its run's id and start."""
    latest: dict[str, dict[str, Any]] = {}
    ordered = sorted(runs, key=lambda r: parse_time(r.get("started_at")) or datetime.min.replace(
        tzinfo=UTC))  # fmt: skip
    for run in ordered:  # later runs overwrite earlier ones
        for result in run.get("domains") or []:
            latest[result["domain"]] = {
                "status": result.get("status"),
                "reason": result.get("reason") or "",
                "run_id": run.get("run_id"),
                "at": run.get("started_at"),
                "log_file": result.get("log_file"),
            }
    return latest


def finding_name(finding: dict[str, Any]) -> str:
    """``error public-model-contract on alpha.things v1``: which rule, where."""
    where = finding.get("domain") or "the mesh"
    if finding.get("model"):
        where += f".{finding['model']}"
        if finding.get("version") not in (None, ""):
            where += f" v{finding['version']}"
    return f"{finding.get('severity')} {finding.get('rule')} on {where}"


@dataclass
class _Judgement:
    level: Health = Health.HEALTHY
    judged: list[tuple[int, str]] = field(default_factory=list)  # (level's rank, reason)
    stale: list[str] = field(default_factory=list)

    def worse(self, new: Health, reason: str) -> None:
        if HEALTH_ORDER.index(new) < HEALTH_ORDER.index(self.level):
            self.level = new
        self.judged.append((HEALTH_ORDER.index(new), reason))

    @property
    def reasons(self) -> list[str]:
        """Worst first: the first reason is why the domain has its level."""
        return [reason for _, reason in sorted(self.judged, key=lambda j: j[0])]


def _judge_build(
    j: _Judgement, attempt: dict[str, Any] | None, publication: dict[str, Any] | None, ran: bool
) -> None:
    status = attempt.get("status") if attempt else None
    if status is None:
        if publication is None:
            j.worse(Health.UNKNOWN, "not in any build report" if ran else "build not run yet")
        return
    if status in OK_BUILDS:
        return
    reason = attempt.get("reason") or "no reason given"
    if publication is not None:
        # Consumers still read the last publication: it passed its audit when it was published.
        j.worse(Health.WARNING, f"published data OK; last attempt {status}: {reason}")
    else:
        j.worse(Health.FAILING, f"last build {status}: {reason}")


def _judge_expectations(
    j: _Judgement, versions: list[dict[str, Any]], published_since: Any
) -> None:
    failed, stale_failed, attempt_failed, warned = [], [], [], []
    for version in versions:
        gx = version["gx"]
        when = gx.get("validated_at")
        if gx["status"] == GxStatus.FAILED:
            if gx.get("target") == "staging" and older(published_since, when):
                attempt_failed.append(version["unique_id"])  # a later attempt, not published
            elif older(when, published_since):
                stale_failed.append(version["unique_id"])
            else:
                failed.append(version["unique_id"])
        elif gx["status"] == GxStatus.PASSED and gx.get("warnings"):
            warned.append(version["unique_id"])
        if gx["status"] in (GxStatus.FAILED, GxStatus.PASSED) and older(when, published_since):
            j.stale.append(f"expectations of {version['unique_id']}")
    if failed:
        j.worse(Health.FAILING, "expectations failed: " + ", ".join(failed))
    if attempt_failed:
        j.worse(Health.WARNING, "last attempt's expectations failed (not published): "
                + ", ".join(attempt_failed))  # fmt: skip
    if stale_failed:
        j.worse(Health.WARNING, "stale: expectations failed on an older publication: "
                + ", ".join(stale_failed))  # fmt: skip
    if warned:
        j.worse(Health.WARNING, "expectation warnings: " + ", ".join(warned))


def _judge_findings(
    j: _Judgement, findings: list[dict[str, Any]], checked_at: Any, published_since: Any
) -> None:
    stale = older(checked_at, published_since)
    if stale and findings:
        j.stale.append("contract check")
    note = " (stale: checked before the current publication)" if stale else ""
    errors = [finding_name(f) for f in findings if f.get("severity") == "error"]
    warnings = [finding_name(f) for f in findings if f.get("severity") == "warning"]
    if errors:
        j.worse(Health.WARNING if stale else Health.FAILING, "; ".join(errors) + note)
    if warnings:
        j.worse(Health.WARNING, "; ".join(warnings) + note)


def domain_health(
    *,
    attempt: dict[str, Any] | None,
    publication: dict[str, Any] | None,
    builds_ran: bool,
    versions: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    checked_at: Any,
) -> dict[str, Any]:
    """The domain's level, the reasons for it (each naming what), and what is stale.

    ``publication`` is the registry's current entry (``published_at``, ``run_id``, and the
    publishing run's ``started_at`` when its report is known, from which its audit counts)."""
    j = _Judgement()
    since = None
    if publication:
        since = publication.get("run_started_at") or publication.get("published_at")
    _judge_build(j, attempt, publication, builds_ran)
    _judge_expectations(j, versions, since)
    _judge_findings(j, findings, checked_at, since)
    return {
        "level": j.level,
        "build": attempt.get("status") if attempt else None,
        "reasons": j.reasons,
        "last_attempt": attempt,
        "published": publication,
        "stale": j.stale,
    }
