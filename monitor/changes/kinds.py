"""What a change kind is: one declared record that rules, alerts, the report and the CLI read.

Each watch kind declares its change kinds (`monitor.kinds.<kind>.changes`); `monitor.kinds`
collects them into `CHANGE_KINDS`. Nothing matches change kinds by prefix or suffix: a rule's
`when:` matches the change kinds that list it in `rules`, a report figure counts the change kinds
whose `report` names it, and a label is looked up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["info", "warning", "critical"]


@dataclass(frozen=True)
class ChangeKind:
    name: str  # the stable machine name stored in changes.kind
    watch_kind: str  # product | listing | site | page | keyword
    label_en: str
    label_zh: str
    rules: tuple[str, ...] = ()  # the `when:` values of alert rules that match this change kind
    report: str | None = None  # the report figure it counts under (a key of the report's words)
    severity: Severity = "warning"  # a rule's severity when the rule gives none

    def label(self, locale: str) -> str:
        return self.label_zh if locale == "zh-CN" else self.label_en


def unknown_kind(name: str) -> ChangeKind:
    """A kind stored by a newer or older version: shown by its name, matched only by `when: any`."""
    return ChangeKind(name, "unknown", name.replace("_", " ").capitalize(), name.replace("_", " "))
