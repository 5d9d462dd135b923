"""The misconception catalogue: paraphrase tests for every claim (data: tests/claim_phrasings.yaml), negation
handling, and the catalogue's completeness, sources and documentation."""

import re
import subprocess
import sys

import pytest
import yaml

from advisor import consult
from advisor.consultation import read_message, run_consultation
from advisor.kb.misconceptions import BEGIN, END, catalogue, embedded_table, main, markdown_table
from advisor.kb.model import RedFlagRule
from advisor.reading import chinese
from advisor.reading.negation import REACH, negated

from .conftest import ROOT

PHRASINGS = yaml.safe_load((ROOT / "tests" / "claim_phrasings.yaml").read_text(encoding="utf-8"))
CASES = [(name, kind, text) for name, kinds in PHRASINGS.items() for kind, texts in kinds.items() for text in texts]


def claims_read(kb, message):
    found = read_message(kb, message)
    return {name for name, (value, _) in found.items() if name.startswith("claim_") and value is True}


def _match_counts(spec, text):
    """The patterns of a claim that match `text` and are not denied by the words around them."""
    text = text.replace("\u2019", "'")
    if chinese.has_cjk(text):  # (the patterns read a Chinese message through its English view, as the reader does)
        text = chinese.english_view(text)[0]
    return {i for i, p in enumerate(spec.patterns) for m in re.finditer(p.regex, text, re.IGNORECASE)
            if not negated(text, m.start(), m.end(), contains_negation=p.contains_negation)}


@pytest.mark.parametrize("name, kind, text", CASES, ids=[f"{n}-{k}-{i}" for i, (n, k, _) in enumerate(CASES)])
def test_phrasing(kb, name, kind, text):
    assert kind in ("says", "denies", "unrelated"), kind
    found = claims_read(kb, text)
    if kind == "says":
        assert name in found, f"{name} not read from: {text}"
        return
    assert name not in found, f"{name} read from a sentence that does not state it: {text}"
    if kind == "denies":  # the words are there, so it is the negation that keeps the claim out
        assert any(re.search(p.regex, text, re.IGNORECASE) for p in kb.facts[name].patterns), \
            f"no pattern of {name} matches, so this 'denies' case tests nothing: {text}"


def test_every_claim_has_phrasings_and_every_pattern_is_exercised(kb):
    claims = {n for n, spec in kb.facts.items() if n.startswith("claim_") and spec.patterns}
    assert set(PHRASINGS) == claims, {"no phrasings": sorted(claims - set(PHRASINGS)),
                                      "not a claim": sorted(set(PHRASINGS) - claims)}
    for name in claims:
        spec = kb.facts[name]
        hit = set().union(*(_match_counts(spec, s) for s in PHRASINGS[name].get("says", [])))
        unexercised = [p.regex for i, p in enumerate(spec.patterns) if i not in hit]
        assert not unexercised, f"{name}: no 'says' sentence uses these patterns: {unexercised}"


def test_catalogue_claims_have_several_phrasings_and_near_misses(kb):
    for m in catalogue(kb):
        for claim in m.claims:
            cases = PHRASINGS[claim]
            assert len(kb.facts[claim].patterns) >= 3 or len(m.claims) > 1, (claim, "needs 3 distinct phrasings")
            assert len(cases.get("says", [])) >= 3, (claim, "needs 3 sentences that state it")
            assert cases.get("denies") and cases.get("unrelated"), (claim, "needs a denial and a near miss")
            short = [s for s in cases["says"] if len(s.split()) < 4]
            assert not short, (claim, "'says' cases are sentences, not pattern fragments", short)


# ------------------------------------------------------------------------------------------- the catalogue

def test_the_catalogue_holds_at_least_40_distinct_sourced_beliefs(kb):
    entries = catalogue(kb)
    assert len(entries) >= 40
    assert len({m.belief.lower() for m in entries}) == len(entries), "a belief is listed twice"
    claims = [c for m in entries for c in m.claims]
    assert len(claims) == len(set(claims)), "a claim belongs to two catalogue entries"
    for m in entries:
        assert m.claims, f"{m.id}: its condition tests no claim fact, so no message can raise it"
        assert m.sources or m.heuristic, f"{m.id}: no sources and not labelled heuristic"
        assert "{" not in m.correction and "{" not in m.belief, f"{m.id}: catalogue texts quote no fact"


def test_every_belief_red_flag_fires_on_its_own_phrasings(kb):
    """End to end: a sentence that states the belief raises the catalogue's red flag in a consultation."""
    for m in catalogue(kb):
        sentence = PHRASINGS[m.claims[0]]["says"][0]
        flags = {f.id: f for f in consult(sentence, kb=kb).red_flags}
        assert m.id in flags, (m.id, sentence, sorted(flags))
        assert flags[m.id].belief == m.belief  # the output names the misconception it answers


def test_a_red_flag_that_is_no_misconception_names_no_belief(kb):
    flags = {f.id: f for f in consult("Just tell me the batch size that fits on my 8GB card.", kb=kb).red_flags}
    assert flags["rf-just-tell-me-what-fits"].belief is None


def test_a_denied_belief_raises_no_red_flag(kb):
    advice = consult("I know a larger batch doesn't save memory, and I am not using a power of two for speed.", kb=kb)
    assert not {"rf-large-batch-saves-memory", "rf-power-of-two"} & {f.id for f in advice.red_flags}


def test_the_documented_table_is_generated_from_the_rules(kb):
    doc = (ROOT / "docs" / "misconceptions.md").read_text(encoding="utf-8")
    start, end = embedded_table(doc, "docs/misconceptions.md")
    assert doc[start:end] == markdown_table(kb), \
        "stale: run python -m advisor.kb.misconceptions --write docs/misconceptions.md"
    assert f"{len(catalogue(kb))} misconceptions" in doc
    assert f"{len(catalogue(kb))} common misconceptions" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_table_lists_every_entry_with_its_sources(kb):
    table = markdown_table(kb)
    rows = table.strip().splitlines()[2:]
    assert len(rows) == len(catalogue(kb))
    for row, m in zip(rows, catalogue(kb)):
        assert f"`{m.id}`" in row and m.belief in row and all(s in row for s in m.sources)


def test_write_refuses_a_document_without_markers_in_one_line(tmp_path, capsys):
    doc = tmp_path / "m.md"
    doc.write_text("# no markers here\n")
    assert main(["--write", str(doc)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no catalogue markers" in err and str(doc) in err
    assert doc.read_text() == "# no markers here\n"  # nothing half-written


def test_write_fills_the_table_between_the_markers(tmp_path, kb, capsys):
    doc = tmp_path / "m.md"
    doc.write_text(f"intro\n{BEGIN}\nSTALE ROW\n{END}\noutro\n")
    assert main(["--write", str(doc)]) == 0
    text = doc.read_text()
    assert text.startswith(f"intro\n{BEGIN}\n| # |") and text.endswith(f"{END}\noutro\n") and "STALE ROW" not in text
    assert main(["--write", str(doc)]) == 0 and "already current" in capsys.readouterr().out


def test_belief_red_flags_must_be_gated_on_a_claim(kb):
    """Lint rejects a catalogue entry no message could raise."""
    from advisor.domain.estimators import ESTIMATORS
    from advisor.kb.lint import lint

    bad = RedFlagRule(id="rf-bad", kind="red_flag", title="t", counter="c", belief="b", sources=["goyal"],
                      when={"fact": "oom", "eq": True})
    issues = [str(i) for i in lint(kb.model_copy(update={"rules": kb.rules + [bad]}), ESTIMATORS)]
    assert any("rf-bad" in i and "claim" in i for i in issues), issues
    assert not [i for i in lint(kb, ESTIMATORS)]


# ------------------------------------------------------------------------------------------- negation

def _neg(text, phrase, contains_negation=False):
    start = text.lower().index(phrase.lower())
    return negated(text, start, start + len(phrase), contains_negation=contains_negation)


@pytest.mark.parametrize("text, phrase, contains_negation, expected", [
    ("I don't think bigger batches are faster", "bigger batches are faster", False, True),
    ("Bigger batches are faster", "bigger batches are faster", False, False),
    ("A larger batch doesn't save memory", "larger batch doesn't save memory", False, True),   # inside the match
    ("Doesn't accumulation save memory?", "accumulation save memory", False, False),          # leading question
    ("Doesn't accumulation save memory.", "accumulation save memory", False, True),           # not a question
    ("So why isn't a bigger batch faster?", "bigger batch faster", False, False),             # a puzzled "why"
    ("I'm not sure bigger batches are faster", "bigger batches are faster", False, False),    # a hedge, not a denial
    ("I wonder whether or not bigger batches are faster", "bigger batches are faster", False, False),
    ("the myth that accumulation saves memory", "accumulation saves memory", False, True),
    ("accumulation saves memory is not true", "accumulation saves memory", False, True),
    ("that accumulation saves memory is false", "accumulation saves memory", False, True),
    ("With use_cache=False accumulation saves memory", "accumulation saves memory", False, False),  # a config value
    ("With no budget left I figured accumulation speeds it up", "accumulation speeds it up", False, False),
    ("I use accumulation instead of a larger batch to save memory", "larger batch to save memory", False, True),
    ("I couldn't fit it, so accumulation speeds it up", "accumulation speeds it up", False, False),  # another clause
    ("Gradient accumulation doesn't work", "accumulation doesn't work", True, False),           # negative belief
    ("I'm not saying accumulation doesn't work", "accumulation doesn't work", True, True),
    ("I dont think bigger batches are faster", "bigger batches are faster", False, True),       # no apostrophe
    ("I don\u2019t think bigger batches are faster", "bigger batches are faster", False, True),  # curly apostrophe
])
def test_negation(text, phrase, contains_negation, expected):
    assert _neg(text, phrase, contains_negation) is expected


def test_negation_looks_only_at_a_bounded_neighbourhood():
    far = "not " + "x" * (REACH + 10) + " bigger batches are faster"
    assert _neg(far, "bigger batches are faster") is False
    near = "not " + "word " * 3 + "bigger batches are faster"
    assert _neg(near, "bigger batches are faster") is True


def test_claim_patterns_that_spell_a_negation_declare_it(kb):
    """A pattern whose own words include a negation must say so (contains_negation), or its matches would be
    thrown away as denied; and one that declares it must contain one."""
    # (negation.py's determiners too: "instead of" denies what follows it)
    cue = re.compile(r"n't\b|\bnot\b|\bnever\b|\bno\b|\bwithout\b|\bcannot\b|instead")
    for name, spec in kb.facts.items():
        if not name.startswith("claim_"):
            continue
        for p in spec.patterns:
            # (a lookahead's words follow the match: "… (?=\s+instead\s+of\b)" denies nothing the match says)
            assert bool(cue.search(_without_trailing_lookahead(p.regex))) == p.contains_negation, (name, p.regex)


def _without_trailing_lookahead(regex: str) -> str:
    """The regex less a lookahead that ends it (a trailing "instead of" the match is followed by): words after the
    match deny nothing the match says."""
    at = regex.rfind("(?=")
    if at < 0:
        return regex
    depth = 0
    for i in range(at, len(regex)):
        if regex[i] in "()" and regex[i - 1] != "\\":
            depth += 1 if regex[i] == "(" else -1
            if depth == 0:
                return regex[:at] if i == len(regex) - 1 else regex
    return regex


# ------------------------------------------------------------------------------------------- bounded work

UNBOUNDED = re.compile(r"(\\.|\[[^\]]*\]|\)|.)([*+])")  # an atom followed by * or +


def test_claim_patterns_repeat_only_within_bounds(kb):
    """A claim pattern such as 'accumulat\\w*...' would be quadratic on 'accumulataccumulat...': every
    occurrence starts a match whose \\w* runs to the end of the giant word. Only digit and space runs, which
    cannot contain the word a pattern starts with, may be unbounded; everything else is written {0,N}."""
    for name, spec in kb.facts.items():
        if name.startswith("claim_"):
            for p in spec.patterns:
                loose = [m.group(0) for m in UNBOUNDED.finditer(p.regex)
                         if m.group(0) not in ("\\d+", "\\s*", "\\s+", "\\*")]
                assert not loose, (name, loose, p.regex)


def test_every_pattern_stays_linear_on_its_own_words_repeated():
    """Each pattern of the knowledge base on its own literal repeated, glued and spaced (the worst case for a
    backtracking matcher), in a child process with a deadline: a quadratic pattern would take minutes."""
    code = (
        "import re\n"
        "from advisor.consultation import load_kb\n"
        "from advisor.reading.literals import required_literals\n"
        "for spec in load_kb(None).facts.values():\n"
        "    for p in spec.patterns:\n"
        "        for lit in (required_literals(p.regex) or ('batch',))[:2]:\n"
        "            for text in (lit * (30000 // len(lit)), (lit + ' ') * (30000 // (len(lit) + 1))):\n"
        "                list(re.finditer(p.regex, text, re.IGNORECASE))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr[-500:]


def test_amp_that_saved_neither_memory_nor_time(kb):
    """Review 67 #30: "when i used the '--amp' parameter, the memory usage was not decreased (around 10G of my 2080Ti
    11G). The training time was also almost the same without amp.": both expectations answered."""
    c = run_consultation("It turned out when i used the '--amp' parameter, the memory usage was not decreased (around "
                         "10G of of my 2080Ti 11G). The training time was also almost the same without amp.", kb=kb)
    assert c.wm.value("claim_amp_halves_memory") is True and c.wm.value("claim_amp_no_speedup") is True
    ids = [f.id for f in c.advice.findings]
    assert "finding-amp-no-speedup" in ids


def test_keras_memory_not_freed_in_a_tuning_loop_is_the_frameworks_pool(kb):
    """Review 67 #28: "I can't free the GPU memory after each iteration … Ressource Exhausted : Out Of Memory": the
    pool TensorFlow keeps for the process (clear_session, a process per trial); "Exhausted" is the error's word, not
    the user's fatigue."""
    c = run_consultation("On a Google Colab notebook with keras and tensorflow as a backend, I am trying to tune a CNN "
                         "in a set of loops. My problem is that I can't free the GPU memory after each iteration and "
                         "Keras doesn't seem to be able to release GPU memory automatically. So every time I get a "
                         "**Ressource Exhausted : Out Of Memory (OOM)**", kb=kb)
    assert c.wm.value("claim_memory_not_freed") is True and c.wm.value("claim_exhausted") is False
    assert c.advice.findings[0].id == "finding-framework-preallocates"


def test_memory_left_free_asked_to_be_used_is_answered_for_speed(kb):
    """Review 68 #26: "Are there any specific settings to utilize more the vram during training? … VRAM usage is only
    around 37GB/80GB … increasing the batch size and changing the dtype to fp16?": the card read from "37GB/80GB", the
    goal speed, and what free memory can buy."""
    c = run_consultation("Are there any specific settings to utilize more the vram during training?  I'm currently "
                         "trying out fine-tuning Qwen-Image on an A100 and noticing that VRAM usage is only around "
                         "37GB/80GB.  I'm guessing increasing the batch size and changing the dtype to fp16?", kb=kb)
    assert c.wm.value("gpu_model") == "a100-80gb" and c.wm.value("user_goal") == "faster"
    assert c.advice.findings[0].id == "finding-free-memory-is-no-speed"


def test_a_batch_raised_that_the_memory_does_not_follow(kb):
    """Review 68 #30: "Is it normal that the gpu memory usage does not increase when dynamic batch is tested … and the
    dynamic batch size is increased. I want to use all my gpu memory" - decoding (no training), a setting that does not
    reach the loop; "use all my gpu memory" is a wish, not the card taken."""
    c = run_consultation("Dynamic batch for testing gpu memory not fully utilized\n\nIs it normal that the gpu memory "
                         "usage does not increase when dynamic batch is tested with other parameters unchanged and the "
                         "dynamic batch size is increased. I want to use all my gpu memory, how do I adjust it?", kb=kb)
    assert c.wm.value("generation_run") is True and c.wm.value("claim_all_memory_taken") is False
    assert c.advice.findings[0].id == "finding-setting-not-taking-effect"


def test_a_tpu_recipe_moved_to_gpus(kb):
    """Review 68 #27: TF2 Object Detection zoo configs written for TPUs, trained on 2 Titan RTX: the batch, the LR with
    its warmup and steps, BatchNorm and bfloat16 move together; the zoo config's "coco17" is the checkpoint's data, not
    the user's."""
    c = run_consultation("How to adapt TPU configs for training on GPU. I am trying to train some of the models in the "
                         "Tensorflow 2 Object Detection Model Zoo locally with 2 GPUs (2x Titan RTX with 24 GB of memory "
                         "each) on my own custom dataset. I could train properly using one of the GPU config files "
                         "(`faster_rcnn_resnet50_v1_800x1333_coco17_gpu-8`). However, most of the config files "
                         "correspond to models training on TPUs. I understand that if I reduce the batch size, I have "
                         "to reduce the learning rate. Do I need some other changes, maybe batch normalization?", kb=kb)
    assert "finding-tpu-recipe-on-gpus" in [f.id for f in c.advice.findings]
    assert not c.wm.known("dataset_size")


def test_an_rl_reward_falling_after_the_batch_was_cut_to_fit(kb):
    """Review 67 #10: trlx's GPT-J RLHF on 2 3090s with num_rollouts 128 → 32, chunk_size 16 → 4 and batch_size 1 "to
    avoid CUDA out of memory error": the run trains (6k steps), the falling reward is the noisier updates."""
    c = run_consultation("I'm trying RLHF with GPT-j on 2 3090 GPUs (with 24GB of memory on each GPU). In order to "
                         "make the model runnable on my machine (avoiding CUDA out of memory error), I change the config "
                         "for PPO (num_rollouts -> 32 (which was originally 128) and chunk_size -> 4 (which was "
                         "originally 16)), and the batch_size for the TrainConfig was changed to 1. However, the reward "
                         "continues to drop (from 0 to -3.48 after 6k training steps).", kb=kb)
    assert not c.wm.value("oom") and c.wm.value("claim_run_fits") is True
    assert c.advice.findings[0].id == "finding-rl-batch-cut-unstable"


def test_fp8_out_of_memory_where_bf16_fits(kb):
    """Review 74 #14: "Using FP8 OOM, otherwise --bf16 works well" - FP8 adds copies beside the weights; the OOM is
    FP8's, not the bf16 run's the plan counts."""
    c = run_consultation("[QUESTION]Using FP8 OOM, otherwise --bf16 works well\n\nWhen I train a 7B model on H100 GPU "
                         "using FP8, it turns out OOM, while the same parameters using - bf16 can be trained fine, what "
                         "is the possible problem?\n```\n       --bf16\\\n       --fp8-format hybrid \\\n"
                         "       --transformer-impl transformer_engine \\\n```", kb=kb)
    assert c.advice.findings[0].id == "finding-fp8-adds-copies"
    assert "plan-does-not-fit" not in [f.id for f in c.advice.findings]
