"""Alert messages: changes -> title and body, per locale (en, zh-CN) and format (text, Markdown, HTML).

A message says why and what: for each change the watch and competitor, old -> new with the change (a
percentage for prices, places for ranks), the rules that fired with the numbers they compared (our
price and the gap for an undercut, the MAP, the threshold), the lines a page gained and lost, and a
link to the page. Several changes (a digest) are grouped by competitor, most severe first; in HTML
they read as a short table per competitor.

Rendering uses a Jinja2 *sandboxed* environment: templates may come from users, and the text they
show (product names, page titles) comes from competitors' pages, so neither can reach Python
internals. HTML templates are autoescaped; Markdown gets an escaping filter for the characters
that would turn competitor text into links or emphasis; links are only ever http(s).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

from alerts.i18n import kind_label, places_text, reason_text, words
from monitor.kinds import kinds_counted_as
from monitor.rules import ChangeFacts, RuleReason, severity_rank, to_decimal

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMAT_TEMPLATES = {"text": "body.txt.j2", "markdown": "body.md.j2", "html": "body.html.j2"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
PRICE_KINDS = kinds_counted_as("price_changes")
RANK_KINDS = kinds_counted_as("keywords")
DIFF_LINES = 5  # lines added / removed shown per page change
LINE_CHARS = 160
MAX_ITEMS = 150  # changes shown in one message; the rest are counted


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    format: str  # text | markdown | html


@dataclass(frozen=True)
class MessageItem:
    """One subject as a message shows it: a change, with the other changes of the same subject in the
    same check (a keyword x domain that moved and left the top 10 is one item), and why it fired."""

    change: ChangeFacts
    severity: str
    rules: tuple[str, ...] = ()
    reasons: tuple[RuleReason, ...] = ()
    also: tuple[ChangeFacts, ...] = ()


@dataclass(frozen=True)
class Window:
    """The digest window a message closes: shown in its title and first line."""

    start: str  # local times, already formatted
    end: str
    timezone: str
    at: str = ""  # the local time it closes (HH:MM), for the title


@dataclass
class _Group:
    competitor: str
    items: list[dict[str, object]] = field(default_factory=list)


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


def _clip(line: object) -> str:
    text = " ".join(str(line).split())
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"


def change_size(change: ChangeFacts, locale: str) -> str:
    """The size of a change as people read it: a percentage for prices, places for ranks."""
    if change.kind in PRICE_KINDS and change.magnitude is not None:
        return f"{change.magnitude:+.1%}"
    if change.kind in RANK_KINDS:
        old, new = to_decimal(change.old), to_decimal(change.new)
        if old is not None and new is not None and old != new:
            return places_text(int(old - new), locale)
    return ""


def old_new(change: ChangeFacts) -> str:
    if change.old is None and change.new is None:
        return ""
    if change.kind in RANK_KINDS:
        return f"{'#' + change.old if change.old else '—'} → {'#' + change.new if change.new else '—'}"
    currency = change.details.get("currency") if change.kind in PRICE_KINDS else None
    return f"{_number(change.old) or '—'} → {_number(change.new) or '—'}{' ' + str(currency) if currency else ''}"


def _line(change: ChangeFacts, locale: str) -> str:
    """The one-line description: the detector's English summary, or one built in the channel's language."""
    if locale == "en" and change.summary:
        label = change.watch_label or ""
        # Listing, site and rank sentences do not name the watch ("new in listing at #1: ..."): say which.
        if label and label not in change.summary:
            return f"{label}: {change.summary}"
        return change.summary
    sep = words(locale)["sep"]
    line = f"{kind_label(change.kind, locale)}{sep}{change.watch_label or change.watch_url or ''}"
    if change.old is not None or change.new is not None:
        line += f" {_number(change.old) or '—'} → {_number(change.new) or '—'}"
    if change.magnitude is not None and change.kind in PRICE_KINDS:
        line += f" ({change.magnitude:+.1%})"
    return line


def _what(change: ChangeFacts, locale: str) -> str:
    """What happened, without the watch's name (the table names it in its own column). A rank move is
    its domain and positions ("beta.example: #7 → #16"); its size goes beside it in places."""
    domain = change.details.get("domain")
    if change.kind in RANK_KINDS and domain:
        return f"{domain}{words(locale)['sep']}{old_new(change)}"
    label = change.watch_label or ""
    if locale == "en" and change.summary:
        text = change.summary
        return text[len(label) + 2 :] if label and text.startswith(label + ": ") else text
    size = change_size(change, locale)
    return " ".join(p for p in (kind_label(change.kind, locale), old_new(change), f"({size})" if size else "") if p)


def _also(change: ChangeFacts, locale: str) -> str:
    """Another change of the same subject in the same check, in short: "Left the top results (10) #9 → #11"."""
    n = change.details.get("n")
    return " ".join(p for p in (kind_label(change.kind, locale), f"({n})" if n else "", old_new(change)) if p)


def _lines(change: ChangeFacts) -> tuple[list[str], list[str], int]:
    added = [_clip(x) for x in (change.details.get("added_lines") or []) if str(x).strip()]
    removed = [_clip(x) for x in (change.details.get("removed_lines") or []) if str(x).strip()]
    more = max(0, len(added) - DIFF_LINES) + max(0, len(removed) - DIFF_LINES)
    return added[:DIFF_LINES], removed[:DIFF_LINES], more


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
        added, removed, more = _lines(c)
        return {
            "severity": item.severity,
            "severity_label": w.get(item.severity, item.severity),
            "kind": c.kind,
            "kind_label": kind_label(c.kind, locale),
            "line": _line(c, locale),
            "what": _what(c, locale),
            "old_new": old_new(c),
            "size": change_size(c, locale),
            "label": c.watch_label or c.watch_url or "",
            "competitor": c.competitor or "",
            "link": safe_link(c.details.get("url") or c.watch_url),
            "anomaly": f"{c.anomaly_score:.2f}" if c.anomaly_score is not None else "",
            "explanation": str(c.details.get("anomaly_explanation") or ""),
            "rules": list(item.rules),
            "why": list(dict.fromkeys(reason_text(r, _number(c.new), locale) for r in item.reasons)),
            "also": [_also(a, locale) for a in item.also],
            "added": added,
            "removed": removed,
            "more_lines": w["more_lines"].format(n=more) if more else "",
        }

    def render(
        self, items: Sequence[MessageItem], locale: str, fmt: str, key: str, window: Window | None = None
    ) -> Message:
        """One message for these items (one item: immediate mode; several: a digest)."""
        if not items:
            raise ValueError("a message needs at least one change")
        w = words(locale)
        ordered = sorted(items, key=lambda i: (-severity_rank(i.severity), i.change.competitor or "",
                                               i.change.watch_label or ""))  # fmt: skip
        shown, hidden = ordered[:MAX_ITEMS], len(ordered) - MAX_ITEMS
        rendered = [self._item(i, locale) for i in shown]
        groups: dict[str, _Group] = {}
        for i, r in zip(shown, rendered, strict=True):  # competitors by their most severe change, then name
            groups.setdefault(i.change.competitor or "", _Group(i.change.competitor or w["market"])).items.append(r)
        top = ordered[0].severity
        count = sum(1 + len(i.also) for i in items)
        context = {
            "items": rendered,
            "groups": list(groups.values()),
            "t": w,
            "key": key,
            "severity": top,
            "severity_label": w.get(top, top),
            "count": count,
            "competitors": sorted({i.change.competitor for i in ordered if i.change.competitor}),
            "window": window,
            "intro": w["window_intro"].format(n=count, start=window.start, end=window.end, tz=window.timezone)
            if window else "",
            "more": w["more_items"].format(n=hidden) if hidden > 0 else "",
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
