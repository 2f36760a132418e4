"""`rivalwatch anomaly`: run the anomaly models on files (evaluation and inspection)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
import numpy as np
import pandas as pd
from rich.table import Table

from monitor.anomaly import ScorerConfig, score_matrix
from monitor.anomaly_scan import scan_store
from monitor.cli.common import console, load_or_exit, open_store_or_exit


@click.group()
def group() -> None:
    """Anomaly models: score series and evaluate the detector."""


def score_nab_tree(data_dir: Path, out_dir: Path, config: ScorerConfig | None = None) -> list[Path]:
    """Scores every DATA_DIR/<group>/<name>.csv (timestamp,value) into OUT_DIR/<group>/<name>.csv."""
    config = config or ScorerConfig.nab()
    written = []
    for source in sorted(data_dir.glob("*/*.csv")):
        frame = pd.read_csv(source)
        if not {"timestamp", "value"} <= set(frame.columns):
            raise click.ClickException(f"{source}: needs the columns timestamp,value")
        values = pd.Series(pd.to_numeric(frame["value"], errors="coerce"), dtype=float).to_numpy()
        # A missing value is carried forward so that it neither alarms nor breaks the window.
        values = pd.Series(values).ffill().fillna(0.0).to_numpy()
        scores = score_matrix(values[None, :], config)[0] if len(values) else np.empty(0)
        # No score yet (the first points) is written as 0: NAB's tools expect a number on every row.
        scores = np.nan_to_num(scores, nan=0.0)
        target = out_dir / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(
            {"timestamp": frame["timestamp"], "value": frame["value"], "anomaly_score": np.round(scores, 12)}
        ).to_csv(target, index=False)
        written.append(target)
    return written


@group.command("nab")
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def nab(data_dir: Path, out_dir: Path) -> None:
    """Score every DATA_DIR/<group>/<name>.csv (NAB layout) into OUT_DIR/<group>/<name>.csv.

    One fixed configuration for all files (ScorerConfig.nab(): how far each value lies from every
    value of the file's last 8,640 rows, in units of their range); each score uses only the rows
    before it. The first rows, without enough history for a score, are written as 0.
    """
    written = score_nab_tree(data_dir, out_dir)
    if not written:
        raise click.ClickException(f"{data_dir}: no <group>/<name>.csv files")
    click.echo(f"scored {len(written)} file(s) into {out_dir}")


@group.command("scan")
@click.option(
    "--config",
    "-c",
    "config_path",
    default="watchlist.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The watchlist YAML file (for the store's location).",
)
@click.option("--days", default=90, show_default=True, help="History to score, in days.")
@click.option("--last", "last_days", default=7, show_default=True, help="Flag points of the last N days.")
@click.option("--min-score", default=0.8, show_default=True, help="Flag points scoring at least this.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines instead of a table.")
def scan(config_path: str, days: int, last_days: int, min_score: float, as_json: bool) -> None:
    """Score the store's series (price level vs ours, change rate, competitor activity, listing sizes,
    keyword ranks) and list the points that stand out."""



    watchlist = load_or_exit(config_path) if Path(config_path).exists() else None
    _engine, factory = open_store_or_exit(watchlist)
    with factory() as session:
        flags = scan_store(
            session, datetime.now(UTC), history_days=days, last_days=last_days, min_score=min_score
        )
    if as_json:
        for f in flags:
            click.echo(
                json.dumps(
                    {
                        "series": f.series,
                        "label": f.label,
                        "day": f.day.isoformat(),
                        "value": f.value,
                        "score": f.score,
                        "explanation": f.explanation,
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table(title=f"{len(flags)} points scoring >= {min_score} in the last {last_days} days")
    for col in ("score", "day", "series", "what", "why"):
        table.add_column(col, overflow="fold")
    for f in flags:
        table.add_row(f"{f.score:.2f}", f.day.isoformat(), f.series, f.label, f.explanation)
    console.print(table)
