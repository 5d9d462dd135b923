"""Speed from arithmetic: the critical batch fitted to the user's steps-to-target, what more GPUs buy, and a GPU
that waits for data (rules/throughput.yaml)."""

import pytest

from advisor.consultation import consult, run_consultation
from advisor.domain.estimators import call_estimator
from advisor.domain.estimators.batching import throughput_peak
from advisor.engine.estimators import NotComputable

STEPS = ("Step time is the same at every batch. I measured steps to reach 90% accuracy: batch 64 took 20000 steps, "
         "batch 128 took 10500, batch 256 took 5800, batch 512 took 3600, batch 1024 took 2900. "
         "Will 2x the GPUs halve the time?")


def test_fit_recovers_a_known_noise_scale():
    """Steps generated from S_min = 1000, B_noise = 500 come back exactly."""
    steps = [[b, 1000 * (1 + 500 / b)] for b in (32, 128, 512, 2048)]
    out = call_estimator("critical_batch_fit", {"steps": steps})
    assert out["min_steps"].value == pytest.approx(1000) and out["noise_scale"].value == pytest.approx(500)
    assert out["largest_batch"].value == 2048


def test_fit_refuses_steps_that_do_not_fall():
    with pytest.raises(NotComputable, match="do not fall"):
        call_estimator("critical_batch_fit", {"steps": [[64, 1000], [128, 1200], [256, 1500]]})


def test_speedup_of_more_gpus_follows_the_steps():
    out = call_estimator("scale_out_speedup", {"noise_scale": 500, "min_steps": 1000, "batch_size": 500, "factor": 2})
    assert out["speedup"].value == pytest.approx(2000 / 1500)  # S(500) = 2,000, S(1000) = 1,500
    assert out["share"].value == pytest.approx(2000 / 1500 / 2)


def test_two_x_gpus_does_not_halve_the_time(kb):
    advice = consult(STEPS, kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["steps_by_batch"] == [[64, 20000], [128, 10500], [256, 5800], [512, 3600], [1024, 2900]]
    flag = next(r for r in advice.red_flags if r.id == "rf-more-gpus-not-linear")
    speedup = next(e for e in advice.estimates if e.id == "scale_out_speedup").value
    assert 1.0 < speedup < 1.3 and "not 2×" in flag.title  # at batch 1,024, past B_noise ≈ 850
    assert "batch_size" not in facts  # the batches of the list are the runs, not the user's batch


def test_below_the_critical_batch_more_gpus_pay(kb):
    advice = consult(STEPS.replace("Will 2x", "We train at batch 64. Will 2x"), kb=kb)
    assert "finding-more-gpus-pay" in [f.id for f in advice.findings]
    assert "rf-more-gpus-not-linear" not in [r.id for r in advice.red_flags]


def test_a_bigger_batch_does_not_fill_a_gpu_waiting_for_data(kb):
    advice = consult("GPU utilization is at 45%, the data loader gives 320 img/s. I want to double the batch size "
                     "to fill the GPU.", kb=kb)
    assert "rf-batch-will-not-fill-gpu" in [r.id for r in advice.red_flags]
    capacity = next(e for e in advice.estimates if e.id == "input_gpu_capacity").value
    assert capacity == pytest.approx(320 / 0.45)
    busy = consult("GPU utilization is at 97%, the data loader gives 320 img/s. I want to double the batch size.", kb=kb)
    assert "rf-batch-will-not-fill-gpu" not in [r.id for r in busy.red_flags]


@pytest.mark.parametrize("model, image_size, gmacs", [
    # torchvision's published GFLOPS (multiply-accumulates of one forward pass) for each model at its image size
    ("resnet18", 0, 1.81), ("resnet34", 0, 3.66), ("resnet50", 0, 4.09), ("resnet101", 0, 7.80),
    ("resnet152", 0, 11.51), ("vit-b-16", 0, 17.56), ("vit-b-32", 0, 4.41), ("vit-l-16", 0, 61.55),
    ("vit-b-16", 384, 55.48),  # (torchvision's ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1 at 384 px)
])
def test_vision_forward_macs_reproduce_torchvisions_figures(model, image_size, gmacs):
    from advisor.domain.catalogue import preset
    from advisor.domain.vision_flops import forward_macs

    assert forward_macs(preset(model), image_size) / 1e9 == pytest.approx(gmacs, abs=0.006)


def test_a_cnn_rate_is_held_against_the_card_by_its_feature_maps_not_its_parameters(kb):
    """Review 37 #19: ResNet-50 on 4 V100s at 1400 images/s is 350 per GPU × 24.5 GFLOP = 8.59 TFLOP/s, 6.9% of the
    V100's 125; 6 × parameters would have made it 0.15 GFLOP a sample. A rate said per GPU is not divided again,
    and a language model gets no such figure (its tokens/s have their own)."""
    out = call_estimator("vision_utilization", {"model": "resnet50", "samples_per_second": 1400, "peak_tflops": 125,
                                                "num_gpus": 4})
    assert out["flops"].value == pytest.approx(6 * 4.0892, rel=1e-3)
    assert out["per_gpu_rate"].value == 350 and out["share"].value == pytest.approx(350 * 24.535e9 / 125e12, rel=1e-3)
    each = call_estimator("vision_utilization", {"model": "resnet50", "samples_per_second": 350, "peak_tflops": 125,
                                                 "num_gpus": 4, "per_gpu": True})
    assert each["share"].value == pytest.approx(out["share"].value)
    with pytest.raises(NotComputable):
        call_estimator("vision_utilization", {"model": "llama-2-7b", "samples_per_second": 10, "peak_tflops": 312})
    advice = consult("ResNet-50 on 4 V100s: throughput for FP32 is 1400 images/sec. Is that slow?", kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["vision_samples_per_gpu"] == 350 and "finding-vision-utilization" in [f.id for f in advice.findings]
    assert "tflops_per_thousand_tokens" not in facts
    per_gpu = consult("ResNet-50 on 4 V100s gets 350 images/sec per GPU. Is that slow?", kb=kb)
    assert {f.name: f.value for f in per_gpu.facts}["vision_samples_per_gpu"] == 350


def test_run_times_by_batch_show_a_fixed_cost_per_step(kb):
    """Review 38 #20: Keras over the same 5,000 samples and 1,000 epochs, batch 500 -> 6.3 s ... 10 -> 140.2 s: 22.3x
    faster for 50x fewer steps, each step at 500 only 2.25x one at 10 - the time follows the steps (fixed per-step
    cost), not the samples. Times whose steps grow with the batch in proportion are no such finding."""
    advice = consult("In Keras I time model.fit(epochs=1000) on about 5000 samples: batch_size 500 -> 6.3 s, "
                     "250 -> 6.7 s, 50 -> 28.0 s, 10 -> 140.2 s. Why does the larger batch make training so much "
                     "faster?", kb=kb)
    facts = {f.name: f.value for f in advice.facts}
    assert facts["run_seconds_by_batch"] == [[500, 6.3], [250, 6.7], [50, 28.0], [10, 140.2]]
    assert facts["run_batch_gain"] == pytest.approx(140.2 / 6.3)
    assert facts["run_step_cost_ratio"] == pytest.approx(6.3 * 500 / (140.2 * 10))
    assert advice.findings[0].id == "finding-run-time-follows-steps"
    flat = consult("Same data and epochs: batch_size 64 -> 100 s, 16 -> 110 s. Why is it not faster?", kb=kb)
    assert "finding-run-time-follows-steps" not in [f.id for f in flat.findings]


def test_a_quoted_throughput_is_counted_over_the_gpus_it_ran_on(kb):
    """Review 65 #14: "114K tokens/s on 8x8 A100 80G … ~1.7k/s/GPU?" with no GPUs of the user's: over the 64 GPUs
    quoted (about 45% of peak for a 13B model), not over one (an impossible 2,850%)."""
    c = run_consultation("> Training speed: Llama 13B BF16 ctxlen4096 = 114K tokens/s on 8x8 A100 80G\n\nSo to "
                         "clarify, you're ingesting 114 ktokens/s on 64x A100s during training, or ~1.7k/s/GPU? (Meta "
                         "trained on A100-80GB too.)", kb=kb)
    assert c.wm.value("reference_num_gpus") == 64 and not c.wm.known("num_gpus")
    mfu = c.wm.value("measured_mfu")
    assert mfu == pytest.approx(6 * c.wm.value("params") * 114e3 / 64 / 312e12)
    assert 0.3 < mfu < 0.6
    assert "finding-measured-utilization-impossible" not in {f.id for f in c.advice.findings}


def test_tflops_per_thousand_tokens_names_each_part_of_its_factor():
    """Review 68 #13: LoRA with checkpointing counts 4 (no weight gradients on the frozen base) + 2 (the forward
    recomputed) = 6 FLOPs a parameter a token - each part said, not a bare 6 that reads as the full fine-tune's."""
    from advisor.domain.estimators.batching import tflops_per_thousand_tokens
    lora = tflops_per_thousand_tokens(14e9, 10, 1, grad_checkpointing=True, adapter="lora")["value"]
    assert lora.value == pytest.approx(6 * 14e9 * 1000 / 10 / 1e12)
    assert "4 (a frozen base: no weight gradients) + 2 (the forward recomputed)" in lora.formula
    full = tflops_per_thousand_tokens(14e9, 10, 1)["value"]
    assert full.formula.startswith("6 × ")


SOCKEYE_LOG = """I'm cranking up `--batch-size` to the maximum possible allowed by my GPU, but am observing that throughput
degrades after a point.
```
batch-size= 1		[INFO:__main__] Processed 1982 lines. Total time: 223.3541, sec/sent: 0.1127, sent/sec: 8.8738
batch-size= 16		[INFO:__main__] Processed 1982 lines. Total time: 17.3007, sec/sent: 0.0087, sent/sec: 114.5619
batch-size= 48		[INFO:__main__] Processed 1982 lines. Total time: 12.0154, sec/sent: 0.0061, sent/sec: 164.9549
batch-size= 112		[INFO:__main__] Processed 1982 lines. Total time: 21.9354, sec/sent: 0.0111, sent/sec: 90.3560
```"""


def test_a_throughput_that_peaks_and_falls_names_the_peak_batch(kb):
    """Review 69 #26 (Sockeye translation): sent/s by batch read from the log's lines, the peak at 48 and the fall by
    112 computed - and no learning-rate advice for a model run to translate."""
    c = run_consultation("[Question] Batch size vs Inference throughput\n" + SOCKEYE_LOG, kb=kb)
    assert c.wm.value("throughput_peak_batch") == 48 and c.wm.value("throughput_largest_batch") == 112
    assert c.wm.value("throughput_fall") == pytest.approx(1 - 90.356 / 164.9549)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-throughput-peaks-then-falls" and "finding-warmup-for-larger-batch" not in ids


def test_a_throughput_still_rising_has_no_peak():
    with pytest.raises(NotComputable):
        throughput_peak([[1, 10.0], [8, 60.0], [32, 120.0]])
    with pytest.raises(NotComputable):
        throughput_peak([[1, 10.0], [8, 60.0], [32, 58.0]])  # (3% below the peak: noise, not a fall)


def test_step_times_said_before_their_batches_give_the_gain(kb):
    """Review 70 #3: "6.5 sec/it in batch#1, but 22sec/it in batch#4" - 4 × 6.5 / 22 = 1.18× the samples/s, and the
    measurement answers whether examples/s rise (not asked again)."""
    c = run_consultation("Flux LoRA training on an A40 GPU (48GB VRAM), default training config: if I increase batch "
                         "number it increases time per iteration (eg: 6.5 sec/it in batch#1, but 22sec/it in batch#4). "
                         "Any clue?", kb=kb)
    assert c.wm.value("step_seconds_by_batch") == [[1, 6.5], [4, 22.0]]
    assert c.wm.value("batch_speedup_gain") == pytest.approx(4 * 6.5 / 22)
    assert c.advice.findings[0].id == "finding-batch-time-grows-with-batch"
    assert "throughput_rises" not in [q.id for q in c.advice.questions]


def test_autobatch_asked_to_fill_more_of_the_card(kb):
    """Review 70 #9: "the Auto-batch feature … on a dedicated ML server, I'd rather use more than 60% of VRAM and thus
    I've been running the auto-batch to get a guess, then doubling it" - the fraction AutoBatch takes, and its room."""
    c = run_consultation("YOLOv8: the Auto-batch feature during training has kept all of my training runs in VRAM. "
                         "However, when on a dedicated ML server, I'd rather use more than 60% of VRAM and thus I've "
                         "been running the auto-batch to get a guess, then doubling it.", kb=kb)
    assert c.advice.findings[0].id == "finding-autobatch-fraction"
