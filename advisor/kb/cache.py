"""A cache of the validated knowledge base, so that `advisor answer` starts fast.

Parsing ~2,000 lines of YAML and validating every rule against its JSON Schema takes most of a cold start.
Once a rules directory has passed, its plain data is stored as JSON under the user's cache directory, keyed by
the SHA-256 of every rule file, the advisor version and the rule schema. A later run with the same files
rebuilds the objects from that JSON through pydantic (every field is still type-checked) and re-checks all
cross-references; only the YAML parse and the JSON Schema pass are skipped. Any change to a rule file
misses the cache. Set ADVISOR_NO_CACHE=1 to disable it; a cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from advisor import __version__

SCHEMA_FILE = Path(__file__).parent / "schemas" / "rules.schema.json"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "advisor"


def _key(rules_dir: str, fingerprint: tuple) -> str:
    h = hashlib.sha256()
    h.update(f"{__version__}\n{rules_dir}\n".encode())
    h.update(SCHEMA_FILE.read_bytes())
    for name, digest in fingerprint:
        h.update(f"{name}:{digest}\n".encode())
    return h.hexdigest()[:32]


def _enabled() -> bool:
    return not os.environ.get("ADVISOR_NO_CACHE")


def read(rules_dir: str, fingerprint: tuple) -> dict[str, Any] | None:
    if not _enabled():
        return None
    path = cache_dir() / f"kb-{_key(rules_dir, fingerprint)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and {"facts", "sources", "seed_items", "rules"} <= set(data) else None


def write(rules_dir: str, fingerprint: tuple, data: dict[str, Any]) -> None:
    if not _enabled():
        return
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, directory / f"kb-{_key(rules_dir, fingerprint)}.json")  # atomic: never half-written
    except OSError:
        pass
