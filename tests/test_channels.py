"""Channels over the real things: SMTP into aiosmtpd, and Slack/WeCom/ServerChan/WxPusher impersonated on 127.0.0.1."""

from __future__ import annotations

import logging

import pytest

from alerts.channel_addresses import AddressRules
from alerts.channels import DEDUP_HEADER, build, message_format, send
from alerts.dispatcher import send_test_messages
from monitor.config.alerting import Channel
from monitor.config.secrets import resolve_env
from monitor.demo.mailbox import LocalMailbox
from monitor.watchlist import load_watchlist_text

# The impersonated services listen on 127.0.0.1: the address policy lets alerts reach it only when allowed.
LOCAL = AddressRules(allow_hosts=("127.0.0.1",))


@pytest.fixture()
def mailbox(tmp_path):  # noqa: ANN001, ANN201
    with LocalMailbox(tmp_path / "mail") as box:
        yield box


def test_email_arrives_as_html_with_the_dedup_key_header(mailbox) -> None:  # noqa: ANN001
    channel = Channel(name="ops-mail", url=mailbox.apprise_url("ops@example.com"))
    assert message_format(channel) == "html"
    result = send(channel, "降价 · Widget", "<p>Widget <b>80.00</b></p>", "html", dedup_key="rw-r1-c7-x")
    assert result.ok and result.error is None
    [mail] = mailbox.messages()
    assert mail["Subject"] == "降价 · Widget" and mail["To"] == "ops@example.com"
    assert mail[DEDUP_HEADER] == "rw-r1-c7-x"
    html = mail.get_body(("html",)).get_content()
    assert "<b>80.00</b>" in html
    assert len(list(mailbox.folder.glob("*.eml"))) == 1


def test_impersonated_services_receive_the_exact_payloads(fake) -> None:  # noqa: ANN001
    env = {
        "SLACK": "T1ABC/B2DEF/C3GHIJ",
        "WECOM": "wecom-key-123",
        "SCHAN": "SCT98765abc",
        "WXP": "AT_secret123",
    }
    channels = [
        Channel(name="slack", url="slack://${SLACK}/#pricing?footer=no&image=no"),
        Channel(name="wecom", url="wecombot://${WECOM}"),
        Channel(name="schan", url="schan://${SCHAN}"),
        Channel(name="wxpusher", url="wxpusher://${WXP}/UID_ops1"),
    ]
    assert [message_format(c) for c in channels] == ["markdown", "text", "markdown", "markdown"]
    for c in channels:
        fmt = message_format(c)
        body = "**ShopA** Widget 100 → 80" if fmt == "markdown" else "ShopA Widget 100 → 80"
        assert send(c, "Price drop", body, fmt, env=env, rules=LOCAL).ok
    by_service = {r.service: r for r in fake.requests}
    slack = by_service["slack"]
    assert slack.path == "/slack/services/T1ABC/B2DEF/C3GHIJ"
    assert slack.payload == {
        "mrkdwn": True,
        "attachments": [{"title": "Price drop", "text": "*ShopA* Widget 100 → 80", "color": "#3AA3E3"}],
        "channel": "#pricing",
    }
    wecom = by_service["wecombot"]
    assert wecom.query == {"key": ["wecom-key-123"]}
    assert wecom.payload == {"msgtype": "text", "text": {"content": "Price drop\r\nShopA Widget 100 → 80"}}
    schan = by_service["schan"]
    assert schan.path == "/schan/SCT98765abc.send"
    assert schan.payload == {"title": "Price drop", "desp": "**ShopA** Widget 100 → 80"}
    assert by_service["wxpusher"].payload == {
        "appToken": "AT_secret123",
        "content": "**ShopA** Widget 100 → 80",
        "summary": "Price drop",
        "contentType": 3,
        "topicIds": [],
        "uids": ["UID_ops1"],
        "url": None,
    }


def test_a_bad_apprise_url_gives_a_clear_error_naming_the_channel() -> None:
    result = send(Channel(name="team-chat", url="wecombot://not a key!"), "t", "b")
    assert not result.ok
    assert result.error.startswith("channel 'team-chat': Apprise cannot use the URL wecombot://***")
    assert "not a key" not in result.error
    unknown = send(Channel(name="x", url="nosuchservice://${TOKEN}"), "t", "b", env={"TOKEN": "s3cr3t-value"})
    assert "channel 'x'" in unknown.error and "does not recognise" in unknown.error
    assert "s3cr3t-value" not in unknown.error
    missing = send(Channel(name="y", url="schan://${SCHAN_KEY}"), "t", "b", env={})
    assert missing.error == "channel 'y': ${SCHAN_KEY} is not set (environment or secrets file)"


def test_failures_are_masked_in_errors_and_in_apprise_logs(fake, caplog) -> None:  # noqa: ANN001
    fake.fail_next("wxpusher", 1)
    channel = Channel(name="wx", url="wxpusher://${WXP}/UID_ops1")
    with caplog.at_level(logging.DEBUG, logger="apprise"):
        result = send(channel, "t", "b", "markdown", env={"WXP": "AT_topsecret42"}, rules=LOCAL)
    assert not result.ok and result.error.startswith("channel 'wx': ")
    assert "AT_topsecret42" not in result.error
    assert caplog.records, "Apprise logged the failure"
    assert all("AT_topsecret42" not in r.getMessage() for r in caplog.records)
    assert any("***" in r.getMessage() for r in caplog.records)  # its debug payload line, masked


def test_secrets_file_fills_placeholders_and_environment_wins(tmp_path) -> None:  # noqa: ANN001
    secrets = tmp_path / "secrets.env"
    secrets.write_text("# tokens\nSCHAN_KEY=SCTfromfile1\nOTHER='x y'\n")
    assert resolve_env({"OTHER": "env"}, str(secrets)) == {"SCHAN_KEY": "SCTfromfile1", "OTHER": "env"}
    app = build(Channel(name="s", url="schan://${SCHAN_KEY}"), resolve_env({}, str(secrets)))
    assert len(app) == 1


def test_send_test_messages_reports_each_channel(mailbox, fake, tmp_path) -> None:  # noqa: ANN001
    secrets = tmp_path / "s.env"
    secrets.write_text("WECOM=key-abc\n")
    wl = load_watchlist_text(
        f"""
settings: {{secrets_file: "{secrets}", allow_private_hosts: [127.0.0.1]}}
channels:
  - {{name: mail, url: "{mailbox.apprise_url()}", locale: zh-CN}}
  - {{name: wecom, url: "wecombot://${{WECOM}}"}}
  - {{name: broken, url: "schan://${{MISSING_KEY}}"}}
"""
    )
    results = send_test_messages(wl, env={})
    assert [(r.channel, r.ok) for r in results] == [("mail", True), ("wecom", True), ("broken", False)]
    assert "MISSING_KEY" in results[2].error
    [mail] = mailbox.messages()
    assert mail["Subject"] == "rivalwatch 测试消息"
    assert "通道 mail 配置正确" in mail.get_body(("html",)).get_content()
    assert fake.accepted("wecombot")[0].payload["text"]["content"].startswith("rivalwatch test message")
