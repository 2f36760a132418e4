"""Terminal escapes from competitor pages: stripped from the stored page text, and never printed
by `preview` or `diff` (cursor moves that hide or forge lines, the window title, OSC 52 clipboard
writes)."""

from __future__ import annotations

from click.testing import CliRunner

from monitor.cli import main, page_commands
from spiders.extract.page import render_page_text

HOSTILE = (
    "<html><body><p>Price 19.99\x1b[1A\x1b[2K Price 9.99</p>"
    "<p>\x1b]0;pwned\x07title \x1b]52;c;cm0gLXJmIH4K\x07clip \x9b31m C1 \u202eevil\u202c</p>"
    "<p>tab\tstays</p></body></html>"
)


def _controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u202c"]


def test_stored_page_text_has_no_control_characters() -> None:
    text = render_page_text(HOSTILE, "https://rival.example/")
    assert _controls(text) == []
    assert "Price 19.99" in text and "tab" in text and "stays" in text


def test_preview_never_prints_them(tmp_path) -> None:  # noqa: ANN001
    page = tmp_path / "page.html"
    page.write_text(HOSTILE, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["preview", "--url", "https://rival.example/", "--html", str(page), "-c", str(tmp_path / "none.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "Price 19.99" in result.output
    assert _controls(result.output.replace("\t", " ")) == []


def test_diff_never_prints_them_even_from_rows_stored_before(capsys) -> None:  # noqa: ANN001
    page_commands._print_unified("--- a\n+++ b\n-Price 19.99\x1b[1A\x1b[2K\n+\x1b]52;c;cm0gLXJmIH4K\x07Price 9.99")
    out = capsys.readouterr().out
    assert "Price 9.99" in out and "\x1b" not in out and "\x07" not in out
