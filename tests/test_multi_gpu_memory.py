"""Memory on several GPUs said the way people misread it: the batch set per GPU under DDP taken as split over the
GPUs, the cards' memory summed into one pool, each GPU loading as much as one did, accelerate's process and machine
counts (review 45). Messages are written the way engineers post them."""

import pytest

from advisor.consultation import read_message, run_consultation

LIGHTNING = ("DDP, Out of memory, How should I set batch size?\n\nI use single gpu with batch size 16. Model works. "
             "However, when I use 8 gpu and set batch size 64, training the model with ddp strategy. Process returned "
             "out of memory. May I know how should I set a good batch size?\n\nActually, 8gpu includes 96 GiB memory. "
             "Why the error shows total 11.17GiB?\n\n`RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB "
             "(GPU 0; 11.17 GiB total capacity; 7.57 GiB already allocated; 18.25 MiB free; 7.74 GiB reserved in total "
             "by PyTorch)`")
ACCELERATE = ("how to enable multi-GPU training\n\nShould I set --num_processes=2 and/or --num_machines=2 ? I tried both "
              "but don't seem to work. The same dataset and setting works fine with single GPU on the same machine, "
              "until it OOMs out.\n\nWhen I set process=2, I can see 2 GPU loading the same amount of data into vram "
              "until OOM, same as running with single GPU.")


def ids(c) -> list[str]:
    return [f.id for f in c.advice.findings] + [r.id for r in c.advice.red_flags]


def test_the_batch_per_gpu_over_the_one_that_fit(kb):
    found = read_message(kb, LIGHTNING)
    # the one-GPU run is the batch that fits; the eight-GPU run's 64 is each GPU's
    assert found["micro_batch"][0] == 64 and found["max_micro_batch"][0] == 16 and found["num_gpus"][0] == 8
    c = run_consultation(LIGHTNING, kb=kb)
    assert c.wm.value("micro_over_fit") == 4
    assert "finding-per-gpu-batch-over-what-fit" in ids(c)
    title = next(f.title for f in c.advice.findings if f.id == "finding-per-gpu-batch-over-what-fit")
    assert "8 GPUs runs its own batch of 64" in title and "16 that fit on one" in title

    # the recommendation sets each GPU back at the batch that ran; the 512 the per-GPU 64 made is a choice, not the
    # batch "you planned" with its learning rate (review 69 #13)
    rec = c.advice.recommendation
    assert rec.rationale.startswith("Set 16 per GPU, the batch that ran on one GPU.")
    assert "16 × 8 GPUs without accumulation" in rec.rationale and "you planned" not in rec.rationale


def test_the_cards_summed_give_way_to_one_cards_capacity(kb):
    found = read_message(kb, LIGHTNING)
    # 96 GiB is 8 × 12 GB cards (11.17 GiB each, as the error reports GPU 0): the card's memory is the capacity
    assert found["gpu_memory"][0] == found["oom_capacity"][0]
    assert found["memory_said_summed"][0] == 96 * 2 ** 30
    c = run_consultation(LIGHTNING, kb=kb)
    assert "rf-gpu-memory-pools" in ids(c)
    title = next(f.title for f in c.advice.findings if f.id == "finding-memory-said-summed")
    assert "96.00 GiB is your 8 GPUs together; each has 11.17 GiB" in title


def test_a_size_not_the_sum_is_kept(kb):
    found = read_message(kb, "2 GPUs with 24 GiB memory each. CUDA out of memory. Tried to allocate 20.00 MiB "
                             "(GPU 0; 23.65 GiB total capacity; 21.57 GiB already allocated)")
    assert "memory_said_summed" not in found


def test_each_gpu_loading_as_much_as_one(kb):
    found = read_message(kb, ACCELERATE)
    assert found["claim_more_gpus_same_memory"][0] is True
    assert found.get("claim_run_fits", (False,))[0] is False  # "works fine … until it OOMs out" does not fit
    c = run_consultation(ACCELERATE, kb=kb)
    assert "rf-ddp-replicates" in ids(c)
    assert "finding-accelerate-launch-counts" in ids(c)
    assert "--num_machines 1" in next(f.text for f in c.advice.findings if f.id == "finding-accelerate-launch-counts")


@pytest.mark.parametrize("message, asks", [
    ("Should I set --num_processes=2 and/or --num_machines=2 ? I tried both.", True),
    ("What does num_machines mean compared with num_processes?", True),
    ("Do I set num_processes to the number of GPUs?", True),
    ("accelerate launch --num_processes 8 --num_machines 1 train.py", False),
    ("I set num_processes to 4 and it works.", False),
])
def test_launch_counts_asked(kb, message, asks):
    assert read_message(kb, message).get("asks_launch_counts", (False,))[0] is asks


VLLM = ("gpu consumption\n\nwhen i loaded a 7B model with 3090(24G), i found that gpu memory cost around 18G. I know the "
        "extra memory is used for KV cache, but i have 2 confusion.\n1.  why 18G, as i know, it will cost 0.9 * 24G = "
        "21.6G\n2. we can limit the GPU memory usage by setting the parameter gpu_memory_utilization. but i set "
        "gpu_memory_utilization 0.7,  i get oom.  0.7 * 24G > 14G. if vllm must cost more memory? and shouldn't  "
        "pageattention reduce memory?")


def test_a_serving_engine_is_not_a_training_run(kb):
    c = run_consultation(VLLM, kb=kb)
    assert c.wm.value("generation_run") is True
    assert c.wm.value("serving_cap_bytes") == pytest.approx(0.7 * c.wm.value("gpu_memory"))
    assert c.wm.value("serving_weights_bytes") == pytest.approx(7e9 * 2)
    assert finding_ids_all(c)[0] == "finding-serving-cache-budget"
    # no training plan, no "left for training" beside the engine
    assert "finding-rollout-reservation" not in finding_ids_all(c)
    assert not c.wm.known("plan_current_per_gpu")


def finding_ids_all(c) -> list[str]:
    return [f.id for f in c.advice.findings]


JAX_ENV = ("Setting GPU environment variables does not have the specified effect\n\nsetting "
           "os.environ[\"XLA_PYTHON_CLIENT_PREALLOCATE\"] = \"false\" does not have any effect. Jax still allocates ~90% "
           "of memory when the first jax call is made.\n\nSetting os.environ[\"XLA_PYTHON_CLIENT_MEM_FRACTION\"] = "
           "\".10\" successfully leads to jax to only preallocate 10% of memory. However, with this I get OOM warnings "
           "and errors even though nvidia-smi says only ~10% are allocated.")


def test_jaxs_allocator_variables_are_read_at_start(kb):
    c = run_consultation(JAX_ENV, kb=kb)
    assert finding_ids_all(c)[0] == "finding-jax-allocator-env"
    # its settings come first: no provisional "compute in bfloat16" for a pool capped by the user
    assert c.advice.recommendation.option_id != "memory-savers-jax"


def test_a_jax_script_with_xla_logs_is_jax(kb):
    found = read_message(kb, "python run_train.py --bsz=600 --d_model=512 --jax_seed=16416\n2024-04-06 22:22:12.820520: "
                             "W external/xla/xla/service/hlo_rematerialization.cc:2218] Can't reduce memory use below "
                             "35.65GiB by rematerialization")
    assert found["jax_named"][0] is True
    assert found["batch_size"][0] == 600  # `--bsz=600`
    # a log's "bsz=" is a counter, not the batch set
    assert "batch_size" not in read_message(kb, "train_inner | epoch 001: loss=5.1, bsz=20586, num_updates=5600")


def test_a_glue_task_is_fine_tuning(kb):
    found = read_message(kb, "Can we perform CoLA task classification with 8GB GPU? What batch size for seq 128?")
    assert found["training_mode"][0] == "finetune"


def test_one_machine_that_works_is_the_baseline_of_several(kb):
    found = read_message(kb, "Running VGG16 on multiple nodes is slower than single node\n\nIt works well when using "
                             "multiple gpu on a single node. However, they are being trained very slowly when running "
                             "on multiple nodes.")
    assert "num_nodes" not in found and found["several_machines"][0] is True
    # one machine alone, with nothing said of several, stays one machine
    assert read_message(kb, "Training on a single node with 8 GPUs")["num_nodes"][0] == 1


RANKS = ("torchrun --nproc_per_node=4 train_math.py OOMs while loading the model:\n`torch.OutOfMemoryError: CUDA out of "
         "memory. Tried to allocate 50.00 MiB. GPU 0 has a total capacity of 79.33 GiB of which 29.69 MiB is free. "
         "Process 60879 has 25.18 GiB memory in use. Process 60901 has 18.75 GiB memory in use. Process 60898 has 18.11 "
         "GiB memory in use. Process 60883 has 17.23 GiB memory in use. Of the allocated memory 24.70 GiB is allocated "
         "by PyTorch, and 2.29 MiB is reserved by PyTorch but unallocated.`")


def test_the_runs_own_ranks_on_one_gpu(kb):
    """Review 46 #29: the processes the error lists on GPU 0 under a 4-rank launch are the run's own ranks, not
    another job: each rank must load onto its own GPU."""
    found = read_message(kb, RANKS)
    assert found["oom_processes_on_card"][0] == 4
    c = run_consultation(RANKS, kb=kb)
    assert finding_ids_all(c)[0] == "finding-ranks-on-one-gpu"
    assert c.advice.recommendation.option_id != "free-the-card"
    # one process listed is no sign of ranks sharing a card
    one = read_message(kb, RANKS.replace("Process 60901 has 18.75 GiB memory in use. Process 60898 has 18.11 GiB "
                                         "memory in use. Process 60883 has 17.23 GiB memory in use. ", ""))
    assert "oom_processes_on_card" not in one


def test_plain_python_on_two_gpus_is_dataparallel(kb):
    """"CUDA_VISIBLE_DEVICES=2,3 python3 main.py … OOMs on two cards, runs on one" (review 46 #1): one process over two
    GPUs is DataParallel, GPU 0 gathering every output."""
    message = ("Multi GPU fine-tuning OOMs, but a single GPU works: CUDA_VISIBLE_DEVICES=2,3 python3 main.py --do_train "
               "--per_device_train_batch_size 1")
    found = read_message(kb, message)
    assert found["launch"][0] == "one_process" and found["launch"][1] == "python3 main.py"
    c = run_consultation(message, kb=kb)
    assert "finding-gpu0-dataparallel" in finding_ids_all(c)


def test_slurm_with_fewer_tasks_than_gpus(kb):
    """`srun --gres=gpu:4 --nodes=1 --ntasks-per-node=1 … --launcher slurm` and only one GPU in use (review 46 #4):
    each task is a rank, so one task uses one GPU."""
    message = ("srun --partition=p --mpi=pmi2 -c 32 --gres=gpu:4 --nodes=1 --ntasks-per-node=1 xtuner train "
               "./llama2_7b_full.py --launcher slurm --deepspeed deepspeed_zero3 OOMs after 10 steps; only one GPU "
               "has memory in use.")
    found = read_message(kb, message)
    assert (found["slurm_tasks_per_node"][0], found["slurm_gpus_per_node"][0]) == (1, 4)
    c = run_consultation(message, kb=kb)
    assert finding_ids_all(c)[0] == "finding-slurm-one-task"
    # as many tasks as GPUs: nothing to say
    assert "slurm_tasks_per_node" not in read_message(kb, message.replace("--ntasks-per-node=1", "--ntasks-per-node=4"))


def test_machines_listed_a_line_each(kb):
    """"node1: 4A6000(45G) / node2: 2A6000(45G) / node3: … / node4: …" (review 46 #16): 4 + 2 + 2 + 2 = 10 GPUs on 4
    machines, over the '8 A100' of a requirement quoted above them."""
    found = read_message(kb, "8 A100 GPUs with 80GB memory is minimum requirements?\n\nI trained with 4 nodes,\n"
                             "node1: 4A6000(45G)\nnode2: 2A6000(45G)\nnode3: 2A6000(45G)\nnode4: 2A6000(45G)\n\n"
                             "it still has OutOfMemoryError")
    assert (found["num_gpus"][0], found["num_nodes"][0]) == (10, 4)
    assert "num_gpus" not in read_message(kb, "node1: ready\nnode2: ready")


def test_deepspeeds_estimator_terms_explained(kb):
    """Review 46 #6: "Do not understand the meaning of the formula estimate_zero2_model_states_mem_needs … why 4 *
    params … 18 * params?" - the terms, not a question back."""
    c = run_consultation("Do not understand the meaning of the formula estimate_zero2_model_states_mem_needs: why params "
                         "is fp32 (4 * params)? why 16 * params / (total number of gpus)? and for zero-3 why 18 * params?",
                         kb=kb)
    assert finding_ids_all(c)[0] == "finding-deepspeed-estimator-terms"
    assert "asks_deepspeed_estimator" not in read_message(kb, "I ran estimate_zero2_model_states_mem_needs and got 42 GB")


@pytest.mark.parametrize("command, plain", [
    ("python ./llm-foundry/scripts/train/train.py ./yamls/finetune/mpt-7b_dolly_sft.yaml", True),  # a path to the script
    ("CUDA_VISIBLE_DEVICES=2,3 python3 main.py --do_train", True),
    ("python -m torch.distributed.run --nproc_per_node 8 train.py", False),
    ("I use python and run.py", False),
])
def test_a_script_started_by_plain_python(command, plain):
    from advisor.reading.reader import read

    assert (read(command).plain_python is not None) is plain


def test_dpos_reference_under_zero3_is_counted_as_its_share(kb):
    """Full DPO of zephyr-7b-beta on 8 A40s with accelerate's deepspeed_zero3.yaml, OOM at batch 1 (review 47 #2): the
    reference is sharded with the model (13.49 GiB / 8), and zephyr is Mistral-7B's shapes."""
    c = run_consultation("I'd like to reproduce full parameter fine-tuning of dpo training, but I only have 8 Nvidia "
                         "A40 GPUs (46 Gbs memory each). `ACCELERATE_LOG_LEVEL=info accelerate launch --config_file "
                         "recipes/accelerate_configs/deepspeed_zero3.yaml scripts/run_dpo.py "
                         "recipes/zephyr-7b-beta/dpo/config_full.yaml` reported an OOM error, even with batch size 1.",
                         kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert c.wm.value("model_preset") == "mistral-7b"
    assert "finding-reference-model-sharded" in ids and "finding-reference-model" not in ids
    assert c.wm.value("reference_model_per_gpu") == pytest.approx(c.wm.value("reference_model_bytes") / 8)


RECIPE = ("I tried to run context 20k (32B) in the recipe with a single node and got OOM. But at 10240 context it "
          "succeeds. In my impression, under data parallelism, multi-node and single-node occupancy on a single GPU "
          "should not be different. Is there something that causes the difference?\n\n```yaml\n"
          "# Config for 16 nodes of 8 H100s with FSDP1\nmodel_name_or_path: Qwen/Qwen2.5-32B-Instruct\n"
          "bf16: true\ngradient_accumulation_steps: 8\ngradient_checkpointing: true\nmax_length: 22528\n```")


def test_fewer_of_the_recipes_nodes_shard_the_states_over_fewer_gpus(kb):
    """Review 49: a recipe for 16 nodes of 8 H100s run on one of its nodes. The user's GPUs are the recipe's node
    (said as read from it), and the finding divides the same sharded states by 8 and by 128."""
    from advisor.domain.catalogue import preset

    facts = {name: value for name, (value, _) in read_message(kb, RECIPE).items()}
    assert (facts["num_nodes"], facts["num_gpus"], facts["gpu_model"]) == (1, 8, "h100-80gb")
    assert facts["reference_num_gpus"] == 128
    c = run_consultation(RECIPE, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-sharded-states-on-fewer-gpus")
    states = preset("qwen2.5-32b", 1).params * 16
    assert f"{states / 8 / 2**30:.2f} GiB" in finding.title and f"{states / 128 / 2**30:.2f} GiB" in finding.title
    # the user's own cards said: theirs, not the recipe's, and the states divided by their 16
    own = "on 2 nodes of 8 A100 80GB"
    facts = {name: value for name, (value, _) in read_message(kb, RECIPE.replace("with a single node", own)).items()}
    assert (facts["num_gpus"], facts["gpu_model"]) == (16, "a100-80gb")
    c = run_consultation(RECIPE.replace("with a single node", own), kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-sharded-states-on-fewer-gpus")
    assert finding.title.startswith(f"Sharded over your 16 GPUs, each holds {states / 16 / 2**30:.2f} GiB")
    # on as many GPUs as the recipe: nothing to compare
    same = run_consultation(RECIPE.replace("with a single node", "on 16 nodes"), kb=kb)
    assert "finding-sharded-states-on-fewer-gpus" not in ids(same)


def test_an_adapter_runs_pipeline_is_a_device_map_split(kb):
    """Review 50 (InternLM-7B QLoRA: 20 GB on one GPU, 28 GB summed on 2 "by pipeline-parrallel", 40 GB on 4): with
    PEFT and no pipeline engine, "pipeline parallel" is device_map's split of one copy; the finding divides the 4-bit
    weights over the GPUs and says why the sum grows."""
    message = ("I'm using transformers and PEFT to QLoRA a LLM model, InternLM-7B, with batch size=2. With 1 GPU the "
               "VRAM is about 20GB, but with 2 GPUs by pipeline-parrallel the consumption sums to 28GB.")
    facts = {name: value for name, (value, _) in read_message(kb, message).items()}
    assert (facts["adapter"], facts["parallelism"], facts["split_gpus"], facts["num_gpus"]) == ("qlora", "device_map", 2, 1)
    c = run_consultation(message, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-split-model-buys-memory-not-speed")
    assert f"{7e9 * 0.5 / 2 / 2**30:.2f} GiB of weights each" in finding.title
    # Megatron's pipeline stages are no device_map
    megatron = read_message(kb, "Megatron-LM with DeepSpeed, LoRA, pipeline parallel over 2 GPUs")
    assert megatron.get("parallelism", (None,))[0] != "device_map"


def test_ms_swift_processes_fewer_than_the_gpus_split_each_copy(kb):
    """Review 50 #5: "mp + device map, 8× H20" with `NPROC_PER_NODE=4 swift sft`: 4 processes in data parallel, each
    holding a whole copy split over 2 GPUs - so the plan that fits uses all 8 in data parallel with sharding."""
    message = ("Full fine-tuning of qwen32b runs out of GPU memory. I'm using mp + device map, GPUs: 8× H20.\n"
               "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 \\\nNPROC_PER_NODE=4 \\\nswift sft \\\n    --train_type full \\\n"
               "    --torch_dtype bfloat16 \\\n    --per_device_train_batch_size 1 \\\n    --max_length 16384")
    facts = {name: value for name, (value, _) in read_message(kb, message).items()}
    assert (facts["num_gpus"], facts["split_gpus"], facts["machine_gpus"]) == (4, 2, 8)
    c = run_consultation(message, kb=kb)
    plan = next(p for p in c.advice.plans if p.recommended)
    assert plan.num_gpus == 8 and plan.fits
    assert "finding-device-map-under-launcher" not in ids(c)


def test_ddp_heavier_than_dataparallel_is_the_batch_each_process_loads(kb):
    """Review 52 #13 (Lightning, BATCH_SIZE = 16 on 2 GPUs: "DP runs through a batch using 25 GB of memory however DDP
    needs more than 45 GB"): DataParallel splits the DataLoader's batch, DDP gives each process all of it - the
    answer, not "switch to DDP", which is what the user tried."""
    c = run_consultation("Large Memory Differences with DP vs. DDP accelerator. I run into CUDA OOM issues with ddp, "
                         "however I do not run into this issue when using DP. DP runs through a batch using 25 GB of "
                         "memory however DDP needs more than 45 GB. BATCH_SIZE = 16, NUM_GPUS = 2, Pytorch Lightning.",
                         kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-ddp-batch-is-each-gpus" and "divided by the GPUs" in finding.text
    assert c.advice.recommendation.option_id not in ("ddp-instead-of-dataparallel", "memory-savers")


@pytest.mark.parametrize("message", [
    "Lightning docs say the batch is gpus * batch_size, but with ddp three cards and one card have the same "
    "batch_size. Increasing the batch size to train with three cards runs out of memory.",
    "lighting官网上写的是batch_size大小 是gpus * batch_size 但是在实际使用的时候，使用ddp 进行训练 三个卡和一个卡的batch_size是一样大的.. "
    "用三个卡增大batch_size进行训练会爆显存不足",
])
def test_more_gpus_do_not_raise_the_batch_each_gpu_fits(kb, message):
    """Review 52 #22: more GPUs multiply the batch per update at the batch one GPU fits; they give no GPU more room."""
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-more-gpus-same-per-gpu-batch"
    assert c.wm.value("num_gpus") == 3


def test_megatron_states_are_eighteen_bytes_a_parameter_or_six_plus_twelve_over_d(kb):
    """Review 52 #4 (Megatron-LM, Llama-2-7B on 8x A100 40G, TP=1, PP=1): every data-parallel GPU keeps 18 bytes a
    parameter (112.96 GiB), 6 + 12/8 with --use-distributed-optimizer (47.07 GiB); the plan search counts no DDP
    buckets beside Megatron's own gradient buffer."""
    message = ("CUDA OOM error when finetuning LLAMA2-7b with A100 40G and seq_length 64. TP=1\nPP=1\nGPUS_PER_NODE=8\n"
               "MICRO_BATCH_SIZE=1\nGLOBAL_BATCH_SIZE=8\ntorchrun $DISTRIBUTED_ARGS pretrain_gpt.py "
               "--tensor-model-parallel-size $TP --pipeline-model-parallel-size $PP")
    c = run_consultation(message, kb=kb)
    wm = c.wm
    assert wm.value("megatron_states_replicated") == pytest.approx(6.738e9 * 18, rel=1e-3)
    assert wm.value("megatron_states_distributed") == pytest.approx(6.738e9 * (6 + 12 / 8), rel=1e-3)
    assert "112.96 GiB" in next(f.title for f in c.advice.findings if f.id == "finding-megatron-states")
    def without_megatron(text):
        return text.replace("pretrain_gpt.py", "train.py").replace("--tensor-model-parallel-size $TP "
                                                                   "--pipeline-model-parallel-size $PP", "")

    plain = run_consultation(without_megatron(message), kb=kb).wm
    assert not plain.known("megatron_states_replicated")
    # the 7B's states need a split of each copy (tensor 4: 6.738B / 4 × (6 + 12/2) B), which holds the plan search back
    assert (wm.value("megatron_split_tensor"), wm.value("megatron_split_pipeline")) == (4, 1)
    assert wm.value("megatron_split_per_gpu") == pytest.approx(6.738e9 / 4 * 12, rel=1e-3)
    assert c.advice.findings[0].id == "finding-megatron-split" and not wm.known("plan_current_per_gpu")
    small = message.replace("LLAMA2-7b", "GPT-2 medium")
    assert run_consultation(small, kb=kb).wm.value("plan_current_per_gpu") \
        < run_consultation(without_megatron(small), kb=kb).wm.value("plan_current_per_gpu")
    # (no DDP buckets in Megatron)


def test_megatron_states_that_no_split_of_the_users_gpus_fits(kb):
    """Review 79 #17: Llama 3 70B on 2x8 80GB GPUs with Megatron-LM: even tensor 8 × pipeline 2 leaves 70.55B / 16 ×
    18 B = 73.9 GiB of states per GPU, past 70% of the card; 32 GPUs (tensor 8 × pipeline 2 × 2 data-parallel) hold
    70.55B / 16 × (6 + 12/2) B = 49.28 GiB each - and no ZeRO plan is offered for a Megatron run."""
    c = run_consultation("Has anyone been able to get llama 3 70B working using 2x8 80GB GPUs with Megatron-LM? I keep "
                         "getting OOM error. I saw one comment that suggested they got it working.", kb=kb)
    wm = c.wm
    assert wm.value("megatron_split_gpus") == 32 and wm.value("megatron_split_more_gpus") == 1
    assert "49.28 GiB" in c.advice.findings[0].title and c.advice.findings[0].id == "finding-megatron-split-more-gpus"
    assert not wm.known("plan_current_per_gpu") and not wm.value("claim_run_fits")


def test_settings_listed_beside_another_model_give_way_to_those_of_the_model_trained(kb):
    """Review 52 #12: "32B LLM, TP=8, PP=1" then "70B LLM, TP=8, PP=2", the user training the 70B on 32 nodes of 8
    A800s: the 70B's pipeline of 2 makes 16 GPUs a copy, so 16 in data parallel and 70B / 16 × 18 B = 73.34 GiB of
    states per GPU (27.50 GiB with the distributed optimizer); Megatron's optimizer is its AdamW, not asked."""
    message = ("I am training 70B Megatron LLM on A800 with 32 nodes cluster. The cluster is composed of 32 nodes with "
               "8*A800 80GB. I find 70B MFU 20% is quite lower than 32B model MFU 47%.\n\n32B LLM, TP=8, PP=1, "
               "MFU=47%\n\n70B LLM, TP=8, PP=2, MFU=20%")
    wm = run_consultation(message, kb=kb).wm
    assert wm.value("model_parallel_gpus") == 16 and wm.value("num_gpus") == 16
    assert wm.value("megatron_states_replicated") == pytest.approx(70e9 / 16 * 18)
    assert wm.value("optimizer") == "adamw"
    swapped = run_consultation(message.replace("PP=1", "PP=X").replace("PP=2", "PP=1").replace("PP=X", "PP=2"), kb=kb).wm
    assert swapped.value("model_parallel_gpus") == 8  # (the 70B's own line decides, whichever comes first)


def test_uneven_memory_across_pipeline_stages_is_the_first_stages_activations(kb):
    """Review 52 #12 (Megatron 70B, TP=8, PP=2: "some node GPU memory usage is 70GB, while other node memory usage is
    50GB")."""
    c = run_consultation("I am training 70B Megatron LLM on A800 with 32 nodes. I find some node GPU memory usage is "
                         "70GB, while other node memory usage is 50GB. I would like to tune memory usage to the same "
                         "level to use bigger micro batch size. 70B LLM, TP=8, PP=2", kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-pipeline-stages-uneven" and "--decoder-first-pipeline-num-layers" in finding.text


def test_openclip_local_loss_and_gather_with_grad_are_explained(kb):
    """Review 52 #28: "local_loss must be with gather_with_grad=True … if local_loss=False should gather_with_grad be
    True or False? which is better in practice?" - the same global negatives, quadratic against linear memory."""
    c = run_consultation("Best practice with distributed training of CLIP? I got that local_loss must be with "
                         "gather_with_grad=True. If local_loss=False, namely global_loss, should gather_with_grad be "
                         "True or False? local_loss or global_loss, which is better in practice?", kb=kb)
    finding = c.advice.findings[0]
    assert finding.id == "finding-clip-local-loss" and "--accum-freq" in finding.text
    assert c.advice.recommendation.option_id is None


def test_memory_the_same_on_more_gpus_leads_with_what_sharding_leaves_and_retunes_no_lr(kb):
    """Review 53 #11 (DeepSpeed-Chat step 3: "step3 use same memory when I increase GPUs" - 79610MB on 4 A100s,
    78216MB on 8, the same on 16): the answer is what stays on each GPU under ZeRO, not a learning rate to retune for
    the batch the added GPUs grew; "the same result" of a memory measurement is no reference to match."""
    c = run_consultation("step3 use same memory when I increase GPUs\nwhen I use 4 * A100 80G to run step3 with "
                         "llama2-7b it used 79610MB memory in training. when I use 8 * A100 80G to run, it used 78216MB "
                         "memory in training. Almost the same used memory, and when increasing to 16* A100 80G is the "
                         "same result. Does use more GPUs is useless?\ntorchrun --nproc_per_node 8 main.py "
                         "--per_device_training_batch_size 1 --zero_stage 3", kb=kb)
    assert c.advice.findings[0].id == "finding-sharded-memory-flat-with-gpus"
    assert c.advice.recommendation is None or c.advice.recommendation.option_id != "retune-lr-for-batch"
    assert not c.wm.known("user_goal") or c.wm.value("user_goal") != "match_reference"


def test_qlora_memory_not_halved_on_two_gpus_under_zero2_is_the_adapters_small_share(kb):
    """Review 53 #7 (QLoRA of Qwen1.5-14B on two 4090s with `--deepspeed deepspeed_zero2_offload`: "the GPU usages is
    **not halfed** even i am using two gpus"): ZeRO-2 splits only the adapters' gradients and optimizer state."""
    c = run_consultation("I QLoRA finetune a Qwen1.5-14B-Chat model on two 4090 (each 24GB): NPROC_PER_NODE=2 xtuner "
                         "train qwen1_5_14b_chat_qlora.py --deepspeed deepspeed_zero2_offload. However, I notice that "
                         "the GPU usages is **not halfed** even i am using two gpus.", kb=kb)
    assert c.advice.findings[0].id == "finding-zero-stages-under-adapters"


def test_zero3_with_a_model_larger_than_one_gpu_is_built_sharded(kb):
    """Review 57 #7: LoRA on llama-7b with accelerate + ZeRO-3 over 4 machines of one 16GB GPU, mixed precision off, OOM.
    Sharded it would fit, but loaded whole in fp32 (25.10 GiB) it does not: the answer says to build it sharded."""
    c = run_consultation("OOM error while trying to SFT llama-7b using PEFT on 4 machines, each with a single 16GB GPU. "
                         "I'm not using mixed precision and I'm using zero3. accelerate launch --num_processes=4 "
                         "--num_machines=4 --mixed_precision=no --use_deepspeed", kb=kb)
    lead = c.advice.findings[0]
    assert lead.id == "finding-whole-model-at-load-exceeds-card" and "zero3_init_flag" in lead.text
    assert "25.10 GiB" in lead.title
    # in 16 bits the whole 7B (12.55 GiB) fits a 16GB card: no such finding
    bf16 = run_consultation("OOM error while trying to SFT llama-7b using PEFT on 4 machines, each with a single 16GB "
                            "GPU, bf16 mixed precision, zero3.", kb=kb)
    assert "finding-whole-model-at-load-exceeds-card" not in [f.id for f in bf16.advice.findings]
    # an OOM said to come in the backward is not at loading
    later = run_consultation("OOM in the backward pass while trying to SFT llama-7b using PEFT on 4 GPUs of 16GB, no "
                             "mixed precision (fp32), zero3.", kb=kb)
    assert "finding-whole-model-at-load-exceeds-card" not in [f.id for f in later.advice.findings]


def test_an_oom_only_on_several_cards_named_by_model_is_the_setups_not_a_count(kb):
    """Review 57 #17: LLaVA's pretraining of llama-7B works on a single A800 but OOMs on 4 A800s at batch_per_device=7.
    The one-card run contradicts a full-AdamW count (LLaVA's stage 1 trains its projector alone), so the answer is the
    multi-GPU setup - the launch first - not a plan to fit a count or a bigger card."""
    c = run_consultation("I am trying to pretrain with llama-7B (LLaVA). I use A800 80G. When I train the model on a "
                         "single A800, it works well. However, when I train with 4 A800s, it hits OOM - even if I set "
                         "batch_per_device=7 it is still OOM.", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-multi-gpu-oom-one-fits" and "torch.nn.DataParallel" in c.advice.findings[0].text
    assert "plan-does-not-fit" not in ids and "no-batch-fits" not in ids
    assert c.advice.recommendation.option_id is None  # (no plan to make a count fit)


def test_a_full_fine_tune_that_fits_one_card_but_not_two_under_ddp_gets_the_buckets(kb):
    """Review 57 #2 (ms-swift, llama3-8b full fine-tuning on A800 80G: one card runs at batch 2, two under DDP run out
    at batch 1, in Chinese): DDP's gradient buckets, 14.96 GiB in 16 bits, are what one card alone never holds."""
    c = run_consultation("同参数情况下，单卡正常运行，多卡DDP显存OOM。CUDA_VISIBLE_DEVICES=0,1 NPROC_PER_NODE=2 swift sft "
                         "--dtype bf16 --model_type llama3-8b-instruct --sft_type full --batch_size 1 "
                         "--gradient_accumulation_steps 16 --max_length 4096。GPU：A800 80G", kb=kb)
    lead = c.advice.findings[0]
    assert lead.id == "finding-ddp-buckets-tip-a-full-run" and "14.96 GiB" in lead.title
    assert c.wm.value("claim_multi_gpu_oom_one_fits") is True


def test_nvlink_weighed_against_pcie_is_answered_with_what_crosses(kb):
    """'I have a 4090. Should I switch to dual-3090 with nvlink? Or, use a 2nd 4090 without nvlink? Would either of these
    options enable me to fine-tune 65b?' (review 61 #26): the memory does not pool, and the link matters only where
    much crosses (ZeRO-3/FSDP), little for adapters or a layer split."""
    c = run_consultation("Fine-tuning 65b\nI want to fine-tune 65b.\nI have a 4090.\nShould I switch to dual-3090 with "
                         "nvlink?\nOr, use a 2nd 4090 without nvlink?\nWould either of these options enable me to "
                         "fine-tune 65b?", kb=kb)
    assert c.wm.value("asks_nvlink_matters") is True and c.wm.value("claim_gpu_memory_adds_up") is True
    assert c.advice.red_flags[0].id == "rf-gpu-memory-pools"
    assert c.advice.findings[0].id == "finding-what-nvlink-speeds"
    # a run that merely uses NVLink asks nothing of it
    c = run_consultation("8x A100 with NVLink, ZeRO-3, batch 4 per GPU runs out of memory", kb=kb)
    assert c.wm.value("asks_nvlink_matters") is False


def test_the_least_memory_for_a_full_fine_tune_with_no_card_said_is_counted_on_80gb_cards(kb):
    """'针对33b模型最少需要多少显存和内存' (how much GPU memory and RAM does a 33B need at least; review 61 #27): the count
    on 80 GB cards, states sharded, and with the optimizer offloaded - not only the card's size asked back."""
    c = run_consultation("请问finetune脚本是全参微调么，最少需要多少显存和内存。\n针对33b模型最少需要多少显存和内存。", kb=kb)
    assert c.wm.value("gpus_to_fit_80gb") == 8
    assert c.advice.findings[0].id == "finding-gpus-to-fit-80gb"
    assert c.wm.value("gpus_to_fit_80gb_per_gpu") <= 80 * 2 ** 30
    # a card said: the user's own count, not the 80 GB one
    c = run_consultation("How many A100 40GB do I need to fully fine-tune a 33B model?", kb=kb)
    assert not c.wm.known("gpus_to_fit_80gb")


def test_every_process_on_gpu_0_under_a_spawning_script(kb):
    """Review 66 #13: PyTorch's ImageNet example with --multiprocessing-distributed spawns a process per GPU, and
    "process 2 will allocate some memory on GPU 0" is GPU 0's extra memory: no question how the run is launched."""
    c = run_consultation("DDP: why does every process allocate memory of GPU 0 and how to avoid it? Run this example "
                         "with 2 GPUs. process 2 will allocate some memory on GPU 0.\n"
                         "python main.py --multiprocessing-distributed --world-size 1 --rank 0", kb=kb)
    assert c.wm.value("claim_gpu0_extra_memory") is True and c.wm.value("launch") == "process_per_gpu"
    assert c.advice.recommendation.option_id == "keep-processes-off-gpu0"
    assert "launch" not in {q.id for q in c.advice.questions}


def test_memory_not_been_freed_is_the_claim(kb):
    """Review 66 #8: "GPU memory is not been freed correctly … even if i use torch.cuda.empty_cache()"."""
    c = run_consultation("GPU memory is not been freed correctly. When i delete a tensor on gpu, the gpu memory is not "
                         "been freed on nvidia-smi even if i use torch.cuda.empty_cache()", kb=kb)
    assert c.wm.value("claim_memory_not_freed") is True
    assert "CUDA context" in c.advice.findings[0].text


def test_zero2_using_more_than_zero1_is_its_buffers(kb):
    """Review 65 #25: "GPT-Neo (2.8B) … on 4 A10G GPUs … zero_stage=2 is consuming more GPU memory than
    zero_stage=1": what stage 2 saves beyond stage 1 against the buffers it allocates."""
    c = run_consultation("I was training an GPT-Neo (2.8B) model using the step1 script on 4 A10G GPUs. I used the "
                         "default parameters in the example script but zero_stage=2 is consuming more GPU memory than "
                         "zero_stage=1. Any solutions for that?", kb=kb)
    assert c.wm.value("claim_zero2_more_than_zero1") is True
    assert c.advice.findings[0].id == "finding-zero2-more-than-zero1"
    assert "contiguous_gradients" in c.advice.findings[0].text


def test_openclips_global_loss_named_by_its_own_name(kb):
    """Review 68 #19: "under the global loss setting, when training with multiple nodes, the GPU memory usage will be
    much higher than … with a single node": OpenCLIP's B × B logits, not fp16's global loss scale."""
    c = run_consultation("I have noticed that under the global loss setting, when training with multiple nodes, the GPU "
                         "memory usage will be much higher than when training with a single node. So, how should we "
                         "estimate the GPU memory usage with multiple nodes in this situation?", kb=kb)
    assert c.advice.findings[0].id == "finding-clip-local-loss"
    other = run_consultation("DeepSpeed prints the global loss scale on 8 GPUs, memory is fine", kb=kb)
    assert "finding-clip-local-loss" not in [f.id for f in other.advice.findings]


def test_darknet_on_two_cards_asked_whether_memory_adds_up(kb):
    """Review 69 #3: "advantages of using multi-gpu? Just training speed? or can use more memory? (In my case, 11 +
    6GB)" with batch=64 subdivisions=64 on a 1080 Ti and a 2060: the memory question is asked (no pooling; each GPU
    holds one mini-batch), and darknet's cfg batch - each GPU's, its LR scaled by darknet - is not taken back to 64."""
    c = run_consultation("multi gpu\n\nI want high resolution training (almost fhd). So I trained with GTX 1080 Ti and "
                         "RTX 2060. But out of memory issues have occurred. I want to use my gpu memory at the most.\n\n"
                         "1. What are the advantages of using multi-gpu? Just training speed? or can use more memory?(In "
                         "my case, 11 + 6GB)\n\n2. Is there any gpu memory calculation formula?\n\nbatch=64\n"
                         "subdivisions=64\nwidth=1024\nheight=576", kb=kb)
    assert c.wm.value("claim_gpu_memory_adds_up") is True and "fit" in c.wm.value("asked_topics")
    ids = [f.id for f in c.advice.findings]
    assert "finding-darknet-memory" in ids[:2]
    assert c.advice.recommendation.option_id != "accumulate-to-target"


def test_logs_of_one_and_four_gpus_side_by_side(kb):
    """Review 70 #7: DeepSpeed's flops profiler pasted for 1 GPU ("world size: 1") and for 4 ("world size: 4"), each
    with "model parallel size: 1", under ZeRO-3 with offload: no one-process run, no tensor parallelism - memory per
    GPU that does not drop under sharding."""
    c = run_consultation("I'm using zero stage3 with optimizer & parameter offloading. The memory used by each gpu should "
                         "decrease if more gpu is used. (which is not happening).\n- 1 node 1 gpu\nworld size: 1\n"
                         "data parallel size: 1\nmodel parallel size: 1\nbatch size per GPU: 2\n- 1 node 4 gpu\n"
                         "world size: 4\ndata parallel size: 4\nmodel parallel size: 1\nbatch size per GPU: 2", kb=kb)
    facts = {f.name: f.value for f in c.advice.facts}
    assert facts.get("one_process_in_log") is not True and facts.get("parallelism") == "zero"
    assert c.advice.findings[0].id == "finding-sharded-memory-flat-with-gpus"
    assert "rf-ddp-replicates" not in [r.id for r in c.advice.red_flags]


def test_the_gpus_a_model_parallel_layout_needs(kb):
    """Review 71 #26: "tensor_parallelism=2, pipeline_parallelism=8: how many GPUS do i need?" - 16 for one copy, a
    multiple of 16 for more."""
    c = run_consultation("how many gpus do i need\n\nTo train a model(7B) with megatron-deepspeed,\n"
                         "tensor_parallelism=2\npipeline_parallelism=8\n\nhow many GPUS do i need?", kb=kb)
    assert c.wm.value("model_parallel_gpus") == 16
    assert c.advice.findings[0].id == "finding-model-parallel-gpu-count"
    assert "needs 16, or a multiple of it" in c.advice.findings[0].title


def test_device_map_auto_in_every_rank_of_a_launched_run(kb):
    """Review 78 #1: torchrun --nproc_per_node 8 with from_pretrained(..., device_map="auto") in the script: each rank
    spreads its own copy over all 8 GPUs - said first, and the memory on the failing GPU outside PyTorch is no
    desktop's or notebook's but the other ranks'; the OOM comes in training, not at loading."""
    from advisor.consultation import run_consultation
    c = run_consultation(
        "DDP running out of memory but DP is successful. I use the Trainer on a single node with 8 A100 GPUs, started "
        "with torchrun --nproc_per_node 8 train.py. The GPU is still running out of memory after around 20% of the "
        "training.\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.42 GiB (GPU 7; 79.21 GiB "
        "total capacity; 57.13 GiB already allocated; 576.56 MiB free; 61.86 GiB reserved in total by PyTorch)\n"
        "Code:\nmodel = AutoModelForSeq2SeqLM.from_pretrained(model_checkpoint, device_map=\"auto\")\n"
        "args = Seq2SeqTrainingArguments(per_device_train_batch_size=16, gradient_accumulation_steps=4)", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-device-map-in-every-rank" and "8 ranks" in c.advice.findings[0].title
    assert "finding-oom-memory-partly-elsewhere" not in ids and (not c.wm.known("oom_stage") or c.wm.value("oom_stage") != "loading")
    c = run_consultation("python train.py on 2 RTX 3090 with device_map=\"auto\", CUDA out of memory on GPU 0", kb=kb)
    assert "finding-device-map-in-every-rank" not in [f.id for f in c.advice.findings]


def test_a_full_ppo_counts_its_four_models(kb):
    """Review 79 #11: PPO on Llama-7B holds the actor and critic trained (16 B a parameter each) and the reference and
    reward frozen (2 B each): 6.738B × 36 B = 225.92 GiB, a quarter of it a GPU even sharded over 4 cards."""
    c = run_consultation("I run OpenRLHF PPO with Llama-7b on 4 RTX4090 and it runs out of memory.", kb=kb)
    assert c.wm.value("ppo_states_total") == pytest.approx(6.738e9 * 36, rel=1e-3)
    assert c.wm.value("ppo_states_per_gpu") == pytest.approx(6.738e9 * 36 / 4, rel=1e-3)
    assert any(f.id == "finding-ppo-states" and "225.92 GiB" in f.title for f in c.advice.findings)


def test_each_gpus_memory_listed_is_what_it_holds_not_its_size(kb):
    """Review 83 #6: "GPU 0 memory is 38335MB、GPU 1 memory is 45733MB" under DDP is what each GPU holds - no card of
    38 GB - and GPU 1, not GPU 0, holds the most; a card's size written beside its use stays the card's."""
    found = read_message(kb, "batchsize=2, single-machine 2 gpus is used for training, GPU 0 memory is 38335MB、"
                             "GPU 1 memory is 45733MB. train_engine=torch_ddp")
    assert "gpu_memory" not in found
    assert found["measured_use"][0] == 45733e6
    assert found["heavier_gpu_index"][0] == 1
    c = run_consultation("DDP on 2 GPUs: GPU 0: 52.7GB / 80GB, GPU 1: 71.5GB / 80GB. Why does GPU 1 hold more?", kb=kb)
    assert c.wm.value("gpu_memory") == 80 * 2**30
    assert c.wm.value("heavier_gpu_index") == 1
    assert c.advice.findings[0].id == "finding-heavier-gpu-not-first"


@pytest.mark.parametrize("message, used, card", [
    # an index and its size with only a space between: still each GPU's use, the card's size said elsewhere
    ("gpu0 38GB gpu1 45GB on two A100 80GB, llama 7b batch 4", 45e9, 80 * 2**30),
    ("GPU 0: 38335MB, GPU 1: 45733MB, batch 2 works", 45733e6, None),
    # one numbered GPU alone is no list: "GPU 0 24GB" beside a 3090 stays the card's size
    ("I have GPU 0 24GB and it is a 3090", None, 24 * 2**30),
])
def test_a_size_in_a_list_of_gpus_is_a_use(kb, message, used, card):
    """A size inside a list of two numbered GPUs' uses is the reader's measured use, never the card's size (one
    place decides it: the reader, from per_gpu.LISTED)."""
    found = read_message(kb, message)
    assert found.get("measured_use", (None,))[0] == used
    assert found.get("gpu_memory", (None,))[0] == card


def test_an_idle_gpus_row_is_no_use(kb):
    """Review 83 #14: nvidia-smi's idle rows ("9MiB / 32768MiB", 0%) pasted before the run are no measured use."""
    found = read_message(kb, "三张V100\n|   0  Tesla V100-PCIE...  Off  | 00000000:3B:00.0 Off |   0 |\n"
                             "| N/A   27C    P0    26W / 250W |      9MiB / 32768MiB |      0%      Default |\n"
                             "|   1  Tesla V100-PCIE...  Off  | 00000000:AF:00.0 Off |   0 |\n"
                             "| N/A   26C    P0    25W / 250W |      9MiB / 32768MiB |      0%      Default |")
    assert "measured_use" not in found and "params" not in found
