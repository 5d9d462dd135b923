"""`advisor estimate`: training memory for a model, as a table with a bar column, or as JSON.

The model comes from one of --preset (the catalogue), --config (a local Hugging Face config.json), --params
(model states only) or --model (trace the user's own factory under FakeTensorMode; needs torch). The analytic
path never imports torch.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from advisor.domain.catalogue import ModelSpec, from_hf_config, preset, preset_names, safetensors_params, _presets
from advisor.errors import InputError
from advisor.shells import argtypes
from advisor.domain.estimators.training import ALL_PRECISIONS, MemoryEstimate, TrainingSetup, estimate_training_memory, exact_plans
from advisor.units import UnitError, fmt_bytes, fmt_bytes_gb, fmt_bytes_gib, fmt_count, parse_count

GiB = 2**30
MAX_PARAMS = 1e14
CATEGORY_NAMES = {"PARAM": "weights", "BUFFER": "buffers", "GRAD": "gradients", "ACT": "activations",
                  "TEMP": "temporaries", "OPT": "optimizer state", "OTH": "other"}
BATCH_DEPENDENT = ("activations", "temporaries")


def add_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_argument_group("the model (one of)")
    src.add_argument("--preset", metavar="NAME", help="a catalogue model (see --presets)")
    src.add_argument("--params", metavar="N", type=argtypes.count(MAX_PARAMS), help="parameter count, e.g. 7.5e9 or 350M (model states only)")
    src.add_argument("--config", metavar="PATH", help="a local Hugging Face config.json (or its folder)")
    src.add_argument("--safetensors", metavar="FILE", help="count parameters from a local .safetensors header")
    src.add_argument("--model", metavar="MODULE:FACTORY", help="trace your model: factory() -> (model, make_batch, loss_fn)")
    src.add_argument("--presets", action="store_true", help="list the catalogue and exit")
    run = p.add_argument_group("the training setup")
    run.add_argument("--batch", type=argtypes.BATCH, default=8, help="micro-batch per GPU (default 8)")
    run.add_argument("--seq-len", type=argtypes.SEQ_LEN, help="sequence length (default: the model's context)")
    run.add_argument("--precision", default="fp32", choices=ALL_PRECISIONS,
                     help="fp32; amp_bf16/amp_fp16 (torch.autocast, fp32 params); bf16 (pure); mixed (16-bit params, fp32 master)")
    run.add_argument("--optimizer", default="adamw", choices=["sgd", "sgd_momentum", "adam", "adamw", "adamw_8bit", "adafactor", "lion"])
    run.add_argument("--gpus", type=argtypes.GPUS, default=1, help="data-parallel GPUs (default 1)")
    run.add_argument("--zero", type=int, default=0, choices=[0, 1, 2, 3], help="ZeRO stage; 0 = plain DDP (default)")
    run.add_argument("--fsdp", action="store_true", help="FSDP full sharding (= ZeRO-3)")
    run.add_argument("--offload", action="store_true", help="optimizer state in CPU memory (ZeRO-Offload)")
    run.add_argument("--checkpointing", default="none", choices=["none", "selective", "full"], help="activation checkpointing")
    run.add_argument("--attention", default="eager", choices=["eager", "flash"], help="eager stores s×s scores; flash/SDPA does not")
    run.add_argument("--dropout", action="store_true", help="dropout is on (adds its masks)")
    run.add_argument("--fused-loss", action="store_true", help="chunked/fused cross-entropy (no full fp32 logits)")
    run.add_argument("--lora", type=argtypes.FRACTION, metavar="FRACTION", help="train adapters of this fraction of the parameters on a frozen base")
    run.add_argument("--base-bits", type=float, choices=[4, 8, 16, 32], help="storage of the frozen base with --lora (4 = QLoRA)")
    gpu = p.add_argument_group("the GPU")
    gpu.add_argument("--budget-gib", type=argtypes.GIB, help="GPU memory in GiB: say whether it fits and the largest micro-batch")
    gpu.add_argument("--margin", type=argtypes.MARGIN, default=0.10, help="allocator/fragmentation margin, share of allocated (default 0.10)")
    gpu.add_argument("--cuda-context-gb", type=argtypes.number(0, 1e4), default=0.4, help="CUDA context outside the allocator (default 0.4 GB)")
    gpu.add_argument("--workspace-mib", type=argtypes.number(0, 1e6), default=8, help="cuBLAS workspace (default 8 MiB; 32 on Hopper)")
    gpu.add_argument("--device", default="cuda", choices=["cuda", "cpu"], help="cpu: no CUDA context or workspace")
    gpu.add_argument("--target-batch", type=argtypes.TARGET_BATCH, help="global batch to reach: list micro × accumulation × GPUs plans")
    tr = p.add_argument_group("tracing (--model)")
    tr.add_argument("--steps", type=argtypes.STEPS, default=2, help="training steps traced per batch size (at least 2)")
    tr.add_argument("--trace-batches", default="", help="the two batch sizes traced (default: --batch and twice it)")
    p.add_argument("-f", "--format", choices=["text", "json"], default="text")


def _spec(ns: argparse.Namespace) -> ModelSpec:
    chosen = [k for k in ("preset", "params", "config", "safetensors", "model") if getattr(ns, k)]
    if len(chosen) != 1:
        raise InputError("give exactly one of --preset, --params, --config, --safetensors, --model "
                         f"(got {', '.join('--' + c for c in chosen) or 'none'}); --presets lists the catalogue")
    if ns.seq_len is not None and not 0 < ns.seq_len <= 10**7:
        raise InputError(f"--seq-len must be between 1 and 10,000,000, got {ns.seq_len}")
    if ns.preset:
        return preset(ns.preset, ns.seq_len)
    if ns.config:
        return from_hf_config(ns.config, ns.seq_len)
    if ns.safetensors:
        counts = safetensors_params(ns.safetensors)
        return ModelSpec(ns.safetensors, "generic", int(sum(counts.values())), source=f"safetensors header: {counts}")
    try:
        params = parse_count(ns.params)
    except UnitError as exc:
        raise InputError(f"--params: {exc}") from None
    if not 0 < params <= MAX_PARAMS:
        raise InputError(f"--params must be between 1 and {MAX_PARAMS:.0e}, got {ns.params}")
    return ModelSpec(f"{fmt_count(params)} parameters", "generic", int(params))


def _setup(ns: argparse.Namespace) -> TrainingSetup:
    if ns.batch < 1 or ns.batch > 10**7:
        raise InputError(f"--batch must be between 1 and 10,000,000, got {ns.batch}")
    if ns.budget_gib is not None and ns.budget_gib <= 0:
        raise InputError(f"--budget-gib must be positive, got {ns.budget_gib}")
    if ns.base_bits and ns.lora is None:
        raise InputError("--base-bits goes with --lora")
    return TrainingSetup(
        precision=ns.precision, optimizer=ns.optimizer, gpus=ns.gpus, zero=3 if ns.fsdp else ns.zero,
        offload_optimizer=ns.offload, checkpointing=ns.checkpointing, attention=ns.attention, dropout=ns.dropout,
        fused_loss=ns.fused_loss, trainable_fraction=ns.lora if ns.lora is not None else 1.0, base_bits=ns.base_bits or 0,
        cuda_context=ns.cuda_context_gb * 1e9, workspace=ns.workspace_mib * 2**20, margin=ns.margin)


def _from_trace(ns: argparse.Namespace, setup: TrainingSetup) -> tuple[MemoryEstimate, dict[str, Any]]:
    """Trace the requested batch and one more; the curve comes from the two totals, the components from the
    exact snapshot at the requested batch (the peak can fall at the start of backward or at the optimizer step,
    so categories are not interpolated)."""
    from advisor.measure.tracing import trace

    if setup.gpus > 1 or setup.zero or setup.offload_optimizer or setup.trainable_fraction < 1:
        raise InputError("tracing covers one device without sharding or adapters; use the analytic estimate for "
                         "--gpus/--zero/--fsdp/--offload/--lora")
    try:
        b1, b2 = (int(x) for x in ns.trace_batches.split(",")) if ns.trace_batches else (ns.batch, 2 * ns.batch)
    except ValueError:
        raise InputError(f"--trace-batches expects two batch sizes like 1,2, got {ns.trace_batches!r}") from None
    quiet = ns.format == "json"
    progress = None if quiet else (lambda msg: print(f"advisor: {msg}", file=sys.stderr, flush=True))
    result = trace(ns.model, (b1, b2), precision=setup.precision, optimizer=setup.optimizer, steps=ns.steps,
                   options={"seq_len": ns.seq_len}, progress=progress)
    snapshots = {b: {CATEGORY_NAMES.get(k.split(".")[-1], k): v for k, v in peak.items() if k != "Total" and v}
                 for b, peak in result.peaks.items()}
    overhead = {"CUDA context": setup.cuda_context, "cuBLAS workspace": setup.workspace} if ns.device == "cuda" else {}
    est = MemoryEstimate(
        params=result.params, fixed={"traced intercept": result.intercept},
        per_sample={"traced per sample": result.slope} if result.slope > 0 else {},
        gradients=0.0, overhead=overhead, margin=setup.margin,
        formulas={"trace": f"MemTracker peaks under FakeTensorMode, {ns.steps} steps: "
                           + ", ".join(f"batch {b}: {fmt_bytes_gb(result.total(b))}" for b in result.batches)},
        assumptions=[f"traced {ns.steps} full training steps at batches {b1} and {b2} under FakeTensorMode on the CPU "
                     f"({', '.join(f'{s:.1f} s' for s in result.seconds.values())}); exact for CPU kernels",
                     "on CUDA, kernel choices differ (flash/memory-efficient attention, 1-byte dropout masks, autocast op "
                     "lists) and the caching allocator rounds and fragments: the margin and the overheads cover that",
                     f"allocator margin {setup.margin * 100:g}% of allocated memory (heuristic)"],
        sources=("memexp-affine", "pt-cuda-context", "pt-cuda-allocator"))
    extra = {"traced_peaks": {str(b): result.total(b) for b in result.batches}}
    if ns.batch in snapshots:
        extra["components"] = snapshots[ns.batch]
    return est, extra


def report(ns: argparse.Namespace) -> dict[str, Any]:
    setup = _setup(ns)
    if ns.model:
        if ns.seq_len is not None and not 0 < ns.seq_len <= 10**7:
            raise InputError(f"--seq-len must be between 1 and 10,000,000, got {ns.seq_len}")
        est, extra = _from_trace(ns, setup)
        model = {"name": ns.model, "family": "traced", "source": "factory"}
    else:
        spec = _spec(ns)
        est, extra = estimate_training_memory(spec, setup, device=ns.device), {}
        model = {"name": spec.name, "family": spec.family, "source": spec.source, "seq_len": spec.seq_len or None}
    batch = ns.batch
    components = est.components(batch)
    if "components" in extra:  # traced at this very batch: the exact categories
        components = {**extra.pop("components"), "allocator margin": est.allocated(batch) * est.margin, **est.overhead}
    out: dict[str, Any] = {
        "model": model, "params": est.params, "batch": batch, "per_gpu": True,
        "components": {k: round(v) for k, v in components.items()},
        "allocated_bytes": round(est.allocated(batch)), "peak_bytes": round(est.device_total(batch)),
        "curve": {"intercept_bytes": round(est.intercept), "per_sample_bytes": round(est.slope)},
        "activations_estimated": bool(est.per_sample),
        "fits": None, "budget_bytes": None, "max_micro_batch": None,
        "cpu_bytes": round(est.cpu_bytes), "formulas": est.formulas, "assumptions": est.assumptions,
        "sources": list(est.sources), **extra,
    }
    if ns.budget_gib is not None:
        budget = ns.budget_gib * GiB
        out.update(budget_bytes=round(budget), fits=est.device_total(batch) <= budget)
        if est.per_sample:
            out["max_micro_batch"] = est.max_micro_batch(budget)
        elif est.device_total(1) > budget:
            out["max_micro_batch"] = 0
    if ns.target_batch is not None:
        if ns.target_batch < 1:
            raise InputError(f"--target-batch must be positive, got {ns.target_batch}")
        limit = out["max_micro_batch"] if out["max_micro_batch"] is not None else batch
        out["plans"] = [{"micro_batch": m, "grad_accum_steps": k, "num_gpus": g, "effective_batch": m * k * g}
                        for m, k, g in exact_plans(ns.target_batch, max(limit, 0), setup.gpus)]
    out["curve_points"] = _curve_points(est, batch, out["max_micro_batch"])
    return out


def _curve_points(est: MemoryEstimate, batch: int, max_batch: int | None) -> list[dict[str, int]]:
    top = max(batch, max_batch or 0) * 2 if est.per_sample else batch
    points, b = [], 1
    while b <= max(top, 1) and len(points) < 14:
        points.append({"batch": b, "peak_bytes": round(est.device_total(b))})
        b *= 2
    if est.per_sample and batch not in [p["batch"] for p in points]:
        points.append({"batch": batch, "peak_bytes": round(est.device_total(batch))})
        points.sort(key=lambda p: p["batch"])
    return points


def render_text(r: dict[str, Any]) -> str:
    m = r["model"]
    lines = [f"advisor estimate - {m['name']} ({fmt_count(r['params'])} parameters"
             + (f", sequence {m['seq_len']}" if m.get("seq_len") else "") + f"), micro-batch {r['batch']}, per GPU"]
    width = max(len(k) for k in r["components"]) + 2
    lines.append("")
    lines.append(f"  {'component'.ljust(width)}{'bytes':>18}  {'GB':>9}  how")
    for name, value in r["components"].items():
        how = r["formulas"].get(name, "")
        lines.append(f"  {name.ljust(width)}{value:>18,}  {value / 1e9:>9.2f}  {how}")
    lines.append(f"  {'peak on the GPU'.ljust(width)}{r['peak_bytes']:>18,}  {r['peak_bytes'] / 1e9:>9.2f}  "
                 f"({fmt_bytes_gib(r['peak_bytes'])}; allocated {fmt_bytes_gb(r['allocated_bytes'])})")
    if r["cpu_bytes"]:
        lines.append(f"  {'in CPU memory'.ljust(width)}{r['cpu_bytes']:>18,}  {r['cpu_bytes'] / 1e9:>9.2f}  offloaded optimizer state")
    lines.append("")
    curve = r["curve"]
    lines.append(f"peak(batch) ≈ {fmt_bytes(curve['intercept_bytes'])} + {fmt_bytes(curve['per_sample_bytes'])} × batch "
                 "(allocated; the GPU needs the margin and overheads on top)")
    if r["budget_bytes"]:
        verdict = "fits" if r["fits"] else "does NOT fit"
        lines.append(f"micro-batch {r['batch']} {verdict} in {r['budget_bytes'] / GiB:g} GiB"
                     + (f"; the largest micro-batch that fits: {r['max_micro_batch']}" if r["max_micro_batch"] is not None else ""))
    if not r["activations_estimated"]:
        lines.append("activations are not included (no transformer shape): use --preset/--config, or --model to trace")
    points = r["curve_points"]
    if len(points) > 1:
        lines.append("")
        scale = max(p["peak_bytes"] for p in points)
        budget = r["budget_bytes"]
        lines.append(f"  {'micro-batch':>11}  {'peak GB':>8}  {'':24}" + ("  fits?" if budget else ""))
        for p in points:
            bar = "█" * max(1, round(24 * p["peak_bytes"] / scale))
            fits = ("  yes" if p["peak_bytes"] <= budget else "  NO") if budget else ""
            lines.append(f"  {p['batch']:>11}  {p['peak_bytes'] / 1e9:>8.2f}  {bar:24}{fits}")
    if r.get("plans") is not None:
        lines.append("")
        if r["plans"]:
            lines.append("plans (micro-batch × accumulation × GPUs):")
            lines += [f"  {p['micro_batch']} × {p['grad_accum_steps']} × {p['num_gpus']} = {p['effective_batch']}" for p in r["plans"]]
        else:
            lines.append("no exact plan reaches the target batch with micro-batches that fit")
    lines.append("")
    lines.append("assumptions:")
    lines += [f"  - {a}" for a in r["assumptions"]]
    lines.append(f"sources: {', '.join(r['sources'])}")
    return "\n".join(lines) + "\n"


def presets_text() -> str:
    rows = []
    for name in preset_names():
        spec, entry = preset(name), _presets()[name]
        rows.append(f"  {name:16} {spec.params:>14,}  {spec.family:7} {entry['counted_module']}")
    return "model catalogue (parameters computed from shapes):\n" + "\n".join(rows) + "\n"


def run(ns: argparse.Namespace) -> int:
    if ns.presets:
        if ns.format == "json":
            sys.stdout.write(json.dumps({n: {"params": preset(n).params, "family": preset(n).family} for n in preset_names()}, indent=2) + "\n")
        else:
            sys.stdout.write(presets_text())
        return 0
    r = report(ns)
    sys.stdout.write(json.dumps(r, indent=2, ensure_ascii=False) + "\n" if ns.format == "json" else render_text(r))
    return 0
