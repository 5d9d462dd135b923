"""`advisor probe` on the CPU with a simulated memory cap: the search, OOM safety, throughput, noise scale, the
measured facts in a consultation, and the distributed path under torchrun (gloo, 2 processes)."""

import gc
import json
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from advisor.errors import InputError  # noqa: E402
from advisor.measure.probe import Prober, probe  # noqa: E402

from .conftest import ROOT  # noqa: E402
from .factories import TinyGPT  # noqa: E402


@pytest.mark.parametrize("factory, cap_gib", [("tests.factories:tiny_gpt", 0.05), ("tests.factories:tiny_gpt", 0.1),
                                               ("tests.factories:small_cnn", 0.2)])
def test_search_returns_a_batch_that_ran_and_stops_within_5_percent(factory, cap_gib):
    r = probe(factory, device="cpu", cap_gib=cap_gib, throughput=False)
    assert len(r.trials) <= 5
    curve = r.curve  # the fitted line predicts every trial that ran within 1% (peak is affine in batch)
    for t in (t for t in r.trials if t.ok):
        assert curve["intercept_bytes"] + curve["per_sample_bytes"] * t.batch == pytest.approx(t.peak_reserved_bytes, rel=0.01)
    best = r.max_micro_batch
    assert any(t.batch == best and t.ok for t in r.trials), "the returned batch has been run"
    failed = [t.batch for t in r.trials if not t.ok and t.batch > best]
    assert failed and min(failed) <= max(best + 1, int(best * 1.05) + 1), "the next step of the search does not fit"
    # and independently: one more sample than the verified failure really does not fit
    check = Prober(factory, device="cpu", cap_gib=cap_gib)
    assert not check.trial(min(failed), "check").ok and check.trial(best, "check").ok


def test_oom_leaves_no_model_behind():
    def live_models():
        import warnings

        gc.collect()
        with warnings.catch_warnings():  # isinstance() touches deprecated torch module attributes
            warnings.simplefilter("ignore")
            return sum(isinstance(o, TinyGPT) for o in gc.get_objects())

    before = live_models()
    p = Prober("tests.factories:tiny_gpt", device="cpu", cap_gib=0.01)
    assert not p.trial(64, "too big").ok and p.trials[-1].peak_reserved_bytes == -1
    assert live_models() == before


def test_errors_that_are_not_oom_are_reported_clearly():
    with pytest.raises(InputError, match="the training step failed at batch .*ValueError: this model only accepts"):
        probe("tests.factories:fails_at_large_batch", device="cpu", cap_gib=0.05, throughput=False)
    with pytest.raises(InputError, match="needs cap_gib"):
        Prober("tests.factories:tiny_gpt", device="cpu")
    with pytest.raises(InputError, match="at least 2"):
        Prober("tests.factories:tiny_gpt", device="cpu", cap_gib=1, steps=1)
    with pytest.raises(InputError, match="even batch 1 does not fit"):
        probe("tests.factories:tiny_gpt", device="cpu", cap_gib=0.001, throughput=False)


def test_throughput_noise_scale_and_loader():
    from . import factories

    factories.CLOCK.tick = 1000.0  # seconds per batch on the fake clock: slower than any real step of the tiny model
    r = probe("tests.factories:tiny_gpt", device="cpu", cap_gib=0.05, noise_scale=True,
              loader="tests.factories:ticking_loader", clock=factories.CLOCK)
    batches = [t.batch for t in r.throughput]
    assert batches == sorted(batches) and batches[-1] == r.max_micro_batch
    assert all(t.samples_per_s > 0 and t.tokens_per_s == pytest.approx(t.samples_per_s * 64, rel=0.01) for t in r.throughput)
    top = max(t.samples_per_s for t in r.throughput)
    rec = next(t for t in r.throughput if t.batch == r.recommended_micro_batch)
    assert rec.samples_per_s >= 0.95 * top and all(t.samples_per_s < 0.95 * top for t in r.throughput if t.batch < rec.batch)
    assert r.noise_scale.b_simple > 0 and r.noise_scale.stderr >= 0
    assert r.input_pipeline_bound is True


def test_saved_probe_feeds_the_advice(tmp_path):
    saved = tmp_path / "probe.json"
    out = subprocess.run([sys.executable, "-m", "advisor", "probe", "--model", "tests.factories:tiny_gpt", "--device", "cpu",
                          "--memory-cap-gib", "0.05", "--no-throughput", "--save", str(saved), "--format", "json"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and out.stderr == "" and json.loads(out.stdout)["max_micro_batch"] >= 1
    scenario = tmp_path / "oom.yaml"
    scenario.write_text("message: I got OOM at batch 64 with this model\nfacts: {gpu_memory: 0.05GiB}\nprobe: probe.json\n")
    advice = json.loads(subprocess.run([sys.executable, "-m", "advisor", "answer", str(scenario), "--json"], cwd=ROOT,
                                       capture_output=True, text=True, check=True).stdout)
    measured = {f["name"] for f in advice["facts"] if f["provenance"]["kind"] == "measured"}
    assert {"peak_memory_by_batch", "max_micro_batch"} <= measured
    assert "measured-line" in [f["id"] for f in advice["findings"]]
    bad = subprocess.run([sys.executable, "-m", "advisor", "answer", str(scenario), "--probe", str(scenario)], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "not a saved advisor probe" in bad.stderr


def test_text_output_shows_progress_and_every_trial():
    out = subprocess.run([sys.executable, "-m", "advisor", "probe", "--model", "tests.factories:tiny_gpt", "--device", "cpu",
                          "--memory-cap-gib", "0.05", "--no-throughput"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0
    assert "advisor: trial 1: batch" in out.stderr
    assert "largest safe micro-batch:" in out.stdout and out.stdout.count("measure") >= 2


def test_under_torchrun_with_two_processes():
    out = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m",
                          "advisor", "probe", "--model", "tests.factories:tiny_gpt", "--device", "cpu", "--memory-cap-gib",
                          "0.05", "--no-throughput", "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout)  # one result: only rank 0 prints
    sync = data["sync"]
    assert sync["world_size"] == 2 and len(sync["per_rank_peak_bytes"]) == 2
    assert sync["seconds_per_update_with_no_sync"] > 0 and sync["seconds_per_update_without_no_sync"] > 0
    assert all(0 < p <= 0.05 * 2**30 for p in sync["per_rank_peak_bytes"])
