"""The words of alert messages in each supported locale (en, zh-CN); change kinds label themselves.

`reason_text` words why a rule fired (monitor.rules.RuleReason) with the numbers it compared: our
price and the gap for undercut, the MAP for below_map, the threshold a move had to pass.
"""

from __future__ import annotations

from collections.abc import Mapping

from monitor.kinds import change_kind
from monitor.rules import RuleReason

LOCALES = ("en", "zh-CN")  # the locales of every table of words: alerts, the report, the dashboard

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "info": "info",
        "warning": "warning",
        "critical": "critical",
        "changes": "changes",
        "change": "change",
        "digest_title": "rivalwatch: {n} changes",
        "window_title": "rivalwatch {at} digest: {n} changes",
        "window_intro": "{n} changes from {start} to {end} ({tz}), grouped by competitor, most severe first.",
        "anomaly": "anomaly score",
        "open": "Open page",
        "rules": "rules",
        "why": "why",
        "why_head": "Why (rule)",
        "what": "What happened",
        "watch": "Product or page",
        "severity": "Severity",
        "also": "in the same check",
        "market": "Market",
        "more_items": "… and {n} more changes (the weekly report and `rivalwatch alerts log` have them all)",
        "more_lines": "… and {n} more lines",
        "key": "dedup key",
        "test_title": "rivalwatch test message",
        "test_body": "This is a test from rivalwatch: channel {channel} is set up correctly.",
        "competitor": "competitor",
        "sep": ": ",
        "places_up": "{n} places up",
        "place_up": "1 place up",
        "place_down": "1 place down",
        "places_down": "{n} places down",
        # why a rule fired
        "r_undercut": "{rule}: {new} is {gap} ({gap_pct}%) below our price {our_price}",
        "r_below_map": "{rule}: {new} is {gap} ({gap_pct}%) below the MAP {map_price}",
        "r_threshold_pct": "{rule}: a move of {threshold_pct}% or more",
        "r_threshold_abs": "{rule}: a move of {threshold_abs} or more",
        "r_below": "{rule}: crossed below {below}",
        "r_above": "{rule}: crossed above {above}",
        "r_min_positions": "{rule}: moved {min_positions} places or more",
        "r_top_n": "{rule}: the top {top_n}",
        "r_left_top_n": "{rule}: left the top {top_n}",
        "r_entered_top_n": "{rule}: entered the top {top_n}",
        "r_new_domain_in_top": "{rule}: a new domain in the top {top_n}",
        "r_min_anomaly": "{rule}: anomaly score {min_anomaly} or more",
        "r_plain": "{rule} ({when})",
    },
    "zh-CN": {
        "info": "提示",
        "warning": "警告",
        "critical": "严重",
        "changes": "项变化",
        "change": "变化",
        "digest_title": "rivalwatch：{n} 项变化",
        "window_title": "rivalwatch {at} 汇总：{n} 项变化",
        "window_intro": "{start} 至 {end}（{tz}）的 {n} 项变化，按竞争对手分组，严重的在前。",
        "anomaly": "异常分数",
        "open": "打开页面",
        "rules": "规则",
        "why": "原因",
        "why_head": "原因（规则）",
        "what": "变化",
        "watch": "商品或页面",
        "severity": "级别",
        "also": "同一次检查",
        "market": "市场",
        "more_items": "……另有 {n} 项变化（见周报或 `rivalwatch alerts log`）",
        "more_lines": "……另有 {n} 行",
        "key": "去重键",
        "test_title": "rivalwatch 测试消息",
        "test_body": "这是来自 rivalwatch 的测试消息：通道 {channel} 配置正确。",
        "competitor": "竞争对手",
        "sep": "：",
        "places_up": "上升 {n} 位",
        "places_down": "下降 {n} 位",
        "r_undercut": "{rule}：{new} 比我方价格 {our_price} 低 {gap}（{gap_pct}%）",
        "r_below_map": "{rule}：{new} 比最低广告价 {map_price} 低 {gap}（{gap_pct}%）",
        "r_threshold_pct": "{rule}：变动 {threshold_pct}% 及以上",
        "r_threshold_abs": "{rule}：变动 {threshold_abs} 及以上",
        "r_below": "{rule}：跌破 {below}",
        "r_above": "{rule}：突破 {above}",
        "r_min_positions": "{rule}：变动 {min_positions} 位及以上",
        "r_top_n": "{rule}：前 {top_n} 名",
        "r_left_top_n": "{rule}：跌出前 {top_n} 名",
        "r_entered_top_n": "{rule}：进入前 {top_n} 名",
        "r_new_domain_in_top": "{rule}：前 {top_n} 名出现新域名",
        "r_min_anomaly": "{rule}：异常分数 {min_anomaly} 及以上",
        "r_plain": "{rule}（{when}）",
    },
}

# Which context a rule's sentence is built on, first match wins (see monitor.rules.explain).
_REASONS = (
    ("our_price", "r_undercut"),
    ("map_price", "r_below_map"),
    ("below", "r_below"),
    ("above", "r_above"),
    ("threshold_pct", "r_threshold_pct"),
    ("threshold_abs", "r_threshold_abs"),
    ("min_positions", "r_min_positions"),
    ("top_n", "r_top_n"),
    ("min_anomaly", "r_min_anomaly"),
)


def words(locale: str) -> Mapping[str, str]:
    return WORDS.get(locale, WORDS["en"])


def kind_label(kind: str, locale: str) -> str:
    """A change kind as people read it (declared with the kind: monitor.kinds.CHANGE_KINDS)."""
    return change_kind(kind).label(locale)


def reason_text(reason: RuleReason, new: str | None, locale: str) -> str:
    """Why one rule fired, in the channel's language, with the numbers it used."""
    w = words(locale)
    ctx = dict(reason.context)
    currency = f" {ctx['currency']}" if ctx.get("currency") else ""
    for key in ("our_price", "map_price", "gap", "threshold_abs", "below", "above"):
        if key in ctx:
            ctx[key] += currency
    values = {"rule": reason.rule, "when": reason.when.replace("_", " "), "new": f"{new or '—'}{currency}", **ctx}
    for key, template in _REASONS:
        if key in ctx and (key not in ("our_price", "map_price") or "gap" in ctx):
            if key == "top_n" and f"r_{reason.when}" in w:  # entered / left / a new domain in the top N
                template = f"r_{reason.when}"
            return w[template].format(**values)
    return w["r_plain"].format(**values)


def places_text(n: int, locale: str) -> str:
    w = words(locale)
    key = ("place_up" if n > 0 else "place_down") if abs(n) == 1 and "place_up" in w else (
        "places_up" if n > 0 else "places_down"
    )
    return w[key].format(n=abs(n))
