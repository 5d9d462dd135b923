"""Properties of whole consultations (`consult()` with structured facts, not the plan search alone) over random
catalogue models and GPUs, precisions, optimizers, sharding, adapters, micro-batches, accumulation and GPU counts:

- no offered plan, and in particular the recommended one, needs more memory per GPU than the card has;
- the recommended plan is never the user's own plan;
- effective batch = micro-batch × accumulation × GPUs in every plan and in every option's settings;
- a plan keeps the user's batch per update, or its option says the batch changes.
"""

from hypothesis import HealthCheck, given, settings, strategies as st

from advisor.consultation import consult, load_kb
from advisor.domain.catalogue import preset, preset_names
from advisor.domain.gpus import gpus

KB = load_kb()  # module-level, not the fixture: hypothesis prints its arguments when an example fails
MODELS = sorted(preset_names())
CARDS = sorted(gpus())
SHARDING = {  # how the user says the run is spread (facts), for one GPU or several
    "ddp": {}, "zero1": {"parallelism": "zero", "zero_stage": 1}, "zero2": {"parallelism": "zero", "zero_stage": 2},
    "zero3": {"parallelism": "zero", "zero_stage": 3}, "fsdp": {"parallelism": "fsdp"},
    "zero3-offload": {"parallelism": "zero", "zero_stage": 3, "offload": "cpu"},
}


def situation(model, card, n, more, precision, optimizer, sharding, adapter, mode, micro, accum, seq, ckpt,
              shaped=True):
    """Structured facts for one run; `shaped=False` gives only the model's parameter count (no shapes, so the plans
    count model states and leave the activations to a measurement)."""
    model_facts = {"model_preset": model} if shaped else {"params": preset(model).params}
    facts = {**model_facts, "gpu_model": card, "gpu_memory": gpus()[card].memory_bytes, "num_gpus": n,
             "precision": precision, "optimizer": optimizer, "training_mode": mode, "micro_batch": micro,
             "grad_accum_steps": accum, "grad_checkpointing": ckpt, **SHARDING[sharding]}
    if more:
        facts["gpus_available"] = n * more
    if seq:
        facts["seq_len"] = seq
    if mode == "finetune" and adapter != "none":
        facts["adapter"] = adapter
    return facts


def product(micro, accum, gpus_):
    return micro * accum * gpus_


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=st.sampled_from(MODELS), card=st.sampled_from(CARDS), n=st.sampled_from([1, 2, 4, 8]),
       more=st.sampled_from([None, 2, 4]), precision=st.sampled_from(["fp32", "amp_bf16", "amp_fp16", "bf16"]),
       optimizer=st.sampled_from(["adamw", "adam", "adamw_8bit", "sgd_momentum"]),
       sharding=st.sampled_from(sorted(SHARDING)),
       adapter=st.sampled_from(["none", "lora", "qlora"]), mode=st.sampled_from(["finetune", "scratch"]),
       micro=st.sampled_from([1, 2, 8, 32]), accum=st.sampled_from([1, 4, 16]), seq=st.sampled_from([None, 512, 2048]),
       ckpt=st.booleans(), shaped=st.booleans())
def test_whole_consultations_offer_plans_that_fit_differ_and_multiply(model, card, n, more, precision, optimizer,
                                                                      sharding, adapter, mode, micro, accum, seq, ckpt,
                                                                      shaped):
    facts = situation(model, card, n, more, precision, optimizer, sharding, adapter, mode, micro, accum, seq, ckpt,
                      shaped)
    advice = consult("", facts, kb=KB)
    plans = {p.id: p for p in advice.plans}
    assert plans, "the plan search runs whenever the model and the card are known"
    current = plans["current"]
    assert current.current and (current.micro_batch, current.grad_accum_steps, current.num_gpus) == (micro, accum, n)
    for plan in advice.plans:
        if plan.effective_batch is not None:
            assert plan.effective_batch == product(plan.micro_batch, plan.grad_accum_steps, plan.num_gpus), plan.id
        if plan.current:
            continue
        assert plan.fits and plan.per_gpu_bytes <= plan.budget_bytes, (plan.id, plan.per_gpu_bytes, plan.budget_bytes)
        option = advice.option(plan.id)
        assert option is not None, f"plan {plan.id} has no option"
        if plan.effective_batch is not None and plan.effective_batch != current.effective_batch:
            assert "the batch per update changes" in option.tradeoffs.accuracy, (plan.id, plan.effective_batch)
    for option in advice.options:
        s = option.settings
        if None not in (s.micro_batch, s.grad_accum_steps, s.num_gpus, s.effective_batch):
            assert s.effective_batch == product(s.micro_batch, s.grad_accum_steps, s.num_gpus), option.id
    rec = advice.recommendation.option_id
    if rec in plans:
        chosen = plans[rec]
        assert not chosen.current and chosen.fits and chosen.per_gpu_bytes <= chosen.budget_bytes
        assert (chosen.components, chosen.micro_batch, chosen.grad_accum_steps, chosen.num_gpus) != (
            current.components, current.micro_batch, current.grad_accum_steps, current.num_gpus)
