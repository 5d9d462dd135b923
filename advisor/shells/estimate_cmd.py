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

from advisor.domain.catalogue import catalogue_entry, preset, preset_names
from advisor.domain.memory_report import MAX_PARAMS, GiB, MemoryRequest
from advisor.domain.vocabulary import ALL_PRECISIONS, CUDA_CONTEXT_BYTES, OPTIMIZERS
from advisor.errors import InputError
from advisor.shells import argtypes
from advisor.units import fmt_bytes, fmt_bytes_gib, fmt_count



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
    run.add_argument("--optimizer", default="adamw", choices=OPTIMIZERS)
    run.add_argument("--gpus", type=argtypes.GPUS, default=1, help="data-parallel GPUs (default 1)")
    run.add_argument("--zero", type=int, default=0, choices=[0, 1, 2, 3], help="ZeRO stage; 0 = plain DDP (default)")
    run.add_argument("--fsdp", action="store_true", help="FSDP full sharding (= ZeRO-3)")
    run.add_argument("--offload", action="store_true", help="optimizer state in CPU memory (ZeRO-Offload)")
    run.add_argument("--checkpointing", default="none", choices=["none", "selective", "full", "offloaded"],
                     help="activation checkpointing (offloaded: full, its checkpoints in CPU RAM, as Unsloth's)")
    run.add_argument("--attention", default="eager", choices=["eager", "flash"], help="eager stores s×s scores; flash/SDPA does not")
    run.add_argument("--dropout", action="store_true", help="dropout is on (adds its masks)")
    run.add_argument("--fused-loss", action="store_true", help="chunked/fused cross-entropy (no full fp32 logits)")
    run.add_argument("--lora", type=argtypes.FRACTION, metavar="FRACTION", help="train adapters of this fraction of the parameters on a frozen base")
    run.add_argument("--base-bits", type=float, choices=[4, 8, 16, 32], help="storage of the frozen base with --lora (4 = QLoRA)")
    gpu = p.add_argument_group("the GPU")
    gpu.add_argument("--budget-gib", type=argtypes.GIB, help="GPU memory in GiB: say whether it fits and the largest micro-batch")
    gpu.add_argument("--margin", type=argtypes.MARGIN, default=0.10, help="allocator/fragmentation margin, share of allocated (default 0.10)")
    gpu.add_argument("--cuda-context-gb", type=argtypes.number(0, 1e4), default=CUDA_CONTEXT_BYTES / 1e9,
                     help=f"CUDA context outside the allocator (default {CUDA_CONTEXT_BYTES / 1e9:g} GB)")
    gpu.add_argument("--workspace-mib", type=argtypes.number(0, 1e6), default=8, help="cuBLAS workspace (default 8 MiB; 32 on Hopper)")
    gpu.add_argument("--device", default="cuda", choices=["cuda", "cpu"], help="cpu: no CUDA context or workspace")
    gpu.add_argument("--target-batch", type=argtypes.TARGET_BATCH, help="global batch to reach: list micro × accumulation × GPUs plans")
    tr = p.add_argument_group("tracing (--model)")
    tr.add_argument("--steps", type=argtypes.STEPS, default=2, help="training steps traced per batch size (at least 2)")
    tr.add_argument("--trace-batches", default="", help="the two batch sizes traced (default: --batch and twice it)")
    p.add_argument("-f", "--format", choices=["text", "json", "html"], default="text",
                   help="text (default), json, or html: one self-contained page with charts")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (whole or not at all) instead of standard output")
    p.add_argument("--force", action="store_true", help="with --output: replace an existing file")


def request_arguments(ns: argparse.Namespace) -> dict[str, Any]:
    """The flags as `advisor.estimate_memory` keywords (flags are named after its arguments)."""
    args = {name: getattr(ns, name) for name in MemoryRequest.field_names() if hasattr(ns, name)}
    if ns.trace_batches:
        try:
            args["trace_batches"] = tuple(int(x) for x in ns.trace_batches.split(","))
        except ValueError:
            raise InputError(f"--trace-batches expects two batch sizes like 1,2, got {ns.trace_batches!r}") from None
    else:
        args["trace_batches"] = None
    return args


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
                 f"({fmt_bytes_gib(r['peak_bytes'])}; allocated {fmt_bytes_gib(r['allocated_bytes'])})")
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
        spec, entry = preset(name), catalogue_entry(name)
        rows.append(f"  {name:16} {spec.params:>14,}  {spec.family:7} {entry['counted_module']}")
    return "model catalogue (parameters computed from shapes):\n" + "\n".join(rows) + "\n"


def run(ns: argparse.Namespace) -> int:
    if ns.presets:
        if ns.format == "json":
            sys.stdout.write(json.dumps({n: {"params": preset(n).params, "family": preset(n).family} for n in preset_names()}, indent=2) + "\n")
        else:
            sys.stdout.write(presets_text())
        return 0
    from advisor.estimation import estimate_memory
    from advisor.shells.output import check_output, emit

    output = check_output(ns.output, ns.force)
    quiet = ns.format == "json"
    progress = None if quiet else (lambda msg: print(f"advisor: {msg}", file=sys.stderr, flush=True))
    r = estimate_memory(progress=progress, **request_arguments(ns))
    text = {"json": lambda: json.dumps(r, indent=2, ensure_ascii=False) + "\n", "html": lambda: render_html(r, ns),
            "text": lambda: render_text(r)}[ns.format]()
    emit(text, output)
    return 0


def render_html(r: dict[str, Any], ns: argparse.Namespace) -> str:
    """The page, with the sources' citations from the knowledge base (the report carries only their ids)."""
    from advisor.consultation import load_kb
    from advisor.shells.html_report import render_estimate_html

    sources = load_kb(getattr(ns, "rules", None)).sources
    return render_estimate_html(r, {sid: (s.citation, s.url) for sid, s in sources.items()})
