"""Alert messages: changes -> title, short body and link, per locale (en, zh-CN) and format.

Rendering uses a Jinja2 *sandboxed* environment: templates may come from users, and the text they
show (product names, page titles) comes from competitors' pages, so neither can reach Python
internals. HTML templates are autoescaped; Markdown gets an escaping filter for the characters
that would turn competitor text into links or emphasis; links are only ever http(s).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

from alerts.i18n import kind_label, words
from monitor.rules import ChangeFacts, severity_rank, to_decimal

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMAT_TEMPLATES = {"text": "body.txt.j2", "markdown": "body.md.j2", "html": "body.html.j2"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    format: str  # text | markdown | html


@dataclass(frozen=True)
class MessageItem:
    """One change as a message shows it (a digest shows several)."""

    change: ChangeFacts
    severity: str
    rules: tuple[str, ...] = ()


def md_escape(value: object) -> str:
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def safe_link(url: object) -> str:
    """Only http(s) links reach a message: a javascript: or data: URL from a page is dropped."""
    text = str(url or "").strip()
    return text if urlsplit(text).scheme in ("http", "https") else ""


def md_url(url: object) -> str:
    return quote(str(url), safe=":/?#@!$&'*+,;=%~-._")


def _number(value: str | None) -> str | None:
    number = to_decimal(value)
    if number is None:
        return value
    return f"{number:,.2f}" if number != number.to_integral_value() or "." in (value or "") else f"{number:,}"


def _line(change: ChangeFacts, locale: str) -> str:
    """The one-line description: the detector's English summary, or one built in the channel's language."""
    if locale == "en" and change.summary:
        return change.summary
    sep = words(locale)["sep"]
    line = f"{kind_label(change.kind, locale)}{sep}{change.watch_label or change.watch_url or ''}"
    if change.old is not None or change.new is not None:
        line += f" {_number(change.old) or '—'} → {_number(change.new) or '—'}"
    if change.magnitude is not None and change.kind in ("price_down", "price_up"):
        line += f" ({change.magnitude:+.1%})"
    return line


class Renderer:
    """Renders messages from the bundled templates (or a folder of overrides with the same names)."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        loaders = [FileSystemLoader(str(templates_dir))] if templates_dir else []
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader([*loaders, FileSystemLoader(str(TEMPLATES))]),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["md"] = md_escape
        self.env.filters["md_url"] = md_url

    def _item(self, item: MessageItem, locale: str) -> dict[str, object]:
        c = item.change
        w = words(locale)
        return {
            "severity": item.severity,
            "severity_label": w.get(item.severity, item.severity),
            "kind": c.kind,
            "kind_label": kind_label(c.kind, locale),
            "line": _line(c, locale),
            "label": c.watch_label or c.watch_url or "",
            "competitor": c.competitor or "",
            "link": safe_link(c.details.get("url") or c.watch_url),
            "anomaly": f"{c.anomaly_score:.2f}" if c.anomaly_score is not None else "",
            "explanation": str(c.details.get("anomaly_explanation") or ""),
            "rules": list(item.rules),
        }

    def render(self, items: Sequence[MessageItem], locale: str, fmt: str, key: str) -> Message:
        """One message for these changes (one change: immediate mode; several: a digest)."""
        if not items:
            raise ValueError("a message needs at least one change")
        ordered = sorted(items, key=lambda i: -severity_rank(i.severity))
        w = words(locale)
        top = ordered[0].severity
        context = {
            "items": [self._item(i, locale) for i in ordered],
            "t": w,
            "key": key,
            "severity": top,
            "severity_label": w.get(top, top),
            "competitors": sorted({i.change.competitor for i in ordered if i.change.competitor}),
        }
        title = self.env.get_template("title.txt.j2").render(context).strip()
        body = self.env.get_template(FORMAT_TEMPLATES[fmt]).render(context).strip() + "\n"
        return Message(title=" ".join(title.split()), body=body, format=fmt)

    def render_test(self, channel_name: str, locale: str, fmt: str) -> Message:
        w = words(locale)
        text = w["test_body"].format(channel=channel_name)
        if fmt == "html":

            text = f"<p>{escape(text)}</p>"
        elif fmt == "markdown":
            text = md_escape(text)
        return Message(title=w["test_title"], body=text, format=fmt)


_DEFAULT: Renderer | None = None


def default_renderer() -> Renderer:
    global _DEFAULT  # a cache of the compiled bundled templates, not configuration
    if _DEFAULT is None:
        _DEFAULT = Renderer()
    return _DEFAULT
