"""Load the knowledge base (rules/*.yaml) into the rule model.

Each file is parsed safely (`yamlio`), validated against the JSON Schema exported from the rule model
(`advisor/schemas/rules.schema.json`, rule by rule so that errors name the right line), turned into pydantic
objects, and cross-checked: every fact, source, estimator, option and rule id a rule names must exist.
Any problem is an `InputError` naming the file and line.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from pydantic import TypeAdapter, ValidationError

from .errors import InputError
from .estimators import ESTIMATORS
from .model import (EstimateRule, FactsFile, FactTest, FactRef, KnowledgeBase, OptionRule, RecommendRule, Rule,
                    SeedItemsFile, SourcesFile, condition_options)
from .yamlio import YamlDocument, load_yaml_file

SPECIAL_FILES = {"facts.yaml": "facts", "sources.yaml": "sources", "seed_items.yaml": "seed_items"}
SCHEMA_DIR = Path(__file__).parent / "schemas"


def default_rules_dir() -> Path:
    """`ADVISOR_RULES`, else the repository's rules/ (source tree, editable install), else the packaged copy."""
    env = os.environ.get("ADVISOR_RULES")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parent.parent / "rules"
    if (repo / "facts.yaml").is_file():
        return repo
    return Path(str(resources.files("advisor.kb")))


@lru_cache(maxsize=None)
def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def _validate(doc: YamlDocument, schema: dict, data: Any, base_path: tuple = ()) -> None:
    errors = list(Draft202012Validator(schema).iter_errors(data))
    if not errors:
        return
    err = best_match(errors)
    path = base_path + tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in allowed)
        where = f" at {'.'.join(map(str, path))}" if path else ""
        raise InputError(f"unknown key {extra[0]!r}{where}; allowed: {', '.join(sorted(allowed))}", doc.file,
                         doc.key_line(path, extra[0]))
    where = ".".join(map(str, path)) or "top level"
    raise doc.error(f"{err.message} (at {where})", path)


def _pydantic(doc: YamlDocument, model: Any, data: Any, base_path: tuple = ()) -> Any:
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(data)
        return model.model_validate(data)
    except ValidationError as exc:
        # prefer a validator's own message, then the deepest location, over "missing"/"extra" noise
        err = min(exc.errors(), key=lambda e: (e["type"] == "missing", e["type"] == "extra_forbidden", -len(e["loc"])))
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _KIND_TAGS))
        path = base_path + loc
        msg = err["msg"].removeprefix("Value error, ")
        raise doc.error(f"{msg} (at {'.'.join(map(str, path)) or 'top level'})", path) from None


# union tags pydantic puts into error locations; they are not keys of the YAML (condition tags such as 'all'
# are left in: they coincide with real keys, and the line lookup simply stops at the deepest real node)
_KIND_TAGS = {"red_flag", "finding", "derive", "estimate", "option", "recommend", "measure", "FactRef", "bool", "int",
              "float", "str"}
_RULE = TypeAdapter(Rule)


def _kinds() -> dict[str, str]:
    """rule kind -> $ref of its schema, from the discriminator pydantic writes into the rules schema"""
    return _schema("rules")["properties"]["rules"]["items"]["discriminator"]["mapping"]


def _rule_schema(kind: str) -> dict | None:
    schema = _schema("rules")
    ref = _kinds().get(kind)
    if ref is None:
        return None
    return {"$defs": schema["$defs"], "$ref": ref}


def _load_rules(doc: YamlDocument) -> list[Rule]:
    data = doc.data
    if not isinstance(data, dict) or set(data) != {"rules"} or not isinstance(data["rules"], list):
        raise doc.error("a rule file is a mapping with one key, 'rules', holding a list of rules")
    kinds = sorted(_kinds())
    rules = []
    for i, item in enumerate(data["rules"]):
        path = ("rules", i)
        if not isinstance(item, dict):
            raise doc.error("each rule is a mapping", path)
        kind = item.get("kind")
        schema = _rule_schema(kind) if isinstance(kind, str) else None
        if schema is None:
            raise doc.error(f"rule 'kind' must be one of {', '.join(kinds)} (got {kind!r})", path)
        _validate(doc, schema, item, path)
        rules.append(_pydantic(doc, _RULE, item, path))
    return rules


def load_kb(rules_dir: str | Path | None = None) -> KnowledgeBase:
    rules_dir = Path(rules_dir) if rules_dir else default_rules_dir()
    if not rules_dir.is_dir():
        raise InputError("rules directory not found", str(rules_dir))
    return _load_kb_cached(str(rules_dir.resolve()), _fingerprint(rules_dir))


def _fingerprint(rules_dir: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(rules_dir.glob("*.yaml")))


@lru_cache(maxsize=4)
def _load_kb_cached(rules_dir: str, fingerprint: tuple) -> KnowledgeBase:
    root = Path(rules_dir)
    for special in SPECIAL_FILES:
        if not (root / special).is_file():
            raise InputError(f"missing {special}", rules_dir)
    facts_doc = load_yaml_file(root / "facts.yaml")
    _validate(facts_doc, _schema("facts"), facts_doc.data)
    facts = {f.name: f for f in _pydantic(facts_doc, FactsFile, facts_doc.data).facts}
    _check_unique(facts_doc, [f["name"] for f in facts_doc.data["facts"]], "facts", "fact")

    sources_doc = load_yaml_file(root / "sources.yaml")
    _validate(sources_doc, _schema("sources"), sources_doc.data)
    sources = {s.id: s for s in _pydantic(sources_doc, SourcesFile, sources_doc.data).sources}
    _check_unique(sources_doc, [s["id"] for s in sources_doc.data["sources"]], "sources", "source")

    seeds_doc = load_yaml_file(root / "seed_items.yaml")
    _validate(seeds_doc, _schema("seed_items"), seeds_doc.data)
    seed_items = {s.id: s for s in _pydantic(seeds_doc, SeedItemsFile, seeds_doc.data).seed_items}

    rules: list[Rule] = []
    origins: dict[str, tuple[str, int]] = {}
    docs: dict[str, YamlDocument] = {}
    for path in sorted(root.glob("*.yaml")):
        if path.name in SPECIAL_FILES:
            continue
        doc = load_yaml_file(path)
        for i, rule in enumerate(_load_rules(doc)):
            line = doc.line_of(("rules", i))
            if rule.id in origins:
                f, l = origins[rule.id]
                raise InputError(f"duplicate rule id {rule.id!r} (first at {f}:{l})", doc.file, line)
            origins[rule.id] = (doc.file, line)
            docs[rule.id] = doc
            rules.append(rule)
    kb = KnowledgeBase(facts=facts, sources=sources, rules=rules, seed_items=seed_items, origins=origins)
    _check_references(kb)
    return kb


def _check_unique(doc: YamlDocument, ids: list[str], key: str, what: str) -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            raise doc.error(f"duplicate {what} {ident!r}", (key, i))
        seen.add(ident)


def _check_references(kb: KnowledgeBase) -> None:
    """Referential integrity: a rule that names something that does not exist cannot run."""
    from difflib import get_close_matches

    def fail(rule_id: str, message: str) -> None:
        file, line = kb.origins[rule_id]
        raise InputError(f"rule {rule_id!r}: {message}", file, line)

    def unknown(rule_id: str, what: str, name: str, known: list[str]) -> None:
        hint = get_close_matches(name, known, n=1)
        fail(rule_id, f"unknown {what} {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))

    fact_names = list(kb.facts)
    options = {r.option for r in kb.rules if isinstance(r, OptionRule)}
    for rule in kb.rules:
        for name in rule.reads() + rule.concludes():
            if name not in kb.facts:
                unknown(rule.id, "fact", name, fact_names)
        for src in rule.sources:
            if src not in kb.sources:
                unknown(rule.id, "source", src, list(kb.sources))
        for item in rule.covers:
            if item not in kb.seed_items:
                unknown(rule.id, "seed item", item, list(kb.seed_items))
        for opt in condition_options(rule.when):
            if opt not in options:
                unknown(rule.id, "option", opt, sorted(options))
        for name in rule.concludes():
            if not kb.facts[name].derived:
                fail(rule.id, f"sets {name!r}, which is an input fact; mark it `derived: true` in facts.yaml "
                              f"or derive a new fact")
        if isinstance(rule, RecommendRule) and rule.recommend not in options:
            unknown(rule.id, "option", rule.recommend, sorted(options))
        if isinstance(rule, EstimateRule):
            call = rule.estimate
            est = ESTIMATORS.get(call.fn)
            if est is None:
                unknown(rule.id, "estimator", call.fn, sorted(ESTIMATORS))
            for arg in call.args:
                if arg not in est.parameters:
                    fail(rule.id, f"estimator {call.fn} has no argument {arg!r} (it takes {', '.join(est.parameters)})")
            missing = [a for a in est.required if a not in call.args]
            if missing:
                fail(rule.id, f"estimator {call.fn} needs {', '.join(missing)}")
            for key in call.targets():
                if key not in est.results:
                    fail(rule.id, f"estimator {call.fn} returns {', '.join(est.results)}, not {key!r}")
        if not rule.makes_claim:
            continue
        if not rule.sources and not rule.heuristic:
            fail(rule.id, "a claim needs sources (ids in sources.yaml), or `heuristic: true` if it has none")
    _check_choice_literals(kb)


def _check_choice_literals(kb: KnowledgeBase) -> None:
    """A comparison of a choice fact with a literal must use one of its choices (catches typos like 'adamW')."""
    from .model import All, Any_, Not

    def walk(rule_id: str, cond: Any) -> None:
        if isinstance(cond, All):
            for c in cond.all:
                walk(rule_id, c)
        elif isinstance(cond, Any_):
            for c in cond.any:
                walk(rule_id, c)
        elif isinstance(cond, Not):
            walk(rule_id, cond.not_)
        elif isinstance(cond, FactTest):
            spec = kb.facts[cond.fact]
            if spec.type != "choice" or cond.operator == "known":
                return
            values = cond.operand if cond.operator == "in" else [cond.operand]
            for v in values:
                if not isinstance(v, FactRef) and v not in spec.choices:
                    file, line = kb.origins[rule_id]
                    raise InputError(f"rule {rule_id!r}: {v!r} is not a choice of {cond.fact} "
                                     f"({', '.join(spec.choices)})", file, line)

    for rule in kb.rules:
        walk(rule.id, rule.when)
