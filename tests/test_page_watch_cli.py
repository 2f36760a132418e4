"""`rivalwatch diff` and `rivalwatch preview` against the demo market and a stored history."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from monitor.cli import main


def test_preview_then_diff(market, tmp_path) -> None:  # noqa: ANN001
    base = market.base_urls["alpha"]
    config = tmp_path / "watch.yaml"
    data = {
        "settings": {"allow_private_addresses": True, "database_url": f"sqlite:///{tmp_path / 'rw.db'}"},
        "sites": [{"url": base + "/", "label": "alpha site"}],
        "pages": [
            {
                "url": base + "/blog/",
                "label": "alpha blog",
                "css": "main.blog",
                "ignore": ["/\\d{4}-\\d\\d-\\d\\d/"],
            }
        ],
    }
    config.write_text(yaml.safe_dump(data))
    runner = CliRunner()
    market.set_day(0)
    before = runner.invoke(main, ["preview", "alpha blog", "-c", str(config)])
    assert before.exit_code == 0, before.output
    first_post = market.blog_truth("alpha", 0)[0]
    assert first_post.title in before.output and "ignored when comparing" in before.output
    # Command-line filters replace the watch's own; a filter that matches nothing says a check would fail.
    nothing = runner.invoke(main, ["preview", "alpha blog", "-c", str(config), "--css", "#nope"])
    assert nothing.exit_code == 1 and "filter matched nothing" in nothing.output
    bad = runner.invoke(main, ["preview", "--url", base + "/", "--xpath", "//a[", "-c", str(config)])
    assert bad.exit_code == 2 and "bad XPath" in bad.output
    day = next(p.day for p in reversed(market.blog_truth("alpha", 20)) if p.day > 0)
    for d in (0, day):
        market.set_day(d)
        result = runner.invoke(main, ["run", "--all", "--no-alerts", "-c", str(config)])
        assert result.exit_code == 0, result.output
    shown = runner.invoke(main, ["diff", "alpha blog", "-c", str(config)])
    new_post = market.blog_truth("alpha", day)[0]
    assert shown.exit_code == 0 and f"+{new_post.title}" in shown.output
    site = runner.invoke(main, ["diff", base + "/", "-c", str(config)])
    assert site.exit_code == 0 and "new post" in site.output and new_post.path in site.output
    missing = runner.invoke(main, ["diff", "no such watch", "-c", str(config)])
    assert missing.exit_code == 2
