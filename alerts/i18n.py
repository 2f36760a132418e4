"""The words of alert messages in each supported locale (en, zh-CN)."""

from __future__ import annotations

from collections.abc import Mapping

KIND_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "price_down": "Price drop",
        "price_up": "Price rise",
        "out_of_stock": "Out of stock",
        "back_in_stock": "Back in stock",
        "product_gone": "Product gone",
        "product_returned": "Product back",
        "currency_changed": "Currency changed",
        "listing_item_added": "New item in listing",
        "listing_item_removed": "Item left listing",
        "listing_price_changed": "Listing price changed",
        "listing_item_moved": "Listing position moved",
        "listing_count_changed": "Listing size changed",
        "listing_count_shift": "Listing size changed",
        "rank_moved": "Rank moved",
        "entered_top_n": "Entered the top results",
        "left_top_n": "Left the top results",
        "new_domain_in_top": "New domain in the top results",
        "page_added": "New page",
        "page_removed": "Page removed",
        "title_changed": "Title changed",
        "meta_changed": "Meta tags changed",
        "content_changed": "Content changed",
        "trigger_text_appeared": "Trigger text appeared",
    },
    "zh-CN": {
        "price_down": "降价",
        "price_up": "涨价",
        "out_of_stock": "缺货",
        "back_in_stock": "恢复有货",
        "product_gone": "商品下架",
        "product_returned": "商品重新上架",
        "currency_changed": "币种变化",
        "listing_item_added": "列表新增商品",
        "listing_item_removed": "列表移除商品",
        "listing_price_changed": "列表价格变化",
        "listing_item_moved": "列表位置变化",
        "listing_count_changed": "列表数量变化",
        "listing_count_shift": "列表数量变化",
        "rank_moved": "排名变化",
        "entered_top_n": "进入前列",
        "left_top_n": "跌出前列",
        "new_domain_in_top": "新域名进入前列",
        "page_added": "新页面",
        "page_removed": "页面移除",
        "title_changed": "标题变化",
        "meta_changed": "元信息变化",
        "content_changed": "内容变化",
        "trigger_text_appeared": "出现触发文本",
    },
}

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
    labels = KIND_LABELS.get(locale, KIND_LABELS["en"])
    return labels.get(kind) or KIND_LABELS["en"].get(kind) or kind.replace("_", " ").capitalize()
