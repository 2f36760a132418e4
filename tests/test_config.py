"""The watchlist loader: valid files load; every kind of mistake names the file, line and field."""

from __future__ import annotations

import pytest

from monitor.config.secrets import expand_env_refs, mask_secrets, missing_env_refs, secret_values
from monitor.watchlist import ConfigError, load_watchlist, load_watchlist_text

GOOD = """
settings:
  default_interval: 6h
  user_agent: test-agent
competitors:
  - name: Alpha
    domains: [alpha.example.com]
    robots: ignore
products:
  - url: https://alpha.example.com/p/1
    selectors: {price: ".price-now", availability: "//span[@class='stock']"}
    our_price: 19.90
    interval: 30m
  - url: https://www.beta.example.org/item?id=2
    cron: "0 */4 * * *"
channels:
  - name: ops
    url: "mailto://user:${SMTP_PASS}@smtp.example.com"
rules:
  - name: drop
    when: price_drop
    threshold_pct: 5
    channels: [ops]
"""


def test_valid_watchlist_loads_with_types() -> None:
    wl = load_watchlist_text(GOOD, "w.yaml")
    assert wl.settings.default_interval == 6 * 3600
    assert wl.products[0].interval == 1800
    assert str(wl.products[0].our_price) == "19.9"
    assert wl.products[1].cron == "0 */4 * * *"
    assert wl.competitor_for(wl.products[0]) == "Alpha"
    # A host that matches no competitor is its own competitor.
    assert wl.competitor_for(wl.products[1]) == "www.beta.example.org"


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_watchlist_text(text, "w.yaml")
    return [str(p) for p in info.value.problems]


def test_unknown_key_names_file_line_and_field() -> None:
    problems = _problems("products:\n  - url: https://a.com/x\n    selecters: {price: .p}\n")
    assert problems == ['w.yaml:3: products[0].selecters: unknown key; did you mean "selectors"?']
    # Nothing close: the message says where the allowed keys are listed.
    problems = _problems("products:\n  - url: https://a.com/x\n    zzz: 1\n")
    assert problems == [
        "w.yaml:3: products[0].zzz: unknown key (`rivalwatch check --keys` lists the keys allowed here)"
    ]


def test_malformed_yaml_names_the_line() -> None:
    problems = _problems("products:\n  - url: https://a.com/x\n   bad: [unclosed\n")
    assert len(problems) == 1 and problems[0].startswith("w.yaml:3: malformed YAML")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://a.com/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://", "no host"),
        ("not a url", "only http and https"),
    ],
)
def test_bad_urls_are_rejected(url: str, message: str) -> None:
    problems = _problems(f"products:\n  - url: '{url}'\n")
    assert problems[0].startswith("w.yaml:2: products[0].url:") and message in problems[0]


def test_every_error_is_reported_not_only_the_first() -> None:
    problems = _problems(
        "settings:\n  concurrency_per_domain: 0\nproducts:\n  - url: https://a.com\n    interval: 5x\n"
    )
    assert any(p.startswith("w.yaml:2: settings.concurrency_per_domain") for p in problems)
    assert any(p.startswith("w.yaml:5: products[0].interval: not a duration") for p in problems)


def test_references_are_checked() -> None:
    problems = _problems("rules:\n  - name: r\n    when: price_drop\n    channels: [nope]\n")
    assert "unknown channel 'nope'" in problems[0]
    problems = _problems("products:\n  - url: https://a.com/1\n  - url: https://a.com/1\n")
    assert "watched twice" in problems[0]


def test_top_level_must_be_a_mapping_and_missing_file(tmp_path) -> None:  # noqa: ANN001
    assert "must be a mapping" in _problems("- a\n- b\n")[0]
    with pytest.raises(ConfigError, match="file not found"):
        load_watchlist(tmp_path / "nope.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"products: []\n# caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_watchlist(bad)


def test_env_references_are_filled_and_masked() -> None:
    url = "mailto://user:${SMTP_PASS}@smtp.example.com"
    assert missing_env_refs(url, {}) == ["SMTP_PASS"]
    env = {"SMTP_PASS": "s3cr3t-pw"}
    full = expand_env_refs(url, env)
    assert full == "mailto://user:s3cr3t-pw@smtp.example.com"
    assert mask_secrets(f"failed to send via {full}", secret_values(url, env)) == (
        "failed to send via mailto://user:***@smtp.example.com"
    )
    with pytest.raises(KeyError):
        expand_env_refs(url, {})


def test_secrets_are_masked_url_encoded_too() -> None:
    secret = "p@ss w/rd:ü&1"
    logged = (
        "POST https://user:p%40ss%20w%2Frd%3A%C3%BC%261@hooks.example/x "
        "body=token=p%40ss+w%2Frd%3A%C3%BC%261 lower=p%40ss%20w%2frd%3a%c3%bc%261 plain=p@ss w/rd:ü&1"
    )
    masked = mask_secrets(logged, [secret])
    assert masked == "POST https://user:***@hooks.example/x body=token=*** lower=*** plain=***"
