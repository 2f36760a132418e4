"""`rivalwatch extract serp`: parse saved search result pages and print JSON Lines.

    rivalwatch extract serp --engine google page1.html page2.html
    rivalwatch extract serp --engine auto --url 'https://www.bing.com/search?q=x' saved.html

One JSON object per file: ``{"file", "engine", "kind", "organic": [{"rank", "url", "title",
"snippet"}], "ads": [...], "verticals": [{..., "block"}], "features": [...], "result_count_text",
"reason"}``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from spiders.extract.serp import ENGINES, parse_serp


@click.command()
@click.option(
    "--engine",
    "-e",
    type=click.Choice(["auto", *ENGINES], case_sensitive=False),
    default="auto",
    show_default=True,
    help="Engine that served the pages; 'auto' guesses from the page.",
)
@click.option("--url", default=None, help="URL the pages were fetched from (resolves relative links).")
@click.option("--top", type=int, default=None, help="Keep only the first N organic results.")
@click.option("--status", type=int, default=None, help="HTTP status the pages came with (403, 429: blocked).")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def command(engine: str, url: str | None, top: int | None, status: int | None, files: tuple[Path, ...]) -> None:
    """Parse saved result pages FILES and print one JSON object per file ('auto': each page's
    engine is told from its URL, its title and its layout)."""
    for path in files:
        page = parse_serp(path.read_bytes(), engine.lower(), url, status)
        record = page.to_json(str(path))
        if top is not None:
            record["organic"] = record["organic"][:top]
        click.echo(json.dumps(record, ensure_ascii=False))
