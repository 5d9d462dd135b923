"""The analytic memory model against traced training steps of the architectures the presets name (issue 11):
within 3% of the traced peak for GPT-like, HF-GPT-2-like, BERT-like, LLaMA-like, ResNet-18/50-like and ViT-like
models at two batch sizes each (fp32 AdamW on the CPU, where tracing equals a real run; docs/memory-estimation.md
records the figures). Also: accumulation, the HF GPT-2 block's saved bytes, and a real CPU run."""

import dataclasses

import pytest

torch = pytest.importorskip("torch")

from advisor.domain.catalogue import ModelSpec, preset  # noqa: E402
from advisor.domain.estimators.training import TrainingSetup, activation_parts, estimate_training_memory  # noqa: E402
from advisor.measure import tracing  # noqa: E402

from . import reference_models as R  # noqa: E402

TOLERANCE = 0.03

CASES = {
    "gpt-like": (R.gpt_like, {}, R.spec_gpt_like(), {}, (2, 4)),
    "gpt-like sdpa": (R.gpt_like, {"attention": "sdpa"}, R.spec_gpt_like("sdpa"), {"attention": "flash"}, (2, 4)),
    "hf-gpt2-like": (R.hf_gpt2_like, {}, R.spec_hf_gpt2_like(), {}, (2, 4)),
    "hf-gpt2-like dropout": (R.hf_gpt2_like, {"dropout": 0.1}, R.spec_hf_gpt2_like(), {"dropout": True}, (2, 4)),
    "bert-like": (R.bert_like, {}, R.spec_bert_like(), {}, (8, 16)),
    "llama-like": (R.llama_like, {}, R.spec_llama_like(), {}, (2, 4)),
    "resnet18-like": (R.resnet_like, {"depth": "resnet18", "image_size": 128}, R.spec_resnet_like("resnet18", 128), {}, (16, 32)),
    "resnet50-like": (R.resnet_like, {"depth": "resnet50", "image_size": 96}, R.spec_resnet_like("resnet50", 96), {}, (8, 16)),
    "vit-like": (R.vit_like, {}, R.spec_vit_like(), {"attention": "flash"}, (8, 16)),
}


def analytic(spec: ModelSpec, params: int, **setup) -> object:
    return estimate_training_memory(dataclasses.replace(spec, params=params), TrainingSetup(margin=0, **setup), "cpu")


@pytest.mark.parametrize("name", list(CASES))
def test_analytic_within_3_percent_of_the_traced_peak(name):
    factory, options, spec, setup, batches = CASES[name]
    for batch in batches:
        params, traced = tracing.measure(factory, batch, options=options)
        est = analytic(spec, params, **setup)
        error = est.allocated(batch) / traced["Total"] - 1
        assert abs(error) <= TOLERANCE, f"{name} at batch {batch}: analytic {est.allocated(batch):,.0f} vs traced {traced['Total']:,}"


def _traced_with_accumulation(factory, batch, options, micro):
    from torch._subclasses.fake_tensor import FakeTensorMode

    MemTracker = tracing.mem_tracker()  # noqa: N806

    with FakeTensorMode():
        torch.manual_seed(0)
        model, make_batch, loss_fn = factory(**options)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        tracker = MemTracker()
        tracker.track_external(model, opt)
        with tracker:
            for i in range(2 * micro):  # two optimizer updates of `micro` micro-batches
                if i:
                    tracker.reset_mod_stats()
                x, y = make_batch(batch)
                (loss_fn(model(x), y) / micro).backward()
                if i % micro == micro - 1:
                    opt.step()
                    opt.zero_grad(set_to_none=True)
        peak = tracker.get_tracker_snapshot("peak")
        params = sum(p.numel() for p in model.parameters())
    (device,) = list(peak)
    return params, peak[device]["Total"]


@pytest.mark.parametrize("name", ["gpt-like", "bert-like", "resnet18-like"])
def test_accumulation_keeps_every_gradient_in_backward(name):
    """Issue 11, W6: micro-steps 2..k hold all gradients beside the activations; the single-micro-batch model
    (gradients None at the start of backward) under-predicts the traced peak of an accumulating run."""
    factory, options, spec, setup, (batch, _) = CASES[name]
    params, traced = _traced_with_accumulation(factory, batch, options, micro=2)
    est = analytic(spec, params, **setup)
    assert abs(est.allocated(batch, accumulation=2) / traced - 1) <= TOLERANCE
    assert est.allocated(batch, accumulation=1) < traced * (1 - 0.01)  # what the old model said


def test_hf_gpt2_block_saves_what_its_code_saves():
    """Issue 11, M9: an HF GPT-2 block at s = 1024 saves ≈ 138 MB per sample in fp32 without dropout (gelu_new keeps
    five tensors of the MLP width), ≈ 245 MB with CPU dropout masks and ≈ 203 MB with CUDA's 1-byte masks; the old
    two-tensor-GELU, no-dropout count was 100.7 MB."""
    gpt2 = preset("gpt2")

    def per_layer(activation=None, device="cuda", **setup):
        spec = gpt2 if activation is None else dataclasses.replace(gpt2, dims={**gpt2.dims, "activation": activation})
        one, two = (activation_parts(dataclasses.replace(spec, n_layers=n), TrainingSetup(**setup), device)
                    .per_sample["activations"] for n in (1, 2))
        return (two - one) / 1e6

    assert per_layer() == pytest.approx(138.4, abs=0.1)
    assert per_layer(dropout=True, device="cpu") == pytest.approx(245.4, abs=0.1)
    assert per_layer(dropout=True) == pytest.approx(202.9, abs=0.1)
    assert per_layer("gelu") == pytest.approx(100.7, abs=0.1)  # the variant the estimate used to assume for GPT-2
    est = estimate_training_memory(gpt2, TrainingSetup(), "cuda")
    assert "gelu_new" in " ".join(est.assumptions) and "config sets 0.1" in " ".join(est.assumptions)


def test_hf_gpt2_like_real_cpu_run():
    """A real CPU run of the HF-GPT-2-like model (fp32, AdamW, dropout off): the estimate with HF's gelu_new is within
    3%, the old GELU variant 14-16% low (the audit's measurement)."""
    params, real = tracing.measure(R.hf_gpt2_like, 4, fake=False)
    spec = R.spec_hf_gpt2_like()
    assert abs(analytic(spec, params).allocated(4) / real["Total"] - 1) <= TOLERANCE
    old = analytic(dataclasses.replace(spec, dims={**spec.dims, "activation": "gelu"}), params).allocated(4)
    assert 0.10 < 1 - old / real["Total"] < 0.20


def test_cnn_presets_get_activations():
    """Issue 11: ResNet presets reported model states only (43-76% low against a real ResNet-18 run)."""
    est = estimate_training_memory(preset("resnet50"), TrainingSetup(), "cuda")
    assert est.per_sample and est.slope > 50e6  # ResNet-50 at 224², fp32: ≈ 0.1 GB per image
    assert "torchvision-style ResNet" in " ".join(est.assumptions)
    vit = estimate_training_memory(preset("vit-b-16"), TrainingSetup(attention="flash"), "cuda")
    assert vit.per_sample["activations"] > 197 * 768 * 4 * 12 * 8  # 12 layers of ≥ 8 residual-width tensors


DDP_PROGRAM = """
import dataclasses, json, os, socket, sys
import torch, torch.distributed as dist
from advisor.measure.tracing import mem_tracker
from tests import reference_models as R
with socket.socket() as s:
    s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
dist.init_process_group("gloo", rank=0, world_size=1)
MemTracker = mem_tracker()
out = {}
for ddp in (False, True):
    torch.manual_seed(0)
    tracker = MemTracker()
    with tracker:
        model, make_batch, loss_fn = R.gpt_like()
        params = sum(p.numel() for p in model.parameters())
        if ddp:
            model = torch.nn.parallel.DistributedDataParallel(model)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        for i in range(2):
            if i:
                tracker.reset_mod_stats()
            x, y = make_batch(2)
            loss_fn(model(x), y).backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
    peak = tracker.get_tracker_snapshot("peak")
    out[str(ddp)] = [params, peak[list(peak)[0]]["Total"]]
dist.destroy_process_group()
print(json.dumps(out))
"""


def test_ddp_buckets_sit_beside_the_activations():
    """Issue 11, W6: a real (CPU, gloo) DistributedDataParallel run keeps its gradient buckets - one copy of every
    trained gradient - beside the activations at the peak; the analytic model for --gpus > 1 says the same."""
    import json
    import subprocess
    import sys

    from .conftest import ROOT

    out = subprocess.run([sys.executable, "-c", DDP_PROGRAM], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    runs = json.loads(out.stdout.strip().splitlines()[-1])
    params, plain = runs["False"]
    _, ddp = runs["True"]
    assert ddp - plain == pytest.approx(4 * params, rel=0.01)
    single = analytic(R.spec_gpt_like(), params)
    data_parallel = analytic(R.spec_gpt_like(), params, gpus=2)
    assert abs(single.allocated(2) / plain - 1) <= TOLERANCE and abs(data_parallel.allocated(2) / ddp - 1) <= TOLERANCE
