"""`advisor probe` on the command line, and reading a saved probe back into a consultation."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from advisor.domain.vocabulary import TORCH_OPTIMIZERS
from advisor.errors import InputError
from advisor.files import path_kind
from advisor.shells import argtypes


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, metavar="MODULE:FACTORY", help="factory() -> (model, make_batch, loss_fn)")
    p.add_argument("--device", choices=["cpu", "cuda"], help="default: cuda if available, else cpu")
    p.add_argument("--memory-cap-gib", type=argtypes.GIB, help="on the CPU: the simulated device memory to search against")
    p.add_argument("--budget-gib", type=argtypes.GIB, help="memory to use (default: the device's, or the cap)")
    p.add_argument("--margin", type=argtypes.MARGIN, default=0.10, help="share of the budget kept free (default 0.10)")
    p.add_argument("--precision", default="fp32", choices=["fp32", "amp_bf16", "amp_fp16"])
    p.add_argument("--optimizer", default="adamw", choices=TORCH_OPTIMIZERS)
    p.add_argument("--seq-len", type=argtypes.SEQ_LEN, help="passed to the factory")
    p.add_argument("--steps", type=argtypes.STEPS, default=2, help="full training steps per trial (at least 2)")
    p.add_argument("--max-batch", type=argtypes.BATCH, default=65536, help="never try a larger batch")
    p.add_argument("--no-throughput", action="store_true", help="skip the throughput curve")
    p.add_argument("--noise-scale", action="store_true", help="also estimate the gradient noise scale (critical batch)")
    p.add_argument("--loader", metavar="MODULE:FN", help="fn(batch_size) -> iterable of batches: is the input pipeline the bottleneck?")
    p.add_argument("--save", metavar="FILE.json", help="save the result for advisor answer --probe / a scenario's probe:")
    p.add_argument("-f", "--format", choices=["text", "json"], default="text")


def check_save_path(raw: str) -> Path:
    """Before a long run: can the result be saved there? A .json name, an existing folder we can write to (tried
    with a temporary file), and no other file in the way (a previous saved probe may be replaced)."""
    import tempfile

    path = Path(raw).expanduser()
    if path.suffix != ".json":
        raise InputError(f"--save needs a .json file name, got {path.name!r}")
    kind = path_kind(path)
    if kind == "folder":
        raise InputError("--save: is a folder; give a file name ending in .json", str(path))
    if path_kind(path.parent) != "folder":
        raise InputError(f"--save: no such folder {str(path.parent)!r}", str(path))
    if kind != "missing":
        try:
            load_measured(str(path))
        except InputError:
            raise InputError("--save: the file exists and is not a saved advisor probe; not replacing it", str(path)) from None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise InputError(f"--save: cannot write in {str(path.parent)!r}: {exc.strerror or exc}", str(path)) from None
    return path


def save_result(path: Path, text: str) -> None:
    """Whole or not at all (advisor.files.write_atomically)."""
    from advisor.files import write_atomically

    try:
        write_atomically(path, text)
    except OSError as exc:
        raise InputError(f"--save: cannot write: {exc.strerror or exc}", str(path)) from None


def run(ns: argparse.Namespace) -> int:
    from advisor.measure.probe import probe

    rank = int(os.environ.get("RANK", "0"))
    save_path = check_save_path(ns.save) if ns.save and rank == 0 else None
    quiet = ns.format == "json" or rank != 0
    progress = None if quiet else (lambda msg: print(f"advisor: {msg}", file=sys.stderr, flush=True))
    device = ns.device or _default_device()
    result = probe(ns.model, device=device, cap_gib=ns.memory_cap_gib, budget_gib=ns.budget_gib, margin=ns.margin,
                   precision=ns.precision, optimizer=ns.optimizer, steps=ns.steps, seq_len=ns.seq_len,
                   max_batch=ns.max_batch, throughput=not ns.no_throughput, noise_scale=ns.noise_scale,
                   loader=ns.loader, progress=progress)
    if rank != 0:
        return 0
    if save_path is not None:
        save_result(save_path, result.model_dump_json(indent=2) + "\n")
    sys.stdout.write(result.model_dump_json(indent=2) + "\n" if ns.format == "json" else render(result, ns))
    return 0


def _default_device() -> str:
    from advisor.measure.tracing import require_torch

    return "cuda" if require_torch().cuda.is_available() else "cpu"


def render(r: Any, ns: argparse.Namespace) -> str:
    cap = f"simulated cap {r.budget_bytes / 2**30:g} GiB" if r.device == "cpu" else f"{r.budget_bytes / 2**30:.1f} GiB"
    lines = [f"advisor probe - {ns.model} on {r.device} ({cap}), margin {r.margin * 100:g}%", "",
             f"  {'#':>2}  {'batch':>6}  {'purpose':36}  {'allocated':>12}  {'reserved':>12}  {'seconds':>7}  result"]
    for i, t in enumerate(r.trials, 1):
        alloc = f"{t.peak_allocated_bytes / 1e9:.3f} GB" if t.peak_allocated_bytes >= 0 else "OOM"
        res = f"{t.peak_reserved_bytes / 1e9:.3f} GB" if t.peak_reserved_bytes >= 0 else "OOM"
        lines.append(f"  {i:>2}  {t.batch:>6}  {t.purpose:36}  {alloc:>12}  {res:>12}  {t.seconds:>7.2f}  "
                     + ("fits" if t.ok else "does not fit"))
    if r.curve:
        c = r.curve
        lines.append(f"\nmeasured (reserved, over {sum(t.ok for t in r.trials)} trials that ran): peak ≈ "
                     f"{c['intercept_bytes'] / 1e9:.3f} GB + {c['per_sample_bytes'] / 1e6:.2f} MB × batch")
    pred = f" (the estimator predicted {r.predicted_max_micro_batch})" if r.predicted_max_micro_batch else ""
    lines.append(f"largest safe micro-batch: {r.max_micro_batch}, run in trial {_trial_of(r, r.max_micro_batch)}{pred}")
    if r.throughput:
        lines.append("\n  batch  samples/s    tokens/s")
        top = max(p.samples_per_s for p in r.throughput)
        for p in r.throughput:
            bar = "█" * max(1, round(24 * p.samples_per_s / top))
            tok = f"{p.tokens_per_s:>11,.0f}" if p.tokens_per_s else f"{'—':>11}"
            lines.append(f"  {p.batch:>5}  {p.samples_per_s:>9.1f}  {tok}  {bar}")
        lines.append(f"recommended micro-batch: {r.recommended_micro_batch} (the smallest within 5% of the best examples/s)")
    if r.input_pipeline_bound is not None:
        lines.append("the input pipeline is the bottleneck: fetching a batch takes more than half a step" if r.input_pipeline_bound
                     else "the input pipeline keeps up with training")
    if r.noise_scale:
        n = r.noise_scale
        lines.append(f"gradient noise scale: B_simple ≈ {n.b_simple:,.0f} ± {n.stderr:,.0f} samples "
                     f"(micro-batch {n.micro_batch} × {n.accumulation}, {n.windows} windows; McCandlish et al. App. A.1)")
    if r.sync:
        s = r.sync
        lines.append(f"gradient sync over {s.world_size} ranks, {s.accumulation} micro-batches per update: "
                     f"{s.seconds_per_update_with_no_sync:.3f} s with no_sync(), {s.seconds_per_update_without_no_sync:.3f} s "
                     f"syncing every micro-step; per-rank peaks {', '.join(f'{p / 1e9:.3f} GB' for p in s.per_rank_peak_bytes)}")
    lines += [f"note: {n}" for n in r.notes]
    if ns.save:
        lines.append(f"\nsaved {ns.save}: advisor answer SCENARIO --probe {ns.save} uses these measurements")
    return "\n".join(lines) + "\n"


def _trial_of(r: Any, batch: int) -> int:
    return next((i for i, t in enumerate(r.trials, 1) if t.batch == batch and t.ok), 0)


def load_measured(path: str) -> dict[str, Any]:
    """Facts from a saved probe (provenance `measured` in the consultation)."""
    from pydantic import ValidationError

    from advisor.measure.probe import ProbeResult

    from advisor.kb.yamlio import decode_text, read_bounded

    text = decode_text(read_bounded(path, what="saved advisor probe (JSON)"), path)
    try:
        data = json.loads(text)
        return ProbeResult.model_validate(data).measured_facts()
    except (ValueError, ValidationError, RecursionError, OverflowError) as exc:
        first = " ".join(str(exc).split())[:200] if not isinstance(exc, RecursionError) else "nested too deeply"
        raise InputError(f"not a saved advisor probe ({first})", path) from None
