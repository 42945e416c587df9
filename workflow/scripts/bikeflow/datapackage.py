"""Describe the tidy tables as a frictionless Tabular Data Package.

Each resource carries its Table Schema, byte count and sha256, so `frictionless validate
results/tables/datapackage.json` checks both the tables' content and their integrity.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def table_resource(
    name: str, csv_path: str | Path, schema: dict, package_dir: str | Path, description: str
) -> dict:
    """A tabular data resource for a CSV that lies in (or below) `package_dir`."""
    csv_path = Path(csv_path)
    content = csv_path.read_bytes()
    fields_only = {
        key: value for key, value in schema.items() if key not in ("title", "description")
    }
    return {
        "name": name,
        "title": schema.get("title", name),
        "description": description,
        "path": csv_path.relative_to(package_dir).as_posix(),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(content),
        "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
        "schema": fields_only,
    }


def data_package(
    name: str, title: str, description: str, sources: list[dict], resources: list[dict]
) -> dict:
    """The package descriptor. `sources` are {title, path} as the spec defines them."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "sources": sources,
        "resources": resources,
    }


def package_json(package: dict) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"
