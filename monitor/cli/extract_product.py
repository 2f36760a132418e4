"""`rivalwatch extract product`: run the product extractor on saved pages and print JSON Lines.

    rivalwatch extract product [--url URL] [--explain] FILE...
    rivalwatch extract product --batch MANIFEST.jsonl     # lines {"file": ..., "url": ...}

One JSON object per file on stdout (file, name, price, currency, availability, sku, brand; price
as a decimal string; "missing": why each absent field is absent). `.html.gz` files are decompressed. A file that cannot be read gives a line
with an "error" key; the run goes on and the exit code is 1 at the end.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import click

from monitor.cli.manifest import read_manifest
from spiders.extract.product import extract_product
from spiders.extract.product_explain import explain_text


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data


def _jobs_from_manifest(manifest: Path) -> list[tuple[str, Path | None, str, str | None]]:
    """(shown name, path, url, error) per manifest line; bad lines become errors, not crashes."""
    jobs: list[tuple[str, Path | None, str, str | None]] = []
    for line in read_manifest(manifest):
        if line.file is None:
            jobs.append(
                (f"{manifest}:{line.number}", None, "", f"bad manifest line {line.number}: {line.error}")
            )
            continue
        path = Path(line.file)
        if not path.is_absolute():
            path = manifest.parent / path
        jobs.append((line.file, path, str(line.url or ""), None))
    return jobs


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", default="", help="URL the page(s) came from (helps currency and product matching).")
@click.option(
    "--batch",
    "manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON Lines manifest of {"file": ..., "url": ...}; files relative to the manifest.',
)
@click.option(
    "--explain",
    is_flag=True,
    help="Add the candidates of each field and why one won (readable text on stderr, data in the JSON line).",
)
def command(files: tuple[Path, ...], url: str, manifest: Path | None, explain: bool) -> None:
    """Extract name, price, currency, availability, SKU and brand from saved product pages."""
    if not files and manifest is None:
        raise click.UsageError("give one or more FILEs or --batch MANIFEST.jsonl")
    jobs: list[tuple[str, Path | None, str, str | None]] = [(str(f), f, url, None) for f in files]
    if manifest is not None:
        jobs.extend(_jobs_from_manifest(manifest))
    failed = 0
    for shown, path, page_url, error in jobs:
        out: dict[str, object] = {"file": shown}
        if error is None and path is not None:
            try:
                body = _read(path)
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                error = f"cannot read {path}: {exc}"
        if error is not None:
            failed += 1
            out["error"] = error
        else:
            record = extract_product(body, page_url, explain=explain)
            out.update(record.to_json())
            if record.reason:
                out["reason"] = record.reason
            elif record.missing:
                out["missing"] = record.missing  # why each absent field is absent
            if explain:
                out["sources"] = record.sources
                out["explain"] = record.explanation
        click.echo(json.dumps(out, ensure_ascii=False))
        if explain and error is None:

            # Stdout stays JSON Lines for scripts; people read the candidates on the terminal.
            click.echo(f"── {shown}\n{explain_text(record.explanation)}", err=True)
    sys.stdout.flush()
    if failed:
        raise SystemExit(1)
