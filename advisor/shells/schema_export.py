"""JSON Schemas exported from the pydantic models: the single source of truth for every file format.

`advisor schema NAME` prints one; the copies checked in under advisor/kb/schemas/ are what the loader validates against at
run time (no schema generation on start-up), and tests/test_schemas.py keeps them in sync with the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from advisor.engine.advice import Advice
from advisor.kb.model import FactsFile, RuleFile, SeedItemsFile, SourcesFile
from advisor.reading.situation import Situation
from advisor.regress.scenario import ScenarioFile

MODELS: dict[str, type[BaseModel]] = {
    "advice": Advice,
    "scenario": ScenarioFile,
    "rules": RuleFile,
    "facts": FactsFile,
    "sources": SourcesFile,
    "seed_items": SeedItemsFile,
    "situation": Situation,
}
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "kb" / "schemas"


def schema_for(name: str) -> dict:
    schema = MODELS[name].model_json_schema(by_alias=True, mode="validation" if name != "advice" else "serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://advisor.invalid/schemas/{name}.schema.json"
    return schema


def schema_text(name: str) -> str:
    return json.dumps(schema_for(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in MODELS:
        path = directory / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
