"""Checks on the documentation issue 11 corrected."""

import re

from .conftest import ROOT

DOCS = ROOT / "docs"


def test_probe_doc_states_lightnings_defaults():
    """Lightning 2.6's BatchSizeFinder runs steps_per_trial=3 optimizer steps per trial and reuses the optimizer;
    the doc said one step per trial without optimizer state."""
    text = (DOCS / "probe.md").read_text(encoding="utf-8")
    assert "steps_per_trial=3" in text and "reused" in text
    assert not re.search(r"(?i)one step per trial|missing the optimizer\s+state", text)


def test_memory_doc_records_accuracy_and_the_missing_gpu():
    text = (DOCS / "memory-estimation.md").read_text(encoding="utf-8")
    assert "No GPU is available to this project now" in text and "benchmarks/gpu_check.py" in text
    for model in ("GPT-like", "HF-GPT-2-like", "BERT-like", "LLaMA-like", "ResNet-18-like", "ResNet-50-like", "ViT-like"):
        assert f"| {model}" in text, model
    assert "## The CPU experiment" in text  # the write-up the memexp-affine source points to


def test_docs_do_not_point_outside_the_repository():
    for path in DOCS.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/knowledge" not in text, path.name
