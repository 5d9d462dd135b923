"""Reading one of the domain's data files (advisor/domain/data/*.yaml): a clear error instead of a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.errors import InputError


def read_catalogue(path: Path, key: str, what: str) -> dict[str, Any]:
    """The file's top-level mapping, which must hold a `key` mapping ("the GPU catalogue", "gpus")."""
    import yaml  # deferred: importing the catalogues must stay cheap

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's loader reads the catalogues ~10x faster
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{what} cannot be read: {exc}", str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise InputError(f"expected a mapping with a '{key}' mapping", str(path))
    return data
