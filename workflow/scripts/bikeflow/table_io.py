"""Write a table as CSV (for people and frictionless) and Parquet (for code), byte-stable.

Unchanged data must give byte-identical files, or every scheduled run would commit
noise: fixed column order, fixed float rendering, no index, Unix newlines, and Parquet
written by pyarrow without timestamps of its own.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bikeflow.atomic import atomic_open, atomic_path


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table written by write_table back, from its Parquet copy."""
    return pd.read_parquet(path)


def write_table(table: pd.DataFrame, csv_path: str | Path, parquet_path: str | Path) -> None:
    """Write `table` to both formats, each atomically."""
    with atomic_open(csv_path, "w", encoding="utf-8", newline="") as handle:
        table.to_csv(handle, index=False, lineterminator="\n", date_format="%Y-%m-%dT%H:%M:%S")
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    with atomic_path(parquet_path) as tmp:
        pq.write_table(arrow, tmp, compression="zstd")
