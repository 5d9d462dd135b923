"""The user's training plan checked with numbers, and a search over the plans that could replace it.

A plan is one choice of precision × optimizer × sharding (replicated/DDP, ZeRO-1/2/3 = FSDP full shard, optimizer
offload) × activation checkpointing × attention kernel × adapters (LoRA, QLoRA) × GPU count, with the micro-batch
and accumulation that reach the batch per update. Every candidate's per-GPU memory comes from the estimator behind
`advisor estimate` (estimators.training), so the consultation and the estimate can never disagree:

- with a catalogue model (its shapes and a sequence length), the whole peak - model states, activations, logits,
  the gradients alive in backward, CUDA overheads - and the largest micro-batch that fits;
- with only a parameter count, the model states, which decide whether any batch can fit; the activations are then
  measured (a plan that leaves less than a quarter of the card for them is ranked as risky).

Plans that do not fit and the plan the user already runs are dropped; the rest are ranked for the user's goal by
a weighted sum of three costs - accuracy risk, time per update and the number of changes - and the 2-4 shown are
taken from the Pareto front of those costs (no plan shown is worse than another on all three). The weights and the
per-change costs are heuristics, documented in docs/plans.md; the memory numbers are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from advisor.domain.catalogue import ModelSpec
from advisor.domain.estimators.training import (QUANTIZED, MemoryEstimate, TrainingSetup, estimate_training_memory,
                                                exact_plans, model_state_parts)
from advisor.errors import InputError
from advisor.units import fmt_bytes_gib, fmt_on_card

MAX_SHOWN = 4
SLUG_JOIN = "-and-"  # option ids allow only letters, digits, "-" and "_"
MAX_MICRO = 4096  # beyond this a "largest micro-batch" is not a useful instruction
OOM_BELIEVED = 0.75  # an OOM overrides an estimate that fits only when the estimate uses this share of the card (heuristic)
FULL_SHARE = 0.95  # a plan that fits only micro-batch 1 above this share of the card is fragile (heuristic)
NEAR_FULL_SHARE = 0.85  # above this share of the card a plan leaves little for a longer input or the allocator (heuristic)
MICRO_SLOWDOWN = 0.05  # time per update lost each time the micro-batch is halved and the accumulation doubled (heuristic)
TIGHT_SHARE = 0.25  # params-only plans leaving less than this share of the card for activations are risky (heuristic)
ADAM_FAMILY = ("adam", "adamw")

# Goal -> weights of (accuracy risk, extra time per update, number of changes). Heuristic: "fit" prefers the
# smallest safe change, "faster" penalises slow plans, "accuracy" keeps the training algorithm.
GOAL_WEIGHTS = {"fit": (1.0, 2.0, 0.25), "faster": (1.0, 4.0, 0.1), "accuracy": (3.0, 1.0, 0.25)}


@dataclass(frozen=True)
class Knobs:
    """The settings a plan chooses (per-GPU micro-batch and accumulation are derived from them)."""

    precision: str = "fp32"  # fp32 | amp_bf16 | amp_fp16 | bf16 | mixed (DeepSpeed 16-bit with fp32 master weights)
    optimizer: str = "adamw"
    zero: int = 0  # 0 = replicated (one GPU or DDP); 1-3 ZeRO stage (FSDP full shard = 3)
    offload: bool = False  # optimizer state (and fp32 master weights) in CPU memory
    checkpointing: str = "none"  # none | full | offloaded (full, the checkpoints in CPU RAM)
    attention: str = "eager"  # eager | flash
    adapter: str = "none"  # none | lora | lora8 (an 8-bit base) | qlora | prefix (P-tuning, prefix/prompt tuning)
    gpus: int = 1
    fused_loss: bool = False  # a fused cross-entropy (Liger, Unsloth): no full fp32 logits
    split: int = 1  # GPUs one model's layers are split over in one process (device_map="auto"): one replica, not DP


@dataclass
class Problem:
    """What the plan search knows about the user's situation."""

    params: float
    budget: float  # bytes per GPU, as the runtime reports the card
    current: Knobs
    spec: ModelSpec | None = None  # a catalogue model with its sequence length: activations are computed
    micro_batch: int | None = None  # the user's per-GPU micro-batch
    grad_accum: int | None = None
    target_batch: int | None = None  # samples per optimizer update to keep (None: not said)
    target_is_reference: bool = False  # the target is a reference's batch the user set on each GPU by mistake
    said_max_micro: int | None = None  # the largest micro-batch the user says runs with their settings ("8 works")
    gpus_max: int = 1  # GPUs the user has or said they could use
    finetune: bool | None = None  # None: unknown, so adapters are not offered (the consultation asks)
    full_training: bool = False  # "full fine-tuning", "without LoRA": adapters rank after every plan that trains all
    reference_bytes: float = 0.0  # DPO/KTO's frozen reference model (16-bit weights, whole): none with adapters
    cpu_ram: float = 0.0  # the host's memory, when said: an offloading plan must fit it too
    gpus_per_host: int = 0  # GPUs per machine when the machines are said (0: all the GPUs on one machine)
    sequences_per_sample: int = 1  # DPO, ORPO, SimPO: each example is a pair (chosen, rejected) run together
    offload_params: bool = False  # the user offloads the parameters too: so does every ZeRO-3 plan with offload
    logits_16bit: bool = False  # the run's loss keeps one 16-bit copy of the logits (Unsloth's), unless fused
    stage_said: int = 0  # the ZeRO stage (FSDP full shard = 3) the user set, even over one GPU where it shards nothing
    stage_errored: int = 0  # a ZeRO stage the user says failed with an error (not memory): never offered back
    sharded_over_unsaid: bool = False  # FSDP or ZeRO said, the GPUs they shard over not: the count is one GPU's
    # Megatron-LM keeps its fp32 gradients in one contiguous buffer the states already count: no DDP buckets beside them
    ddp_buckets: bool = True
    bf16: bool | None = None  # the GPU supports bf16 (None: unknown GPU)
    adapter_fraction: float = 0.01
    cuda_context: float = 0.4e9
    margin: float = 0.10
    goal: str = "fit"
    assumed: tuple[str, ...] = ()  # what the current plan assumes because the user did not say
    oom: bool = False  # the user saw an out-of-memory error running this plan
    runs: bool = False  # the user says this plan runs within memory (a measurement the estimate gives way to)
    trained_before_oom: bool = False  # it trained for steps and then ran out ("OOM after 25 steps"): its states fit
    limit: float | None = None  # what a plan must stay under when it is less than the card (set after an OOM)

    @property
    def cap(self) -> float:
        return self.limit or self.budget


@dataclass
class Candidate:
    knobs: Knobs
    fits: bool
    per_gpu: float  # bytes on each GPU at the chosen micro-batch (params-only: model states + overheads)
    components: dict[str, float]
    states: float  # weights + gradients + optimizer state per GPU
    cpu: float = 0.0
    max_micro: int | None = None
    micro: int | None = None
    accum: int | None = None
    fixed: float | None = None
    per_sample: float | None = None  # the slope of the peak at this micro-batch (0 where the optimizer step peaks)
    sample_bytes: float | None = None  # one sample's activations, logits and backward temporaries, whatever peaks
    curve: list[tuple[int, float]] = field(default_factory=list)  # (micro-batch, bytes per GPU), for charts
    headroom: float | None = None  # params-only: what is left for activations
    batch_changed: bool = False
    why_not: str = ""
    host_short: bool = False  # it fits the card but its offloaded states do not fit the host's RAM
    costs: tuple[float, float, int] = (0.0, 0.0, 0)
    score: float = 0.0
    changes: list[str] = field(default_factory=list)
    plan_id: str = ""

    @property
    def effective_batch(self) -> int | None:
        return self.micro * self.accum * self.knobs.gpus if self.micro and self.accum else None


# ------------------------------------------------------------------------------------------------ evaluation


def _setup(p: Problem, k: Knobs) -> TrainingSetup:
    adapter = k.adapter != "none"
    return TrainingSetup(precision=k.precision, optimizer=k.optimizer, gpus=k.gpus, zero=k.zero, offload_optimizer=k.offload,
                         checkpointing=k.checkpointing, attention=k.attention,
                         trainable_fraction=p.adapter_fraction if adapter else 1.0,
                         base_bits=ADAPTER_BASE_BITS.get(k.adapter, 0),
                         cuda_context=p.cuda_context, margin=p.margin, reference_bytes=_reference(p, k),
                         offload_params=p.offload_params and k.offload and k.zero == 3, fused_loss=k.fused_loss,
                         logits_16bit=p.logits_16bit and not k.fused_loss,
                         layer_split=k.split, bucket_view=not p.ddp_buckets)


def _reference(p: Problem, k: Knobs) -> float:
    """DPO's reference model on each GPU: none with adapters (the base with them switched off serves), sharded with
    the weights under ZeRO-3 / FSDP full shard."""
    if not p.reference_bytes or k.adapter != "none":
        return 0.0
    return p.reference_bytes / (k.gpus if k.zero == 3 else 1)


def _batch_plan(p: Problem, limit: int, accumulating: int, gpus: int) -> tuple[int, int, bool] | None:
    """(micro, accumulation, whether the batch per update changed), or None when not even one sample fits."""
    if limit < 1:
        return None
    if p.micro_batch and p.micro_batch * (p.grad_accum or 1) * gpus == p.target_batch and \
            p.micro_batch <= (accumulating if (p.grad_accum or 1) > 1 else limit):
        return p.micro_batch, p.grad_accum or 1, False  # what the user runs, when it fits, is kept
    if p.target_batch:
        plans = exact_plans(p.target_batch, limit, gpus, limit=1, max_micro_accumulating=accumulating)
        if plans:
            micro, accum, _ = plans[0]
            return micro, accum, False
        per_gpu = max(1, round(p.target_batch / gpus))  # not divisible: the nearest batch per update
        micro = min(limit, per_gpu)
        accum = max(1, round(per_gpu / micro))
        if accum > 1:
            micro = min(micro, accumulating) or 1
            accum = max(1, round(per_gpu / micro))
        return micro, accum, micro * accum * gpus != p.target_batch
    if p.micro_batch:
        if p.micro_batch <= limit:
            return p.micro_batch, p.grad_accum or 1, False
        accum = p.grad_accum or 1
        return (min(limit, accumulating) if accum > 1 else limit), accum, True
    return min(limit, MAX_MICRO), p.grad_accum or 1, False


def evaluate(p: Problem, k: Knobs, as_run: bool = False) -> Candidate:
    """Per-GPU memory of one plan, and whether it fits the card (and, offloading, the host's RAM when said).
    `as_run`: at the user's own micro-batch and accumulation (their plan as they run it), instead of the largest
    micro-batch that keeps their batch."""
    c = _evaluate(p, k, as_run)
    if not host_fits(p, c):
        host = (f"the offloaded states need {fmt_bytes_gib(host_cpu(p, c))} of CPU RAM on each machine, more than "
                f"the {fmt_bytes_gib(p.cpu_ram * (1 - p.margin))} ({(1 - p.margin) * 100:.0f}%) of its "
                f"{fmt_bytes_gib(p.cpu_ram)} safe to use")
        # (a plan too big for the GPUs as well says that first)
        c.why_not = host if c.fits else f"{c.why_not or fmt_on_card(c.per_gpu, p.budget)}; and {host}"
        c.host_short, c.fits = c.fits, False
    return c


def host_fits(p: Problem, c: Candidate) -> bool:
    """Whether the plan's offloaded states fit the host's RAM less the safety margin (yes without either)."""
    return not (c.cpu and p.cpu_ram) or host_cpu(p, c) <= p.cpu_ram * (1 - p.margin)


def host_cpu(p: Problem, c: Candidate) -> float:
    """CPU RAM one machine gives the plan's offloaded states: their share for the machine's GPUs (all of them when
    every GPU is on one machine)."""
    cpu = c.cpu or 0.0
    if p.gpus_per_host and c.knobs.gpus > p.gpus_per_host:
        return cpu * p.gpus_per_host / c.knobs.gpus
    return cpu


def _evaluate(p: Problem, k: Knobs, as_run: bool = False) -> Candidate:
    setup = _setup(p, k)
    if p.spec is not None:
        est = estimate_training_memory(p.spec, setup)
        if est.per_sample:
            return _with_activations(p, k, est, as_run)
    states_parts, _, cpu = model_state_parts(int(p.params), setup, p.spec)
    if setup.reference_bytes:
        states_parts["reference model"] = setup.reference_bytes
    states = sum(states_parts.values())
    buckets = states_parts["gradients"] if k.gpus > 1 and k.zero == 0 and p.ddp_buckets else 0.0  # DDP's gradient buckets
    usable = p.budget * (1 - p.margin)
    headroom = usable - states - buckets - p.cuda_context
    components = {**states_parts, **({"gradient buckets (DDP)": buckets} if buckets else {}), "CUDA context": p.cuda_context}
    per_gpu = sum(components.values())
    why = "" if headroom > 0 else (f"model states alone need {fmt_bytes_gib(states + buckets)} per GPU; "
                                   f"{fmt_bytes_gib(usable - p.cuda_context)} is usable")
    micro, accum, changed = p.micro_batch, p.grad_accum, False
    if p.micro_batch and k.gpus != p.current.gpus:
        # another GPU count keeps the batch per update: the user's micro-batch (or less) with more or fewer
        # accumulation steps; activations are not modelled, so the micro-batch never grows
        micro, accum, changed = _batch_plan(p, p.micro_batch, p.micro_batch, k.gpus)
    # after an OOM (p.limit), a plan must also leave more room for activations than the user's plan did
    fits = headroom > 0 and (p.limit is None or per_gpu < p.limit)
    return Candidate(k, fits, per_gpu, components, states, cpu, headroom=headroom, why_not=why,
                     micro=micro, accum=accum, batch_changed=changed)


def _with_activations(p: Problem, k: Knobs, est: MemoryEstimate, as_run: bool = False) -> Candidate:
    # the estimate counts sequences; a micro-batch of b preference pairs runs 2b of them (chosen and rejected)
    s = p.sequences_per_sample
    limit = est.max_micro_batch(p.cap)
    accumulating = getattr(limit, "accumulating", int(limit)) // s
    pairs_limit = int(limit) // s
    said = p.said_max_micro if k == p.current else None
    if said and said > pairs_limit:
        # "batch 32 OOMs but 8 works": the user's measurement with these settings outweighs the estimate's limit
        pairs_limit = accumulating = said
    states = est.intercept + est.gradients
    if as_run and p.micro_batch:
        micro, accum, changed = p.micro_batch, p.grad_accum or 1, False
    else:
        plan = _batch_plan(p, pairs_limit, accumulating, k.gpus)
        if plan is None:
            total = est.device_total(s, 1)
            why = f"even micro-batch 1 needs {fmt_on_card(total, p.budget)}"
            fixed, per = est.device_line(s, 1)  # peak on the GPU ≈ fixed + b × per, as charts draw it
            return Candidate(k, False, total, est.components(s, 1), states, est.cpu_bytes, max_micro=0,
                             fixed=fixed, per_sample=per * s, sample_bytes=est.slope * s, curve=_points(est, s, 0, 1, s),
                             why_not=why)
        micro, accum, changed = plan
        if p.oom and micro > 1 and not (said and micro <= said) \
                and est.device_total(micro * s, accum) > NEAR_FULL_SHARE * p.cap:
            # after an OOM, the largest micro-batch that fits at 98% of the card is that OOM again on a longer input:
            # a smaller one under NEAR_FULL_SHARE, with more accumulation, when it keeps the same batch per update
            # (not below a micro-batch the user says runs: "8 works, 16 OOMs" measured what the estimate guesses)
            roomy = int(est.max_micro_batch(NEAR_FULL_SHARE * p.cap)) // s
            safer = _batch_plan(p, roomy, min(accumulating, roomy), k.gpus) if 1 <= roomy < micro else None
            if safer is not None and safer[2] == changed:
                micro, accum, changed = safer
    total = est.device_total(micro * s, accum)
    fits = total <= p.cap or bool(said and micro <= said)
    why = "" if fits else f"micro-batch {micro} needs {fmt_on_card(total, p.budget)}"
    fixed, per = est.device_line(micro * s, accum)
    # exact peaks, also where the step decides
    curve = _points(est, micro * s, est.max_micro_batch(p.cap, accum), accum, s)
    return Candidate(k, fits, total, est.components(micro * s, accum), states, est.cpu_bytes,
                     max_micro=min(pairs_limit, MAX_MICRO), micro=micro, accum=accum, fixed=fixed,
                     per_sample=per * s, sample_bytes=est.slope * s, curve=curve, batch_changed=changed, why_not=why)


def _points(est: MemoryEstimate, sequences: int, largest: int, accum: int, s: int) -> list[tuple[int, float]]:
    """The chart's (micro-batch, peak) points, in samples: sequences ÷ s, where whole."""
    return [(b // s, peak) for b, peak in est.device_points(sequences, largest, accum) if b % s == 0]


# ------------------------------------------------------------------------------------------------ the search

# Cost of each change: (accuracy risk, time factor per update). Heuristics, ranked against each other only;
# the sources of the direction of each effect are in estimators/plan_search.py's CHANGE_NOTES.
ADAPTER_COST = {"none": (0.0, 1.0), "lora": (2.0, 0.8), "lora8": (2.5, 1.0), "qlora": (3.0, 1.05), "prefix": (2.0, 0.8)}
FULL_TRAINING_RISK = 10.0  # more than any other change's risk: offered only when no plan trains every weight


def _precision_cost(old: str, new: str, finetune: bool | None = None) -> tuple[float, float]:
    if new == old:
        return 0.0, 1.0
    risk = {"fp32": 0.0, "amp_bf16": 0.5, "amp_fp16": 1.0, "mixed": 0.5, "bf16": 2.0}[new]
    if new == "bf16" and finetune:
        # a fine-tune's small updates (lr ~1e-5 times a weight) fall below bf16's 8-bit mantissa and round away
        # without stochastic rounding or Kahan summation: pure bf16 is the last resort there (heuristic)
        risk += 1.0
    faster = old == "fp32" and new != "fp32"  # Tensor-Core matmuls in 16 bits
    return risk, (0.6 if faster else 1.0)


def costs(p: Problem, c: Candidate) -> tuple[float, float, int]:
    """(accuracy risk, time per update relative to now, number of changes)."""
    if c.plan_id == "smaller-micro-batch":
        return 0.0, 1.1, 1  # the same settings; smaller micro-batches use the GPU less efficiently (heuristic)
    cur, k = p.current, c.knobs
    risk, time = _precision_cost(cur.precision, k.precision, p.finetune)
    forced = precision_forced(cur, k)
    if forced and k.adapter != cur.adapter:
        risk = 0.0  # the 16-bit base comes with the adapter, whose own risk counts
    if k.optimizer != cur.optimizer:
        risk += 1.0 if k.optimizer == "adamw_8bit" else 3.0
    a_risk, a_time = ADAPTER_COST[k.adapter]
    b_risk, b_time = ADAPTER_COST[cur.adapter]
    risk += max(0.0, a_risk - b_risk)
    if p.full_training and k.adapter != cur.adapter:
        risk += FULL_TRAINING_RISK  # "full fine-tuning" said: adapters train something else, so any full plan first
    time *= a_time / b_time
    if (k.checkpointing == "none") != (cur.checkpointing == "none"):
        # about one extra forward (Chen et al.: ~30 %), the checkpoints kept on the GPU or in CPU RAM alike
        time *= 1.33 if k.checkpointing != "none" else 1 / 1.33
    if k.offload != cur.offload:
        time *= 2.0 if k.offload else 1 / 2.0  # the optimizer step on the CPU, gradients over PCIe every update
    if k.zero != cur.zero:
        time *= (1.1 if k.zero == 3 else 1.0) / (1.1 if cur.zero == 3 else 1.0)
    if k.attention != cur.attention:
        time *= 0.9 if k.attention == "flash" else 1 / 0.9
    if k.gpus != cur.gpus:
        time *= cur.gpus / (k.gpus * 0.9)  # data parallel at 90 % scaling efficiency
    if k.fused_loss != cur.fused_loss:
        risk += 0.5  # another library (Liger, Unsloth) patching the model: same loss, new code in the training path
    if p.micro_batch and c.micro and c.micro < p.micro_batch:
        # the same samples in smaller micro-batches, more of them accumulated: each GPU kernel does less work at once
        time *= 1 + MICRO_SLOWDOWN * math.log2(p.micro_batch / c.micro)
    if c.batch_changed:
        risk += 2.0  # a different batch per update: the learning rate must be retuned
    share = c.per_gpu / p.cap
    if c.headroom is not None and c.headroom < TIGHT_SHARE * p.budget:
        risk += 1.0  # activations unknown and little room for them
    elif c.headroom is None and c.max_micro == 1 and share > NEAR_FULL_SHARE:
        risk += 1.0  # only micro-batch 1 fits, close to the card: one longer input from an OOM, and nothing to lower
    if p.oom and share > FULL_SHARE:
        risk += 2.0  # after an OOM, a plan within a few percent of the card is that OOM again on a longer input
    elif p.oom and share > NEAR_FULL_SHARE:
        risk += 1.0  # … and one within a seventh of it little safer
    changes = len(c.changes) - (1 if forced and k.precision != cur.precision else 0)  # the search set c.changes
    if (k.zero or k.offload) and not (cur.zero or cur.offload):
        changes += 1  # DeepSpeed or FSDP is a new framework to set up, not one flag
    return risk, time, changes


LOGITS_WORTH_FUSING = 0.05  # share of the card one sample's logits must take for a fused loss to be tried (heuristic)


def candidate_knobs(p: Problem) -> list[Knobs]:
    cur = p.current
    precisions = [cur.precision]
    if cur.precision == "fp32" and "fp32" not in p.assumed:  # an assumed precision is asked, not changed
        precisions.append("amp_fp16" if p.bf16 is False else "amp_bf16")
    if p.bf16 and cur.precision != "bf16" and cur.adapter == "none" and p.finetune:
        # a full fine-tune in pure bf16 (weights, gradients and AdamW's moments in 16 bits: LLaMA-Factory's
        # pure_bf16, about half the states of autocast): the change that keeps every weight trained on one card
        precisions.append("bf16")
    optimizers = [cur.optimizer] + (["adamw_8bit"] if cur.optimizer in ADAM_FAMILY else [])
    gpu_counts = sorted({cur.gpus, max(cur.gpus, p.gpus_max)})
    adapters = [cur.adapter]
    if p.finetune and cur.adapter == "none" and not (p.goal == "faster" and p.runs):
        # (a full fine-tune that runs, asked to go faster: adapters would train something else, not the same run
        # faster - the speed plans keep every weight trained)
        adapters += ["lora", "qlora"]
    elif cur.adapter in ("lora", "lora8", "prefix"):
        adapters.append("qlora")  # (LoRA on an 8-bit base, "load_in_8bit": a 4-bit base is the next step down)
    shaped = p.spec is not None
    # (checkpoints already offloaded to CPU RAM are kept there: on the GPU they would only take more)
    checkpointing = sorted({cur.checkpointing, "full"}) if shaped and cur.checkpointing != "offloaded" \
        else [cur.checkpointing]
    if shaped and p.goal == "faster":
        # turning checkpointing off saves the recomputed forward (about a third of a step): the first speed-up
        # to try where the activations it keeps fit (and on, still, for a run that must first fit)
        checkpointing = sorted(set(checkpointing) | {"none"})
    # a fused cross-entropy where a language model's logits (three fp32 copies of s × V per sample) take a share of
    # the card worth cutting: with checkpointing only (the activations cut, the logits are what is left), which
    # keeps the search small
    fused = shaped and p.spec.has_activation_shape and not cur.fused_loss \
        and 12 * p.spec.seq_len * p.spec.vocab * p.sequences_per_sample > LOGITS_WORTH_FUSING * p.budget
    attention = sorted({cur.attention, "flash"}) if shaped and p.spec.has_activation_shape else [cur.attention]
    out = []
    for gpus in gpu_counts:
        shardings = [(0, False), (0, True)] if gpus == 1 else [(z, False) for z in range(4)] + [(z, True) for z in (2, 3)]
        if gpus == cur.gpus and cur.split > 1:
            shardings = [(0, False)]  # one process holding the split model: no sharding, no DeepSpeed offload
        if gpus == 1 and cur.zero == 3:
            shardings.append((3, True))  # ZeRO-3 offloading the parameters on one GPU (ZeRO-Infinity's single-GPU case)
        if p.goal != "faster" and gpus >= cur.gpus and gpus > 1:
            # less sharding saves no GPU memory, only time; dropping offload is kept when the user offloads: it
            # spares the host's RAM, and adapters or an 8-bit optimizer (never combined with offload) need it off
            shardings = [(z, o) for z, o in shardings if z >= max(cur.zero, p.stage_said)]
        if p.stage_errored:
            shardings = [(z, o) for z, o in shardings if z != p.stage_errored or z == cur.zero]
        for (zero, offload) in shardings:
            for precision in precisions:
                for optimizer in optimizers:
                    for adapter in adapters:
                        for ckpt in checkpointing:
                            for attn in attention:
                                prec = precision
                                if offload and prec != "bf16":
                                    prec = "mixed"  # ZeRO-Offload keeps 16-bit weights on the GPU, fp32 master on the CPU
                                elif zero in (1, 2) and prec in AUTOCAST and adapter == "none":
                                    # ZeRO-1/2 in 16 bits (DeepSpeed's bf16/fp16 modes) keep the fp32 master weights
                                    # in the sharded optimizer state: 16-bit weights on each GPU, not fp32 ones and a
                                    # 16-bit copy (under ZeRO-3 both ways shard every part alike)
                                    prec = "mixed"
                                if adapter != "none" and prec == "fp32":
                                    prec = "amp_fp16" if p.bf16 is False else "amp_bf16"  # adapters train in autocast
                                if offload and (adapter != "none" or optimizer in QUANTIZED):
                                    continue  # offloading tiny adapter states or an 8-/4-bit GPU optimizer buys nothing
                                if prec == "bf16" != cur.precision and (adapter != "none" or optimizer != cur.optimizer
                                                                        or offload):
                                    continue  # pure bf16 is offered to keep a full fine-tune on the GPUs as it is
                                # (the GPUs a device_map splits one model over stay split; more GPUs are data parallel)
                                split = cur.split if gpus == cur.gpus else 1
                                out.append(Knobs(prec, optimizer, zero, offload, ckpt, attn, adapter, gpus, cur.fused_loss,
                                                 split))
                                if fused and ckpt == "full":
                                    out.append(Knobs(prec, optimizer, zero, offload, ckpt, attn, adapter, gpus, True, split))
    if cur.gpus > 1 and cur.split == 1 and cur.zero == 0 and not cur.offload:
        # an adapter run on several GPUs that each hold the whole base (DDP): its layers split over all of them in
        # one process instead (device_map="auto") - one copy of the base over the GPUs, computed one GPU at a time
        for precision in precisions:
            for optimizer in optimizers:
                for adapter in (a for a in adapters if a in SPLIT_ADAPTERS):
                    prec = ("amp_fp16" if p.bf16 is False else "amp_bf16") if precision == "fp32" else precision
                    if prec == "bf16":
                        continue
                    for ckpt in checkpointing:
                        for attn in attention:
                            out.append(Knobs(prec, optimizer, 0, False, ckpt, attn, adapter, 1, cur.fused_loss,
                                             cur.gpus))
    return list(dict.fromkeys(out))


SPLIT_ADAPTERS = ("lora", "qlora", "lora8")  # (a frozen base the GPUs can share layer by layer)


# the storage of the frozen base under each adapter (bits per weight; 0: no frozen base, every weight trained)
ADAPTER_BASE_BITS = {"none": 0, "lora": 16, "lora8": 8, "qlora": 4, "prefix": 16}


# Each knob in the order changes are listed: (its words when it changes, its part of an option id).
CHANGE_WORDS = {
    "adapter": (lambda v: {"lora": "LoRA adapters on a frozen 16-bit base", "qlora": "QLoRA adapters on a frozen 4-bit base",
                           "lora8": "LoRA adapters on a frozen 8-bit base",
                           "prefix": "a trained prefix (P-tuning) on a frozen 16-bit base",
                           "none": "full fine-tuning"}[v], lambda v: v if v != "none" else "full-finetune"),
    "precision": (lambda v: {"amp_bf16": "bf16 autocast", "amp_fp16": "fp16 autocast with a GradScaler", "fp32": "fp32",
                             "bf16": "pure bf16 weights and states",
                             "mixed": "16-bit weights with fp32 master weights (DeepSpeed)"}[v], lambda v: v.replace("_", "-")),
    "optimizer": (lambda v: {"adamw_8bit": "8-bit AdamW", "adamw_4bit": "4-bit AdamW"}.get(v, v),
                  lambda v: v.replace("_", "-")),
    "gpus": (lambda v: f"{v} GPUs in data parallel", lambda v: f"gpus-{v}"),
    "zero": (lambda v: {1: "ZeRO-1 (optimizer state sharded)", 2: "ZeRO-2 (FSDP shard grad/optimizer)",
                        3: "ZeRO-3 (FSDP full shard)"}[v] if v else "no sharding",
             lambda v: f"zero-{v}" if v else "no-sharding"),
    "offload": (lambda v: "optimizer offloaded to CPU RAM" if v else "no offload",
                lambda v: "optimizer-offload" if v else "no-offload"),
    "checkpointing": (lambda v: {"full": "activation checkpointing", "offloaded":
                                 "activation checkpointing offloaded to CPU RAM"}.get(v, "no checkpointing"),
                      lambda v: {"full": "checkpointing",
                                 "offloaded": "offloaded-checkpointing"}.get(v, "no-checkpointing")),
    "attention": (lambda v: "flash/SDPA attention" if v == "flash" else "eager attention",
                  lambda v: "flash-attention" if v == "flash" else "eager-attention"),
    "fused_loss": (lambda v: "a fused cross-entropy (Liger, Unsloth: no full logits)" if v else "the full logits",
                   lambda v: "fused-loss" if v else "full-logits"),
    "split": (lambda v: f"the model's layers split over {v} GPUs in one process (a device map)" if v > 1
              else "no layer split", lambda v: f"layers-split-{v}" if v > 1 else "no-layer-split"),
}


def _changed(old: Knobs, new: Knobs) -> list[tuple[str, object]]:
    # (the same GPUs arranged anew is one change: the layers split over them, or the GPUs in data parallel instead)
    rearranged = new.split != old.split and new.gpus * new.split == old.gpus * old.split
    dropped = ("gpus" if new.split > 1 else "split") if rearranged else ""
    return [(name, getattr(new, name)) for name in CHANGE_WORDS if getattr(new, name) != getattr(old, name)
            and name != dropped]


def describe_changes(old: Knobs, new: Knobs) -> list[str]:
    """The changes from one plan to another, in words (empty: the same plan)."""
    words = [CHANGE_WORDS[name][0](value) for name, value in _changed(old, new)]
    if old.split > 1 and new.split == 1:
        # from device_map's split (one GPU computing at a time) to data parallel over the GPUs (all of them at once)
        words = [w + f" instead of the layers split over {old.split}" if name == "gpus" else w
                 for (name, _), w in zip(_changed(old, new), words)]
    return words


NOTABLE = 0.05  # the share of the plan's memory a new optimizer must save to be named as not enough on its own


def saves_memory(old: Knobs, new: Knobs) -> bool:
    """Whether a change is one people make to save memory (for the list of what was ruled out, and why)."""
    return any((new.adapter != old.adapter and new.adapter != "none",
                new.optimizer == "adamw_8bit" != old.optimizer,
                new.zero > old.zero, new.offload and not old.offload, new.gpus > old.gpus,
                new.checkpointing == "full" and old.checkpointing not in ("full", "offloaded"),
                new.attention == "flash" != old.attention, new.fused_loss and not old.fused_loss))


def precision_forced(old: Knobs, new: Knobs) -> bool:
    """Offload (DeepSpeed keeps 16-bit weights on the GPU), adapters (trained under autocast) and sharding under
    autocast (the fp32 master moves into the sharded optimizer state) bring their own precision: not a change of
    its own."""
    return new.offload != old.offload and new.offload or (new.adapter != old.adapter and old.precision == "fp32") \
        or (new.zero != old.zero and new.precision == "mixed" and old.precision in AUTOCAST)


AUTOCAST = ("amp_bf16", "amp_fp16")


def slug(old: Knobs, new: Knobs) -> str:
    """A stable option id from the changes: adamw-8bit, lora-and-checkpointing, zero-3-and-optimizer-offload (a
    precision that comes with offload or adapters is not part of it)."""
    forced = precision_forced(old, new)
    parts = [CHANGE_WORDS[name][1](value) for name, value in _changed(old, new) if not (name == "precision" and forced)]
    return SLUG_JOIN.join(parts) or "current"


def _pareto(cands: list[Candidate]) -> list[Candidate]:
    """The candidates no other beats on all three costs. In lexicographic order a dominating plan always comes
    before the plans it dominates, so each is checked against the front found so far (not against all)."""
    front: list[Candidate] = []
    for c in sorted(cands, key=lambda c: c.costs):
        if not any(f.costs != c.costs and all(x <= y for x, y in zip(f.costs, c.costs)) for f in front):
            front.append(c)
    return front


@dataclass
class SearchResult:
    current: Candidate
    shown: list[Candidate]  # best first
    considered: int
    fitting: int
    ruled_out: list[tuple[str, Candidate]]  # (title, candidate) of the single changes that do not fit
    verdicts: dict[str, str] = field(default_factory=dict)  # single-change plan id -> why it is or is not shown


def search(p: Problem) -> SearchResult:
    if p.params <= 0 or p.budget <= 0:
        raise InputError("the plan search needs a positive parameter count and GPU memory")
    current = evaluate(p, p.current, as_run=True)
    if p.oom and current.fits and current.per_gpu >= OOM_BELIEVED * p.budget:
        # the user's own run ran out of memory where the estimate says it fits, close to the card: the measurement
        # wins. Whatever the estimate leaves out (buffers, fragmentation, longer inputs), the run needs more than the
        # card - so a plan is only offered if its estimate stays below what the user's plan was estimated to need.
        # (Far below the card, the OOM more likely came from another setting than the one described.)
        current.fits = False
        current.why_not = (f"you saw an out-of-memory error where the estimate is {fmt_on_card(current.per_gpu, p.budget)}: "
                           "the run needs more than the estimate counts")
        p = replace(p, limit=current.per_gpu)
    if (p.runs and not p.oom or p.trained_before_oom) and not current.fits:
        # "it fits but it's slow": the user's run fits, so the estimate's assumptions overstate it - the plan is
        # treated as fitting (only faster plans are then worth showing), and a finding says what to tell
        current.fits, current.why_not = True, ""
    knobs = candidate_knobs(p)
    weights = GOAL_WEIGHTS.get(p.goal, GOAL_WEIGHTS["fit"])
    fitting, singles, fitting_singles = [], [], []
    for k in knobs:
        c = evaluate(p, k)
        c.changes, c.plan_id = describe_changes(p.current, k), slug(p.current, k)
        if k == p.current:
            if current.fits or not c.fits or c.micro == p.micro_batch \
                    or (c.micro, c.accum) == (current.micro, current.accum):
                continue  # (the micro-batch the user's plan was counted at, said or assumed, is no other plan)
            # the same settings at a smaller micro-batch, accumulating to the same batch per update (or reaching the
            # reference's, where the user set the reference's whole batch on each GPU)
            accumulated = f" with {c.accum} accumulation steps" if c.accum > 1 else ""
            kept = "the reference's" if p.target_is_reference else "the same"
            c.changes = [f"micro-batch {c.micro}{accumulated} ({kept} {c.effective_batch} per update)"]
            if p.micro_batch is None and not p.target_batch:
                # the user's micro-batch unsaid: no batch per update of theirs to keep - the most per step that
                # leaves room is the advice, whatever theirs is
                c.changes = [f"micro-batch at most {c.micro}{accumulated} ({c.effective_batch} per update at {c.micro})"]
            c.plan_id = "smaller-micro-batch"
        single = len(c.changes) - (1 if precision_forced(p.current, k) and k.precision != p.current.precision else 0) == 1
        if single and not c.fits and saves_memory(p.current, k) and (
                k.optimizer == p.current.optimizer or current.per_gpu - c.per_gpu >= NOTABLE * current.per_gpu):
            # (an optimizer that saves next to nothing here - 8-bit Adam states of a LoRA run - is no lever worth
            # naming; checkpointing that is not enough is worth saying however little it saves)
            singles.append((c.changes[0], c))
        if c.fits:
            if single:
                fitting_singles.append(c)
            c.costs = costs(p, c)
            c.score = round(sum(w * x for w, x in zip(weights, (c.costs[0], c.costs[1] - 1.0, c.costs[2]))), 9)
            fitting.append(c)
    worth = _without_idle_sharding(p, fitting)
    if current.fits:
        # a plan that fits already: only plans that are faster are worth showing, and only if speed is the goal
        # (adapters train something else than the full fine-tuning said: no speed-up worth that, for a run that fits)
        worth = [c for c in fitting if p.goal == "faster" and c.costs[1] < 1.0 and not c.batch_changed
                 and not (p.full_training and c.knobs.adapter != p.current.adapter)]
    front = sorted(_pareto(worth), key=lambda c: (c.score, c.plan_id))
    shown = _diverse(front)
    if len(shown) == 1:  # one plan dominates: show the best alternative that changes something else
        rest = sorted((c for c in worth if c not in shown and c.changes[0] != shown[0].changes[0]),
                      key=lambda c: (c.score, c.plan_id))
        shown += rest[:1]
    shown += _roomier(worth, shown)
    result = SearchResult(current, shown, len(knobs), len(fitting), singles)
    result.verdicts = _verdicts(p, result, fitting_singles)
    return result


IDLE_SHARDING = 0.02  # share of the card a ZeRO-1/2 stage must save to be worth its framework (heuristic)


def _without_idle_sharding(p: Problem, fitting: list[Candidate]) -> list[Candidate]:
    """Drop a plan that adds ZeRO-1 or -2 to one that fits without it and saves under 2% of the card there (a LoRA
    run's optimizer states are a few hundred MB): the same plan with one framework less, no real gain."""
    by_knobs = {c.knobs: c for c in fitting}
    kept = []
    for c in fitting:
        k = c.knobs
        if k.zero in (1, 2) and p.current.zero == 0 and not k.offload:
            twin = by_knobs.get(replace(k, zero=0))
            if twin is not None and twin.per_gpu - c.per_gpu < IDLE_SHARDING * p.budget:
                continue
        kept.append(c)
    return kept


def _verdicts(p: Problem, result: SearchResult, fitting_singles: list[Candidate]) -> dict[str, str]:
    """Why each single change is, or is not, among the plans shown - with the number that decided it."""
    out: dict[str, str] = {}
    shown = {id(c) for c in result.shown}
    for title, c in result.ruled_out:
        out[c.plan_id] = f"{title} does not fit: {c.why_not or fmt_on_card(c.per_gpu, p.budget)}"
    for c in fitting_singles:
        plan_id = c.plan_id
        if id(c) in shown:
            out[plan_id] = f"{c.changes[0]} is offered: {fmt_on_card(c.per_gpu, p.budget)}"
        elif result.current.fits:
            out[plan_id] = (f"{c.changes[0]} fits ({fmt_bytes_gib(c.per_gpu)} per GPU) but is not needed: your plan "
                            f"fits already ({fmt_on_card(result.current.per_gpu, p.budget)})")
        else:
            out[plan_id] = (f"{c.changes[0]} fits ({fmt_on_card(c.per_gpu, p.budget)}) but ranks below "
                            "the plans shown: more accuracy risk, more time per update or more changes")
    if p.current.adapter == "none" and not p.finetune:
        why = ("adapters train on a pre-trained base; you train from scratch" if p.finetune is False else
               "adapters are for fine-tuning: say whether you fine-tune a pre-trained model")
        out.setdefault("lora", f"LoRA is not considered: {why}")
        out.setdefault("qlora", f"QLoRA is not considered: {why}")
    elif p.current.adapter != "none":
        out.setdefault(p.current.adapter, f"you already use {p.current.adapter.upper().replace('QLORA', 'QLoRA').replace('LORA', 'LoRA')}")
    return out


def _diverse(front: list[Candidate]) -> list[Candidate]:
    """The best plan, then the best for each cost it trades away (least risk, least time, fewest changes), so
    the options shown differ in what they give up."""
    if not front:
        return []
    chosen = [front[0]]
    for axis in range(3):
        best = min(front, key=lambda c: (c.costs[axis], c.score))
        if best not in chosen:
            chosen.append(best)
    for c in front:
        if len(chosen) >= MAX_SHOWN:
            break
        if c not in chosen:
            chosen.append(c)
    return chosen[:MAX_SHOWN]


def _roomier(worth: list[Candidate], shown: list[Candidate]) -> list[Candidate]:
    """The best-ranked plan whose largest micro-batch is at least twice that of every plan shown ("8-bit AdamW and
    checkpointing: up to 10 per step" beside 8-bit AdamW's 2), when there is room for one more: the costs count
    time and risk, not how far the batch can grow, which a user choosing a batch wants to see."""
    if not shown or len(shown) >= MAX_SHOWN or any(c.max_micro is None for c in shown):
        return []
    most = max(c.max_micro for c in shown)
    roomier = [c for c in worth if c not in shown and c.max_micro is not None and c.max_micro >= 2 * most >= 4]
    return sorted(roomier, key=lambda c: (c.score, c.plan_id))[:1]


def single_change_ids() -> list[str]:
    """The ids a single change gets from a plain fp32 AdamW plan on one or several GPUs (for completion)."""
    base, multi = Knobs(), Knobs(gpus=8)
    changes = [replace(base, adapter="lora"), replace(base, adapter="qlora"), replace(base, optimizer="adamw_8bit"),
               replace(base, precision="amp_bf16"), replace(base, precision="amp_fp16"), replace(base, checkpointing="full"),
               replace(base, attention="flash"), replace(base, precision="mixed", offload=True)]
    ids = [slug(base, k) for k in changes] + [slug(multi, replace(multi, zero=z)) for z in (1, 2, 3)]
    return sorted(set(ids))
