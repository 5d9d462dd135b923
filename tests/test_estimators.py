"""Estimators against published numbers and hand arithmetic (domain-facts §6.3)."""

import math

import pytest

from advisor.consultation import run_consultation
from advisor.domain.estimators import ESTIMATORS, NotComputable, call_estimator
from advisor.domain.estimators.batching import plan_accumulation
from advisor.domain.estimators.memory import bytes_per_param
from advisor.domain.estimators.scaling import sweep_points
from advisor.domain.estimators.stats import t_quantile, t_two_sided_p, z_quantile


def value(name, **args):
    return call_estimator(name, args)


@pytest.mark.parametrize("precision, optimizer, per_param", [
    ("fp32", "adamw", 16), ("fp32", "adam", 16), ("amp_bf16", "adamw", 18), ("amp_fp16", "adam", 18),
    ("fp32", "adamw_8bit", 10), ("fp32", "sgd_momentum", 12), ("fp32", "sgd", 8), ("bf16", "adamw", 8),
    ("bf16", "adamw_8bit", 6), ("fp32", "lion", 12), ("fp32", "adamw_4bit", 9), ("bf16", "adamw_4bit", 5),
])
def test_bytes_per_param(precision, optimizer, per_param):
    assert bytes_per_param(precision, optimizer)[0] == per_param


def test_scenario_1_model_states():
    """500M params: 16 B → 8.0 GB (7.45 GiB); 8-bit AdamW 10 B → 5.0 GB; SGD-momentum 12 B → 6.0 GB."""
    full = value("model_state_bytes", params=5e8, precision="fp32", optimizer="adamw")["value"]
    assert full.value == 8.0e9 and full.unit == "bytes"
    assert round(full.value / 2**30, 2) == 7.45
    assert "16 B/param" in full.formula and set(full.sources) >= {"hf-anatomy", "zero"}
    assert value("model_state_bytes", params=5e8, precision="fp32", optimizer="adamw_8bit")["value"].value == 5.0e9
    assert value("model_state_bytes", params=5e8, precision="fp32", optimizer="sgd_momentum")["value"].value == 6.0e9
    offload = value("offload_gpu_state_bytes", params=5e8)
    assert offload["value"].value == 2.0e9  # bf16 weights and gradients on the GPU
    assert offload["cpu"].value == 8.0e9 and offload["cpu_buffered"].value == 12.0e9  # 16 B/param, ×1.5 (DeepSpeed)


def test_adapters_freeze_the_base():
    lora = value("adapter_state_bytes", params=5e8, base_bits=16, adapter_fraction=0.01)["value"].value
    qlora = value("adapter_state_bytes", params=5e8, base_bits=4, adapter_fraction=0.01)["value"].value
    assert lora == pytest.approx(1.0e9 + 5e6 * 18)
    assert qlora == pytest.approx(5e8 * (0.5 + 1 / 64 + 4 / (64 * 256)) + 5e6 * 18)  # + NF4 constants (double quant)
    with pytest.raises(NotComputable):
        value("adapter_state_bytes", params=5e8, base_bits=4, adapter_fraction=1.5)


@pytest.mark.parametrize("double_quant, low, high", [(True, 3.85e9, 3.9e9), (False, 4.15e9, 4.2e9)])
def test_qlora_base_of_llama_2_7b(double_quant, low, high):
    """Issue 11, M10: the 4-bit base is not 0.5 B/param flat (3.37 GB): NF4 keeps one fp32 absmax per 64 weights
    (or 8-bit ones plus fp32 per 256 blocks with double quantisation), and the embeddings and LM head stay 16-bit:
    3.9-4.2 GB for Llama-2-7B."""
    out = value("adapter_state_bytes", params=6738415616, base_bits=4, adapter_fraction=1e-9, model="llama-2-7b",
                double_quant=double_quant)["value"]
    assert low < out.value < high and "262.4M embeddings/head/norms at 2 B" in out.formula
    generic = value("adapter_state_bytes", params=6738415616, base_bits=4, adapter_fraction=1e-9)["value"]
    assert "not included" in generic.formula  # a bare parameter count says what it leaves out


def test_memory_line_from_two_measurements():
    """Scenario 10: 64 → 14 GB, 128 → 24 GB: slope 0.156 GB/sample, fixed 4 GB; 32 GB × 0.9 → 158."""
    out = value("linear_memory_fit", peaks=[[64, 14e9], [128, 24e9]], gpu_memory=32e9, safety_margin=0.1)
    assert out["per_sample"].value == pytest.approx(0.15625e9)
    assert out["fixed"].value == pytest.approx(4e9)
    assert out["max_micro_batch"].value == 158
    with pytest.raises(NotComputable):
        value("linear_memory_fit", peaks=[[64, 14e9], [64, 15e9]], gpu_memory=32e9, safety_margin=0.1)


@pytest.mark.parametrize("optimizer, k, center, sweep", [
    ("sgd_momentum", 4, 4, [2.0, 2.83, 4.0, 5.66]),
    ("adam", 4, 2, [1.41, 2.0, 2.83, 4.0]),
    ("adamw", 8, math.sqrt(8), [2.0, 2.83, 4.0, 5.66, 8.0]),
    ("sgd", 0.5, 0.5, [0.354, 0.5, 0.707]),  # was [0.5, 0.707]: two points that did not bracket ×0.5
    ("adamw", 0.5, math.sqrt(0.5), [0.5, 0.707, 1.0]),
    ("adamw", 64, 8, [5.66, 8.0, 11.3, 16.0, 22.6]),
])
def test_lr_brackets(optimizer, k, center, sweep):
    out = value("lr_multipliers", batch_from=100, batch_to=100 * k, optimizer=optimizer)
    assert out["linear"].value == pytest.approx(k)
    assert out["sqrt"].value == pytest.approx(math.sqrt(k))
    assert out["center"].value == pytest.approx(center)
    assert out["sweep"].value == sweep


def test_sweep_points_bracket_the_centre_and_reach_the_other_rule():
    assert sweep_points(2, 4) == [1.41, 2.0, 2.83, 4.0]
    assert sweep_points(4, 2) == [2.0, 2.83, 4.0, 5.66]
    assert sweep_points(3, math.sqrt(3)) == [1.73, 2.12, 3.0, 4.24]


@pytest.mark.parametrize("optimizer", ["sgd", "sgd_momentum", "adam", "adamw", "adamw_8bit", "lion", "adafactor"])
@pytest.mark.parametrize("k", [1 / 64, 0.25, 0.5, 0.75, 1.5, 2, 4, 8, 64])
def test_every_sweep_has_3_to_5_points_around_its_centre(optimizer, k):
    """Issue 11, M6: the option promises 3-5 runs; for SGD at k < 1 the sweep had 2 and did not bracket."""
    out = value("lr_multipliers", batch_from=256, batch_to=256 * k, optimizer=optimizer)
    sweep, center = out["sweep"].value, out["center"].value
    assert 3 <= len(sweep) <= 5 and sweep == sorted(sweep)
    assert min(sweep) < center < max(sweep) and any(math.isclose(x, center, rel_tol=5e-3) for x in sweep)


@pytest.mark.parametrize("optimizer, heuristic", [("adamw", False), ("lion", True), ("adafactor", True), ("sgd", False)])
def test_square_root_rule_is_heuristic_outside_malladis_analysis(optimizer, heuristic):
    out = value("lr_multipliers", batch_from=256, batch_to=1024, optimizer=optimizer)
    assert out["center"].heuristic is heuristic and out["sweep"].heuristic is heuristic


def test_warmup_is_kept_in_examples():
    out = value("warmup_at_new_batch", warmup_steps=1000, batch_from=256, batch_to=1024)
    assert out["examples"].value == 256000 and out["steps"].value == 250


@pytest.mark.parametrize("target, max_micro, gpus, plan", [
    (512, 256, 1, (256, 2, 512)),
    (256, 158, 1, (128, 2, 256)),
    (1024, 64, 8, (64, 2, 1024)),
    (100, 30, 1, (25, 4, 100)),
    (96, 40, 2, (24, 2, 96)),
])
def test_accumulation_plans_are_exact_with_the_fewest_steps(target, max_micro, gpus, plan):
    assert plan_accumulation(target, max_micro, gpus) == plan


def test_accumulation_plan_says_when_it_is_not_exact():
    out = value("accumulation_plan", target_batch=97, max_micro_batch=40, num_gpus=1)
    assert out["exact"].value is False
    assert out["micro_batch"].value * out["grad_accum_steps"].value == out["effective_batch"].value
    assert "nearest" in out["effective_batch"].formula


def test_steps_and_speedups():
    s = value("training_steps", dataset_size=2000, batch_size=256, epochs=3)
    assert (s["per_epoch"].value, s["total"].value) == (8, 24)
    assert value("training_steps", dataset_size=2000, batch_size=32, epochs=3)["per_epoch"].value == 63
    b = value("batch_for_min_steps", dataset_size=2000, epochs=3, min_steps=200)
    assert b["batch"].value == 16 and b["steps"].value >= 200
    g = value("gpus_for_speedup", current_duration=14 * 86400, target_duration=3 * 86400, efficiency=0.9)
    assert (g["ideal"].value, g["at_efficiency"].value) == (5, 6)
    assert value("speedup", current_duration=14, target_duration=3)["value"].value == pytest.approx(4.6667, rel=1e-4)


def test_allreduce_volume_scenario_12():
    out = value("allreduce_volume", params=350e6, num_gpus=8)
    assert out["gradient_bytes"].value == pytest.approx(1.4e9)
    assert out["ring_bytes_per_gpu"].value == pytest.approx(2.45e9)


def test_t_distribution():
    assert t_quantile(0.975, 2) == pytest.approx(4.303, abs=1e-3)
    assert t_quantile(0.975, 30) == pytest.approx(2.042, abs=1e-3)
    assert t_two_sided_p(4.303, 2) == pytest.approx(0.05, abs=1e-4)
    assert z_quantile(0.975) == pytest.approx(1.95996, abs=1e-4)


def test_scenario_13_noise():
    out = value("run_noise", runs=[[128, 85.2], [128, 84.8], [128, 85.0], [256, 84.0]])
    assert out["mean"].value == pytest.approx(85.0)
    assert out["sd"].value == pytest.approx(0.2)
    assert out["pi_low"].value == pytest.approx(84.006, abs=1e-3)
    assert out["pi_high"].value == pytest.approx(85.994, abs=1e-3)
    assert out["t"].value == pytest.approx(4.33, abs=0.01)
    assert out["p"].value == pytest.approx(0.0494, abs=2e-4)
    with pytest.raises(NotComputable):
        value("run_noise", runs=[[128, 85.0], [256, 84.0]])


def test_t_test_power_against_r_power_t_test():
    """R: power.t.test(n = 20, delta = 1) = 0.8689528; n = 16.71 per arm for 80% at delta = sd. The audit's case:
    σ = 0.2, a 0.5-point difference: 3 runs per arm give ≈ 0.64, 4 give ≈ 0.84 (not 80% at 3)."""
    from advisor.domain.estimators.stats import chi2_quantile, runs_for_power, t_test_power

    assert t_test_power(20, 1, 1) == pytest.approx(0.8689528, abs=1e-5)
    assert runs_for_power(1, 1) == 17
    assert t_test_power(3, 0.5, 0.2) == pytest.approx(0.64, abs=0.005)
    assert t_test_power(4, 0.5, 0.2) == pytest.approx(0.84, abs=0.005)
    assert chi2_quantile(0.025, 2) == pytest.approx(0.0506, abs=1e-4)
    assert chi2_quantile(0.975, 10) == pytest.approx(20.483, abs=1e-3)


@pytest.mark.parametrize("sd, effect, n", [(0.3, 0.5, 7), (0.3, 0.3, 17), (0.2, 0.5, 4), (0.05, 0.5, 3)])
def test_runs_per_arm_is_t_based(sd, effect, n):
    out = value("runs_per_arm", sd=sd, min_effect=effect, sd_runs=3)
    assert out["value"].value == n  # the normal approximation gave 6, 16 and 3 for the first three
    assert out["power_at_value"].value >= 80
    assert out["sd_upper"].value == pytest.approx(sd * math.sqrt(2 / 0.05064), rel=1e-3)  # σ from 3 runs: wide
    assert out["at_sd_upper"].value > n


def test_every_estimator_declares_what_it_cites():
    for est in ESTIMATORS.values():
        assert est.cites, est.name
        assert est.doc, est.name


def test_beta2_keeps_its_half_life_in_samples():
    out = value("beta2_for_batch", beta2=0.999, batch_from=128, batch_to=512)
    assert out["value"].value == pytest.approx(0.999**4)
    steps = out["half_life_steps"].value
    assert steps == pytest.approx(692.8, abs=0.05) and "optimizer steps" in out["half_life_steps"].formula
    assert "samples" not in out["half_life_steps"].formula  # issue 11, W4: 692.8 are steps, not samples
    samples = value("beta2_half_life_samples", beta2=0.999, batch_size=128)["value"].value
    new_half = math.log(0.5) / math.log(out["value"].value) * 512
    assert samples == pytest.approx(steps * 128) == pytest.approx(new_half)


def test_weight_decay_keeps_the_adamw_timescale():
    # τ = B/(η λ D): B ×4 and η ×2 → λ ×2
    assert value("weight_decay_for_batch", weight_decay=0.1, batch_from=128, batch_to=512, lr_from=3e-4,
                 lr_to=6e-4)["value"].value == pytest.approx(0.2)


def test_warmup_in_epochs_and_deit_point():
    assert value("warmup_in_epochs", warmup_epochs=5, dataset_size=1_281_167, batch_size=8192)["steps"].value == 782
    assert value("deit_lr", batch_size=1024)["value"].value == pytest.approx(1e-3)


def test_token_accumulation_and_budget():
    exact = value("accumulation_for_tokens", target_tokens=491_520, micro_batch=12, seq_len=1024, num_gpus=8)
    assert exact["grad_accum_steps"].value == 5 and exact["exact"].value is True  # nanoGPT's GPT-2 config
    near = value("accumulation_for_tokens", target_tokens=500_000, micro_batch=12, seq_len=1024, num_gpus=8)
    assert near["grad_accum_steps"].value == 5 and near["exact"].value is False and "bracket" in near["grad_accum_steps"].formula
    assert value("steps_for_tokens", token_budget=327.68e6, tokens_per_step=2048)["value"].value == 160_000


def test_critical_batch_tradeoff():
    out = value("critical_batch_tradeoff", batch_size=1000, noise_scale=1000)
    assert out["steps_ratio"].value == 2 and out["examples_ratio"].value == 2  # at B = B_noise both double
    small = value("critical_batch_tradeoff", batch_size=100, noise_scale=1000)
    assert small["steps_ratio"].value == pytest.approx(11) and small["examples_ratio"].value == pytest.approx(1.1)


@pytest.mark.parametrize("loss, tokens", [(3.0, 1.07e6), (2.5, 2.55e6)])
def test_kaplan_critical_batch(loss, tokens):
    est = value("kaplan_critical_batch", loss_nats=loss)["value"]
    assert est.value == pytest.approx(tokens, rel=0.02) and est.heuristic


def test_time_to_target_prefers_the_batch_before_the_plateau():
    curve = [[32, 1000], [64, 1900], [128, 3400], [256, 3500], [512, 3550]]
    out = value("time_to_target", throughput=curve, noise_scale=200)
    assert out["best_batch"].value == 128
    assert dict((b, t) for b, t in out["relative_time"].value)[128] == 1.0


GIB = 2**30


def test_a_batch_asked_about_from_one_measurement():
    """Memory is affine in the batch: from one measurement the asked batch needs at most measured × asked / batch
    (nothing fixed) and fits only if each added sample takes under the card's room; with the fixed part counted the
    rest of the measurement is the batch's samples."""
    out = call_estimator("asked_batch_from_use", {"asked": 16, "gpu_memory": 24 * GIB, "peaks": [[8, 8 * GIB]]})
    assert out["batch"].value == 8 and out["worst"].value == 16 * GIB and out["surely_fits"].value is True
    assert out["room_per_sample"].value == pytest.approx(16 * GIB / 8)
    tight = call_estimator("asked_batch_from_use", {"asked": 4, "gpu_memory": 16 * GIB, "measured_use": 14 * GIB,
                                                    "batch": 2, "at_one": 5 * GIB, "at_one_sample": 0.0})
    assert tight["surely_fits"].value is False and tight["room_per_sample"].value == pytest.approx(1 * GIB)
    assert tight["per_sample"].value == pytest.approx(4.5 * GIB)  # (14 − 5) / 2
    assert tight["peak"].value == pytest.approx(23 * GIB) and tight["fits"].value is False
    # two measurements: the line itself
    line = call_estimator("asked_batch_from_use", {"asked": 32, "gpu_memory": 24 * GIB,
                                                   "peaks": [[8, 9 * GIB], [16, 13 * GIB]]})
    assert line["peak"].value == pytest.approx(5 * GIB + 32 * 0.5 * GIB)
    for bad in ({"asked": 8, "gpu_memory": 24 * GIB, "peaks": [[8, 8 * GIB]]},  # not larger
                {"asked": 16, "gpu_memory": 24 * GIB, "measured_use": 8 * GIB, "batch": 8, "num_gpus": 4}):
        with pytest.raises(NotComputable):
            call_estimator("asked_batch_from_use", bad)


def test_an_accumulation_plan_divides_the_batch_exactly_when_it_can():
    """Review 32 #2: 4096 on a micro-batch of at most 183 was 178 × 23 = 4094 "exactly"; 128 × 32 is exact. Exact
    plans are taken within twice the fewest steps; a prime batch gets the nearest."""
    assert plan_accumulation(4096, 183, 1) == (128, 32, 4096)
    assert plan_accumulation(512, 8, 8) == (8, 8, 512)
    assert plan_accumulation(4099, 183, 1) == (178, 23, 4094)  # (prime: no exact plan near 23 steps)
    assert plan_accumulation(10**7, 1, 1) == (1, 10**7, 10**7)  # bounded: divisors, not a loop over the steps


def test_a_quoted_figure_a_little_above_a_recipe_is_it_with_the_activations():
    """A README's "7B full + fp16 needs about 60G" is 9.2 B a parameter: pure bf16's 8 B and a batch's activations
    (review 55 #25), not 'no recipe's whole count'; 300 GB for 70B (4.6 B) stays between two recipes."""
    from advisor.domain.estimators.memory import quoted_as_recipe

    readme = quoted_as_recipe(60 * 2**30, 7e9)["recipe"].value
    assert "a little above" in readme and "pure bf16" in readme and "activations" in readme
    assert "no recipe's whole count" in quoted_as_recipe(300 * 2**30, 70e9)["recipe"].value


def test_a_boosted_trees_histogram_follows_features_and_bins():
    from advisor.domain.estimators.memory import gbdt_histogram
    assert gbdt_histogram(5_314_541)["value"].value == 5_314_541 * 256 * 8
    assert gbdt_histogram(100_000, 64)["value"].value == 100_000 * 64 * 8
    with pytest.raises(NotComputable):
        gbdt_histogram(0)


def test_xgboost_on_a_wide_sparse_matrix_is_answered_by_its_features(kb):
    """Review 67 #26: gpu_hist on a 20808x5314541 TF-IDF matrix on a 10 GB card: one node's histogram is 10.1 GiB,
    whatever the rows; no batch or parameter count to ask for."""
    c = run_consultation("Kernel dies when using gpu_hist. It fails with GPU: XGBClassifier(max_depth=3, "
                         "tree_method='gpu_hist', n_estimators=300). The training data is a 20808x5314541 sparse "
                         "matrix (tfidfvectorized matrix). So I guess it is a memory issue? GPU is Nvidia RTX 3080 10GB. "
                         "Do I need to increase my GPU memory to make it work?",
                         kb=kb)
    assert c.wm.value("gbdt_histogram_bytes") == 5_314_541 * 256 * 8
    assert c.advice.findings[0].id == "finding-gbdt-memory-follows-features"
    assert not c.advice.questions


def test_megatron_split_is_the_smallest_copy_whose_states_leave_room():
    """7B on 8x 40 GB: tensor 2 keeps 7B / 2 × (6 + 12/4) = 31.5 GB, past 70% of the card, so tensor 4 (21 GB, 2
    copies); 70.55B on 16x 80 GB has no split that fits and is counted on 32 GPUs; a 1B model needs no split."""
    from advisor.domain.estimators.memory import megatron_split
    from advisor.engine.estimators import NotComputable
    seven = megatron_split(7e9, 8, 40 * 2**30)
    assert (seven["tensor"].value, seven["pipeline"].value, seven["data"].value) == (4, 1, 2)
    assert seven["per_gpu"].value == pytest.approx(7e9 / 4 * 12) and seven["more_gpus"].value == 0
    seventy = megatron_split(70.55e9, 16, 80 * 2**30)
    assert (seventy["gpus"].value, seventy["split"].value, seventy["more_gpus"].value) == (32, 16, 1)
    assert megatron_split(1e9, 1, 80 * 2**30)["split"].value == 1
    assert megatron_split(7e9, 2, 40 * 2**30, model_parallel_gpus=4)["gpus"].value == 8  # (the copies × the split)
    with pytest.raises(NotComputable):
        megatron_split(1e15, 8, 80 * 2**30)  # (no 1,024 nodes hold a quadrillion parameters)
