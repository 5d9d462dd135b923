"""The knowledge-base cache is never trusted: wrong types, edited data, a FIFO, a link to /dev/zero, an oversized or
unreadable file are all ignored and the knowledge base is rebuilt from the YAML - quickly, and without blaming the
user's scenario (issue 12)."""

import hashlib
import json
import os
import shutil
import signal

import pytest

from advisor.errors import InputError
from advisor.kb import cache as kbcache, load as kbload

from .conftest import RULES


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    fresh = kbload._read_and_validate
    calls = []
    monkeypatch.setattr(kbload, "_read_and_validate", lambda root: calls.append(root) or fresh(root))

    def load():
        kbload._load_kb_cached.cache_clear()
        old = signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(TimeoutError("the cache read hung")))
        signal.alarm(10)
        try:
            return kbload.load_kb(rules)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)

    first = load()
    assert len(calls) == 1
    path = kbcache.path_for(str(rules.resolve()), kbload._content_fingerprint(rules))
    assert path.is_file()
    return load, calls, path, [r.id for r in first.rules]


def _rewrite(path, data):
    """A cache file whose header matches its (tampered) data: only the shape and the build can catch it."""
    payload = json.dumps(data).encode()
    key = path.name[3:-5]
    header = {"format": kbcache.FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest(), "bytes": len(payload)}
    path.unlink()
    path.write_bytes(json.dumps(header).encode() + b"\n" + payload)


def _payload(path):
    return json.loads(path.read_bytes().partition(b"\n")[2])


def _rebuilt(env, expected_calls=2):
    load, calls, path, ids = env
    kb = load()
    assert [r.id for r in kb.rules] == ids and len(calls) == expected_calls
    assert path.is_file() and not path.is_symlink() and _payload(path)["rules"], "a good cache is written again"
    load()
    assert len(calls) == expected_calls, "and used next time"


def test_a_good_cache_is_used(env):
    load, calls, _, ids = env
    assert [r.id for r in load().rules] == ids and len(calls) == 1


@pytest.mark.parametrize("tamper", [
    lambda d: {**d, "facts": "not a list"},
    lambda d: {**d, "rules": [["f.yaml", "one", {}]]},
    lambda d: {**d, "rules": [["f.yaml", 1, {"id": "x", "kind": "nonsense"}]]},
    lambda d: {**d, "rules": [[f, n, {**r, "sources": 5}] for f, n, r in d["rules"]]},
    lambda d: {**d, "facts": [{"name": 3}]},
    lambda d: [1, 2, 3],
])
def test_wrong_types_with_a_matching_hash_are_rebuilt(env, tamper):
    path = env[2]
    _rewrite(path, tamper(_payload(path)))
    _rebuilt(env)


def test_edited_data_fails_the_content_hash(env):
    path = env[2]
    head, _, payload = path.read_bytes().partition(b"\n")
    data = json.loads(payload)
    data["rules"] = []  # an empty rule set would make every scenario look wrong
    path.write_bytes(head + b"\n" + json.dumps(data).encode())
    _rebuilt(env)


@pytest.mark.parametrize("content", [b"", b"{not json", b"\n\n", b'{"format": 1}\n{}', b"[" * 100_000 + b"\n" + b"[" * 100_000,
                                     b"\xff\xfe\x00garbage"])
def test_garbage_is_rebuilt(env, content):
    env[2].write_bytes(content)
    _rebuilt(env)


def test_a_fifo_does_not_hang(env):
    path = env[2]
    path.unlink()
    os.mkfifo(path)
    _rebuilt(env)


def test_a_link_to_dev_zero_is_not_read(env):
    path = env[2]
    path.unlink()
    path.symlink_to("/dev/zero")
    _rebuilt(env)


def test_an_oversized_file_is_not_read(env):
    path = env[2]
    with open(path, "r+b") as f:
        f.truncate(kbcache.MAX_BYTES + 1)  # sparse: no disk used
    _rebuilt(env)


def test_an_unwritable_cache_is_ignored(env, tmp_path):
    load, calls, path, ids = env
    path.unlink()
    path.mkdir()  # os.replace cannot put a file there
    assert [r.id for r in load().rules] == ids and [r.id for r in load().rules] == ids and len(calls) == 3
    assert not list(path.parent.glob("*.tmp")), "no temporary file is left behind"


def test_rule_files_that_are_not_regular_files(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    os.mkfifo(rules / "zz-fifo.yaml")
    with pytest.raises(InputError, match="not a regular file"):
        kbload.load_kb(rules)
    (rules / "zz-fifo.yaml").unlink()
    (rules / "zz-zero.yaml").symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        kbload.load_kb(rules)
