import json
from pathlib import Path

import pytest

from advisor.consultation import load_kb

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
RULES = ROOT / "rules"


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """Tests never read or write the user's ~/.cache/advisor."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def kb():
    return load_kb(RULES)


@pytest.fixture(scope="session")
def advice_schema():
    return json.loads((ROOT / "advisor" / "kb" / "schemas" / "advice.schema.json").read_text())


def write_kb(tmp_path: Path, files: dict[str, str]) -> Path:
    """A minimal knowledge base in tmp_path: facts/sources/seed_items plus the given rule files."""
    base = {
        "sources.yaml": "sources:\n  - {id: src, citation: A source, status: verified}\n",
        "seed_items.yaml": "seed_items: []\n",
    }
    base.update(files)
    for name, text in base.items():
        (tmp_path / name).write_text(text)
    return tmp_path


