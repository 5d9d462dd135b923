"""A run launched as one process on a machine of several GPUs (plain `python train.py` of a launcher's script,
`xtuner train` without NPROC_PER_NODE, Slurm with one task per machine) trains on one GPU: the plan is checked on
that one GPU, and the plans searched may use the machine's GPUs. P-tuning's frozen base is not counted as full
AdamW. Messages are written the way engineers post them (review 46 #1, #4, #15)."""

import pytest

from advisor.consultation import read_message, run_consultation

GIB = 2**30

FOUNDRY = ("GPU OOM while fine-tuning MPT-7B. This is what I run: `python ./llm-foundry/scripts/train/train.py "
           "./llm-foundry/scripts/train/yamls/finetune/mpt-7b_dolly_sft.yaml train_loader.dataset.split=train "
           "eval_loader.dataset.split=test`. I have changed the seq_length to 512. I cannot even run it on g5.48xlarge. "
           "Each gpu is an A10G with 24gig. I think for some reason it does not use 8 gpus and just uses 1 gpu!!!")
SLURM = ("Full fine-tuning Llama-2-7B on 4x A100 80G, one node: `srun --gres=gpu:4 --nodes=1 --ntasks-per-node=1 "
         "xtuner train ./llama2_7b_full.py --launcher slurm --deepspeed deepspeed_zero3`. Only one GPU shows memory "
         "in use and it runs out of memory. How do I make it fit?")
XTUNER = ("How do I fine-tune with 2 GPUs? I have two RTX 3090 24GB. Whatever I change in the config, fine-tuning only "
          "uses 1 GPU: `xtuner train ./internlm2_chat_7b_qlora_oasst1_e3_copy.py --deepspeed deepspeed_zero2`.")
PTUNING = ("ChatGLM-6B P-tuning v2 OOMs on two GPUs but one GPU works. PRE_SEQ_LEN=128, "
           "`CUDA_VISIBLE_DEVICES=2,3 python3 main.py --do_train --model_name_or_path chatglm-6b "
           "--per_device_train_batch_size 1 --gradient_accumulation_steps 16 --pre_seq_len $PRE_SEQ_LEN`. "
           "RuntimeError: CUDA out of memory. Tried to allocate 128.00 MiB (GPU 0; 31.98 GiB total capacity; "
           "31.60 GiB already allocated)")


def finding_ids(c) -> list[str]:
    return [f.id for f in c.advice.findings]


def test_a_launchers_script_started_by_python_trains_on_one_of_the_machines_gpus(kb):
    facts = read_message(kb, FOUNDRY)
    assert facts["num_gpus"][0] == 1 and facts["machine_gpus"][0] == 8
    assert facts["launch"][0] == "one_process"
    assert "oom_stage" not in facts  # ("…split=train eval_loader…" is no OOM in evaluation)
    c = run_consultation(FOUNDRY, kb=kb)
    assert "finding-one-process-uses-one-gpu" in finding_ids(c)
    text = " ".join(f.text for f in c.advice.findings if f.id == "finding-one-process-uses-one-gpu")
    assert "composer -n 8" in text and "torchrun --nproc_per_node 8" in text
    # the device_map advice is for a model loaded onto one GPU, not for a launch that started one process
    assert "finding-model-on-one-of-the-machines-gpus" not in finding_ids(c)
    # the plans searched use the machine's 8 GPUs, and the one shown fits one A10G
    assert c.advice.recommendation.option_id.startswith("gpus-8")
    assert c.wm.value("plan_current_fits") is False


def test_slurm_one_task_is_one_rank_and_the_plan_keeps_the_stage(kb):
    facts = read_message(kb, SLURM)
    assert facts["num_gpus"][0] == 1 and facts["machine_gpus"][0] == 4
    c = run_consultation(SLURM, kb=kb)
    assert "finding-slurm-one-task" in finding_ids(c)
    # one rank holds the whole model's states: it does not fit one 80 GB card ...
    assert c.wm.value("plan_current_per_gpu") > 80 * 10**9
    # ... and the plan shown starts the 4 ranks and keeps the ZeRO-3 the user chose (less sharding saves no memory)
    assert c.advice.recommendation.option_id == "gpus-4-and-zero-3"


def test_xtuner_without_nproc_per_node_is_one_process(kb):
    c = run_consultation(XTUNER, kb=kb)
    assert c.wm.value("launch") == "one_process" and c.wm.value("machine_gpus") == 2
    assert "finding-one-process-uses-one-gpu" in finding_ids(c)
    launched = XTUNER.replace("`xtuner train", "`NPROC_PER_NODE=2 xtuner train")
    assert "finding-one-process-uses-one-gpu" not in finding_ids(run_consultation(launched, kb=kb))


@pytest.mark.parametrize("message", [
    "We have 8 GPUs. When we use only one GPU, utilization can always reach 100%; with all 8 it is 40%.",
    "Since using just one GPU would be relatively slow, I changed to 4 GPUs with DDP.",
])
def test_one_gpu_said_of_another_run_is_no_symptom(kb, message):
    facts = read_message(kb, message)
    assert facts["num_gpus"][0] > 1 and "machine_gpus" not in facts


@pytest.mark.parametrize("words", ["it just uses 1 gpu", "training uses only one GPU", "it runs only on one GPU"])
def test_the_one_gpu_in_use_said_verb_first(kb, words):
    facts = read_message(kb, f"I have 4x RTX A6000 48GB and launch `python train.py` but {words}.")
    assert facts["num_gpus"][0] == 1 and facts["machine_gpus"][0] == 4


def test_p_tuning_counts_a_frozen_base(kb):
    c = run_consultation(PTUNING, kb=kb)
    assert c.wm.value("prefix_tuning") is True
    # a 16-bit frozen ChatGLM-6B and a small trained prefix: far from full AdamW's 16 bytes a parameter
    assert c.wm.value("plan_current_per_gpu") < 20 * GIB
    assert "finding-gpu0-dataparallel" in finding_ids(c)  # the cause: python over two GPUs is DataParallel


@pytest.mark.parametrize("message, card", [
    ("s4, p4 = encoder_block(p3, 128)\nb1 = conv_block(p4, 256)\nRAM is consumed so quickly.", None),
    ("I train on a p4, 8GB, and RAM is consumed so quickly.", "tesla-p4"),
    ("out of memory on the GPU (3090, 24 GB).", "rtx-3090"),
    ("a 24gb GPU (4090) runs out of memory", "rtx-4090"),
])
def test_a_variable_in_code_is_no_card(kb, message, card):
    """Keras code's `p4 = …` and `conv_block(p4, 256)` (review 47 #19) name no Tesla P4; a card in brackets does."""
    assert read_message(kb, message).get("gpu_model", (None,))[0] == card


@pytest.mark.parametrize("message, gpus, nodes", [
    ("deepspeed --num_gpus 8 --num_node 3 --master_addr 192.168.0.6 --hostfile hostfile.txt train.py", 24, 3),
    ("fine-tuning llama-2-70B using 3 sets of machines containing 8 A100s (40G)", 24, 3),
    ("deepspeed --num_gpus 16 --num_nodes 2 pre_train.py", 16, 2),  # (more than a machine's eight: the total)
])
def test_a_launchers_gpus_are_each_machines(kb, message, gpus, nodes):
    """deepspeed's --num_gpus counts each machine's GPUs (review 48 #1)."""
    facts = read_message(kb, message)
    assert (facts["num_gpus"][0], facts["num_nodes"][0]) == (gpus, nodes)


def test_a_slurm_task_that_starts_its_own_ranks_uses_every_gpu(kb):
    """`#SBATCH --ntasks-per-node=1 --gres=gpu:8` with `srun … deepspeed --num_gpus …` inside (review 48 #15): the
    task's launcher starts a rank per GPU, so no one-task finding and no one-GPU plan."""
    message = ("#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=1\n#SBATCH --gres=gpu:8\nsrun --jobid $SLURM_JOBID bash "
               "-c 'deepspeed --master_port 28727 --num_gpus 8 --num_nodes 2 --hostfile hostfile pre_train_ft_7b_ds.py "
               "--model_path=/demo/Llama2-7b-Instruct-hf/ --seq_length 8192'")
    facts = read_message(kb, message)
    assert "slurm_tasks_per_node" not in facts and facts["num_gpus"][0] == 16


def test_device_map_under_torchrun_is_named(kb):
    """'Llama3-70b LoRA results in OOM with torchrun but succeeds with python3 command (device_map=auto)', 8 GPUs
    (review 48 #12): under a launcher every rank spreads its own copy over all the GPUs."""
    c = run_consultation("LLama3-70b LoRa results in OOM with torchrun but succeeds with python3 command. Number of "
                         "gpus: 8. Training results into OOM whereas if I just use python3 with device_map=auto "
                         "training runs all fine. Is there any configuration related to torchrun that I need to "
                         "explicitly setup? 192G per GPU", kb=kb)
    assert "finding-device-map-under-launcher" in [f.id for f in c.advice.findings]


def test_a_run_uses_no_more_gpus_than_there_are(kb):
    """'CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7,8 accelerate launch … I have access to 8 GPUs for a total of 46 GB * 8'
    (review 48 #8): nine ids in a list, eight GPUs to use - eight."""
    facts = read_message(kb, "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7,8 accelerate launch --config_file fsdp_config.yaml "
                             "src/train_bash.py --finetuning_type lora\nI have access to 8 GPUs for a total amount of "
                             "GPU memory of 46 GB * 8 = 368 GB.")
    assert facts["num_gpus"][0] == 8


def test_the_deepspeed_launcher_under_srun_starts_the_job_on_every_machine(kb):
    """Review 48 #15 ("srun --jobid $SLURM_JOBID bash -c 'deepspeed --num_gpus 16 --num_nodes 2 --hostfile hostfile
    pre_train.py …'"): the launcher that starts every machine of its hostfile, itself started on each machine."""
    c = run_consultation("#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=1\n#SBATCH --gres=gpu:8\nsrun --jobid "
                         "$SLURM_JOBID bash -c 'deepspeed --master_port 28727 --num_gpus 16 --num_nodes 2 --hostfile "
                         "hostfile pre_train_ft_7b_ds.py --seq_length 8192'\nHow do I use deepspeed for multi-node "
                         "training in slurm?", kb=kb)
    assert c.advice.findings[0].id == "finding-deepspeed-launcher-under-srun"
    plain = run_consultation("deepspeed --hostfile hostfile --num_nodes 2 --num_gpus 8 train.py, run once from node 1",
                             kb=kb)
    assert "finding-deepspeed-launcher-under-srun" not in [f.id for f in plain.advice.findings]


def test_a_log_with_one_process_is_one_gpu_in_use(kb):
    """Review 49 #3 (litgpt LoRA of Llama-2-70B, devices set to 8, the log says "MEMBER: 1/1 … Starting with 1
    processes"): the world is one process, so the whole run sits on GPU 0 - said first."""
    c = run_consultation("Finetune LLAMA-2-70b with Lora on 8 A100(80G). I have set the devices to 8. However, it "
                         "still runs into OOM. In the initialization it shows\nInitializing distributed: GLOBAL_RANK: 0, "
                         "MEMBER: 1/1\nAll distributed processes registered. Starting with 1 processes", kb=kb)
    assert c.advice.findings[0].id == "finding-one-process-in-the-log"
    assert "not 8" in c.advice.findings[0].title
    eight = run_consultation("8 A100 80G, MEMBER: 1/8 on each rank, Starting with 8 processes, LoRA OOM", kb=kb)
    assert "finding-one-process-in-the-log" not in [f.id for f in eight.advice.findings]


def test_torchrun_without_nproc_per_node_is_one_process_per_machine(kb):
    """Review 49 #28 ('python -m torch.distributed.launch main_swav.py --rank 0 --world_size 8 … on each machine,
    only 1 GPU was used'): the launcher's --nproc_per_node defaults to 1."""
    c = run_consultation("How to perform multinode training with torch.distributed.launch? python -m "
                         "torch.distributed.launch main_swav.py --rank 0 --world_size 8 --dist_url "
                         "'tcp://172.31.11.200:23456'. During training, on each machine, only 1 GPU was used.", kb=kb)
    assert c.advice.findings[0].id == "finding-launcher-one-process-per-machine"
    for command in ("torchrun --nproc_per_node 8 train.py", "python -m torch.distributed.launch --nproc_per_node=4 "
                                                             "--use_env train.py"):
        assert "launcher_without_nproc" not in read_message(kb, command)


@pytest.mark.parametrize("message", [
    "If there are two machines (each with 8 V100 GPUs) connected with ethernet, without slurm management, then how "
    "to run the code with your stated 16 V100 config?",
    "How do I launch training on two nodes with 8 A100 each?"])
def test_how_to_launch_one_run_over_several_machines(kb, message):
    """Review 49 #29 (Barlow Twins on two 8-V100 machines over ethernet, no Slurm): the launch of one world over
    several machines is answered - torchrun's per-machine command, its ranks and address."""
    c = run_consultation(message, kb=kb)
    assert c.advice.findings[0].id == "finding-multi-machine-launch"
    assert "--node_rank" in c.advice.findings[0].text
