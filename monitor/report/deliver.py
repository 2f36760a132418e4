"""Sending the report through Apprise, with the alert channels' own helpers (secrets, masking, formats).

An email channel gets the whole report as its HTML body, with the report files attached; every other
channel (Slack, WeCom, ServerChan, WxPusher...) gets a short digest in the format it displays best.
Each channel reads the report in its own `locale`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from alerts.channel_addresses import STRICT, AddressRules
from alerts.channels import EMAIL_SCHEMES, ChannelResult, message_format, send
from monitor.config.alerting import Channel
from monitor.config.secrets import resolve_env
from monitor.report import i18n
from monitor.report.model import Report
from monitor.report.render_html import render_html
from monitor.report.render_md import render_digest


class DeliveryError(ValueError):
    """The report cannot be sent as asked (an unknown channel name); the message names it."""


def pick_channels(channels: Sequence[Channel], names: Sequence[str]) -> list[Channel]:
    by_name = {c.name: c for c in channels}
    missing = [n for n in names if n not in by_name]
    if missing:
        known = ", ".join(sorted(by_name)) or "none configured"
        raise DeliveryError(f"unknown channel(s) {', '.join(missing)} (channels: {known})")
    return [by_name[n] for n in dict.fromkeys(names)]


def is_email(channel: Channel) -> bool:
    return urlsplit(channel.url).scheme.lower() in EMAIL_SCHEMES


def _digest_body(
    report: Report, channel: Channel, email_edition: bool, folder: str | None
) -> tuple[str, str, str]:
    title, body = render_digest(report, channel.locale, email_edition=email_edition, folder=folder)
    fmt = message_format(channel)
    if fmt == "html":

        body = "<br>".join(escape(line) for line in body.splitlines())
    elif fmt == "text":
        body = body.replace("\\", "")
    return title, body, fmt


def deliver_report(
    report: Report,
    files: Mapping[str, Path],
    channels: Sequence[Channel],
    *,
    env: Mapping[str, str] | None = None,
    secrets_file: str | None = None,
    rules: AddressRules = STRICT,
) -> list[ChannelResult]:
    """Send to each channel, its servers under the address policy's `rules` (the watchlist's
    allow_private_*); never raises for a delivery problem (each result says ok or why not)."""
    values = resolve_env(env, secrets_file)
    results = []
    # A chat digest points at the email edition only when one goes out with it.
    email_edition = any(is_email(c) for c in channels)
    folder = str(next(iter(files.values())).parent) if files else None
    for channel in channels:
        if is_email(channel):
            words = i18n.t(channel.locale)
            title = f"{words['title']} {report.period_label}"
            body = render_html(report, channel.locale)
            attachments = [str(p) for p in files.values()]
            result = send(channel, title, body, "html", env=values, attachments=attachments, rules=rules)
        else:
            title, body, fmt = _digest_body(report, channel, email_edition, folder)
            result = send(channel, title, body, fmt, env=values, rules=rules)
        results.append(result)
    return results
