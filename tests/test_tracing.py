"""Exact tracing under FakeTensorMode against real CPU training steps of small models (needs torch)."""

import json
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from advisor.measure import tracing  # noqa: E402
from advisor.errors import InputError  # noqa: E402

from .conftest import ROOT  # noqa: E402


@pytest.mark.parametrize("factory, options", [
    ("tests.factories:tiny_gpt", {}),
    ("tests.factories:tiny_gpt", {"attention": "sdpa"}),
    ("tests.factories:small_cnn", {}),
])
@pytest.mark.parametrize("batch", [2, 6])
def test_fake_trace_equals_a_real_cpu_run_within_1_percent(factory, options, batch):
    fn = tracing.load_factory(factory)
    n_fake, fake = tracing.measure(fn, batch, fake=True, options=options)
    n_real, real = tracing.measure(fn, batch, fake=False, options=options)
    assert n_fake == n_real
    assert fake["Total"] == pytest.approx(real["Total"], rel=0.01)


def test_peak_is_affine_in_batch():
    result = tracing.trace("tests.factories:tiny_gpt", (2, 4))
    third = tracing.measure(tracing.load_factory("tests.factories:tiny_gpt"), 8)[1]["Total"]
    assert third == pytest.approx(result.intercept + 8 * result.slope, rel=0.01)


def test_two_steps_include_the_optimizer_state():
    fn = tracing.load_factory("tests.factories:tiny_gpt")
    params, snap = tracing.measure(fn, 2)
    opt = next(v for k, v in snap.items() if k.endswith("OPT"))
    assert opt >= 8 * params  # Adam's two fp32 moments
    with pytest.raises(InputError, match="at least 2 steps"):
        tracing.measure(fn, 2, steps=1)


@pytest.mark.parametrize("path, message", [
    ("tests.factories:data_dependent", "data-dependent"),
    ("tests.factories:wrong_shape", "must return (model, make_batch, loss_fn)"),
    ("tests.no_such_module:f", "cannot import 'tests.no_such_module'"),
    ("tests.factories:nope", "has no callable 'nope'"),
    ("no-colon", "MODULE:FACTORY"),
])
def test_factory_errors_say_what_to_do(path, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tracing.trace(path, (1, 2))


def test_estimate_model_cli_json_is_quiet_and_exact():
    out = subprocess.run([sys.executable, "-m", "advisor", "estimate", "--model", "tests.factories:tiny_gpt", "--batch", "4",
                          "--format", "json", "--device", "cpu", "--margin", "0"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # no progress display with --format json
    data = json.loads(out.stdout)
    real = tracing.measure(tracing.load_factory("tests.factories:tiny_gpt"), 4, fake=False)[1]["Total"]
    assert data["peak_bytes"] == pytest.approx(real, rel=0.01)
    assert data["traced_peaks"]["4"] == data["allocated_bytes"]


def test_estimate_model_cli_reports_bad_factories_in_one_line():
    out = subprocess.run([sys.executable, "-m", "advisor", "estimate", "--model", "tests.factories:data_dependent"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("advisor: ") and "data-dependent" in last and "Traceback" not in out.stderr


def test_mem_tracker_import_skips_the_tools_package_init():
    """Issue 11: `from torch.distributed._tools.mem_tracker import MemTracker` runs the package __init__, which
    pulls in the inductor compiler (≈0.6 s per `estimate --model`). The tracer imports only the module, and a later
    ordinary import of the package still works."""
    program = (
        "import sys, time\n"
        "import torch\n"
        "from advisor.measure.tracing import mem_tracker\n"
        "cls = mem_tracker()\n"
        "assert cls.__name__ == 'MemTracker'\n"
        "assert 'torch._inductor' not in sys.modules, 'inductor imported'\n"
        "assert 'torch.distributed._tools.fsdp2_mem_tracker' not in sys.modules\n"
        "from torch.distributed._tools import MemTracker, FSDPMemTracker\n"
        "assert MemTracker is cls\n")
    out = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_gpu_check_dry_run_on_the_cpu():
    """benchmarks/gpu_check.py's logic, with tiny models on the CPU (--dry-run): one JSON summary with the three
    models at two micro-batches in fp32 and bf16 autocast, analytic/traced/measured peaks, and a probe result."""
    out = subprocess.run([sys.executable, "benchmarks/gpu_check.py", "--dry-run"], cwd=ROOT, capture_output=True, text=True,
                         timeout=480)
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout)
    cases = summary["cases"]
    assert {(c["model"], c["precision"]) for c in cases} == {(m, p) for m in ("gpt", "bert", "cnn") for p in ("fp32", "amp_bf16")}
    assert len(cases) == 12 and all(c["measured_allocated"] > 0 and c["analytic_allocated"] > 0 for c in cases)
    assert all(c["traced_error_pct"] is not None and abs(c["traced_error_pct"]) < 1 for c in cases)  # fake == real on the CPU
    assert summary["fp32_analytic_max_abs_error_pct"] <= 3
    assert summary["probe"]["max_micro_batch"] >= 1 and summary["probe"]["trials"]
    cnn, gpt = summary["more_probes"]  # the further probes: a throughput curve, and the analytic peak at the largest batch
    assert "error" not in cnn and cnn["throughput"] and cnn["recommended_micro_batch"] <= cnn["max_micro_batch"]
    assert gpt["max_micro_batch"] == summary["probe"]["max_micro_batch"] and abs(gpt["analytic_error_pct_at_max"]) <= 3
