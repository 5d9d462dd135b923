"""Run a scenario's turns and check its expectations: structured ids and numeric bounds first, a few regular
expressions on the rendered text last. Failures name the scenario file, the line of the expectation and
what was found instead."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from advisor.engine.advice import Advice
from advisor.consultation import consult
from advisor.kb.model import KnowledgeBase
from advisor.shells.render import render_text
from advisor.regress.scenario import Bound, Expect, IdSet, PlansExpect, Scenario


@dataclass
class ScenarioResult:
    name: str
    file: str
    turns: int
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def bound_failures(label: str, value: Any, bound: Bound) -> list[str]:
    if bound.is_null is not None:
        if (value is None) != bound.is_null:
            return [f"{label} is {value!r}, expected {'null' if bound.is_null else 'a value'}"]
        if value is None:
            return []
    if value is None:
        return [f"{label} is not set"]
    out = []
    checks = [("eq", lambda v, b: v == b), ("ne", lambda v, b: v != b), ("lt", lambda v, b: v < b),
              ("lte", lambda v, b: v <= b), ("gt", lambda v, b: v > b), ("gte", lambda v, b: v >= b),
              ("between", lambda v, b: b[0] <= v <= b[1])]
    for op, ok in checks:
        ref = getattr(bound, op)
        if ref is None:
            continue
        try:
            good = ok(value, ref)
        except TypeError:
            good = False
        if not good:
            out.append(f"{label} = {value!r}, expected {op} {ref!r}")
    if bound.approx is not None:
        rel = bound.rel if bound.rel is not None else (0.0 if bound.abs is not None else 1e-9)
        try:
            good = math.isclose(float(value), bound.approx, rel_tol=rel, abs_tol=bound.abs or 0.0)
        except (TypeError, ValueError):
            good = False
        if not good:
            out.append(f"{label} = {value!r}, expected ≈ {bound.approx} (rel {bound.rel}, abs {bound.abs})")
    return out


def _ids(label: str, actual: list[str], spec: IdSet) -> list[str]:
    out = [f"missing {label} {x!r}; got {actual}" for x in spec.include if x not in actual]
    out += [f"unexpected {label} {x!r}" for x in spec.exclude if x in actual]
    if spec.only is not None and sorted(actual) != sorted(spec.only):
        out.append(f"{label}s must be exactly {sorted(spec.only)}; got {sorted(actual)}")
    if spec.at_most is not None and len(actual) > spec.at_most:
        out.append(f"at most {spec.at_most} {label}s expected; got {len(actual)}: {actual}")
    return out


def _path(obj: dict, path: str) -> Any:
    """The value at a dotted path; a quantity ({value, unit}) stands for its value."""
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    if isinstance(obj, dict) and set(obj) == {"value", "unit"}:
        return obj["value"]
    return obj


def _plans(plans: list[dict], spec: PlansExpect) -> list[str]:
    """The plan search's table: 'current' is the user's plan, 'recommended' the plan of the recommended option."""
    by_id = {p["id"]: p for p in plans}
    recommended = next((p for p in plans if p["recommended"]), None)
    f: list[str] = []
    for item in spec.include:
        plan = recommended if item.id == "recommended" else by_id.get(item.id)
        if plan is None:
            f.append(f"missing plan {item.id!r}; got {list(by_id)}")
            continue
        for path, bound in item.where.items():
            f += bound_failures(f"plan {item.id}.{path}", _path(plan, path), bound)
    f += [f"plan {x!r} must not be there" for x in spec.exclude if x in by_id]
    for label, chosen in (("every", plans), ("offered", [p for p in plans if not p["current"]])):
        bounds = getattr(spec, label)
        for path, bound in bounds.items():
            for plan in chosen:
                value = _path(plan, path)
                if value is not None:
                    f += bound_failures(f"plan {plan['id']}.{path}", value, bound)
    return f


def check_advice(advice: Advice, expect: Expect, rendered: str) -> list[str]:
    data = advice.to_dict()
    f: list[str] = []
    f += _ids("red flag", [r["id"] for r in data["red_flags"]], expect.red_flags)
    f += _ids("finding", [r["id"] for r in data["findings"]], expect.findings)
    f += _ids("question", [q["id"] for q in data["questions"]], expect.questions)
    f += _ids("measurement", [m["id"] for m in data["measure"]], expect.measure)
    f += _ids("fired rule", list(dict.fromkeys(t["rule"] for t in data["trace"])), expect.fired)
    options = {o["id"]: o for o in data["options"]}
    for spec in expect.options.include:
        option = options.get(spec.id)
        if option is None:
            f.append(f"missing option {spec.id!r}; got {list(options)}")
            continue
        for path, bound in spec.where.items():
            f += bound_failures(f"option {spec.id}.{path}", _path(option, path), bound)
    f += [f"option {x!r} must not be offered" for x in expect.options.exclude if x in options]
    if expect.options.only is not None and sorted(options) != sorted(expect.options.only):
        f.append(f"options must be exactly {sorted(expect.options.only)}; got {sorted(options)}")
    ranked = [o for o in expect.options.order if o in options]
    if ranked != [o for o in options if o in ranked]:
        f.append(f"options out of order: expected {ranked} in that order; got {list(options)}")
    for path, bound in expect.options.every.items():
        for oid, option in options.items():
            value = _path(option, path)
            if value is not None:
                f += bound_failures(f"option {oid}.{path}", value, bound)
    f += _plans(data["plans"], expect.plans)
    if expect.recommendation is not None:
        rec = data["recommendation"]
        if rec["option_id"] != expect.recommendation.option:
            f.append(f"recommendation is {rec['option_id']!r}, expected {expect.recommendation.option!r}")
        f += [f"recommendation should depend on {x!r}; depends on {rec['depends_on']}"
              for x in expect.recommendation.depends_on if x not in rec["depends_on"]]
    estimates = {e["id"]: e["value"] for e in data["estimates"]}
    for est in expect.estimates:
        if est.id not in estimates:
            f.append(f"missing estimate {est.id!r}; got {sorted(estimates)}")
        else:
            f += bound_failures(f"estimate {est.id}", estimates[est.id], est)
    facts = {fact["name"]: fact["value"] for fact in data["facts"]}
    for name, bound in expect.facts.items():
        f += bound_failures(f"fact {name}", facts.get(name), bound)
    for pattern in expect.text.forbid:
        m = re.search(pattern, rendered)
        if m:
            f.append(f"the advice says {m.group(0)!r}, which is forbidden by /{pattern}/")
    f += [f"the advice does not match /{p}/" for p in expect.text.require if not re.search(p, rendered)]
    return f


def run_scenario(scenario: Scenario, kb: KnowledgeBase) -> ScenarioResult:
    turns = scenario.turns()
    result = ScenarioResult(scenario.name, scenario.file, len(turns))
    for n, (message, facts, answers, expect, path) in enumerate(turns):
        if expect is None:
            continue
        advice = consult(message, facts, answers, configs=scenario.configs, kb=kb)
        line = scenario.doc.key_line(path[:-1], path[-1])
        where = f"{scenario.file}:{line}" + (f" (step {n})" if n else "")
        result.failures += [f"{where}: {msg}" for msg in check_advice(advice, expect, render_text(advice, kb))]
    return result
