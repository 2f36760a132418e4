"""The change kinds a keyword watch reports (detected by `monitor.kinds.keyword.ranks.compare`)."""

from __future__ import annotations

from monitor.changes.kinds import ChangeKind

POSITION_RULES = ("rank_moved", "entered_top_n", "left_top_n")

CHANGE_KINDS = (
    # Position rules read old and new positions from any position change: a move from #12 to #4 is a
    # rank_moved change that also entered the top 10.
    ChangeKind("rank_moved", "keyword", "Rank moved", "排名变化", POSITION_RULES, "keywords", "info"),
    ChangeKind(
        "entered_top_n", "keyword", "Entered the top results", "进入前列", POSITION_RULES[1:],
        "keywords", "info",
    ),
    ChangeKind(
        "left_top_n", "keyword", "Left the top results", "跌出前列", POSITION_RULES[1:], "keywords",
    ),
    ChangeKind(
        "new_domain_top10", "keyword", "New domain in the top 10", "新域名进入前 10", ("new_domain_in_top",),
        "new_domains", "info",
    ),
)
