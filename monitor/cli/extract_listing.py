"""`rivalwatch extract listing`: run the listing extractor on saved pages, print JSON Lines.

    rivalwatch extract listing --url 'https://shop.example/search?q=lamp' page.html
    rivalwatch extract listing --batch manifest.jsonl     # lines {"file": ..., "url": ...}

One line per file: `{"file", "items": [{"position", "url", "title", "price"}], "next_page_url",
"reason"}` with absolute item URLs and the price as a decimal string (or null). Without a URL the
page's own `<base>`, canonical link or `og:url` is used to make links absolute.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.manifest import read_manifest
from spiders.extract.listing import extract_listing
from spiders.extract.listing_html import parse_html


def _declared_url(body: bytes) -> str | None:
    root = parse_html(body)
    for xpath in ("//base/@href", "//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = [v.strip() for v in root.xpath(xpath) if v.strip().startswith(("http://", "https://"))]
        if found:
            return found[0]
    return None


def _record(path: Path, url: str | None) -> dict:
    body = path.read_bytes()
    base = url or _declared_url(body)
    if base is None:
        return {
            "file": str(path),
            "items": [],
            "error": "no --url given and the page declares no canonical URL",
        }
    page = extract_listing(body, base)
    return {
        "file": str(path),
        "items": [
            {
                "position": item.position,
                "url": item.url,
                "title": item.title,
                "price": str(item.price) if item.price is not None else None,
            }
            for item in page.items
        ],
        "next_page_url": page.next_page_url,
        "reason": page.reason,
    }


def _manifest(path: Path) -> list[tuple[Path, str | None]]:
    jobs = []
    for line in read_manifest(path):
        if line.file is None:
            raise click.ClickException(
                f'{path}:{line.number}: expected {{"file": ..., "url": ...}} ({line.error})'
            )
        file = Path(line.file)
        if not file.is_absolute() and not file.exists():
            file = path.parent / file
        jobs.append((file, line.url))
    return jobs


@click.command()
@click.option("--url", help="The page's URL, to make item links absolute (all FILEs).")
@click.option(
    "--batch",
    "manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON Lines manifest: {"file": ..., "url": ...} per line.',
)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def command(url: str | None, manifest: Path | None, files: tuple[Path, ...]) -> None:
    """Extract the product cards of saved listing pages as JSON Lines."""
    jobs = [(f, url) for f in files]
    if manifest is not None:
        jobs += _manifest(manifest)
    if not jobs:
        raise click.UsageError("give FILE arguments or --batch MANIFEST.jsonl")
    failed = 0
    for file, page_url in jobs:
        if not file.is_file():
            click.echo(
                json.dumps({"file": str(file), "items": [], "error": "file not found"}, ensure_ascii=False)
            )
            failed += 1
            continue
        record = _record(file, page_url)
        failed += "error" in record
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        raise SystemExit(1)
