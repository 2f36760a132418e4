"""`rivalwatch anomaly`: run the anomaly models on files (evaluation and inspection)."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from monitor.anomaly import ScorerConfig, score_matrix


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
        values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
        # A missing value is carried forward so that it neither alarms nor breaks the window.
        values = pd.Series(values).ffill().fillna(0.0).to_numpy()
        scores = score_matrix(values[None, :], config)[0] if len(values) else np.empty(0)
        target = out_dir / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(
            {"timestamp": frame["timestamp"], "value": frame["value"], "anomaly_score": np.round(scores, 6)}
        ).to_csv(target, index=False)
        written.append(target)
    return written


@group.command("nab")
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def nab(data_dir: Path, out_dir: Path) -> None:
    """Score every DATA_DIR/<group>/<name>.csv (NAB layout) into OUT_DIR/<group>/<name>.csv.

    One fixed configuration for all files; each score uses only the rows before it.
    """
    written = score_nab_tree(data_dir, out_dir)
    if not written:
        raise click.ClickException(f"{data_dir}: no <group>/<name>.csv files")
    click.echo(f"scored {len(written)} file(s) into {out_dir}")
