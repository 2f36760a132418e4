"""`rivalwatch check`: a valid watchlist is printed; bad selectors, bad Apprise URLs and missing secrets are
errors that name the place, and the exit code says so."""

from __future__ import annotations

from click.testing import CliRunner

from monitor.cli import main

GOOD = """
products:
  - url: https://shop.example.com/p/1
    selectors: {price: ".price-now", availability: "//span[@class='stock']"}
channels:
  - name: hook
    url: "json://127.0.0.1:9/hook"
"""


def _check(tmp_path, text: str, env: dict[str, str] | None = None):  # noqa: ANN001, ANN202
    path = tmp_path / "watchlist.yaml"
    path.write_text(text)
    return CliRunner().invoke(main, ["check", str(path)], env=env or {}), str(path)


def test_valid_watchlist_is_printed(tmp_path) -> None:  # noqa: ANN001
    result, _ = _check(tmp_path, GOOD)
    assert result.exit_code == 0, result.output
    assert "1 product watches" in result.output and "watchlist OK" in result.output


def test_bad_selector_names_line_and_field(tmp_path) -> None:  # noqa: ANN001
    result, path = _check(tmp_path, GOOD.replace('".price-now"', '".price["'))
    assert result.exit_code == 2
    assert f"{path}:4: products[0].selectors: price: invalid selector '.price['" in result.output


def test_bad_apprise_url_and_missing_secret_are_reported_per_channel(tmp_path) -> None:  # noqa: ANN001
    text = GOOD + '  - name: broken\n    url: "nosuchscheme://abc"\n  - name: mail\n    url: "mailto://u:${SMTP_PW}@x.com"\n'
    result, path = _check(tmp_path, text)
    assert result.exit_code == 2
    # Each at the line of its channel's url, like every other problem.
    assert f"{path}:9: channels[1].url:" in result.output and "nosuchscheme" in result.output
    assert "environment variable SMTP_PW is not set (channel 'mail')" in result.output
    assert f"{path}:11: channels[2].url: environment variable SMTP_PW" in result.output
    result, _ = _check(tmp_path, text.replace("nosuchscheme://abc", "json://127.0.0.1:9/x"), env={"SMTP_PW": "pw"})
    assert result.exit_code == 0, result.output


def test_channel_to_a_private_address_is_a_warning_at_its_line(tmp_path) -> None:  # noqa: ANN001
    """A valid URL whose server the alert guard refuses at send time (loopback, private, a local name)
    is a warning, not an error: the watchlist runs, but no alert would leave through that channel."""
    text = GOOD + '  - name: lan\n    url: "json://192.168.1.20/hook"\n  - name: public\n    url: "json://alerts.example.com/x"\n'
    result, path = _check(tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "watchlist OK" in result.output
    assert f"warning {path}:7: channels[0].url: channel 'hook': no alert will be sent: 127.0.0.1 is not a public" in (
        result.output
    )
    assert f"warning {path}:9: channels[1].url: channel 'lan'" in result.output
    assert result.output.count("no alert will be sent") == 2  # a named host is not resolved by check


def test_allowed_private_hosts_are_not_warned_about(tmp_path) -> None:  # noqa: ANN001
    text = "settings:\n  allow_private_hosts: [127.0.0.1]\n" + GOOD
    result, _ = _check(tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "no alert will be sent" not in result.output
