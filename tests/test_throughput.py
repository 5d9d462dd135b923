"""Speed from arithmetic: the critical batch fitted to the user's steps-to-target, what more GPUs buy, and a GPU
that waits for data (rules/throughput.yaml)."""

import pytest

from advisor.consultation import consult
from advisor.domain.estimators import call_estimator
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
