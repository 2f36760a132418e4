"""The words of alert messages in each supported locale (en, zh-CN); change kinds label themselves."""

from __future__ import annotations

from collections.abc import Mapping

from monitor.kinds import change_kind

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "info": "info",
        "warning": "warning",
        "critical": "critical",
        "changes": "changes",
        "change": "change",
        "digest_title": "rivalwatch: {n} changes",
        "anomaly": "anomaly score",
        "open": "Open page",
        "rules": "rules",
        "key": "dedup key",
        "test_title": "rivalwatch test message",
        "test_body": "This is a test from rivalwatch: channel {channel} is set up correctly.",
        "competitor": "competitor",
        "sep": ": ",
    },
    "zh-CN": {
        "info": "提示",
        "warning": "警告",
        "critical": "严重",
        "changes": "项变化",
        "change": "变化",
        "digest_title": "rivalwatch：{n} 项变化",
        "anomaly": "异常分数",
        "open": "打开页面",
        "rules": "规则",
        "key": "去重键",
        "test_title": "rivalwatch 测试消息",
        "test_body": "这是来自 rivalwatch 的测试消息：通道 {channel} 配置正确。",
        "competitor": "竞争对手",
        "sep": "：",
    },
}


def words(locale: str) -> Mapping[str, str]:
    return WORDS.get(locale, WORDS["en"])


def kind_label(kind: str, locale: str) -> str:
    """A change kind as people read it (declared with the kind: monitor.kinds.CHANGE_KINDS)."""
    return change_kind(kind).label(locale)
