"""Chromium's command line for browser watches: its own background requests ("call home") kept off.

Chromium talks to Google services on its own: autofill's field-type server (a page with a form),
optimization hints, safe browsing lists, component and certificate-transparency updates, network time,
translate, media router discovery, domain reliability reports. Those come from the browser's own
network context, not the page's, so the context's policy proxy (spiders.browser_proxy) never sees
them: they would leave from the server's address beside the address policy. So (1) the features and
switches that make them are turned off here, and (2) the browser as a whole is given a proxy that
refuses everything (`browser_proxy.proxy_url(refuse_all=True)`), so whatever is left is refused and
logged rather than sent; every crawl context has its own policy proxy, which overrides it.

The trap: Chromium keeps only the LAST `--disable-features` switch, and Playwright passes its own list
before ours. So our switch is the union of Playwright's list (read from the installed Playwright,
whose list changes between releases) and ours; passed last, it is the one Chromium uses.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

# Switches with the same purpose (Playwright passes some of them too; repeating a plain switch is harmless).
CALL_HOME_SWITCHES = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--safebrowsing-disable-auto-update",
    "--disable-sync",
    "--no-pings",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
)

# How Chromium is started for browser watches and the report's screenshots; a browser crawl adds the
# merged --disable-features (`with_call_home_off`) and the refuse-all proxy (spiders.crawl_settings).
LAUNCH_OPTIONS: dict[str, Any] = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        # WebRTC's UDP would leave beside the policy proxy (spiders.browser_proxy).
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        *CALL_HOME_SWITCHES,
    ],
}

# Features behind Chromium's own requests, each with the service it calls.
CALL_HOME_FEATURES = (
    "AutofillServerCommunication",  # content-autofill.googleapis.com: field types of any page with a form
    "OptimizationHints",  # optimizationguide-pa.googleapis.com
    "OptimizationHintsFetching",
    "OptimizationGuideModelDownloading",
    "OptimizationTargetPrediction",
    "MediaRouter",  # Cast discovery (mDNS/SSDP on the local network)
    "DialMediaRouteProvider",
    "CertificateTransparencyComponentUpdater",  # component updates
    "NetworkTimeServiceQuerying",  # clients2.google.com/time
    "Translate",  # translate.googleapis.com
    "InterestFeedContentSuggestions",
    "PrivacySandboxSettings4",
    "SafeBrowsingDelayedWarnings",
)

# Playwright 1.65's list, used only when the installed Playwright's cannot be read.
_PLAYWRIGHT_FEATURES_FALLBACK = (
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin",
    "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch",
    "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
)
_LIST = re.compile(r"disabledFeatures\s*=\s*\[(.*?)\]", re.S)


def _playwright_sources() -> list[Path]:
    import playwright  # noqa: PLC0415 - only a browser crawl needs it

    lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    return [lib / "coreBundle.js", lib / "server" / "chromium" / "chromiumSwitches.js"]


@functools.cache
def playwright_disabled_features() -> tuple[str, ...]:
    """The features the installed Playwright turns off in its own --disable-features switch."""
    for path in _playwright_sources():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        found = _LIST.search(text)
        if found:
            code = re.sub(r"//[^\n]*", "", found.group(1))  # comments may quote things
            names = tuple(re.findall(r"[\"']([A-Za-z0-9_]+)[\"']", code))
            if names:
                return names
    return _PLAYWRIGHT_FEATURES_FALLBACK


def with_call_home_off(args: list[str]) -> list[str]:
    """`args` with the call-home switches added and every --disable-features merged into one, last."""
    features = [a.split("=", 1)[1] for a in args if a.startswith("--disable-features=")]
    kept = [a for a in args if not a.startswith("--disable-features=")]
    merged = dict.fromkeys(
        [*playwright_disabled_features(), *(f for group in features for f in group.split(",") if f), *CALL_HOME_FEATURES]
    )
    switches = [s for s in CALL_HOME_SWITCHES if s not in kept]
    return [*kept, *switches, "--disable-features=" + ",".join(merged)]
