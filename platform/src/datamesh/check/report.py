"""Renderers of a check result: terminal text, JSON, a pull-request summary, JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import IO

from datamesh.check.findings import (
    ERROR,
    INFO,
    SEVERITY_RANK,
    WARNING,
    BreakingChange,
    CheckResult,
    Consumer,
    Finding,
)
from datamesh.console import wants_colour

COLOURS = {ERROR: "\033[31m", WARNING: "\033[33m", INFO: "\033[36m", "bold": "\033[1m"}
RESET = "\033[0m"


def use_colour(stream: IO[str], no_color: bool = False) -> bool:
    """Colour on a terminal only; never with ``--no-color`` or ``$NO_COLOR`` (no-color.org)."""
    return wants_colour(stream, no_color)


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (SEVERITY_RANK[f.severity], f.domain, f.model or "", f.rule, str(f.version)),
    )


def _where(domain: str, model: str | None, version: object) -> str:
    text = f"{domain}.{model}" if model else domain
    return text + (f" v{version}" if version is not None else "")


def _reader(c: Consumer) -> str:
    text = f"{c.domain}.{c.model}" + (f" (reads v{c.version})" if c.version is not None else "")
    details = [part for part in (c.where, f"owner {c.owner}" if c.owner else None) if part]
    return text + (f" [{', '.join(details)}]" if details else "")


def _consumer_list(change: BreakingChange) -> str:
    return ", ".join(_reader(c) for c in change.consumers)


def _caution_list(change: BreakingChange) -> str:
    return ", ".join(_reader(c) for c in change.cautions)


def _status(change: BreakingChange) -> str:
    if change.breaking:
        return "BREAKING"
    return "CHECK" if change.cautions else "UNREAD"


def _readers_cell(change: BreakingChange) -> str:
    parts = [_consumer_list(change)] if change.breaking else []
    if change.cautions:
        parts.append(f"compared by implicit cast, check: {_caution_list(change)}")
    return "; ".join(parts) or "nobody reads what changed"


REMOVED_KINDS = {"column-removed", "constraint-removed", "version-removed", "model-removed"}


def before_after(change: BreakingChange) -> tuple[str, str]:
    """Both sides of a change as a reviewer reads them: nothing after a removal is shown so."""
    before = "(none)" if change.before is None else str(change.before)
    if change.after is not None:
        after = str(change.after)
    else:
        after = "(removed)" if change.kind in REMOVED_KINDS else "(none)"
    return before, after


def _headline(result: CheckResult) -> str:
    counts = result.summary()
    text = f"{counts[ERROR]} error(s), {counts[WARNING]} warning(s), {counts[INFO]} info"
    return text + (f" (baseline {result.baseline})" if result.baseline else "")


def render_text(result: CheckResult, colour: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"{COLOURS[style]}{text}{RESET}" if colour else text

    lines: list[str] = []
    for f in _sorted(result.findings):
        lines.append(
            f"{paint(f.severity.upper().ljust(7), f.severity)} {f.rule}  "
            f"{_where(f.domain, f.model, f.version)}  {f.file or ''}".rstrip()
        )
        lines.append(f"        {f.message}")
    if result.baseline:
        if result.breaking_changes:
            lines.append(paint(f"Breaking changes against {result.baseline}:", "bold"))
        for change in sorted(result.breaking_changes, key=lambda c: SEVERITY_RANK[c.severity]):
            lines.append(
                f"{paint(_status(change).ljust(8), change.severity)} {change.kind}  "
                f"{change.message}"
            )
            if change.breaking:
                lines.append(f"        breaks: {_consumer_list(change)}")
            if change.cautions:
                lines.append(
                    f"        compared by implicit cast (does not fail), check: "
                    f"{_caution_list(change)}"
                )
            for c in (*change.consumers, *change.cautions):
                if c.advice:
                    lines.append(f"        -> {c.domain}.{c.model}: {c.advice}")
            if not (change.breaking or change.cautions):
                lines.append("        nobody reads what changed: reported, does not fail")
        for addition in result.changelog:
            lines.append(f"{'ADDED'.ljust(8)} {addition.kind}  {addition.message}")
    for finding, waiver in result.waived:
        lines.append(
            f"waived  {finding.rule}  {_where(finding.domain, finding.model, None)}: "
            f"{waiver.reason}"
        )
    if result.left_out:
        lines.append(
            "not checked (failed to parse, or downstream of a domain that did): "
            + ", ".join(result.left_out)
        )
    status = "failed" if result.exit_code else "passed"
    lines.append(paint(f"mesh check {status}: {_headline(result)}", "bold"))
    return "\n".join(lines) + "\n"


def render_json(result: CheckResult) -> str:
    return json.dumps(result.to_json(), indent=2, default=str) + "\n"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _findings_table(findings: list[Finding]) -> list[str]:
    lines = [
        "| Severity | Rule | Model | File to fix | Message |",
        "|---|---|---|---|---|",
    ]
    for f in _sorted(findings):
        lines.append(
            f"| {f.severity} | `{f.rule}` | {_cell(_where(f.domain, f.model, f.version))} "
            f"| `{_cell(f.file)}` | {_cell(f.message)} |"
        )
    return [*lines, ""]


def _changes_table(changes: list[BreakingChange]) -> list[str]:
    lines = [
        "| Breaking | Change | Model | Column | Before → After | Consumers broken | File |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in sorted(changes, key=lambda c: SEVERITY_RANK[c.severity]):
        consumers = _readers_cell(c)
        before, after = before_after(c)
        breaking = "yes" if c.breaking else "no, check" if c.cautions else "no"
        lines.append(
            f"| {breaking} | `{c.kind}` "
            f"| {_cell(_where(c.domain, c.model, c.version))} | {_cell(c.column)} "
            f"| {_cell(before)} → {_cell(after)} | {_cell(consumers)} | `{_cell(c.file)}` |"
        )
    return [*lines, ""]


def _owners(result: CheckResult, new_findings: list[Finding]) -> dict[str, list[str]]:
    """Who to notify, and about what: owners of broken consumers."""
    owners: dict[str, list[str]] = {}
    for change in result.breaking_changes:
        for c in (*change.consumers, *change.cautions):
            what = f"{c.domain}.{c.model} ({c.where or 'file unknown'}): {change.message}"
            what += "" if c in change.consumers else " (check: compared by implicit cast)"
            owners.setdefault(c.owner or f"owner of {c.domain} (no group owner)", []).append(what)
    return owners


def render_markdown(result: CheckResult) -> str:
    """The comment a reviewer reads on a pull request: what this change introduces first,
    then what was already there on the baseline."""
    mark = "❌" if result.exit_code else "✅"
    lines = [f"## {mark} mesh check: {_headline(result)}", ""]
    new = [f for f in result.findings if result.is_new(f)]
    old = [f for f in result.findings if not result.is_new(f)]
    if result.baseline:
        lines += [f"### Introduced by this change (against `{_cell(result.baseline)}`)", ""]
        if result.breaking_changes:
            lines += ["#### Breaking changes", "", *_changes_table(result.breaking_changes)]
            advice = [
                f"- **{c.domain}.{c.model}** (`{c.where}`): {c.advice}"
                for change in result.breaking_changes
                for c in (*change.consumers, *change.cautions)
                if c.advice
            ]
            if advice:
                lines += ["#### What to do, per consumer", "", *dict.fromkeys(advice), ""]
        else:
            lines += ["No breaking changes.", ""]
        if new:
            lines += ["#### New findings", "", *_findings_table(new)]
        owners = _owners(result, new)
        if owners:
            lines += ["#### Owners to notify", ""]
            for owner, items in sorted(owners.items()):
                lines.append(f"- **{_cell(owner)}**: " + "; ".join(dict.fromkeys(items)))
            lines.append("")
        if result.changelog:
            lines += ["#### Non-breaking changes (changelog)", ""]
            lines += [f"- `{a.kind}` {_cell(a.message)}" for a in result.changelog]
            lines.append("")
        if old:
            lines += ["### Already on the baseline", "", *_findings_table(old)]
    elif result.findings:
        lines += ["### Findings", "", *_findings_table(result.findings)]
    if result.waived:
        lines += ["### Waived", "", "| Rule | Model | Reason |", "|---|---|---|"]
        for f, w in result.waived:
            lines.append(f"| `{f.rule}` | {f.domain}.{f.model} | {_cell(w.reason)} |")
        lines.append("")
    if result.left_out:
        lines += [f"Not checked (did not parse): {', '.join(result.left_out)}", ""]
    return "\n".join(lines)


def _case(suite: ET.Element, classname: str, name: str, severity: str, text: str) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if severity == ERROR:
        ET.SubElement(case, "failure", message=text.splitlines()[0], type=classname).text = text
    elif text:
        ET.SubElement(case, "system-out").text = f"{severity}: {text}"


def render_junit(result: CheckResult, rule_ids: list[str]) -> str:
    """One test case per finding (errors fail), a passing case per clean rule, one per change."""
    root = ET.Element("testsuites", name="mesh check")
    rules = ET.SubElement(root, "testsuite", name="mesh check: governance")
    fired = set()
    for f in _sorted(result.findings):
        fired.add(f.rule)
        name = f"{_where(f.domain, f.model, f.version)}"
        _case(rules, f.rule, name, f.severity, f"{f.message}\nfile: {f.file}\n{f.explanation}")
    for rule in rule_ids:
        if rule not in fired:
            _case(rules, rule, "all models", INFO, "")
    changes = ET.SubElement(root, "testsuite", name="mesh check: breaking changes")
    for c in result.breaking_changes:
        text = f"{c.message}\n{_readers_cell(c)}"
        _case(changes, c.kind, _where(c.domain, c.model, c.version), c.severity, text)
    if not result.breaking_changes:
        _case(changes, "breaking-changes", f"against {result.baseline or 'no baseline'}", INFO, "")
    for suite in (rules, changes):
        cases = suite.findall("testcase")
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        suite.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
