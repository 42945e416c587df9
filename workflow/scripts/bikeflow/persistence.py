"""Save fitted models with skops (not pickle) as byte-stable files; load only trusted types.

skops archives are not reproducible as written: array entries are named after Python
object ids (memory addresses), the same ids key shared objects in schema.json, and zip
entries carry the time of writing. `canonical_archive` renumbers the ids in order of first
appearance (identity is kept: one id, one number), sorts the entries and fixes their
timestamps, so the same model gives the same bytes and an unchanged model is never
committed as a change.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import skops.io

from bikeflow.atomic import atomic_path

SCHEMA_ENTRY = "schema.json"
ARRAY_FILE = re.compile(r"^(\d+)\.npy$")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class UntrustedModelError(RuntimeError):
    """The model file holds types that nobody declared safe to load."""


def save_model(model, path: str | Path) -> None:
    """Write `model` to `path` as a canonical skops archive, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(canonical_archive(skops.io.dumps(model)))


def load_model(path: str | Path, trusted: list[str]):
    """Load a skops model, refusing any type outside skops' defaults and `trusted`."""
    unknown = sorted(set(skops.io.get_untrusted_types(file=path)) - set(trusted))
    if unknown:
        raise UntrustedModelError(f"{path}: refusing to load untrusted types {unknown}")
    return skops.io.load(path, trusted=trusted)


def canonical_archive(archive: bytes) -> bytes:
    """The same skops archive with ids renumbered, entries sorted and timestamps fixed."""
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        schema = json.loads(source.read(SCHEMA_ENTRY))
        numbering: dict[int, int] = {}
        schema = _renumber(schema, numbering)
        entries = {SCHEMA_ENTRY: json.dumps(schema, indent=2).encode()}
        for name in source.namelist():
            match = ARRAY_FILE.match(name)
            if match:
                entries[f"{_number(int(match[1]), numbering)}.npy"] = source.read(name)
            elif name != SCHEMA_ENTRY:
                entries[name] = source.read(name)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name])
    return output.getvalue()


def _number(object_id: int, numbering: dict[int, int]) -> int:
    return numbering.setdefault(object_id, len(numbering) + 1)


def _renumber(node, numbering: dict[int, int]):
    """Walk schema.json in document order, replacing ids and the array files named by them."""
    if isinstance(node, list):
        return [_renumber(item, numbering) for item in node]
    if not isinstance(node, dict):
        return node
    renumbered = {}
    for key, value in node.items():
        if key == "__id__" and isinstance(value, int):
            renumbered[key] = _number(value, numbering)
        elif key == "file" and isinstance(value, str) and ARRAY_FILE.match(value):
            renumbered[key] = f"{_number(int(ARRAY_FILE.match(value)[1]), numbering)}.npy"
        else:
            renumbered[key] = _renumber(value, numbering)
    return renumbered
