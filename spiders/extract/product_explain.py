"""A product record's explanation as text a person reads: per field, the winner, why, and the rest.

`extract_product(..., explain=True)` keeps every candidate; this renders them for
`rivalwatch extract product --explain` as lines like

    price         29 TWD            shop-json  5.0  Facebook pixel ViewContent, shown on the page
                  won: the only candidate
"""

from __future__ import annotations

from typing import Any

from spiders.extract.product_candidates import FIELDS


def why_won(winner: dict[str, Any] | None, candidates: list[dict[str, Any]]) -> str:
    """Why the winner of a field won, in words ("" when nothing was proposed)."""
    if winner is None:
        return ""
    others = [c for c in candidates if c is not winner and c != winner]
    if not others:
        return "the only candidate"
    runner = max(others, key=lambda c: c["score"])
    if runner["value"] == winner["value"]:
        return f"highest score; {runner['source']} says the same"
    if runner["score"] == winner["score"]:
        return f"tie with {runner['source']} ({runner['value']}) at {winner['score']}: proposed first"
    return f"score {winner['score']} beats {runner['source']} {runner['value']!s} at {runner['score']}"


def explain_text(explanation: dict[str, Any] | None, width: int = 30) -> str:
    """Readable lines for an explanation dict (see ProductRecord.explanation); "" when None."""
    if not explanation:
        return ""
    lines: list[str] = []
    for field in FIELDS:
        entry = explanation.get(field) or {}
        winner = entry.get("winner")
        candidates = entry.get("candidates") or []
        if winner is None:
            lines.append(f"{field:<13} -")
            continue
        for index, cand in enumerate(candidates):
            value = str(cand["value"])
            if cand.get("currency"):
                value += f" {cand['currency']}"
            value = value if len(value) <= width else value[: width - 1] + "…"
            label = field if index == 0 else ""
            mark = "*" if cand == winner else " "
            lines.append(
                f"{label:<13}{mark} {value:<{width}} {cand['source']:<10} {cand['score']:>5}  {cand['detail']}".rstrip()
            )
        lines.append(f"{'':<13}  won: {why_won(winner, candidates)}")
    return "\n".join(lines)
