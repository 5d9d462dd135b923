"""The memory model on a GPU: analytic and traced predictions against torch.cuda.max_memory_allocated() and
max_memory_reserved() after full training steps, for a GPT-like LM, a BERT-like encoder and a ResNet-50-like CNN
at two micro-batches each, in fp32 and bf16 autocast; then `advisor probe` on CUDA for the GPT-like model. One
JSON summary on stdout; about 2-4 minutes on one recent GPU (the budget is 8).

    python benchmarks/gpu_check.py                # on a CUDA device
    python benchmarks/gpu_check.py --dry-run      # CI: the same logic on the CPU with tiny models

The models are those of tests/reference_models.py (the accuracy tests' models) at GPU sizes. "analytic" is
advisor/domain/estimators/training.py for device cuda (allocated, and allocated × (1 + margin) against reserved);
"traced" is FakeTensorMode + MemTracker on the CPU (CPU kernel choices: its bf16 numbers follow CPU autocast).
On --dry-run the "measured" numbers are MemTracker peaks of real CPU steps and the analytic model is asked
about the CPU.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from advisor.domain.estimators.training import TrainingSetup, estimate_training_memory  # noqa: E402
from advisor.measure import tracing  # noqa: E402
from tests import reference_models as R  # noqa: E402

GPU_SIZES = {
    "gpt": dict(vocab=32000, seq_len=512, d=768, layers=6, heads=12),
    "bert": dict(vocab=30522, seq_len=512, d=768, layers=6, heads=12, classes=4),
    "cnn": dict(depth="resnet50", image_size=224),
}
TINY_SIZES = {
    "gpt": dict(vocab=512, seq_len=64, d=64, layers=1, heads=2),
    "bert": dict(vocab=512, seq_len=64, d=64, layers=1, heads=2, classes=4),
    "cnn": dict(depth="resnet18", image_size=32, width=8),
}
GPU_BATCHES = {"gpt": (8, 16), "bert": (16, 32), "cnn": (32, 64)}
TINY_BATCHES = {"gpt": (4, 8), "bert": (4, 8), "cnn": (4, 8)}
STEPS = 3  # full training steps per measurement on the GPU (2 in the dry run: the optimizer state exists from the 2nd)


def factories(sizes: dict) -> dict:
    return {
        "gpt": (lambda: R.gpt_like("eager", **sizes["gpt"]), R.spec_gpt_like("eager", **sizes["gpt"]), {}),
        "bert": (lambda: R.bert_like(0.0, **sizes["bert"]), R.spec_bert_like(**sizes["bert"]), {}),
        "cnn": (lambda: R.resnet_like(**sizes["cnn"]), R.spec_resnet_like(**sizes["cnn"]), {}),
    }


# factories by path, for `advisor probe` (it imports MODULE:FUNCTION)
def gpt_gpu(**_):
    return R.gpt_like("eager", **GPU_SIZES["gpt"])


def gpt_tiny(**_):
    return R.gpt_like("eager", **TINY_SIZES["gpt"])


GPT2_SMALL = dict(vocab=50257, seq_len=1024, d=768, layers=12, heads=12)  # GPT-2 small's shape, untied head


def gpt2_small(**_):
    return R.gpt_like("eager", **GPT2_SMALL)


# more probes (docs/probe.md): factory, throughput curve?, the shape for the analytic estimate, the device's budget
GPU_PROBES = [
    ("tests.factories:tiny_gpt", True, None, dict(device="cuda", budget_gib=2)),
    ("tests.factories:small_cnn", True, None, dict(device="cuda", budget_gib=2)),
    ("gpu_check:gpt2_small", False, GPT2_SMALL, dict(device="cuda", budget_gib=24)),
]
TINY_PROBES = [
    ("tests.factories:small_cnn", True, None, dict(device="cpu", cap_gib=0.02)),
    ("gpu_check:gpt_tiny", False, TINY_SIZES["gpt"], dict(device="cpu", cap_gib=0.02)),
]


def measure_cuda(build, batch: int, precision: str) -> dict:
    """Peak allocated and reserved bytes over STEPS full training steps on a fresh model (relative to before)."""
    gc.collect()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    base_alloc, base_res = torch.cuda.memory_allocated(), torch.cuda.memory_reserved()
    with torch.device("cuda"):
        torch.manual_seed(0)
        model, make_batch, loss_fn = build()
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        for _ in range(STEPS):
            x, y = make_batch(batch)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=precision == "amp_bf16"):
                loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
    out = {"allocated": torch.cuda.max_memory_allocated() - base_alloc, "reserved": torch.cuda.max_memory_reserved() - base_res}
    del model, opt, x, y, loss
    gc.collect()
    torch.cuda.empty_cache()
    return out


def measure_cpu(build, batch: int, precision: str) -> dict:
    _, snap = tracing.measure(lambda **_: build(), batch, precision=precision, fake=False, steps=2)
    return {"allocated": snap["Total"], "reserved": snap["Total"]}


def log(msg: str) -> None:
    """Progress on stderr, so a run cut short still shows how far it got."""
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def pct(predicted: float, measured: float) -> float:
    return round(100 * (predicted / measured - 1), 2) if measured else float("nan")


def run(dry: bool) -> dict:
    started = time.perf_counter()
    device = "cpu" if dry else "cuda"
    if not dry and not torch.cuda.is_available():
        raise SystemExit("gpu_check: no CUDA device (use --dry-run for the CPU logic)")
    sizes, batches = (TINY_SIZES, TINY_BATCHES) if dry else (GPU_SIZES, GPU_BATCHES)
    summary: dict = {"device": "cpu (dry run)" if dry else torch.cuda.get_device_name(), "torch": torch.__version__,
                     "steps": 2 if dry else STEPS, "cases": []}
    if not dry:
        free, total = torch.cuda.mem_get_info()
        summary["cuda_context_bytes"] = int(total - free - torch.cuda.memory_reserved())  # outside the allocator
        summary["device_memory_bytes"] = int(total)
    measure = measure_cpu if dry else measure_cuda
    for name, (build, spec, setup) in factories(sizes).items():
        for precision in ("fp32", "amp_bf16"):
            for batch in batches[name]:
                log(f"{name} {precision} batch {batch}")
                measured = measure(build, batch, precision)
                params = sum(p.numel() for p in build()[0].parameters())
                est = estimate_training_memory(dataclasses.replace(spec, params=params),
                                               TrainingSetup(precision=precision, margin=0.10, **setup), device)
                analytic = est.allocated(batch)
                try:
                    _, traced = tracing.measure(lambda **_: build(), batch, precision=precision, steps=2)
                    traced_total = traced["Total"]
                except Exception as exc:  # noqa: BLE001 - report, do not abort the check
                    traced_total, summary.setdefault("errors", []).append(f"trace {name} {precision} {batch}: {exc}")
                summary["cases"].append({
                    "model": name, "precision": precision, "batch": batch, "params": params,
                    "measured_allocated": int(measured["allocated"]), "measured_reserved": int(measured["reserved"]),
                    "analytic_allocated": int(analytic), "analytic_error_pct": pct(analytic, measured["allocated"]),
                    "analytic_with_margin": int(analytic * 1.10),
                    "analytic_vs_reserved_pct": pct(analytic * 1.10, measured["reserved"]),
                    "traced_allocated": int(traced_total) if traced_total else None,
                    "traced_error_pct": pct(traced_total, measured["allocated"]) if traced_total else None,
                    "reserved_over_allocated": round(measured["reserved"] / measured["allocated"], 3),
                })
    from advisor.measure.probe import probe

    factory = "gpu_check:gpt_tiny" if dry else "gpu_check:gpt_gpu"
    kwargs = dict(device="cpu", cap_gib=0.02) if dry else dict(device="cuda", budget_gib=8)
    result = probe(factory, throughput=False, **kwargs)
    summary["probe"] = {"model": factory, "max_micro_batch": result.max_micro_batch,
                        "predicted_max_micro_batch": result.predicted_max_micro_batch, "budget_bytes": result.budget_bytes,
                        "trials": [t.model_dump() for t in result.trials], "curve": result.curve}
    summary["more_probes"] = [more_probe(*args) for args in (TINY_PROBES if dry else GPU_PROBES)]
    errors = [c["analytic_error_pct"] for c in summary["cases"] if c["precision"] == "fp32"]
    summary["fp32_analytic_max_abs_error_pct"] = max(abs(e) for e in errors)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def more_probe(factory: str, throughput: bool, shape: dict | None, device: dict) -> dict:
    """One more `advisor probe`; with a shape, the analytic fp32 peak at the largest batch against the trial's."""
    from advisor.measure.probe import probe

    log(f"probe {factory}")
    try:
        result = probe(factory, throughput=throughput, **device)
    except Exception as exc:  # noqa: BLE001 - report, do not abort the check
        return {"model": factory, "error": f"{type(exc).__name__}: {exc}"}
    out = {"model": factory, "budget_bytes": result.budget_bytes, "max_micro_batch": result.max_micro_batch,
           "predicted_max_micro_batch": result.predicted_max_micro_batch,
           "recommended_micro_batch": result.recommended_micro_batch,
           "trials": [t.model_dump() for t in result.trials], "curve": result.curve,
           "throughput": [t.model_dump() for t in result.throughput], "notes": result.notes}
    if shape:
        at_max = next(t for t in result.trials if t.batch == result.max_micro_batch and t.ok)
        params = sum(p.numel() for p in R.gpt_like("eager", **shape)[0].parameters())
        est = estimate_training_memory(dataclasses.replace(R.spec_gpt_like("eager", **shape), params=params),
                                       TrainingSetup(precision="fp32", margin=0.10), device["device"])
        analytic = est.allocated(result.max_micro_batch)
        out.update(params=params, analytic_allocated_at_max=int(analytic),
                   analytic_error_pct_at_max=pct(analytic, at_max.peak_allocated_bytes))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="CPU stand-in with tiny models (for CI)")
    args = parser.parse_args()
    sys.stdout.write(json.dumps(run(args.dry_run), indent=2) + "\n")


if __name__ == "__main__":
    main()
