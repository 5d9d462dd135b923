"""The analytic training-memory model against published numbers and the CPU experiment, plus properties."""

import pytest
from hypothesis import given, settings, strategies as st

from advisor.domain.catalogue import ModelSpec, count_gpt2, preset
from advisor.errors import InputError
from advisor.domain.estimators.training import TrainingSetup, estimate_training_memory, exact_plans

GiB = 2**30


@pytest.mark.parametrize("stage, gb", [(0, 120.0), (1, 31.4), (2, 16.6), (3, 1.9)])
def test_zero_paper_example(stage, gb):
    """Rajbhandari et al.: 7.5B parameters, 64 GPUs, mixed-precision Adam (K = 12) → 120 / 31.4 / 16.6 / 1.9 GB."""
    spec = ModelSpec("7.5B", "generic", int(7.5e9))
    # the paper counts one copy of the gradients: DDP's buckets as views (gradient_as_bucket_view=True)
    est = estimate_training_memory(spec, TrainingSetup(precision="mixed", optimizer="adam", gpus=64, zero=stage, bucket_view=True), "cpu")
    assert est.after_backward / 1e9 == pytest.approx(gb, abs=0.05)


# the knowledge note's CPU experiment (memory-estimation.md §4.3): a GPT with V=10000, s=256, h=512, a=8, L=4,
# GELU 4h MLP, untied head, fp32 AdamW, no dropout; MemTracker peaks in MB (10^6 B)
EXPERIMENT = ModelSpec("memexp", "gpt2", count_gpt2(vocab=10000, n_positions=256, d_model=512, n_layers=4, d_ff=2048,
                                                      tied=False), 512, 4, 8, 8, 2048, 10000, 256,
                       dims={"activation": "gelu"})  # nn.GELU, as minGPT (the gpt2 family defaults to HF's gelu_new)


@pytest.mark.parametrize("attention, batch, mb", [("eager", 8, 865.9), ("eager", 64, 4995.0),
                                                  ("flash", 8, 798.8), ("flash", 64, 4460.0)])
def test_reproduces_the_cpu_experiment(attention, batch, mb):
    assert EXPERIMENT.params == 22_981_632
    est = estimate_training_memory(EXPERIMENT, TrainingSetup(attention=attention, margin=0), "cpu")
    assert est.allocated(batch) / 1e6 == pytest.approx(mb, rel=0.001)
    assert est.intercept / 1e6 == pytest.approx(275.8, rel=0.001)  # 4P + 8P: weights and Adam state


def test_seed_004_does_not_fit_16_gib_at_256_or_512():
    """domain-facts §4.4: fp32 logits alone are 2.44 GiB at 256 and 4.88 GiB at 512; ×3 with the loss temporaries."""
    spec = preset("tinystories-004")
    est = estimate_training_memory(spec, TrainingSetup(precision="fp32", optimizer="adamw"), "cuda")
    assert est.intercept == pytest.approx(22_696_448 * 12)
    for batch, logits_gib in ((256, 2.44), (512, 4.88)):
        comp = est.components(batch)
        assert comp["logits and loss"] / GiB == pytest.approx(3 * logits_gib, rel=0.01)
        assert est.device_total(batch) > 16 * GiB
    assert 128 <= est.max_micro_batch(16 * GiB) < 256
    flash = estimate_training_memory(spec, TrainingSetup(attention="flash", precision="amp_bf16", fused_loss=True), "cuda")
    assert flash.device_total(256) < 16 * GiB  # what would have made 256 fit


def test_model_states_by_precision_and_optimizer():
    spec = ModelSpec("500M", "generic", 500_000_000)
    per_param = lambda **kw: estimate_training_memory(spec, TrainingSetup(**kw), "cpu").after_backward / 5e8  # noqa: E731
    assert per_param(precision="fp32", optimizer="adamw") == 16
    assert per_param(precision="amp_bf16", optimizer="adamw") == 18
    assert per_param(precision="mixed", optimizer="adamw") == 16
    assert per_param(precision="fp32", optimizer="adamw_8bit") == 10
    assert per_param(precision="bf16", optimizer="adamw") == 8
    assert per_param(precision="fp32", optimizer="sgd") == 8


def test_lora_and_qlora_freeze_the_base():
    spec = preset("llama-2-7b")
    full = estimate_training_memory(spec, TrainingSetup(precision="amp_bf16"), "cpu").after_backward
    lora = estimate_training_memory(spec, TrainingSetup(precision="amp_bf16", trainable_fraction=0.01, base_bits=16), "cpu")
    qlora = estimate_training_memory(spec, TrainingSetup(precision="amp_bf16", trainable_fraction=0.01, base_bits=4), "cpu")
    assert lora.after_backward == pytest.approx(spec.params * (2 + 0.01 * 18))
    linear = 6_476_005_376  # the layers' weight matrices; embeddings, head and norms stay 16-bit
    nf4 = 0.5 + 1 / 64 + 4 / (64 * 256)  # 4 bits + double-quantised constants per weight
    assert qlora.after_backward == pytest.approx(linear * nf4 + (spec.params - linear) * 2 + spec.params * 0.01 * 18)
    assert qlora.after_backward < lora.after_backward < full / 5


def test_offload_moves_optimizer_state_to_the_cpu():
    spec = ModelSpec("1B", "generic", 10**9)
    est = estimate_training_memory(spec, TrainingSetup(precision="mixed", optimizer="adam", offload_optimizer=True), "cpu")
    # CPU: fp32 master 4 + fp32 gradients 4 + Adam 8 = 16 B/param (was 12: the fp32 gradients were missing)
    assert est.fixed["optimizer state"] == 0 and est.cpu_bytes == 16e9 and est.after_backward == 4e9


@pytest.mark.parametrize("kwargs, message", [
    (dict(precision="fp64"), "unknown precision"), (dict(gpus=0), "at least 1"), (dict(zero=4), "--zero must be 0, 1, 2 or 3"),
    (dict(trainable_fraction=0), "trainable fraction"), (dict(margin=1.5), "margin"),
])
def test_bad_setups(kwargs, message):
    with pytest.raises(InputError, match=message):
        estimate_training_memory(preset("gpt2"), TrainingSetup(**kwargs))


def test_max_micro_batch_and_plans():
    est = estimate_training_memory(preset("gpt2"), TrainingSetup(precision="amp_bf16", attention="flash"), "cuda")
    budget = 24 * GiB
    b = est.max_micro_batch(budget)
    assert b >= 1 and est.device_total(b) <= budget < est.device_total(b + 1)
    assert exact_plans(512, 24, 2) == [(16, 16, 2), (8, 32, 2), (4, 64, 2), (2, 128, 2), (1, 256, 2)]
    assert exact_plans(512, 256, 1)[0] == (256, 2, 1)
    assert exact_plans(10, 4, 3) == []


setups = st.builds(TrainingSetup, precision=st.sampled_from(["fp32", "amp_bf16", "bf16", "mixed"]),
                   optimizer=st.sampled_from(["sgd", "sgd_momentum", "adam", "adamw", "adamw_8bit", "lion"]),
                   checkpointing=st.sampled_from(["none", "selective", "full"]), attention=st.sampled_from(["eager", "flash"]),
                   dropout=st.booleans(), fused_loss=st.booleans())
models = st.sampled_from(["gpt2", "bert-base", "llama-2-7b", "vit-b-16", "tinystories-004"])


@settings(max_examples=150, deadline=None)
@given(models, setups, st.integers(1, 512), st.integers(1, 64))
def test_monotone_in_batch_and_sharding_never_increases_per_gpu_memory(name, setup, batch, gpus):
    spec = preset(name)
    est = estimate_training_memory(spec, setup, "cuda")
    assert est.device_total(batch + 1) >= est.device_total(batch)
    assert est.device_total(batch, accumulation=2) >= est.device_total(batch)  # gradients alive from micro-step 2
    previous = None
    for stage in (0, 1, 2, 3):  # against plain DDP on the same GPUs (which keeps gradient buckets, so it may exceed 1 GPU)
        sharded = estimate_training_memory(spec, TrainingSetup(**{**setup.__dict__, "gpus": gpus, "zero": stage}), "cuda")
        total = sharded.device_total(batch)
        if previous is not None:
            assert total <= previous + 1e-6
        previous = total


@settings(max_examples=60, deadline=None)
@given(setups, st.integers(1, 64), st.integers(16, 4096), st.integers(16, 4096))
def test_monotone_in_sequence_length_and_parameters(setup, batch, s1, s2):
    short, long_ = sorted((s1, s2))
    a = estimate_training_memory(preset("gpt2", seq_len=short), setup, "cuda").device_total(batch)
    b = estimate_training_memory(preset("gpt2", seq_len=long_), setup, "cuda").device_total(batch)
    assert a <= b
    small = estimate_training_memory(ModelSpec("s", "generic", 10**8), setup, "cuda").device_total(batch)
    large = estimate_training_memory(ModelSpec("l", "generic", 10**9), setup, "cuda").device_total(batch)
    assert small < large


def test_checkpointing_and_flash_reduce_activations():
    spec = preset("gpt2")
    base = estimate_training_memory(spec, TrainingSetup(), "cuda").slope
    assert estimate_training_memory(spec, TrainingSetup(attention="flash"), "cuda").slope < base
    assert estimate_training_memory(spec, TrainingSetup(checkpointing="full"), "cuda").slope < \
        estimate_training_memory(spec, TrainingSetup(checkpointing="selective"), "cuda").slope < base


def test_offloaded_checkpoints_leave_two_layer_inputs_on_the_gpu():
    """Unsloth's gradient checkpointing, DeepSpeed's cpu_checkpointing: every layer's input waits in CPU RAM, so the
    GPU keeps the one recomputed layer and two inputs in transit instead of one input per layer."""
    spec = preset("llama-2-7b")
    full = estimate_training_memory(spec, TrainingSetup(checkpointing="full", attention="flash"), "cuda").slope
    offloaded = estimate_training_memory(spec, TrainingSetup(checkpointing="offloaded", attention="flash"), "cuda").slope
    s, h, layers = spec.seq_len, spec.d_model, spec.n_layers
    # (the residual stream under bf16 autocast over fp32 weights is fp32: 4 bytes an element)
    assert full - offloaded == pytest.approx((layers - 2) * s * h * 4)
    with pytest.raises(InputError, match="offloaded"):
        TrainingSetup(checkpointing="cpu").check()


def test_unsloths_loss_keeps_one_16bit_copy_of_the_logits():
    """Unsloth's cross-entropy: the logits stay in 16 bits, one copy whose gradient the backward writes in place -
    between a chunked loss (none) and the default (three fp32-sized copies at the start of backward)."""
    spec = preset("llama-2-7b")
    parts = {kind: estimate_training_memory(spec, TrainingSetup(checkpointing="full", **kw), "cuda")
             for kind, kw in (("full", {}), ("16bit", {"logits_16bit": True}), ("fused", {"fused_loss": True}))}
    assert parts["16bit"].per_sample["logits and loss"] == 2 * spec.seq_len * spec.vocab
    assert parts["fused"].slope < parts["16bit"].slope < parts["full"].slope


def test_accumulation_and_ddp_keep_gradients_beside_the_activations():
    """Issue 11, W6: gradients are None at the start of backward only for the first micro-batch on one GPU.
    Micro-steps 2..k (accumulation) and DDP (persistent buckets) hold every trained gradient beside the
    activations: a 1.3B full fine-tune (fp32 gradients) was 5.2 GB too optimistic."""
    spec = ModelSpec("1.3B", "generic", int(1.3e9))
    one = estimate_training_memory(spec, TrainingSetup(), "cuda")
    accum = estimate_training_memory(spec, TrainingSetup(grad_accum=4), "cuda")
    assert accum.at_backward(8) - one.at_backward(8) == pytest.approx(5.2e9)
    assert one.at_backward(8, accumulation=4) == accum.at_backward(8)
    ddp = estimate_training_memory(spec, TrainingSetup(gpus=8), "cuda")
    assert ddp.resident_gradients == pytest.approx(5.2e9) and ddp.gradient_buffers == pytest.approx(5.2e9)
    assert ddp.after_backward - one.after_backward == pytest.approx(5.2e9)  # buckets beside param.grad
    view = estimate_training_memory(spec, TrainingSetup(gpus=8, bucket_view=True), "cuda")
    assert view.gradient_buffers == 0 and view.resident_gradients == pytest.approx(5.2e9)
    zero2 = estimate_training_memory(spec, TrainingSetup(gpus=8, zero=2), "cuda")
    assert zero2.resident_gradients == pytest.approx(5.2e9 / 8)


def test_gpt2_bf16_on_16_gib_fits_one_less_with_ddp_or_accumulation():
    """The issue's example (GPT-2, bf16 autocast, 16 GiB; here with SDPA attention at sequence 512): micro-batch 19
    fits on one GPU, 18 once gradients sit beside the activations (--gpus 2, or micro-steps 2..k of a plan)."""
    budget = 16 * GiB
    setup = dict(precision="amp_bf16", attention="flash")
    single = estimate_training_memory(preset("gpt2", 512), TrainingSetup(**setup), "cuda")
    limit = single.max_micro_batch(budget)
    assert limit == 19 and limit.accumulating == 18
    assert single.max_micro_batch(budget, accumulation=2) == 18
    ddp = estimate_training_memory(preset("gpt2", 512), TrainingSetup(**setup, gpus=2), "cuda")
    assert ddp.max_micro_batch(budget) == 18
    # plans: 19 × 3 = 57 does not fit when accumulating
    assert (19, 3, 1) not in exact_plans(57, limit, 1) and (19, 1, 1) in exact_plans(19, limit, 1)
    assert exact_plans(57, 19, 1, max_micro_accumulating=18) == exact_plans(57, limit, 1)


def test_estimate_cli_plans_use_the_accumulating_limit():
    import json
    import subprocess
    import sys

    from .conftest import ROOT

    base = [sys.executable, "-m", "advisor", "estimate", "--preset", "gpt2", "--seq-len", "512", "--precision", "amp_bf16",
            "--attention", "flash", "--budget-gib", "16", "--format", "json"]
    data = json.loads(subprocess.run(base + ["--target-batch", "57"], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert data["max_micro_batch"] == 19
    assert data["plans"] and all(p["micro_batch"] <= 18 for p in data["plans"] if p["grad_accum_steps"] > 1)
    gpus = json.loads(subprocess.run(base + ["--gpus", "2"], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert gpus["max_micro_batch"] == 18


@pytest.mark.parametrize("setup", [TrainingSetup(), TrainingSetup(precision="amp_bf16", gpus=2),
                                   TrainingSetup(checkpointing="full", attention="flash"), TrainingSetup(precision="bf16", zero=3, gpus=8)])
@pytest.mark.parametrize("batch, accumulation", [(1, 1), (4, 1), (4, 4), (16, 2)])
def test_device_line_is_the_device_total_through_the_batch(setup, batch, accumulation):
    """device_line(b, k) is what a chart draws through a plan's micro-batch: exact there, and on either side while
    the same moment of the step is the peak; max_micro_batch is where it crosses the budget."""
    est = estimate_training_memory(preset("gpt2"), setup)
    fixed, per = est.device_line(batch, accumulation)
    assert fixed + batch * per == pytest.approx(est.device_total(batch, accumulation), rel=1e-12)
    step = est.peak_is_optimizer_step(batch, accumulation)
    for b in (batch + 1, batch * 2):  # the same moment is the peak: the line is the total there too
        if est.peak_is_optimizer_step(b, accumulation) == step and (step or est._phase(b, accumulation) == est._phase(batch, accumulation)):
            assert fixed + b * per == pytest.approx(est.device_total(b, accumulation), rel=1e-12)
    points = est.device_points(batch, est.max_micro_batch(1e12, accumulation), accumulation)
    assert [b for b, _ in points] == sorted({b for b, _ in points})  # each micro-batch once, in order
    assert all(v == est.device_total(b, accumulation) for b, v in points)
    budget = est.device_total(batch, accumulation) * 1.5
    largest = est.max_micro_batch(budget, accumulation)
    assert fixed + largest * per <= budget * (1 + 1e-12) and est.device_total(largest + 1, accumulation) > budget


def test_lora_parameters_from_the_rank_and_the_layers(kb):
    """r × (d_in + d_out) on every linear layer of the blocks: Llama-2-7B at r=8 on q, k, v, o, gate, up and down
    is PEFT's 19,988,480 trainable parameters; Llama-3-8B at r=16 (grouped-query k and v) is 41,943,040."""
    from advisor.consultation import consult
    from advisor.domain.estimators.training import lora_adapter_params

    assert lora_adapter_params(preset("llama-2-7b"), 8) == 32 * 8 * (4 * (4096 + 4096) + 3 * (4096 + 11008)) == 19_988_480
    assert lora_adapter_params(preset("llama-3-8b"), 16) == 32 * 16 * (2 * (4096 + 4096) + 2 * (4096 + 1024)
                                                                        + 3 * (4096 + 14336)) == 41_943_040
    assert lora_adapter_params(preset("resnet50"), 8) == 0  # no transformer blocks: the default share stays
    # the consultation counts the adapters from the rank: 70B at r=16 trains 0.29 %, not the assumed 1 %
    advice = consult("QLoRA Llama-3.1-70B r=16 on 2x A100 80GB, seq 4096, micro 1, gradient checkpointing, "
                     "what batch fits?", kb=kb)
    share = {e.id: e.value for e in advice.estimates}["lora_adapter_share"]
    assert share == pytest.approx(lora_adapter_params(preset("llama-3.1-70b"), 16) / preset("llama-3.1-70b").params)
    assert 0.0029 < share < 0.0030


@pytest.mark.parametrize("name, bits", [("llama-2-7b", 4), ("llama-3-8b", 16)])
def test_a_frozen_base_has_no_weight_gradients_in_backward(name, bits):
    """Reviews 9 and 10: under LoRA/QLoRA the base's weights are frozen, so the backward of the last block and the
    head makes no weight gradients (only the adapters', counted with the states): micro-batch 1 never needs more
    than micro-batch 2, and no 'weight gradients in backward' term appears."""
    spec = preset(name, 2048)
    est = estimate_training_memory(spec, TrainingSetup(precision="amp_bf16", attention="flash", trainable_fraction=0.005,
                                                       base_bits=bits))
    assert est.device_total(1) < est.device_total(2)
    assert all("weight gradients in backward" not in est.components(b) for b in (1, 2, 4))
    assert all(fixed == 0 for fixed, _ in est.phases())
    full = estimate_training_memory(spec, TrainingSetup(precision="amp_bf16", attention="flash"))
    assert any(fixed > 0 for fixed, _ in full.phases())  # training every weight, the last block's gradients exist


def test_lora_parameters_on_the_layers_targeted():
    """Attention only (q, k, v, o) on Mixtral-8x7B at r=16 is 32 × 16 × (2 × (4096 + 4096) + 2 × (4096 + 1024)) =
    13.6M, against 242M on every linear layer with its eight experts; q and v only on Llama-2-7B at r=8 is 4.2M."""
    from advisor.domain.estimators.training import lora_adapter_params

    mixtral = preset("mixtral-8x7b")
    assert lora_adapter_params(mixtral, 16, "attention") == 32 * 16 * (2 * (4096 + 4096) + 2 * (4096 + 1024))
    assert lora_adapter_params(mixtral, 16) > 17 * lora_adapter_params(mixtral, 16, "attention")
    assert lora_adapter_params(preset("llama-2-7b"), 8, "qv") == 32 * 8 * 2 * (4096 + 4096) == 4_194_304


def test_a_mixture_of_experts_counts_each_tokens_top_k_expert_activations():
    """Review 13: Mixtral's blocks are a Llama block whose MLP runs each token through its top-2 of 8 experts: the
    per-sample activations are a dense model's with twice the MLP width (the router's logits aside), not 'no
    activation model'."""
    from dataclasses import replace

    from advisor.domain.catalogue import preset
    from advisor.domain.estimators.training import TrainingSetup, estimate_training_memory

    moe = preset("mixtral-8x7b", 4096)
    dense = replace(moe, arch_kind="decoder", family="llama", d_ff=moe.d_ff * int(moe.dims["top_k"]))
    setup = TrainingSetup(precision="amp_bf16", optimizer="adamw")
    assert moe.has_activation_shape and not moe.has_transformer_shape
    assert estimate_training_memory(moe, setup).slope == pytest.approx(estimate_training_memory(dense, setup).slope)


def test_two_models_of_one_width_apart_by_their_vocabularies(kb):
    """Review 72 #21: "at 16384, Llama 2 7b or Mistral-7b only consumes around 10g vram on T4 … Llama 3 8b … OOM" - the
    128,256-token vocabulary's fp32 logits, 4× Llama-2's 32,000, lead."""
    from advisor.consultation import run_consultation

    c = run_consultation("I found there is a very huge GPU vram usage difference between Llama 3 8b and Llama 2 7b when "
                         "I'm doing Qlora finetune. If I set the context to 16384, Llama 2 7b or Mistral-7b only consumes "
                         "around 10g vram on T4. However, if I change the model to Llama 3 8b, it says OOM exceeding "
                         "7.83g vram. Why llama 3 8b need almost double vram compared with 7b models?", kb=kb)
    assert c.wm.value("model_preset") == "llama-3-8b" and c.wm.value("model_compared") == "llama-2-7b"
    assert c.wm.value("run_logits_bytes") == 16384 * 128256 * 4
    assert c.advice.findings[0].id == "finding-compared-vocab-logits"


def test_no_vocabulary_finding_for_models_of_one_vocabulary(kb):
    from advisor.consultation import run_consultation

    c = run_consultation("Llama 2 7b at 4096 tokens uses 14 GB, Llama 2 13b needs 26 GB with QLoRA. Why?", kb=kb)
    assert "finding-compared-vocab-logits" not in [f.id for f in c.advice.findings]
