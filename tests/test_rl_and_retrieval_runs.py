"""Reinforcement-learning, retrieval and evaluation runs as engineers report them (reviews 89-90): the method a
trainer's settings name, what PPO's four models hold under each ZeRO stage, fragmentation that expandable segments
cure, a KV cache set up for the maximum length, a JAX pool read as a use, a contrastive loss named by its tools."""

from advisor.consultation import read_message, run_consultation
from advisor.reading.reader import read

VERL_GRPO = """GPU memory usage continuously increased

During training, GPU memory usage continuously increased, leading to an out-of-memory (OOM) error.

PYTHONUNBUFFRED=1 python3 -m verl.trainer.main_ppo \\
    algorithm.adv_estimator=grpo \\
    data.train_batch_size=16 \\
    actor_rollout_ref.model.path=/root/models/Qwen2.5-VL-3B-Instruct \\
    actor_rollout_ref.actor.ppo_mini_batch_size=16 \\
    actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=2 \\
"""

OPENRLHF_PPO_ZERO2 = """Testing default PPO pipeline (LLama3-8b) OOM with 4x A40 48G
openrlhf.cli.train_ppo \\
   --pretrain /models/Llama-3-8b-sft-mixture \\
   --reward_pretrain /models/Llama-3-8b-rm-mixture \\
   --micro_train_batch_size 1 \\
   --train_batch_size 4 \\
   --micro_rollout_batch_size 1 \\
   --rollout_batch_size 4 \\
   --zero_stage {stage} \\
   --bf16 \\
   --adam_offload \\
   --gradient_checkpointing
"""


def finding_ids(c) -> list[str]:
    return [f.id for f in c.advice.findings]


def test_verls_advantage_estimator_names_the_method_whatever_its_entry_point(kb):
    """verl starts every algorithm from `verl.trainer.main_ppo`: `algorithm.adv_estimator=grpo` makes it GRPO, with no
    critic to count (review 89 #3); `gae` is PPO's."""
    assert read_message(kb, VERL_GRPO)["rl_method"][0] == "grpo"
    assert read(VERL_GRPO.replace("adv_estimator=grpo", "adv_estimator=gae")).tuning_method == "ppo"


def test_an_rl_trainers_climbing_memory_is_the_rollouts_and_the_allocator_not_the_users_loop(kb):
    c = run_consultation(VERL_GRPO, kb=kb)
    ids = finding_ids(c)
    assert c.wm.value("claim_gpu_memory_grows_per_step") is True
    assert "finding-rl-memory-grows-with-rollouts" in ids and "finding-gpu-memory-grows-per-step" not in ids
    assert "finding-ppo-states" not in ids and "finding-ppo-states-total" not in ids  # (GRPO has no critic)


def test_the_method_named_most_is_the_run(kb):
    """"support for PPO or DPO or both? … 34B llama DPO on 8*A100 … After modifying train_dpo.py" (review 89 #7) is a
    DPO run, although PPO is named first; a tie keeps the first."""
    said = ("What does 34B Full Tuning with 4 A100 mean in that table? support for PPO or DPO or both? Have you tested "
            "34B llama DPO on 8*A100?\n\nAfter several attempts (34B llama DPO on 8*A100 80G with zero3), each ending in "
            "oom, was it my parameters?")
    assert read(said).tuning_method == "dpo"
    assert "rl_method" not in read_message(kb, said)
    assert read("I moved from PPO to DPO.").tuning_method == "ppo"


def test_a_questions_words_before_a_size_name_no_model(kb):
    found = read_message(kb, "What does 34B Full Tuning with 4 A100 mean in that table?")
    assert "model" not in found and found["params"][0] == 34e9


def test_zero_2_leaves_every_ppo_models_weights_whole_on_each_gpu(kb):
    """Review 89 #6: OpenRLHF's train_ppo under plain deepspeed runs actor, critic, reference and reward on every rank;
    ZeRO-2 shards no weights, so 4 × 2 B × 8.03B = 59.83 GiB sits on each 48 GB A40 whatever the batch."""
    c = run_consultation(OPENRLHF_PPO_ZERO2.format(stage=2), kb=kb)
    assert c.wm.value("ppo_weights_unsharded") == c.wm.value("params") * 8
    ids = finding_ids(c)
    assert ids[0] == "finding-ppo-weights-not-sharded" and "plan-fits-but-oom" not in ids
    assert "num_generations" not in [q.id for q in c.advice.questions]  # (PPO samples one response a prompt)
    c = run_consultation(OPENRLHF_PPO_ZERO2.format(stage=3), kb=kb)
    assert "finding-ppo-weights-not-sharded" not in finding_ids(c)


def test_ppo_states_with_no_gpu_count_are_a_whole_not_a_share_of_one_gpu(kb):
    c = run_consultation("PPO full fine-tuning of Llama-2-7B with OpenRLHF runs out of memory.", kb=kb)
    ids = finding_ids(c)
    assert "finding-ppo-states-total" in ids and "finding-ppo-states" not in ids


def test_a_run_that_fits_with_expandable_segments_was_fragmented(kb):
    """Review 89 #17: the OOM at step 4 went away with expandable segments; the user asks for another way. The answer is
    the fragmentation, not activation savers, and the stage said ("during `loss.backward()`") is not asked."""
    said = ("I was able to run your GRPO training. Now on a custom dataset, after a few training steps, specifically at "
            "step 4 during `loss.backward()` for the actor, I encounter a CUDA out-of-memory error. When I enable "
            "expandable segments by setting `export PYTORCH_CUDA_ALLOC_CONF=\"expandable_segments:True\"`, the code "
            "runs fine without errors. Any suggestions for solving this without enabling expandable segments?")
    c = run_consultation(said, kb=kb)
    assert c.wm.value("oom_stage") == "backward"
    assert finding_ids(c)[0] == "finding-expandable-segments-fixed-it"
    assert c.advice.recommendation is None or c.advice.recommendation.option_id != "cut-activations"


def test_a_kv_cache_set_up_for_the_maximum_length_in_evaluation(kb):
    said = ("I am trying to evaluate a fine-tuned llama 3.1 model with the `eleuther_eval` recipe but run into an OOM "
            "error as it tries to create the kv cache with max sequence length.")
    c = run_consultation(said, kb=kb)
    assert c.wm.value("oom_stage") == "evaluation"
    assert finding_ids(c)[0] == "finding-kv-cache-at-max-length"
    assert c.advice.recommendation is None or c.advice.recommendation.option_id is None


def test_most_of_a_card_occupied_under_jax_is_its_pool(kb):
    """Review 90 #3: openpi's LoRA config "occupies 44 gb" of an A6000 - a use (not the card's memory), and JAX's
    preallocated pool."""
    said = ("LoRa Finetuning requires more memory than expected. I was finetuning the base model with LIBERO dataset "
            "using the config: pi0_libero_low_mem_finetune, based on the table from readme, I thought it would require "
            "less than 24 gb memory. However, it occupies 44 gb of memory. Therefore, I had to switch to an A6000 "
            "instead of RTX 4090.")
    c = run_consultation(said, kb=kb)
    assert c.wm.value("gpu_memory") == 48 * 2**30 and c.wm.value("measured_use") == 44e9
    assert finding_ids(c)[0] == "finding-framework-preallocates"


def test_a_contrastive_loss_named_by_its_tools_and_its_models(kb):
    """GradCache and E5 are contrastive training (reviews 89 #27, #28); a GradCache sub-batch is the piece a step
    computes, so the paper's 1,024 is its batch; Xeon's E5 is a CPU."""
    said = ("Your paper said: When using GradCache, we set a sub-batch size of 4 to enable full model tuning, with the "
            "total batch size accumulated to 1,024. Do you use gradient_accumulation_steps?")
    found = read_message(kb, said)
    assert found["claim_contrastive"][0] is True and found["reference_batch"][0] == 1024
    c = run_consultation(said, kb=kb)
    assert "finding-ga-contrastive" in finding_ids(c)
    assert read_message(kb, "In the E5 paper you use a batch size of 32768 during pretraining.")["claim_contrastive"][0]
    assert "claim_contrastive" not in read_message(kb, "Server: 2x Xeon E5-2680 v4, 4x V100 32GB, batch 64.")


def test_a_run_that_fails_however_small_its_batch_does_not_fit(kb):
    """Review 89 #21: the 0.6B reranker runs at batch 64; the 4B one fails "even when I set train_batch_size=8" - an
    out-of-memory failure whose cause is the model's states, which no batch shrinks."""
    said = ("I am able to run this with a train_batch_size=64, train_mini_batch_size=16 with the "
            "Qwen3-Reranker-0.6B-seq-cls model; however, I am not able to run the same code with the 4B model even when "
            "I set train_batch_size=8, train_mini_batch_size=4.")
    c = run_consultation(said, kb=kb)
    assert c.wm.value("oom") is True
    assert finding_ids(c)[0] in ("finding-states-alone-need-a-big-card", "finding-memory-needed-states-only")


def test_a_clip_longer_than_the_one_that_fills_the_card(kb):
    """Review 90 #30: 100 frames wanted where 24 fill a 3090 Ti - 4.17× the activations, which no batch gives back."""
    c = run_consultation("VRAM optimization? I want to train it with n_sample_frames: 100. With 100 videos. I'm using a "
                         "3090 Ti and the max n_sample_frames is 24", kb=kb)
    assert c.wm.value("frames_wanted") == 100 and c.wm.value("frames_fit") == 24
    assert c.wm.value("frames_over_fit") == 100 / 24
    assert finding_ids(c)[0] == "finding-frames-over-fit"


def test_bold_marks_do_not_hide_a_phrase(kb):
    """Review 89 #22: "it fails on the **second** iteration" after a "memory issue" is an OOM at the first optimizer
    step; open_clip's --batch-size is each GPU's."""
    said = ("SigLIP memory issue with a large batch size. Using open_clip, if I increase the batch size even to 1024, it "
            "fails on the **second** iteration. I use 4 cards with 44.5 GB of video memory.")
    found = read_message(kb, said)
    assert found["oom"][0] is True and found["oom_stage"][0] == "optimizer_step"
    c = run_consultation(said, kb=kb)
    assert "oom-at-optimizer-step" in finding_ids(c)
    assert "batch_scope" not in [q.id for q in c.advice.questions]
    assert "oom_stage" not in read_message(kb, "A tensor of 2**30 floats is 4 GiB; x**2 on the second iteration is fine.")


def test_a_scripts_variable_is_no_question_about_it(kb):
    """Review 89 #25: `--learning_rate $LR` passes a shell variable on; it asks nothing about the learning rate."""
    assert "user_goal" not in read_message(kb, "LR=1e-5\naccelerate launch -m run \\\n  --learning_rate $LR \\\n  --fp16")
    assert read_message(kb, "What LR should I use for batch 64?")["user_goal"][0] == "choose_lr"


def test_a_question_after_the_users_own_cards_keeps_them(kb):
    """Review 90 #27: "I now have 2x 3090s 24GB, does that mean when people post GPU requirements my limit is 48GB? Or am
    I stuck at the 24GB limit per card?" - two cards of the user's, and the question whether their memory pools."""
    said = ("I now have 2x 3090s 24GB, does that mean when people post GPU requirements for training my limit is 48GB? "
            "Or am I stuck at the 24GB limit per card?")
    found = read_message(kb, said)
    assert found["num_gpus"][0] == 2 and found["claim_gpu_memory_adds_up"][0] is True
    assert "num_gpus" not in read_message(kb, "Does it mean that when I use two GPUs the batch size is set to 8?")


def test_a_retrievers_passages_set_its_length_and_its_sequences_per_sample(kb):
    """Review 89 #24: FlagEmbedding's query_max_len 512 and passage_max_len 8192 with train_group_size 8 - each query
    encodes eight passages at 8,192 tokens, so micro-batch 1 does not fit a V100 without checkpointing, and no
    vocabulary's logits are counted for an embedding model."""
    said = ("OOM when fine-tuning bge-m3 on 8 V100 32GB: torchrun --nproc_per_node 8 -m FlagEmbedding.BGE_M3.run "
            "--model_name_or_path BAAI/bge-m3 --fp16 --per_device_train_batch_size 1 --query_max_len 512 "
            "--passage_max_len 8192 --train_group_size 8 --negatives_cross_device")
    found = read_message(kb, said)
    assert found["seq_len"][0] == 8192 and found["train_group_size"][0] == 8
    c = run_consultation(said, kb=kb)
    assert c.wm.value("plan_current_fits") is False
    assert c.advice.recommendation.option_id == "checkpointing"


def test_t5x_accumulates_inside_its_step_not_with_multisteps(kb):
    """Review 90 #8: T5X's num_microbatches sums the micro-batches into one update; optax.MultiSteps is no advice."""
    c = run_consultation("T5X on a v3-8 TPU with jax: BATCH_SIZE = 1024, trainer.num_microbatches = 16 for "
                         "accumulation. Does the model update every 16 steps?", kb=kb)
    ids = finding_ids(c)
    assert c.wm.value("framework") == "t5x" and "finding-jax-accumulation-multisteps" not in ids
    c = run_consultation("JAX training on TPU: I use gradient accumulation of 16 with batch 64 per device. Does the "
                         "model update every 16 steps?", kb=kb)
    assert "finding-jax-accumulation-multisteps" in finding_ids(c)


def test_further_pretraining_starts_from_a_trained_model(kb):
    found = read_message(kb, "I'm planning on additionally pretraining the e5-base-v2 models on a custom dataset.")
    assert found["training_mode"][0] == "finetune" and found["model_preset"][0] == "bert-base"


def test_trls_value_head_is_no_second_model(kb):
    """Review 89 #12: TRL's AutoModelForCausalLMWithValueHead puts the value head on the policy - no critic model to
    count - and "batch_size, mini_batch_size, and gradient_accumulation all at 1" is a micro-batch of 1."""
    said = ("OOM error while PPO training Llama-2-7B with trl on an A100 40GB, QLoRA r=64, load_in_4bit. I have tried "
            "keeping batch_size, mini_batch_size, and gradient_accumulation all at 1. base_model = "
            "AutoModelForCausalLMWithValueHead.from_pretrained(model_id)")
    c = run_consultation(said, kb=kb)
    assert c.wm.value("micro_batch") == 1 and c.wm.value("value_head_named") is True
    assert "finding-ppo-critic" not in finding_ids(c)
    assert c.advice.recommendation is None or "micro" not in (c.advice.recommendation.option_id or "")


def test_a_validation_bar_is_no_training_step_and_its_loss_no_training_loss(kb):
    """Review 90 #18: Catalyst's "Epoch (train): 100% 32/32 [… 2.39s/it, loss=0.898]" then "Epoch (valid): 3% 1/32 [… 1.50s/it,
    loss=1.656]" - two phases, not a step that got faster, and the validation loss is not training's last."""
    said = ("I got OOM error during validation step. Here is the log\n```\n0/10 * Epoch (train): 100% 32/32 "
            "[00:41<00:00,  2.39s/it, _fps=11.486, loss=0.898]\n0/10 * Epoch (valid):   3% 1/32 [00:01<00:46,  "
            "1.50s/it, _fps=21.531, loss=1.656]\nRuntimeError: CUDA error: out of memory\n```")
    found = read_message(kb, said)
    assert "step_seconds_by_step" not in found and found["oom_stage"][0] == "evaluation"
    assert found.get("final_train_loss", (None,))[0] != 1.656
    two_train_bars = said.replace("Epoch (valid)", "Epoch (train)")
    assert "step_seconds_by_step" in read_message(kb, two_train_bars)


def test_grpos_evaluation_batch_holds_whole_groups(kb):
    c = run_consultation("GRPO: eval batch size must be evenly divisible by the number of generations per prompt. When I "
                         "only have one GPU, I cannot set per_device_eval_batch_size=1 because there will be no "
                         "reasonable G to choose from.", kb=kb)
    assert finding_ids(c)[0] == "finding-grpo-eval-batch"
    c = run_consultation("TRL GRPO on one A100 80GB, num_generations=8, per_device_eval_batch_size=4: eval OOMs.", kb=kb)
    assert "finding-grpo-eval-batch" in finding_ids(c)


def test_the_same_loss_per_update_at_a_larger_batch_is_expected(kb):
    """Review 90 #9: 8 TPU cores at 256 each reach the GPU's loss after the same 400 updates - a less noisy step, not
    8 steps' progress; the learning rate has to grow with the batch."""
    c = run_consultation("My training results show that the TPU loss after 400 update steps almost equals the GPU "
                         "loss after 400 updates even though the effective batchsize is 8*times as high.", kb=kb)
    assert finding_ids(c)[0] == "finding-larger-batch-same-loss-per-step"


def test_one_full_gpu_under_jax_is_the_first_device_doing_the_work(kb):
    """Review 90 #4: four 24 GB GPUs, the first at 23,895 MiB and the rest at 1,487 MiB with preallocation off - JAX
    running on jax.devices()[0] alone, not its pool, nor PyTorch's DataParallel (whose launch is no question here)."""
    said = ("Uneven GPU usage. I'm super new to jax. I have a single node with 4 GPUs (each with 24GB of RAM). The "
            "first GPU is using 23895MiB (according to nvidia-smi), and the rest are using 1487MiB. Is that expected? "
            "(BTW, I also sat XLA_PYTHON_CLIENT_PREALLOCATE to false and it didn't make a difference)")
    c = run_consultation(said, kb=kb)
    ids = finding_ids(c)
    assert ids[0] == "finding-jax-one-device-does-the-work"
    assert "finding-framework-preallocates" not in ids and "finding-gpu0-extra-memory" not in ids
    assert "launch" not in [q.id for q in c.advice.questions]


def test_an_evaluation_oom_beside_the_trainers_output_settings_leads_with_the_kept_logits(kb):
    """Review 90 #13, #15: compute_metrics or eval_accumulation_steps named beside an evaluation OOM - what the
    Trainer keeps is the logits of every eval batch; no_grad is no answer there."""
    c = run_consultation("Seq2SeqTrainer with t5-base on an A100 40GB: CUDA OOM error while evaluating. If I remove "
                         "compute_metrics everything is working.", kb=kb)
    assert finding_ids(c)[0] == "finding-eval-logits-kept-unsized"
    c = run_consultation("OOM during evaluation on a single V100 with segmentation crops, eval batch 4.", kb=kb)
    assert "finding-eval-logits-kept-unsized" not in finding_ids(c)


def test_of_a_batch_that_runs_and_one_that_fails_the_failing_one_is_the_run(kb):
    """Review 89 #21 and the corpus's "for a single GPU with train_batch_size=2 … it works; for two GPUs with
    train_batch_size=1 … it OOMs": the run to make fit is the failing one."""
    said = ("I am able to run this with a train_batch_size=64, train_mini_batch_size=16 with the "
            "Qwen3-Reranker-0.6B-seq-cls model; however, I am not able to run the same code with the 4B model even when "
            "I set train_batch_size=8, train_mini_batch_size=4.")
    assert read_message(kb, said)["micro_batch"][0] == 8
    said = ("For a single GPU with train_batch_size=2, gradient_accumulation_steps=4 it works; for two GPUs with "
            "train_batch_size=1, gradient_accumulation_steps=1 it OOMs.")
    assert read_message(kb, said)["micro_batch"][0] == 1


def test_xlas_padding_expansion_is_the_tpu_layout(kb):
    """Review 90 #11: "Extra memory due to padding: 3.00G (4.0x expansion)" - the tiles' padding, and the report's
    "utilization" is of the buffers, no wish for speed."""
    said = ("How to minimize padding during sharding. On TPUv3 I get:\n```\nProgram hbm requirement 15.45G:\n    HLO temp "
            "15.45G (60.9% utilization: Unpadded (9.40G) Padded (15.44G), 0.0% fragmentation (5.52M))\n  1. Size: 4.00G\n"
            "     Shape: bf16[2048,1,2048,128]{0,1,3,2:T(4,128)(2,1)}\n     Unpadded size: 1.00G\n     Extra memory due "
            "to padding: 3.00G (4.0x expansion)\n```")
    found = read_message(kb, said)
    assert found["xla_padding_expansion"][0] == 4.0 and "user_goal" not in found
    assert finding_ids(run_consultation(said, kb=kb))[0] == "finding-xla-padding"


def test_an_encoder_joined_to_a_decoder_is_neither_alone(kb):
    """Review 90 #25: "wav2vec2-2-bert-large" is wav2vec2 into BERT-large, not BERT-large's 335M parameters."""
    found = read_message(kb, "When training a wav2vec2-2-bert-large model on LibriSpeech on a V100 I get OOM")
    assert "model_preset" not in found and found.get("params", (None,))[0] != 335_141_888
    assert read_message(kb, "fine-tuning bert-large on squad, OOM")["model_preset"][0] == "bert-large"
