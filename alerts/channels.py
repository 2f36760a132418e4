"""Alert channels: a configured `Channel` (an Apprise URL with a name) -> a sent message, ok or an error.

Secrets never leave this module in clear: the URL's ``${NAME}`` placeholders are filled from the
environment and the secrets file only at send time, and every error, log line and status string
built here has those values masked. Apprise's own log records pass through a masking filter too.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import apprise

from alerts.channel_addresses import STRICT, AddressRules, Refusal, check_named_host, guarded
from monitor.config.alerting import Channel
from monitor.config.secrets import expand_env_refs, mask_secrets, secret_values

log = logging.getLogger("rivalwatch.alerts")

EMAIL_SCHEMES = frozenset({"mailto", "mailtos", "email"})
# Services whose Apprise plugin renders Markdown (WeCom *app* does with format=markdown; the WeCom group
# bot plugin always sends msgtype=text, so plain text reads better there).
MARKDOWN_SCHEMES = frozenset({"slack", "wechat", "schan", "wxpusher", "discord", "tgram", "matrix", "ntfy"})
DEDUP_HEADER = "X-Rivalwatch-Dedup-Key"
# Our severities as Apprise notification types (services show them as colours, icons or prefixes).
NOTIFY_TYPES = {
    "info": apprise.NotifyType.INFO,
    "warning": apprise.NotifyType.WARNING,
    "critical": apprise.NotifyType.FAILURE,
}


@dataclass(frozen=True)
class ChannelResult:
    channel: str
    ok: bool
    error: str | None = None
    final: bool = False  # a failure another try cannot mend (the address policy refused the host)


class ChannelError(Exception):
    """A channel cannot be used as configured (bad URL, missing secret); the message names the channel."""


class _SecretFilter(logging.Filter):
    """Masks secret values in records of Apprise's logger (its debug lines can show tokens and payloads)."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, values: Sequence[str]) -> None:
        with self._lock:
            self._secrets.update(v for v in values if len(v) >= 3)

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 - a broken record is Apprise's problem, not a reason to leak
                return True
            record.msg, record.args = mask_secrets(message, list(self._secrets)), ()
        return True


_FILTER = _SecretFilter()
# A filter only sees records created on its own logger: Apprise logs on "apprise", and urllib3 logs every
# request URL (which can hold a token, e.g. WeCom's ?key=) on "urllib3.connectionpool".
for _name in ("apprise", "urllib3.connectionpool"):
    logging.getLogger(_name).addFilter(_FILTER)


# Schemes whose host is a server name rather than a token: their host stays visible in errors.
HOST_SCHEMES = EMAIL_SCHEMES | frozenset({"json", "jsons", "xml", "xmls", "form", "forms", "http", "https"})


def _literal_secrets(url: str) -> list[str]:
    """Parts of a URL written without ${...} that may be tokens: passwords, and for token-style services
    (wecombot://KEY, slack://TA/TB/TC) the host and path segments."""
    parts = urlsplit(url)
    found = [parts.password or ""]
    if parts.scheme.lower() not in HOST_SCHEMES:
        netloc = parts.netloc.rsplit("@", 1)[-1]
        found += [parts.username or "", netloc, *parts.path.split("/")]
    return [p for p in found if len(p) >= 3 and not p.startswith("#")]


def channel_secrets(channel: Channel, env: Mapping[str, str]) -> list[str]:
    """Everything to mask for this channel: the values its placeholders stand for, and literal tokens."""
    literal = channel.url
    for name in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", literal):
        literal = literal.replace("${" + name + "}", "")
    return secret_values(channel.url, env) + _literal_secrets(literal)


def display_url(channel: Channel) -> str:
    """The URL as safe to show: placeholders stay placeholders; a literal URL shows its scheme only."""
    if "${" in channel.url:
        return channel.url
    scheme = urlsplit(channel.url).scheme or "?"
    return f"{scheme}://***"


def message_format(channel: Channel) -> str:
    """The body format this channel gets: its own `format`, else what its service displays best."""
    if channel.format != "auto":
        return channel.format
    scheme = urlsplit(channel.url).scheme.lower()
    if scheme in EMAIL_SCHEMES:
        return "html"
    return "markdown" if scheme in MARKDOWN_SCHEMES else "text"


def _with_format(url: str, fmt: str) -> str:
    # Apprise's global `format=` argument sets the plugin's own format (WxPusher contentType, WeCom msgtype)
    # so the body goes out as written instead of being converted.
    query = urlsplit(url).query
    if any(part.split("=", 1)[0] == "format" for part in query.split("&") if part):
        return url
    return f"{url}{'&' if '?' in url else '?'}format={fmt}"


def build(channel: Channel, env: Mapping[str, str]) -> apprise.Apprise:
    """An Apprise object for this channel, secrets filled in; ChannelError with a masked reason if unusable."""
    secrets = channel_secrets(channel, env)
    _FILTER.add(secrets)
    try:
        url = expand_env_refs(channel.url, env)
    except KeyError as exc:
        raise ChannelError(
            f"channel {channel.name!r}: ${{{exc.args[0]}}} is not set (environment or secrets file)"
        ) from None
    url = _with_format(url, message_format(channel))
    try:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=False)
    except Exception as exc:  # noqa: BLE001 - Apprise raises several types; the reason is what matters
        reason = mask_secrets(str(exc), secrets) or type(exc).__name__
        raise ChannelError(
            f"channel {channel.name!r}: Apprise cannot use the URL {display_url(channel)}: {reason}"
        ) from None
    if plugin is None:
        raise ChannelError(
            f"channel {channel.name!r}: Apprise does not recognise the URL {display_url(channel)} "
            "(unknown or disabled service; see the Apprise URL list)"
        )
    if channel.min_interval is not None:
        # Apprise paces each plugin instance (5.5 s between messages by default) to respect service limits.
        plugin.request_rate_per_sec = channel.min_interval
    app = apprise.Apprise()
    app.add(plugin)
    return app


def _failure_reason(result: object, secrets: Sequence[str]) -> str:
    lines = []
    try:
        for entry in result.logs():  # type: ignore[attr-defined]
            if entry.message not in lines:
                lines.append(entry.message)
    except Exception:  # noqa: BLE001 - older result objects carry no logs
        pass
    reason = "; ".join(lines[-3:]) or "the service did not accept the message"
    return mask_secrets(reason, list(secrets))


def _refused(channel: Channel, refusal: Refusal, secrets: Sequence[str]) -> ChannelResult:
    reason = mask_secrets(refusal.reason, list(secrets))
    return ChannelResult(
        channel.name, False, f"channel {channel.name!r}: refused by the address policy: {reason}", refusal.final
    )


def _named_host_refusal(channel: Channel, app: apprise.Apprise, rules: AddressRules) -> Refusal | None:
    if urlsplit(channel.url).scheme.lower() in EMAIL_SCHEMES:
        return None  # the operator's own SMTP relay: outside the address policy (see alerts.channel_addresses)
    for plugin in app:
        refusal = check_named_host(plugin, rules)
        if refusal is not None:
            return refusal
    return None


def send(
    channel: Channel,
    title: str,
    body: str,
    body_format: str = "text",
    env: Mapping[str, str] | None = None,
    attachments: Sequence[str] = (),
    dedup_key: str | None = None,
    app: apprise.Apprise | None = None,
    severity: str = "info",
    rules: AddressRules = STRICT,
) -> ChannelResult:
    """Send one message as Apprise's notification type for `severity` (info, warning, critical ->
    failure); never raises for delivery problems, returns ok or a masked error naming the channel.
    Every server the send reaches must pass the address policy under `rules` (the watchlist's
    allow_private_addresses / allow_private_hosts; by default public addresses only)."""
    values = dict(os.environ) if env is None else dict(env)
    secrets = channel_secrets(channel, values)
    try:
        app = app or build(channel, values)
    except ChannelError as exc:
        return ChannelResult(channel.name, False, str(exc))
    refusal = _named_host_refusal(channel, app, rules)
    if refusal is not None:
        return _refused(channel, refusal, secrets)
    if dedup_key:
        for plugin in app:
            # Email can carry the key in a header the receiver may use to drop a resent duplicate.
            headers = getattr(plugin, "headers", None)
            if isinstance(headers, dict):
                headers[DEDUP_HEADER] = dedup_key
    attach = None
    if attachments:
        missing = [a for a in attachments if not os.path.exists(a)]
        if missing:
            return ChannelResult(
                channel.name, False, f"channel {channel.name!r}: attachment not found: {missing[0]}"
            )
        attach = apprise.AppriseAttachment()
        for path in attachments:
            attach.add(path)
    with guarded(rules) as refusals:
        try:
            result = app.notify(
                body=body,
                title=title,
                body_format=body_format,
                attach=attach,
                notify_type=NOTIFY_TYPES.get(severity, apprise.NotifyType.INFO),
            )
        except Exception as exc:  # noqa: BLE001 - a plugin bug must not stop the dispatcher
            error = mask_secrets(f"{type(exc).__name__}: {exc}", secrets)
            return ChannelResult(channel.name, False, f"channel {channel.name!r}: {error}")
    if refusals:  # Apprise only logs "connection error": say which address the policy refused, and why
        return _refused(channel, refusals[-1], secrets)
    if bool(result):
        return ChannelResult(channel.name, True)
    return ChannelResult(channel.name, False, f"channel {channel.name!r}: {_failure_reason(result, secrets)}")
