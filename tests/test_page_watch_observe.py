"""Page-content observations (pure): failures with reasons, ignore rules, triggers, filter edits, walls."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.kinds.page.observe import PageMemory, observe_page, remember_page
from spiders.extract.page_filter import PageFilter
from spiders.fetch import FetchedPage, FetchJob

NOW = datetime(2026, 1, 1, tzinfo=UTC)
JOB = FetchJob(watch_id=1, url="https://rival.example/pricing", kind="page")


def page(html: str, status: int = 200, ctype: str = "text/html") -> FetchedPage:
    return FetchedPage(
        job=JOB, url=JOB.url, status=status, body=html.encode(), headers={"content-type": ctype}
    )


def html(plans: str, banner: str = "Spring sale", visitors: int = 5) -> str:
    return (
        f"<html><body><div class='banner'>{banner}</div><main><h1>Plans</h1>{plans}"
        f"<p>{visitors} visitors online</p></main></body></html>"
    )


def check(memory: PageMemory, fetched: FetchedPage):  # noqa: ANN201
    outcome = observe_page(fetched, memory, NOW)
    remember_page(memory, outcome)
    return outcome


def test_only_ignored_text_changing_is_no_change_and_real_edits_are_diffed() -> None:
    f = PageFilter(css="main", ignore=["/\\d+ visitors online/"], trigger=["Enterprise"])
    memory = PageMemory(1, "pricing", 3600, page_filter=f)
    first = check(memory, page(html("<p>Basic 10 EUR</p>", visitors=5)))
    assert first.status == "ok" and first.changes == [] and "Basic 10 EUR" in first.value.text
    same = check(memory, page(html("<p>Basic 10 EUR</p>", banner="Other banner", visitors=93)))
    assert same.status == "ok" and same.changes == []
    moved = check(memory, page(html("<p>Basic 12 EUR</p><p>Enterprise on request</p>")))
    kinds = [c.kind for c in moved.changes]
    assert kinds == ["content_changed", "trigger_text_appeared"]
    details = moved.changes[0].details
    assert details["added_lines"] == ["Basic 12 EUR", "Enterprise on request"]
    assert details["removed_lines"] == ["Basic 10 EUR"]
    assert "-Basic 10 EUR" in moved.value.diff and "+Basic 12 EUR" in moved.value.diff
    again = check(memory, page(html("<p>Basic 12 EUR</p><p>Enterprise on request</p>")))
    assert again.unchanged and again.changes == []  # same bytes: nothing to do


def test_errors_are_failed_outcomes_and_keep_the_baseline() -> None:
    memory = PageMemory(1, "pricing", 3600, page_filter=PageFilter(css="main"))
    check(memory, page(html("<p>Basic 10 EUR</p>")))
    baseline = memory.last_text
    cases = {
        "HTTP 500": page("<h1>oops</h1>", status=500),
        "HTTP 404": page("nope", status=404),
        "empty page": page(""),
        "blocked: challenge page": page("<html><head><title>Just a moment...</title></head></html>"),
        "filter matched nothing": page("<html><body><div>redesigned</div></body></html>"),
        "not a text page": page("\x89PNG", ctype="image/png"),
        "login wall": page(
            "<html><body><main><h1>Sign in</h1><form><input type='password'></form></main></body></html>"
        ),
    }
    for reason, fetched in cases.items():
        outcome = check(memory, fetched)
        assert outcome.status == "failed" and reason in outcome.reason and outcome.changes == [], reason
    assert memory.last_text == baseline and memory.consecutive_failures == len(cases)
    error = check(memory, FetchedPage(job=JOB, url=JOB.url, error="timed out"))
    assert error.reason == "timed out"
    back = check(memory, page(html("<p>Basic 10 EUR</p>", banner="Summer")))
    assert back.status == "ok" and back.changes == []


def test_editing_the_filters_rebaselines_instead_of_reporting_a_change() -> None:
    memory = PageMemory(1, "pricing", 3600, page_filter=PageFilter(css="main"))
    check(memory, page(html("<p>Basic 10 EUR</p>")))
    memory.page_filter = PageFilter(css="h1")
    outcome = check(memory, page(html("<p>Basic 10 EUR</p>")))
    assert outcome.status == "ok" and outcome.changes == [] and outcome.value.text == "Plans"


def test_text_nested_past_the_parser_limit_is_a_failed_check_with_a_reason() -> None:
    deep = "<html><body><p>Plans</p>" + "<div>" * 300 + "Pro 49.99" + "</div>" * 300 + "<p>after</p></body></html>"
    outcome = check(PageMemory(1, "pricing", 3600), page(deep))
    assert outcome.status == "failed"
    assert outcome.reason and "nests elements more than 255 deep" in outcome.reason
    shallow = check(PageMemory(1, "pricing", 3600), page(html("<p>Pro 49.99</p>")))
    assert shallow.status == "ok"
