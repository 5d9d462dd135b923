"""The plan search alone and whole consultations on realistic messages, warm (knowledge base and catalogues loaded).

    python benchmarks/bench_plans.py [--repeat 100]

Targets (issue 10): a consultation on a realistic message <= 10 ms warm; the plan search <= 50 ms.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import machine, summary, timeit  # noqa: E402

from advisor.consultation import consult, load_kb  # noqa: E402
from advisor.domain.estimators import call_estimator  # noqa: E402

MESSAGES = [
    "OOM on a single 3090 fine-tuning Llama-3-8B with LoRA at seq 4096, batch 4",
    "8xH100, ZeRO-3, full fine-tune of Llama-3-8B at seq 2048, per-device 1, GA 128 to get 128",
    "Full fine-tuning Llama-2-13B on 4x A100 40GB with DDP, bf16, seq 2048, batch 1 per GPU, OOM",
    "I have an 8GB GPU and a 500M parameter model. Just tell me the batch size that fits.",
]

SEARCHES = {
    "params only, 1 GPU": {"params": 5e8, "gpu_memory": 8 * 2**30, "training_mode": "finetune"},
    "llama-3-8b, 1 GPU, LoRA": {"params": 8.03e9, "gpu_memory": 24 * 2**30, "model_preset": "llama-3-8b", "seq_len": 4096,
                                "adapter": "lora", "micro_batch": 4, "training_mode": "finetune"},
    "llama-2-13b, 4 -> 8 GPUs": {"params": 1.3e10, "gpu_memory": 40 * 2**30, "model_preset": "llama-2-13b", "seq_len": 2048,
                                 "num_gpus": 4, "gpus_available": 8, "micro_batch": 1, "grad_accum_steps": 8,
                                 "training_mode": "finetune", "precision": "fp32", "attention": "eager"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    kb = load_kb()
    print(machine())
    for name, search_args in SEARCHES.items():
        considered = call_estimator("plan_search", search_args)["considered"].value
        samples = timeit(lambda: call_estimator("plan_search", search_args), args.repeat)
        print(f"plan search  {name:28s} {considered:4d} candidates  {summary(samples)}")
    for message in MESSAGES:
        consult(message, kb=kb)
        samples = timeit(lambda: consult(message, kb=kb), args.repeat)
        print(f"consult      {message[:60]:60s} {summary(samples)}")


if __name__ == "__main__":
    main()
