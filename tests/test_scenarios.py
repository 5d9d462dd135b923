"""The golden scenarios: every expectation of every turn, the output contract, and scenario 12's code."""

import ast

import pytest
from jsonschema import Draft202012Validator

from advisor.regress.checker import check_advice, run_scenario
from advisor.consultation import consult
from advisor.regress.scenario import Expect, load_scenario

from .conftest import SCENARIOS


def test_the_thirteen_seed_scenarios_are_all_here():
    seed = [p.name[:3] for p in SCENARIOS if p.name.startswith("s")]
    assert seed == [f"s{i:02d}" for i in range(1, 14)]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_expectations(path, kb):
    result = run_scenario(load_scenario(str(path), kb), kb)
    assert result.turns >= 2, "every golden scenario has at least one follow-up turn"
    assert result.passed, "\n".join(result.failures)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_turn_matches_the_advice_schema(path, kb, advice_schema):
    validator = Draft202012Validator(advice_schema)
    scenario = load_scenario(str(path), kb)
    for message, facts, answers, _, _ in scenario.turns():
        data = consult(message, facts, answers, configs=scenario.configs, kb=kb).to_dict()
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, errors


def test_checker_reports_wrong_expectations(kb):
    """The checker must be able to fail: wrong ids, bounds and forbidden text are all reported."""
    advice = consult("I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits.", kb=kb)
    expect = Expect.model_validate({
        "red_flags": {"include": ["no-such-flag"]},
        "questions": {"exclude": ["training_mode"]},
        "options": {"include": [{"id": "adamw-8bit", "where": {"estimates.model_states_bytes": {"gt": 9e9}}}],
                    "exclude": ["optimizer-offload"]},
        "recommendation": {"option": "lora"},
        "estimates": [{"id": "states_full_adamw", "approx": 4e9, "rel": 0.01}],
        "text": {"forbid": ["8\\.00 GB"]},
    })
    failures = check_advice(advice, expect, "model states 8.00 GB")
    assert len(failures) == 7, failures


def test_checker_reads_the_plan_table(kb):
    """Plans are addressed by id, 'current' (the user's plan) and 'recommended'; wrong bounds are reported, right
    ones are not. 7.24e9 params × 16 B / 4 GPUs = 29.0 GB of states per T4: the user's plan cannot fit, nor can 8-bit
    AdamW alone (7.24e9 × 10 B / 4 = 18.1 GB), so it is never offered."""
    message = "Full fine-tune of Mistral-7B with ZeRO-3 on 4x T4, fp32, AdamW, seq 1024, micro batch 1"
    advice = consult(message, answers={"training_mode": "finetune"}, kb=kb)
    good = Expect.model_validate({"plans": {
        "include": [{"id": "current", "where": {"fits": {"eq": False}, "per_gpu_bytes": {"gt": 29.0e9},
                                                "num_gpus": {"eq": 4}}},
                    {"id": "recommended", "where": {"fits": {"eq": True}}}],
        "exclude": ["adamw-8bit"], "offered": {"fits": {"eq": True}, "per_gpu_bytes": {"lte": 16 * 2**30}},
        "every": {"num_gpus": {"eq": 4}}}})
    assert check_advice(advice, good, "") == []
    bad = Expect.model_validate({"plans": {
        "include": [{"id": "current", "where": {"fits": {"eq": True}}}, {"id": "no-such-plan"}],
        "exclude": ["current"], "offered": {"fits": {"eq": False}}, "every": {"num_gpus": {"eq": 8}}}})
    failures = check_advice(advice, bad, "")
    offered = len(advice.plans) - 1
    assert offered >= 1 and len(failures) == 3 + offered + len(advice.plans), failures
    assert any("plan current.fits = False, expected eq True" in f for f in failures)
    assert any("missing plan 'no-such-plan'" in f for f in failures)


def _no_sync_snippet(kb):
    advice = consult("8 GPUs with gradient accumulation, sync is killing performance, should I skip it?", kb=kb)
    finding = next(f for f in advice.findings if f.id == "finding-no-sync-pattern")
    return finding.snippet


def test_scenario_12_code_puts_forward_and_backward_inside_no_sync_and_backward_once(kb):
    tree = ast.parse(_no_sync_snippet(kb))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    backward = [c for c in calls if c.func.attr == "backward"]
    assert len(backward) == 1, "backward must be called exactly once per micro-batch"
    # the one `with ctx:` whose context is no_sync() for all but the last micro-batch holds both passes
    withs = [n for n in ast.walk(tree) if isinstance(n, ast.With) and any(
        isinstance(i.context_expr, ast.Name) and i.context_expr.id == "ctx" for i in n.items)]
    assert len(withs) == 1
    inner = ast.unparse(withs[0])
    assert "ddp_model(x)" in inner and ".backward()" in inner
    assign = next(n for n in ast.walk(tree) if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "ctx")
    assert "no_sync()" in ast.unparse(assign.value) and "nullcontext()" in ast.unparse(assign.value)
    # zero_grad after the step, scheduler stepped once per update (outside the loop)
    loop = next(n for n in tree.body if isinstance(n, ast.For))
    assert "scheduler.step" not in ast.unparse(loop) and "optimizer.step" not in ast.unparse(loop)


def test_scenario_12_snippet_runs_with_a_fake_ddp_model():
    """Execute the snippet with stand-ins: forward and backward happen inside no_sync() for k-1 micro-batches."""
    import contextlib

    from advisor.consultation import load_kb

    snippet = _no_sync_snippet(load_kb())
    events = []

    class Loss:
        def __truediv__(self, k):
            return self

        def backward(self):
            events.append(("backward", state["in_no_sync"]))

    state = {"in_no_sync": False}

    class FakeDDP:
        def __call__(self, x):
            events.append(("forward", state["in_no_sync"]))
            return x

        def parameters(self):
            return []

        @contextlib.contextmanager
        def no_sync(self):
            state["in_no_sync"] = True
            yield
            state["in_no_sync"] = False

    class Step:
        def step(self):
            events.append(("step", None))

        def zero_grad(self, set_to_none=True):
            events.append(("zero_grad", None))

    fake_torch = type("torch", (), {
        "autocast": staticmethod(lambda *a, **k: contextlib.nullcontext()), "bfloat16": None,
        "nn": type("nn", (), {"utils": type("u", (), {"clip_grad_norm_": staticmethod(lambda *a: None)})})})
    k = 4
    namespace = {"accum_steps": k, "micro_batches": [(i, i) for i in range(k)], "ddp_model": FakeDDP(),
                 "loss_fn": lambda out, y: Loss(), "optimizer": Step(), "scheduler": Step()}
    code = snippet.replace("import torch\n", "")
    exec(compile(code, "<snippet>", "exec"), {**namespace, "torch": fake_torch})  # noqa: S102 - our own snippet
    passes = [e for e in events if e[0] in ("forward", "backward")]
    assert passes == [("forward", True), ("backward", True)] * (k - 1) + [("forward", False), ("backward", False)]
    assert [e[0] for e in events[-3:]] == ["step", "step", "zero_grad"]


def test_replicate_and_retune_texts_come_from_the_facts(kb):
    """Issue 11, W1/W2: the batch in the recommendation and the runs per arm are computed, not typed in."""
    message = ("Run 1 (batch 64): 91.2% accuracy. Run 2 (batch 64): 90.6%. Run 3 (batch 64): 91.0%. Run 4 (batch 512): "
               "89.9%. Batch size doesn't affect accuracy consistently, it's just noise.")
    advice = consult(message, answers={"lr_retuned": False}, kb=kb)
    assert advice.recommendation.option_id == "retune-then-compare"
    assert "batch-512 run" in advice.recommendation.rationale and "256" not in advice.recommendation.rationale
    replicate = next(o for o in advice.options if o.id == "replicate-runs")
    runs = next(e for e in advice.estimates if e.id == "runs_needed").value
    assert f"With {runs} seeds" in replicate.summary and runs > 3  # sd ≈ 0.31: 3 runs are far from 80% power
    assert "80% power" not in replicate.summary


@pytest.mark.parametrize("paper, fits, ratio", [(512, 256, "2×"), (1024, 256, "4×"), (768, 256, "3×")])
def test_own_setup_update_ratio_is_computed(kb, paper, fits, ratio):
    """Issue 11, W3: "twice the optimizer updates" was typed in; at 1024 against 256 it is 4×."""
    advice = consult(f"The paper uses batch size {paper}, so I should too. My GPU fits {fits}.",
                     answers={"optimizer": "sgd_momentum", "goal": "best_result", "uses_batchnorm": False}, kb=kb)
    assert advice.recommendation.option_id == "retune-lr-for-batch"
    assert f"you get {ratio} the optimizer updates per epoch" in advice.recommendation.rationale


def test_bf16_compression_snippet_imports_what_it_uses(kb):
    """Issue 11, W5: `torch.distributed.algorithms.ddp_comm_hooks.default_hooks.bf16_compress_hook` raised
    AttributeError after a bare `import torch`. Run the option's snippet in a fresh interpreter (torch installed)
    with a stand-in DDP model and check the hook it registers is the real bf16 one."""
    import subprocess
    import sys

    pytest.importorskip("torch")
    advice = consult("8 GPUs with gradient accumulation, sync is killing performance, should I skip it?", kb=kb)
    option = next(o for o in advice.options if o.id == "bf16-gradient-compression")
    assert "NCCL" in option.summary and "2.9.6" in option.summary + option.snippet
    program = (
        "class FakeDDP:\n"
        "    def register_comm_hook(self, state, hook):\n"
        "        self.hook = hook\n"
        "ddp_model = FakeDDP()\n" + option.snippet +
        "\nimport torch.distributed.algorithms.ddp_comm_hooks.default_hooks as d\n"
        "assert ddp_model.hook is d.bf16_compress_hook, ddp_model.hook\n")
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_warmup_advice_only_when_the_batch_goes_up(kb):
    """Issue 11, M5: Goyal ramps from η to kη (not from near zero), and the warmup/large-batch-gap text belongs to
    a batch that went up, not down."""
    down = consult("The paper uses batch size 512, so I should too. My GPU fits 256.",
                   answers={"optimizer": "sgd_momentum", "goal": "best_result", "uses_batchnorm": False}, kb=kb)
    option = next(o for o in down.options if o.id == "retune-lr-for-batch")
    assert option.settings.warmup is None
    assert "warmup" not in (option.summary + option.tradeoffs.accuracy).lower()
    assert "finding-warmup-for-larger-batch" not in [f.id for f in down.findings]
    up = consult("I increased batch size 4x and learning rate 4x (linear scaling), but training diverged.",
                 answers={"optimizer": "adam", "warmup_used": False, "divergence_onset": "early"}, kb=kb)
    option = next(o for o in up.options if o.id == "retune-lr-for-batch")
    assert option.settings.warmup
    finding = next(f for f in up.findings if f.id == "finding-warmup-for-larger-batch")
    assert "η" in finding.text and "kη" in finding.text and "near zero" not in finding.text


def test_warmup_in_epochs_is_goyals_choice_and_adam_gets_ma_yarats(kb):
    """Issue 11, M4: "warmup is a schedule over data" was stated generally; for Adam the untuned rule is
    2/(1 − β2) iterations."""
    rules = {r.id: r for r in kb.rules}
    assert "schedule over data" not in rules["finding-warmup-steps"].text
    assert "Goyal" in rules["finding-warmup-steps"].text and "SGD" in rules["finding-warmup-steps"].text
    up = consult("I increased batch size 4x and learning rate 4x (linear scaling), but training diverged.",
                 answers={"optimizer": "adam", "warmup_used": False, "divergence_onset": "early"}, kb=kb)
    est = next(e for e in up.estimates if e.id == "adam_warmup_steps")
    assert est.value == 2000 and est.heuristic  # β2 = 0.999
    sgd = consult("I increased batch size 4x and learning rate 4x (linear scaling), but training diverged.",
                  answers={"optimizer": "sgd_momentum", "warmup_used": False, "divergence_onset": "early"}, kb=kb)
    assert "adam_warmup_steps" not in [e.id for e in sgd.estimates]


def test_answer_counts_ddp_buckets_and_accumulated_gradients(kb):
    """Issue 11, W6 in `answer`: with several GPUs or accumulation the catalogue estimate keeps the gradients."""
    message = "I want to fine-tune gpt2 on my 16GB GPU, seq len 256. Just tell me the batch size that fits."
    answers = {"optimizer": "adamw", "precision": "amp_bf16"}
    best = lambda facts: next(e for e in consult(message, facts, answers, kb=kb).estimates  # noqa: E731
                              if e.id == "preset_max_micro_batch").value
    one = best({})
    # (the gradients, 0.5 GB for GPT-2 in fp32, cost one or two samples of SDPA activations at 256 tokens)
    assert one - 3 < best({"num_gpus": 2}) < one and one - 3 < best({"grad_accum_steps": 4}) < one
