"""Load the knowledge base (rules/*.yaml) into the rule model.

Each file is parsed safely (`yamlio`), validated against the JSON Schema exported from the rule model
(`advisor/kb/schemas/rules.schema.json`, rule by rule so that errors name the right line), turned into pydantic
objects, and cross-checked: every fact, source, estimator, option and rule id a rule names must exist.
Any problem is an `InputError` naming the file and line.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, TypeAdapter, ValidationError

from advisor.kb import cache as kbcache
from advisor.errors import InputError
from advisor.kb.model import (EstimateRule, FactsFile, FactTest, FactRef, KnowledgeBase, OptionRule, RecommendRule, Rule,
                    SeedItemsFile, SourcesFile, condition_leaves, condition_options, template_facts)
from advisor.kb.yamlio import YamlDocument, load_yaml_file, read_bounded

SPECIAL_FILES = {"facts.yaml": "facts", "sources.yaml": "sources", "seed_items.yaml": "seed_items"}
SCHEMA_DIR = Path(__file__).parent / "schemas"


def default_rules_dir() -> Path:
    """`ADVISOR_RULES`, else the repository's rules/ (source tree, editable install), else the packaged copy."""
    env = os.environ.get("ADVISOR_RULES")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2] / "rules"
    if (repo / "facts.yaml").is_file():
        return repo
    # a wheel ships rules/ as the data folder advisor/knowledge (a namespace package: no __init__.py, so
    # importlib.resources would hand back a MultiplexedPath, whose str() is no path)
    return Path(__file__).resolve().parents[1] / "knowledge"


@lru_cache(maxsize=None)
def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def _validate(doc: YamlDocument, schema: dict, data: Any, base_path: tuple = ()) -> None:
    from jsonschema import Draft202012Validator  # imported only when a file is (re)validated
    from jsonschema.exceptions import best_match

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


def validate_with_model(doc: YamlDocument, model: Any, data: Any, base_path: tuple = (), tags: frozenset = frozenset()) -> Any:
    """Validate with pydantic; the first relevant error becomes an InputError at its line. `tags` are union
    tags pydantic inserts into error locations (rule kinds) that are not keys of the YAML."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(data)
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        extra = [e for e in errors if e["type"] == "extra_forbidden"]
        if extra and len(extra) == len(errors):
            return _unknown_key(doc, model, base_path, extra[0], tags)
        # prefer a validator's own message, then the deepest location, over "missing"/"extra" noise
        err = min(errors, key=lambda e: (e["type"] == "missing", e["type"] == "extra_forbidden", -len(e["loc"])))
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in tags))
        path = base_path + loc
        msg = err["msg"].removeprefix("Value error, ")
        raise doc.error(f"{msg} (at {'.'.join(map(str, path)) or 'top level'})", path) from None


def _unknown_key(doc: YamlDocument, model: Any, base_path: tuple, err: dict, tags: frozenset) -> None:
    """'unknown key X; allowed: ...' at the key's own line, with a did-you-mean."""
    from difflib import get_close_matches

    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in tags))
    path, key = base_path + loc[:-1], str(loc[-1])
    allowed = _allowed_keys(model, loc[:-1])
    hint = get_close_matches(key, allowed, n=1)
    where = f" at {'.'.join(map(str, path))}" if path else ""
    raise InputError(f"unknown key {key!r}{where}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                     + (f"; allowed: {', '.join(allowed)}" if allowed else ""), doc.file, doc.key_line(path, key))


def _allowed_keys(model: Any, loc: tuple) -> list[str]:
    """Field names (aliases) of the model found by walking `loc` through nested pydantic models."""
    import typing

    current = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        field = current.model_fields.get(part) or next((f for f in current.model_fields.values() if f.alias == part), None)
        if field is None:
            return []
        ann = field.annotation
        candidates = [a for a in typing.get_args(ann) or (ann,)]
        nested = [a for c in candidates for a in (typing.get_args(c) or (c,))]
        current = next((a for a in nested if isinstance(a, type) and issubclass(a, BaseModel)), None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(f.alias or n for n, f in current.model_fields.items())
    return []


# union tags pydantic puts into error locations; they are not keys of the YAML (condition tags such as 'all'
# are left in: they coincide with real keys, and the line lookup simply stops at the deepest real node)
_KIND_TAGS = frozenset({"red_flag", "finding", "derive", "estimate", "option", "recommend", "measure", "plans", "FactRef", "bool", "int",
                        "float", "str"})
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


def _validate_rules(doc: YamlDocument) -> None:
    """Check every rule of a file against its kind's schema and the rule model, so errors name their line
    (the objects themselves are built from the validated data by _build)."""
    data = doc.data
    if not isinstance(data, dict) or set(data) != {"rules"} or not isinstance(data["rules"], list):
        raise doc.error("a rule file is a mapping with one key, 'rules', holding a list of rules")
    kinds = sorted(_kinds())
    for i, item in enumerate(data["rules"]):
        path = ("rules", i)
        if not isinstance(item, dict):
            raise doc.error("each rule is a mapping", path)
        kind = item.get("kind")
        schema = _rule_schema(kind) if isinstance(kind, str) else None
        if schema is None:
            raise doc.error(f"rule 'kind' must be one of {', '.join(kinds)} (got {kind!r})", path)
        _validate(doc, schema, item, path)
        validate_with_model(doc, _RULE, item, path, _KIND_TAGS)


def load_kb(rules_dir: str | Path | None = None) -> KnowledgeBase:
    rules_dir = Path(rules_dir) if rules_dir else default_rules_dir()
    if not rules_dir.is_dir():
        raise InputError("rules directory not found", str(rules_dir))
    return _load_kb_cached(str(rules_dir.resolve()), _stat_fingerprint(rules_dir))


def _stat_fingerprint(rules_dir: Path) -> tuple:
    """Names, sizes and modification times: cheap enough to check on every call (the in-process cache key).
    Every *.yaml must be a regular file (or a link to one): a FIFO or a device would hang or never end."""
    out = []
    for p in sorted(rules_dir.glob("*.yaml")):
        try:
            st = p.stat()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", str(p)) from None
        if not stat.S_ISREG(st.st_mode):
            raise InputError("not a regular file; expected a YAML file", str(p))
        out.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _content_fingerprint(rules_dir: Path) -> tuple:
    """Content hashes of the rule files: what the on-disk validated-KB cache is keyed on (each read bounded)."""
    return tuple((p.name, hashlib.sha256(read_bounded(p, what="YAML file")).hexdigest())
                 for p in sorted(rules_dir.glob("*.yaml")))


@lru_cache(maxsize=4)
def _load_kb_cached(rules_dir: str, stat_fingerprint: tuple) -> KnowledgeBase:
    fingerprint = _content_fingerprint(Path(rules_dir))
    raw = kbcache.read(rules_dir, fingerprint)
    if raw is not None:
        try:
            return _build(raw)
        except Exception:  # noqa: BLE001 - any doubt about the cache: rebuild from the YAML (errors then name a line)
            pass
    raw = _read_and_validate(Path(rules_dir))
    kb = _build(raw)
    kbcache.write(rules_dir, fingerprint, raw)  # only data that built
    return kb


def _read_and_validate(root: Path) -> dict:
    """Parse and schema-validate every file; return plain data (what the cache stores)."""
    for special in SPECIAL_FILES:
        if not (root / special).is_file():
            raise InputError(f"missing {special}", str(root))
    out: dict[str, Any] = {}
    for name, key, model in (("facts.yaml", "facts", FactsFile), ("sources.yaml", "sources", SourcesFile),
                             ("seed_items.yaml", "seed_items", SeedItemsFile)):
        doc = load_yaml_file(root / name)
        _validate(doc, _schema(key), doc.data)
        validate_with_model(doc, model, doc.data)
        ident = "name" if key == "facts" else "id"
        _check_unique(doc, [item[ident] for item in doc.data[key]], key, key.rstrip("s").replace("_item", " item"))
        out[key] = doc.data[key]
    rules: list[list] = []
    seen: dict[str, tuple[str, int]] = {}
    for path in sorted(root.glob("*.yaml")):
        if path.name in SPECIAL_FILES:
            continue
        doc = load_yaml_file(path)
        _validate_rules(doc)
        for i, item in enumerate(doc.data["rules"]):
            line = doc.line_of(("rules", i))
            if item["id"] in seen:
                first_file, first_line = seen[item["id"]]
                raise InputError(f"duplicate rule id {item['id']!r} (first at {first_file}:{first_line})", doc.file, line)
            seen[item["id"]] = (doc.file, line)
            rules.append([doc.file, line, item])
    out["rules"] = rules
    return out


def _build(raw: dict) -> KnowledgeBase:
    """Model objects from validated plain data (pydantic checks every field again), then cross-references."""
    facts = {f.name: f for f in FactsFile.model_validate({"facts": raw["facts"]}).facts}
    sources = {s.id: s for s in SourcesFile.model_validate({"sources": raw["sources"]}).sources}
    seed_items = {s.id: s for s in SeedItemsFile.model_validate({"seed_items": raw["seed_items"]}).seed_items}
    rules = [_RULE.validate_python(item) for _, _, item in raw["rules"]]
    origins = {item["id"]: (file, line) for file, line, item in raw["rules"]}
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
        if not rule.makes_claim:
            continue
        if not rule.sources and not rule.heuristic:
            fail(rule.id, "a claim needs sources (ids in sources.yaml), or `heuristic: true` if it has none")
    _check_choice_literals(kb)
    _check_fills(kb)


def _check_fills(kb: KnowledgeBase) -> None:
    """An answer that fills other inputs (`fills`) names input facts that exist, read from one that exists; a label
    used while a fact is false names a bool fact; a question in the user's terms quotes input facts that exist."""
    for spec in kb.facts.values():
        for text in spec.questions_naming:  # (a question quoting a fact that does not exist would never be asked)
            for name in template_facts(text):
                if name not in kb.facts or kb.facts[name].derived:
                    raise InputError(f"fact {spec.name!r}: questions_naming quotes {name!r}, which is not an input fact",
                                     "facts.yaml", 0)
        for name in spec.label_if_not or ():  # (the words used while a bool fact is false)
            if name not in kb.facts or kb.facts[name].type != "bool":
                raise InputError(f"fact {spec.name!r}: label_if_not names {name!r}, which is not a bool fact", "facts.yaml", 0)
        if not spec.fills:
            continue
        for name in [*spec.fills.values(), spec.fills_from]:
            if name not in kb.facts or kb.facts[name].derived:
                raise InputError(f"fact {spec.name!r}: fills names {name!r}, which is not an input fact", "facts.yaml", 0)


def check_estimator_calls(kb: KnowledgeBase, estimators: Mapping[str, Any]) -> None:
    """Every estimate rule calls a registered estimator with arguments it takes and results it returns.

    The registry is passed in (the domain layer fills it) because the knowledge base knows no estimator itself;
    an estimator is anything with `parameters`, `required` and `results` (see advisor.engine.estimators)."""
    from difflib import get_close_matches

    for rule in kb.rules:
        if not isinstance(rule, EstimateRule):
            continue
        call = rule.estimate
        file, line = kb.origins[rule.id]

        def fail(message: str) -> None:
            raise InputError(f"rule {rule.id!r}: {message}", file, line)

        est = estimators.get(call.fn)
        if est is None:
            hint = get_close_matches(call.fn, list(estimators), n=1)
            fail(f"unknown estimator {call.fn!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        for arg in list(call.args) + list(call.optional):
            if arg not in est.parameters:
                fail(f"estimator {call.fn} has no argument {arg!r} (it takes {', '.join(est.parameters)})")
        missing = [a for a in est.required if a not in call.args]
        needless = [a for a in call.optional if a in est.required]
        if needless:
            fail(f"estimator {call.fn} requires {', '.join(needless)}: list it under args, not optional")
        if missing:
            fail(f"estimator {call.fn} needs {', '.join(missing)}")
        for key in call.targets():
            if key not in est.results:
                fail(f"estimator {call.fn} returns {', '.join(est.results)}, not {key!r}")


def _check_choice_literals(kb: KnowledgeBase) -> None:
    """A comparison of a choice fact with a literal must use one of its choices (catches typos like 'adamW'); `lists`
    tests a text fact."""
    for rule in kb.rules:
        for leaf in condition_leaves(rule.when):
            if not isinstance(leaf, FactTest):
                continue
            spec = kb.facts[leaf.fact]
            if leaf.operator == "lists":
                if spec.type != "text":
                    file, line = kb.origins[rule.id]
                    raise InputError(f"rule {rule.id!r}: 'lists' tests a comma-separated text fact, and "
                                     f"{leaf.fact} is a {spec.type}", file, line)
                continue
            if spec.type != "choice" or leaf.operator == "known":
                continue
            values = leaf.operand if leaf.operator == "in" else [leaf.operand]
            for v in values:
                if not isinstance(v, FactRef) and v not in spec.choices:
                    file, line = kb.origins[rule.id]
                    raise InputError(f"rule {rule.id!r}: {v!r} is not a choice of {leaf.fact} "
                                     f"({', '.join(spec.choices)})", file, line)
