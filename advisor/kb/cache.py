"""A cache of the validated knowledge base, so that `advisor answer` starts fast.

Parsing ~2,000 lines of YAML and validating every rule against its JSON Schema takes most of a cold start.
Once a rules directory has passed, its plain data is stored as JSON under the user's cache directory, keyed by
the SHA-256 of every rule file, the advisor version, the cache format and the rule schema. A later run with the same
files rebuilds the objects from that JSON through pydantic (every field is still type-checked) and re-checks all
cross-references; only the YAML parse and the JSON Schema pass are skipped. Any change to a rule file misses the
cache. Set ADVISOR_NO_CACHE=1 to disable it.

The cache is never trusted: a file is used only if it is a regular file (not a link, a FIFO or a device) of at
most MAX_BYTES, its header names this format and key, the SHA-256 and length of its data match the header, and the
data has the expected shape. Anything else - or a build from it that fails (`load.py`) - is ignored and the
knowledge base is rebuilt from the YAML and written again. A cache that cannot be written is ignored too.

File layout: one line of JSON header `{"format", "key", "sha256", "bytes"}`, then the data as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from advisor import __version__
from advisor.files import write_atomically

SCHEMA_FILE = Path(__file__).parent / "schemas" / "rules.schema.json"
FORMAT = 2
MAX_BYTES = 16 << 20  # the cache of the shipped rules is about 200 kB


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "advisor"


def _key(rules_dir: str, fingerprint: tuple) -> str:
    h = hashlib.sha256()
    h.update(f"{__version__}\n{FORMAT}\n{rules_dir}\n".encode())
    h.update(SCHEMA_FILE.read_bytes())
    for name, digest in fingerprint:
        h.update(f"{name}:{digest}\n".encode())
    return h.hexdigest()[:32]


def path_for(rules_dir: str, fingerprint: tuple) -> Path:
    return cache_dir() / f"kb-{_key(rules_dir, fingerprint)}.json"


def _enabled() -> bool:
    return not os.environ.get("ADVISOR_NO_CACHE")


def _read_regular_file(path: Path, limit: int) -> bytes | None:
    """The bytes of `path` if it is a regular file (not a symlink: O_NOFOLLOW; a FIFO does not block: O_NONBLOCK) of
    at most `limit` bytes; None otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks) if total <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _shape_ok(data: Any) -> bool:
    """What `load._build` expects: lists of mappings, and rules as [file, line, mapping]."""
    if not isinstance(data, dict) or set(data) != {"facts", "sources", "seed_items", "rules"}:
        return False
    if not all(isinstance(data[k], list) and all(isinstance(x, dict) for x in data[k]) for k in ("facts", "sources", "seed_items")):
        return False
    return isinstance(data["rules"], list) and all(
        isinstance(r, list) and len(r) == 3 and isinstance(r[0], str) and isinstance(r[1], int) and isinstance(r[2], dict)
        for r in data["rules"])


def read(rules_dir: str, fingerprint: tuple) -> dict[str, Any] | None:
    """The cached data for these rule files, or None when there is none or any doubt about it."""
    if not _enabled():
        return None
    key = _key(rules_dir, fingerprint)
    blob = _read_regular_file(cache_dir() / f"kb-{key}.json", MAX_BYTES)
    if blob is None:
        return None
    head, sep, payload = blob.partition(b"\n")
    try:
        header = json.loads(head)
        if (not sep or not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key
                or header.get("bytes") != len(payload) or header.get("sha256") != hashlib.sha256(payload).hexdigest()):
            return None
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    return data if _shape_ok(data) else None


def write(rules_dir: str, fingerprint: tuple, data: dict[str, Any]) -> None:
    """Store the data atomically (a temporary file renamed over the old one); failures are ignored."""
    if not _enabled():
        return
    directory = cache_dir()
    key = _key(rules_dir, fingerprint)
    try:
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest(),
                             "bytes": len(payload)}).encode()
        if len(header) + 1 + len(payload) > MAX_BYTES:
            return
        directory.mkdir(parents=True, exist_ok=True)
        write_atomically(directory / f"kb-{key}.json", header + b"\n" + payload)
    except (OSError, TypeError, ValueError, RecursionError):
        pass
