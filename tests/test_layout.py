"""The layering rules, read from the imports themselves, and the domain vocabulary agreeing everywhere it is used.

Layers (see docs/architecture.md): kb < engine < domain < reading/measure < consultation/estimation < shells/regress.
kb/ and engine/ never import domain/ or shells/; domain/ never imports shells/; nothing imports another package's
private (underscore) names.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "advisor"

# layer -> the advisor modules (prefixes) it must never import
FORBIDDEN = {
    "kb": ("advisor.engine", "advisor.domain", "advisor.reading", "advisor.measure", "advisor.shells",
           "advisor.regress", "advisor.consultation", "advisor.estimation"),
    "engine": ("advisor.domain", "advisor.reading", "advisor.measure", "advisor.shells", "advisor.regress",
               "advisor.consultation", "advisor.estimation"),
    "domain": ("advisor.reading", "advisor.measure", "advisor.shells", "advisor.regress", "advisor.consultation",
               "advisor.estimation"),
    "reading": ("advisor.measure", "advisor.shells", "advisor.regress", "advisor.consultation", "advisor.estimation"),
    "measure": ("advisor.reading", "advisor.shells", "advisor.regress", "advisor.consultation"),
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str, is_package: bool = False) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import, relative ones resolved."""
    out = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names = [a.name for a in node.names]
            out.append((base, names, node.lineno))
            out += [(f"{base}.{n}", [], node.lineno) for n in names]  # `from advisor import shells` imports a module
    return out


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    parts = module.split(".")
    layer = parts[1] if len(parts) > 1 else ""
    found = []
    for target, names, line in imports(source, module, is_package):
        if not target.startswith("advisor"):
            continue
        for banned in FORBIDDEN.get(layer, ()):
            if target == banned or target.startswith(banned + "."):
                found.append(f"{module}:{line} imports {target} ({layer}/ must not import {banned})")
        own_package = module if is_package else module.rpartition(".")[0]
        private = [n for n in names if n.startswith("_") and n != "__version__"]
        if private and target.rpartition(".")[0] != own_package:
            found.append(f"{module}:{line} imports private {', '.join(private)} from {target}")
    return found


def all_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_layer_keeps_to_its_imports():
    problems = []
    for path in all_modules():
        problems += violations(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
    assert problems == []


@pytest.mark.parametrize("module, source", [
    ("advisor.engine.chaining", "from advisor.domain.estimators import ESTIMATORS\n"),
    ("advisor.kb.load", "import advisor.shells.cli\n"),
    ("advisor.kb.lint", "from ..engine import templates\n"),
    ("advisor.domain.memory_report", "def f():\n    from advisor.shells.render import render_text\n"),
    ("advisor.shells.tools", "from advisor.domain.catalogue import _presets\n"),
])
def test_the_rule_fails_on_a_forbidden_import(module, source):
    assert violations(source, module)


def test_imports_within_a_package_and_public_names_are_fine():
    assert not violations("from advisor.measure.tracing import _call_factory\n", "advisor.measure.probe")
    assert not violations("from advisor.kb.model import Rule\nfrom advisor.units import fmt_sig\n", "advisor.engine.policy")


def test_every_layer_says_what_it_is():
    for layer in ("kb", "engine", "domain", "reading", "measure", "shells", "regress"):
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 60, layer


# ------------------------------------------------------------------------------------------ vocabulary

def test_vocabulary_agrees_with_facts_estimators_and_shells():
    from advisor.consultation import load_kb
    from advisor.domain import vocabulary as v
    from advisor.domain.estimators.memory import OPTIMIZER_STATE, PRECISIONS
    from advisor.domain.estimators.scaling import ADAPTIVE, SGD_FAMILY
    from advisor.domain.estimators.training import ALL_PRECISIONS
    from advisor.shells.tools import EstimateMemoryArgs

    kb = load_kb()
    assert tuple(kb.facts["optimizer"].choices) == v.OPTIMIZERS
    assert tuple(kb.facts["precision"].choices) == v.PRECISIONS
    assert tuple(kb.facts["training_mode"].choices) == v.TRAINING_MODES
    assert tuple(kb.facts["interconnect"].choices) == v.INTERCONNECTS
    assert set(OPTIMIZER_STATE) == set(v.OPTIMIZERS) and set(PRECISIONS) == set(v.PRECISIONS)
    assert ADAPTIVE | SGD_FAMILY == set(v.OPTIMIZERS) and not ADAPTIVE & SGD_FAMILY
    assert tuple(ALL_PRECISIONS) == v.ALL_PRECISIONS
    assert set(v.TORCH_OPTIMIZERS) <= set(v.OPTIMIZERS)
    fields = EstimateMemoryArgs.model_fields
    assert fields["optimizer"].annotation.__args__ == v.OPTIMIZERS
    assert fields["precision"].annotation.__args__ == v.ALL_PRECISIONS
    assert kb.facts["cuda_context"].default in ("0.4GB", v.CUDA_CONTEXT_BYTES)


def test_tool_arguments_are_library_arguments_with_the_same_defaults():
    from advisor.domain.memory_report import MemoryRequest
    from advisor.shells.tools import EstimateMemoryArgs

    request = MemoryRequest(preset="gpt2")
    for name, field in EstimateMemoryArgs.model_fields.items():
        assert name in MemoryRequest.field_names(), name
        if name != "preset":
            assert getattr(request, name) == field.default, name
