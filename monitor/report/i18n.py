"""The report's words in each supported locale (en, zh-CN), and the number formats they use.

Change kinds reuse the alert labels (alerts.i18n) so a change is called the same in an alert and in
the report. Everything a renderer prints goes through `t(locale)` or the formatters here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from alerts.i18n import kind_label
from monitor.kinds import kinds_counted_as

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Weekly competitor report",
        "period": "Week {label}: {first} to {last} ({tz}), against {prev} onwards",
        "period_days": "{first} to {last} ({tz}), {days} days, against the {days} days before (from {prev})",
        "generated": "Generated {at}",
        "summary": "Executive summary",
        "no_movements": "No movements this week.",
        "competitor": "Competitor",
        "this_week": "this week",
        "last_week": "last week",
        "prices": "Prices",
        "products_priced": "Products with a price",
        "moves_up": "Price moves up",
        "moves_down": "Price moves down",
        "price_changes": "Price changes",
        "net_up": "Products priced higher than at the start",
        "net_down": "Products priced lower than at the start",
        "index_ours": "Price index vs our prices",
        "index_min": "Index vs market minimum",
        "index_median": "Index vs market median",
        "below_ours": "Products below our price",
        "biggest_moves": "Biggest moves (the largest of each product)",
        "product": "Product",
        "before": "Before",
        "after": "After",
        "change": "Change",
        "our_price": "Our price",
        "stock": "Stock",
        "stock_outs": "Stock-outs",
        "restocks": "Restocks",
        "out_now": "Out of stock at the end",
        "assortment": "Products and listings",
        "products_added": "Products added",
        "products_removed": "Products removed",
        "products_returned": "Products back",
        "listing_added": "Listing items added",
        "listing_removed": "Listing items removed",
        "keywords": "Keywords",
        "keyword": "Keyword",
        "engine": "Engine",
        "domain": "Domain",
        "position": "Position",
        "visibility": "Visibility",
        "share_of_voice": "Share of voice",
        "gained_top10": "Gained the top 10",
        "lost_top10": "Lost the top 10",
        "search": "Search: share of voice by domain",
        "new_domains": "New domains in the top 10",
        "site": "Site and pages",
        "pages_added": "Pages added",
        "pages_removed": "Pages removed",
        "titles_changed": "Titles changed",
        "descriptions_changed": "Descriptions changed",
        "content_changed": "Content changes",
        "anomalies": "Anomalies",
        "score": "Score",
        "explanation": "Why",
        "price_history": "Price history of the biggest movers, at every competitor selling them",
        "index_history": "Price index against ours (100 = our prices): weekly, then daily over the last two weeks",
        "indexed": "{product}: % of our price at each shop (100 = ours)",
        "ours": "our prices",
        "out_of_stock_mark": "out of stock",
        "baseline": "First week of watching {name} (since {since}): {n} products checked for the first time. "
        "They are the baseline, not additions; week-on-week figures start next week.",
        "places_up": "{n} places up",
        "place_up": "1 place up",
        "place_down": "1 place down",
        "places_down": "{n} places down",
        "rank_history": "Rank history of the main keywords",
        "events": "What happened",
        "when": "When",
        "severity": "Severity",
        "quiet": "Nothing moved at this competitor this week.",
        "more": "… and {n} more",
        "none": "—",
        "metric": "Metric",
        "info": "info",
        "warning": "warning",
        "critical": "critical",
        "digest_title": "rivalwatch weekly report {label}",
        "digest_full": "The full report is attached to the email edition.",
        "digest_files": "The full report (HTML, Markdown, CSV, JSON) is in {folder} on the rivalwatch server.",
        "sections": "Sections",
        "x": "×",
        "sep": ": ",
        "price_position": "Price position: our catalogue against the market",
        "position_as_of": "Prices in {currency}, as the matrix stood at {at}; changes: this period against the one before.",
        "position_products": "Our products",
        "position_offers": "Matched competitor offers",
        "position_compared": "Products compared",
        "position_cheapest": "We are the cheapest",
        "position_dearest": "We are the most expensive",
        "most_expensive": "Where we are the most expensive",
        "least_expensive": "Where we are the least expensive",
        "cheapest_competitor": "Cheapest competitor",
        "their_price": "Their price",
        "gap": "Gap",
        "gap_pct": "Gap %",
        "our_rank": "Our rank",
        "rank_of": "{rank} of {of}",
        "map_violations": "MAP violations by competitor",
        "below_map_now": "Below our MAP now",
        "reported_in_period": "Reported this period",
        "map_price": "Our MAP",
        "below_map": "Below MAP",
        "worst": "Furthest below",
        "matrix_changes": "Changes of the matrix",
        "none_below_map": "No competitor is below our MAP.",
    },
    "zh-CN": {
        "title": "竞争对手周报",
        "period": "{label} 周：{first} 至 {last}（{tz}），对比自 {prev} 起的上一周",
        "period_days": "{first} 至 {last}（{tz}），共 {days} 天，对比之前的 {days} 天（自 {prev} 起）",
        "generated": "生成于 {at}",
        "summary": "摘要",
        "no_movements": "本周没有变化。",
        "competitor": "竞争对手",
        "this_week": "本周",
        "last_week": "上周",
        "prices": "价格",
        "products_priced": "有价格的商品",
        "moves_up": "涨价次数",
        "moves_down": "降价次数",
        "price_changes": "价格变动次数",
        "net_up": "期末价格高于期初的商品",
        "net_down": "期末价格低于期初的商品",
        "index_ours": "相对我方价格指数",
        "index_min": "相对市场最低指数",
        "index_median": "相对市场中位数指数",
        "below_ours": "低于我方价格的商品",
        "biggest_moves": "最大变动（每个商品取最大一次）",
        "product": "商品",
        "before": "之前",
        "after": "之后",
        "change": "变化",
        "our_price": "我方价格",
        "stock": "库存",
        "stock_outs": "缺货",
        "restocks": "恢复有货",
        "out_now": "期末缺货商品",
        "assortment": "商品与列表",
        "products_added": "新增商品",
        "products_removed": "下架商品",
        "products_returned": "重新上架",
        "listing_added": "列表新增",
        "listing_removed": "列表移除",
        "keywords": "关键词",
        "keyword": "关键词",
        "engine": "搜索引擎",
        "domain": "域名",
        "position": "排名",
        "visibility": "可见度",
        "share_of_voice": "声量份额",
        "gained_top10": "进入前 10",
        "lost_top10": "跌出前 10",
        "search": "搜索：各域名声量份额",
        "new_domains": "前 10 新出现的域名",
        "site": "网站与页面",
        "pages_added": "新增页面",
        "pages_removed": "移除页面",
        "titles_changed": "标题变化",
        "descriptions_changed": "描述变化",
        "content_changed": "内容变化",
        "anomalies": "异常",
        "score": "分数",
        "explanation": "原因",
        "price_history": "主要变动商品在各竞争对手的价格走势",
        "index_history": "相对我方价格指数（100 = 我方价格）：按周，最近两周按日",
        "indexed": "{product}：各店价格占我方价格的百分比（100 = 我方）",
        "ours": "我方价格",
        "out_of_stock_mark": "缺货",
        "baseline": "这是监控 {name} 的第一周（自 {since} 起）：{n} 个商品首次检查，作为基线，不计为新增；"
        "周环比数字从下周开始。",
        "places_up": "上升 {n} 位",
        "places_down": "下降 {n} 位",
        "rank_history": "主要关键词的排名走势",
        "events": "事件",
        "when": "时间",
        "severity": "级别",
        "quiet": "本周该竞争对手没有变化。",
        "more": "……另有 {n} 项",
        "none": "—",
        "metric": "指标",
        "info": "提示",
        "warning": "警告",
        "critical": "严重",
        "digest_title": "rivalwatch 竞争对手周报 {label}",
        "digest_full": "完整报告见邮件附件。",
        "digest_files": "完整报告（HTML、Markdown、CSV、JSON）保存在 rivalwatch 服务器的 {folder}。",
        "sections": "栏目",
        "x": "×",
        "sep": "：",
        "price_position": "价格定位：我方商品对比市场",
        "position_as_of": "价格以 {currency} 计，取自 {at} 的价格矩阵；变化为本期对比上期。",
        "position_products": "我方商品",
        "position_offers": "已匹配的竞品报价",
        "position_compared": "参与比较的商品",
        "position_cheapest": "我方价格最低",
        "position_dearest": "我方价格最高",
        "most_expensive": "我方最贵的商品",
        "least_expensive": "我方最便宜的商品",
        "cheapest_competitor": "最低价竞品",
        "their_price": "对方价格",
        "gap": "差额",
        "gap_pct": "差幅",
        "our_rank": "我方排名",
        "rank_of": "{of} 家中第 {rank}",
        "map_violations": "各竞争对手低于最低广告价（MAP）",
        "below_map_now": "当前低于 MAP",
        "reported_in_period": "本期报告次数",
        "map_price": "我方 MAP",
        "below_map": "低于 MAP",
        "worst": "低得最多",
        "matrix_changes": "价格矩阵变化",
        "none_below_map": "没有竞争对手低于我方 MAP。",
    },
}

ARROWS = {"up": "▲", "down": "▼", "same": "=", "new": "★", "lost": "✕", "none": ""}


def t(locale: str) -> Mapping[str, str]:
    return WORDS.get(locale, WORDS["en"])


# Report lines that are not stored change kinds (a product's first appearance in the week).
REPORT_EVENTS = {"product_added": ("New product", "新增商品")}


def kind(name: str, locale: str) -> str:
    if name in REPORT_EVENTS:
        return REPORT_EVENTS[name][0 if locale == "en" else 1]
    return kind_label(name, locale)


def period_line(report, locale: str) -> str:  # noqa: ANN001  (model.Report)
    """The report's period in words: an ISO week, or a range of days."""
    days = (report.last_day - report.first_day).days + 1
    template = "period" if "W" in report.period_label else "period_days"
    return t(locale)[template].format(
        label=report.period_label, first=report.first_day, last=report.last_day, tz=report.timezone,
        prev=report.previous_first_day, days=days,
    )  # fmt: skip


def pct(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "—"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def number(value: float | int | Decimal | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def money(value: Decimal | float | None, currency: str | None = None) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(str(value)):,.2f}"
    return f"{text} {currency}" if currency else text


def rank(value: int | None) -> str:
    return "—" if value is None else f"#{value}"


def delta(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:+,d}" if value else "±0"
    return f"{value:+,.{digits}f}" if abs(value) >= 10**-digits / 2 else "±0"


def places(n: int | None, locale: str) -> str:
    """A rank move in places, never a percentage: "3 places up" / "上升 3 位"."""
    if n is None:
        return "—"
    w = t(locale)
    if abs(n) == 1 and "place_up" in w:
        return w["place_up" if n > 0 else "place_down"]
    return w["places_up" if n > 0 else "places_down"].format(n=abs(n))


def summary_text(line, locale: str) -> str:  # noqa: ANN001  (model.SummaryLine)
    """The summary line in the report's language: the builder's English sentence, else built from
    the same numbers."""
    if locale == "en":
        return line.text
    words = t(locale)
    who = f"{line.competitor}：" if line.competitor else ""
    text = f"{who}{kind(line.kind, locale)}"
    if line.count > 1:
        text += f" {words['x']}{line.count}"
        if line.places is not None:
            text += f"（最大变动 {places(line.places, locale)}，#{line.old} → #{line.new}：{line.subject}）"
        elif line.magnitude is not None:
            text += f"（中位 {pct(line.magnitude)}，最大 {pct(line.largest)}：{line.subject}）"
        return text
    text += f" {line.subject}"
    if line.old is not None or line.new is not None:
        text += f" {line.old or '—'} → {line.new or '—'}"
    if line.magnitude is not None and line.kind in kinds_counted_as("price_changes"):
        text += f"（{pct(line.magnitude)}）"
    elif line.places is not None:
        text += f"（{places(line.places, locale)}）"
    return text
