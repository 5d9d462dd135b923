"""The framework catalogue (advisor/domain/data/frameworks.yaml): how each framework counts its batch, read from
the words that name it, and what the consultation says with it."""

import pytest

from advisor.consultation import read_message, run_consultation
from advisor.domain import frameworks as fw
from advisor.errors import InputError


def test_every_entry_names_its_scope_unit_and_source():
    table = fw.frameworks()
    assert {"tf-distribute", "tpu-estimator", "tensor2tensor", "fairseq", "torch-xla", "horovod"} <= set(table)
    for spec in table.values():
        assert spec.batch in fw.SCOPES and spec.unit in fw.UNITS and spec.source.startswith("https://")
        assert spec.unit == "tokens" or not spec.token_keys


@pytest.mark.parametrize("text, framework", [
    ("strategy = tf.distribute.MirroredStrategy()", "tf-distribute"),
    ("TPUEstimator with train_batch_size=4096", "tpu-estimator"),
    ("parallel_model = make_parallel(model, 2) and fit with batch_size 64", "keras-multi-gpu"),
    ("t2t-trainer --problem=translate_ende_wmt32k", "tensor2tensor"),
    ("python -m t5x.train --gin_file=pretrain.gin", "t5x"),
    ("fairseq-train data-bin --max-tokens 4096", "fairseq"),
    ("import torch_xla.distributed.xla_multiprocessing as xmp", "torch-xla"),
    ("horovodrun -np 4 python train.py", "horovod"),
    # the more specific entry wins: TPUEstimator under tf.distribute words
    ("TPUEstimator, later ported to tf.distribute", "tpu-estimator"),
    # no framework: names inside other words, or none
    ("an AWS t2.micro instance", None),
    ("torchrun --nproc_per_node 8 train.py", None),
])
def test_a_framework_is_read_by_its_words(text, framework):
    named = fw.framework_named(text)
    assert (named[0].id if named else None) == framework


def test_a_broken_catalogue_is_a_clear_error(tmp_path, monkeypatch):
    bad = tmp_path / "frameworks.yaml"
    bad.write_text("frameworks:\n  x: {name: X, detect: [x], batch: sideways, unit: samples, key: k, note: n, source: s}\n")
    monkeypatch.setattr(fw, "FRAMEWORKS", bad)
    fw.frameworks.cache_clear()
    try:
        with pytest.raises(InputError, match="batch must be one of"):
            fw.frameworks()
    finally:
        fw.frameworks.cache_clear()


def test_under_a_distribution_strategy_the_batch_is_the_total(kb):
    c = run_consultation("With tf.distribute.MirroredStrategy on 4 GPUs, is the batch_size in model.fit per GPU or "
                         "global?", kb=kb)
    assert c.wm.value("framework_batch_scope") == "global"
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-framework-global-batch" and "finding-batch-per-gpu-under-ddp" not in ids
    found = read_message(kb, "MirroredStrategy on 4 GPUs with batch size 256.")
    assert found["batch_size"][0] == 256 and "micro_batch" not in found  # (the total, split over the replicas)


def test_a_plain_ddp_question_keeps_the_per_gpu_answer(kb):
    c = run_consultation("With DDP on 4 GPUs, is the batch_size per GPU or global?", kb=kb)
    assert not c.wm.known("framework")
    assert "finding-batch-per-gpu-under-ddp" in [f.id for f in c.advice.findings]


def test_a_token_batch_is_no_count_of_samples(kb):
    c = run_consultation("Low BLEU with tensor2tensor: transformer_base_single_gpu, --worker_gpu=2, batch_size=1024. "
                         "Does the number of GPUs matter?", kb=kb)
    assert c.wm.value("framework_batch_tokens") == 1024 and not c.wm.known("micro_batch")
    assert c.wm.value("num_gpus") == 2 and c.wm.value("framework_tokens_per_update") == 2048
    ids = [f.id for f in c.advice.findings]
    assert {"finding-framework-tokens-per-update", "finding-framework-token-batch"} <= set(ids)


def test_a_bare_batch_under_a_per_process_framework_is_each_process_s(kb):
    found = read_message(kb, "Horovod on 4 V100s, batch 64, ResNet-50.")
    assert found["framework"][0] == "horovod" and found["micro_batch"][0] == 64


def test_a_scope_question_leads_with_the_framework_s_answer(kb):
    c = run_consultation("TPUEstimator train_batch_size=4096 on a v3-32 pod: is it per core?", kb=kb)
    assert "batch_per_update" in str(c.wm.value("asked_topics"))
    assert c.advice.findings[0].id == "finding-framework-global-batch"


def test_the_tpu_slice_that_ran_out_of_memory_is_the_run_asked_about(kb):
    found = read_message(kb, "When I configured batch size 4 on a TPU v3-8 it was normal, but when I configured batch "
                             "size 128 on a v3-256 it reported OOM. What is the reason?")
    assert found["num_gpus"][0] == 256 and found["gpu_memory"][0] == 16 * 2**30
    assert read_message(kb, "I train on a TPU v3-8 and get OOM at batch 64.")["num_gpus"][0] == 8


def test_the_fact_s_choices_are_the_catalogue_s_ids(kb):
    assert kb.facts["framework"].choices == list(fw.frameworks())


TPU_ACCURACY = ("we expected that the training process would be faster on multiple TPUs rather than single T4 GPU, but "
                "the numbers returned from fit() method would be the same. instead, we got faster calculations but whole "
                "different numbers: in GPU, after 5 epochs we get 90+ percent of accuracy on test set, but on TPU "
                "mirrored strategy we get 24 % of accuracy. We load a model from keras.applications and fine tune it "
                "with adam, lr = 0.0001, in strategy.scope().")


def test_a_tpu_runs_result_is_its_per_replica_batch(kb):
    """Review 46 #19: a distribution strategy's batch is split over the replicas, which BatchNorm normalises over; the
    TPU memory paragraph is for memory questions."""
    c = run_consultation(TPU_ACCURACY, kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert c.wm.value("framework") == "tf-distribute"
    assert ids[0] == "finding-global-batch-split-result-worse"
    assert "finding-tpu-not-gpu" not in ids


def test_mirrored_strategys_worse_result_is_no_larger_update(kb):
    """Review 46 #24: "low model accuracy when using MirroredStrategy" on 8 GPUs - the strategy's batch is the total,
    so the answer is the per-replica share (BatchNorm), not "8× larger updates"."""
    c = run_consultation("Has anyone worked with the tf.distribute.MirroredStrategy? I seem to be getting low model "
                         "accuracy when using it for image segmentation with Dice loss. Also saw minor gains in timing "
                         "when running with 8 gpu setup.", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-global-batch-split-result-worse" in ids and "finding-more-gpus-fewer-updates" not in ids


@pytest.mark.parametrize("text, framework", [
    ("I use the code at https://github.com/kuza55/keras-extras/blob/master/utils/multi_gpu.py for two GPUs", "keras-multi-gpu"),
    ("File \"/usr/lib/python3/site-packages/horovod/torch/__init__.py\", line 12", None),  # a bare folder's name
])
def test_a_distinctive_name_in_a_path_or_link(text, framework):
    named = fw.framework_named(text)
    assert (named[0].id if named else None) == framework


def test_a_split_batch_no_faster_on_more_gpus_is_answered_with_the_split(kb):
    """kuza55's make_parallel on 2 GPUs, each at 40-60% utilisation, no faster than one (review 46 #9): the batch is
    split, so each GPU does half of one GPU's work - raise the batch, and no question about torchrun."""
    c = run_consultation("I use TensorFlow as the backend and the code here "
                         "https://github.com/kuza55/keras-extras/blob/master/utils/multi_gpu.py for multi-GPU "
                         "training. The speed of using two gpus is almost the same as with one gpu; with one gpu its "
                         "usage is almost 100%, with two gpus each is at 40%-60%. GPU: 4x NVIDIA GTX 1080 Ti", kb=kb)
    assert c.advice.findings[0].id == "finding-framework-split-batch-no-faster"
    assert "raise the batch 2×" in c.advice.findings[0].title
    assert "launch" not in [q.id for q in c.advice.questions]


def test_yolov5s_batch_is_the_total_and_its_activations_are_not_guessed(kb):
    """'can't fit training with batch 32, only fit with 30 batch (imgsize 416 training)' with yolov5m (review 47
    #21): batch 32 is --batch-size, accumulated to nbs 64; the image size is read; with no layer shapes for YOLO the
    count is the states', said so - no 'needs about 0.73 GiB'."""
    c = run_consultation("does the number of batches always should be a number that can divide the number of tensors "
                         "on gpu? I want to train a dataset with yolov5m models but can't fit training with batch 32, "
                         "only fit with 30 batch (imgsize 416 training)", kb=kb)
    assert (c.wm.value("micro_batch"), c.wm.value("grad_accum_steps"), c.wm.value("batch_size")) == (32, 2, 64)
    assert c.wm.value("image_size") == 416
    ids = [f.id for f in c.advice.findings]
    assert "finding-memory-needed-assuming" not in ids and "finding-memory-needed" not in ids


def test_a_per_card_batch_changed_under_paddle_is_each_cards(kb):
    """Review 48 #30 (PaddleClas ResNet50: "bs from 64 to 256 … 8 cards", its config's `name: Piecewise`): the
    suite's batch_size is each card's, so the batch per update went from 512 to 2048 - not 64 to 256."""
    found = read_message(kb, "resnet50 将bs从64修改成256，调整对应lr, 但是精度掉了很多。 bs=256，8张卡\n"
                             "Optimizer:\n  name: Momentum\n  lr:\n    name: Piecewise\n    learning_rate: 0.1")
    assert found["framework"][0] == "paddle"
    assert (found["micro_batch"][0], found["batch_size"][0], found["reference_batch"][0]) == (256, 2048, 512)
    # (a total said in so many words stays the total)
    total = read_message(kb, "PaddleClas on 8 cards: I changed the total batch size from 512 to 2048")
    assert total["batch_size"][0] == 2048 and "micro_batch" not in total


def test_fairseqs_batch_size_counts_sentences(kb):
    """'If batch size is 100 for fairseq-train, and 2 GPUs are used: does each GPU get 100?' (review 49 #16): fairseq's
    --batch-size counts sentences - only --max-tokens is a batch of tokens."""
    c = run_consultation("A quick question. If batch size is 100 for fairseq-train, and 2 GPUs are used, does each GPU "
                         "get a batch of 100? Does the model update after 100 instances or 200?", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert "finding-framework-token-batch" not in ids and "finding-framework-per-device-batch" in ids
    tokens = run_consultation("t2t-trainer --hparams='batch_size=4096' on 8 GPUs: is my batch the paper's?", kb=kb)
    assert "finding-framework-token-batch" in [f.id for f in tokens.advice.findings]  # (tensor2tensor's batch_size)


def test_coqui_tts_distribute_is_a_launcher_whose_batch_is_each_gpus(kb):
    """Review 49 #19 ('Distributed training on 4x Tesla V100 but batch size only 4?', launched with `python
    TTS/bin/distribute.py`): the script is a launcher (no plain-python single process) and the batch each GPU's."""
    found = read_message(kb, "Distributed training on 4x Tesla V100 but batch-size only 4? I run CUDA_VISIBLE_DEVICES="
                             "0,1,2,3 python TTS/bin/distribute.py --script train_tts.py --config_path config.json")
    assert found["framework"][0] == "coqui-tts" and found["micro_batch"][0] == 4
    assert found.get("launch", (None,))[0] != "one_process"


def test_detectron2s_total_batch_is_the_first_check_after_an_oom(kb):
    """Review 50 #19 (Mask2Former Swin-L on 8 V100s "with the config as provided") and #16 (YOLOF with --num-gpus 1):
    IMS_PER_BATCH is the total over the GPUs the run uses, so each GPU's share is the first thing to compare."""
    from advisor.consultation import run_consultation

    for message, gpus in (("When I train the video model with swin large backbone on YT-VIS2021 it shows CUDA OOM. I "
                           "trained on 8V100 32GB GPUs with the config as provided. Does mask2former need more memory?", 8),
                          ("python ./tools/train_net.py --num-gpus 1 --config-file ./configs/yolof_R_50_C5_1x.yaml runs "
                           "out of memory on a titan v", 1)):
        c = run_consultation(message, kb=kb)
        facts = {f.name: f.value for f in c.advice.facts}
        assert facts["framework"] == "detectron2" and facts["num_gpus"] == gpus
        assert c.advice.recommendation.option_id == "global-batch-share"
        assert f"the GPUs the run uses ({gpus})" in c.advice.recommendation.rationale


def test_detectron2s_train_net_launches_its_own_processes(kb):
    """detectron2's `train_net.py --num-gpus 2` starts a process per GPU (no plain one-process run); `--num-gpus 1` on
    a machine of two leaves one idle (review 50 #16: "titan v * 2", `--num-gpus 1`)."""
    from advisor.consultation import read_message

    two = read_message(kb, "python ./tools/train_net.py --num-gpus 2 --config-file ./configs/yolof_R_50_C5_1x.yaml "
                           "runs out of memory on 2 titan v")
    assert two.get("launch", (None,))[0] != "one_process"
    one = read_message(kb, "When I run python ./tools/train_net.py --num-gpus 1 --config-file ./configs/yolof.yaml, "
                           "out of memory appears. My environment is: GPU: titan v * 2 = 11g * 2")
    assert (one["num_gpus"][0], one["machine_gpus"][0]) == (1, 2)


def test_a_sentence_cap_beside_fairseqs_token_cap_is_no_batch(kb):
    """Review 51 #14 (wav2vec 2.0): `batch_size: 200` beside `max_tokens: 1400000`, memory the same at 4, 200 or
    2000 - the token cap binds, so the sentence cap is no batch of 200 per GPU and raising it changes nothing."""
    from advisor.consultation import run_consultation

    c = run_consultation("Increasing batch_size not rize GPU memory utilization in training wav2vec2 base model with "
                         "fairseq-hydra-train on 2 A100 GPUS.\n```\ndataset:\n  batch_size: 200\n  num_workers: 20\n"
                         "  max_tokens: 1400000\n```\nI expect that GPU memory usage increase, but it not happened.", kb=kb)
    assert c.wm.value("framework_batch_tokens") == 1400000 and c.wm.value("framework_sentence_cap") == 200
    assert not c.wm.known("micro_batch")
    assert c.advice.findings[0].id == "finding-token-cap-binds"


def test_ultralytics_nbs_sets_what_an_update_sums(kb):
    """Review 52 #18: "I was using a batch size of 16 … now a batch size of 8 with a new nbs parameter set to 16,
    aiming to achieve the same behavior as a batch size of 16" - with the default nbs 64 the batch of 16 summed 64
    images an update; batch 8 with nbs 16 sums 16."""
    from advisor.consultation import run_consultation

    c = run_consultation("How to Use Gradient Accumulation with YOLOv8n for Larger Batch Sizes. I was initially using a "
                         "batch size of 16, but due to memory constraints, I had to reduce it. Currently, I'm using a "
                         "batch size of 8 with a new nbs parameter set to 16, aiming to achieve the same behavior as a "
                         "batch size of 16.", kb=kb)
    wm = c.wm
    assert (wm.value("ultralytics_nbs"), wm.value("ultralytics_accumulate"), wm.value("ultralytics_update")) == (16, 2, 16)
    assert wm.value("ultralytics_reference_update") == 64
    assert c.advice.findings[0].id == "finding-ultralytics-update-changed"


def test_t5xs_micro_batches_split_the_global_batch(kb):
    """Review 53 #1: T5X's BATCH_SIZE = 1024 with trainer.num_microbatches = 16 on a TPU v3-8 is 1,024 per update,
    64 a step over the 8 cores, 8 each - not 1024 × 16 × 8 = 131,072; and "I hope to fit 64 examples in a step" is a
    hope, neither the largest micro-batch that fits nor a data set of 64."""
    found = read_message(kb, "I am about to pretrain a model using T5X on a TPU v3-8. I guess I would have to:\n"
                             "1. Specify BATCH_SIZE = 1024\n2. Specify trainer.num_microbatches = 16\nWith this, I hope "
                             "to fit 64 examples in a step, but update gradients every 16 steps. Is that correct?")
    assert found["batch_size"][0] == 1024 and found["grad_accum_steps"][0] == 16
    assert found["micro_batch"][0] == 1024 // 16 // found["num_gpus"][0]
    assert "max_micro_batch" not in found and "dataset_size" not in found


def test_yolacts_batch_is_the_total_over_the_gpus(kb):
    """Review 56 #24: `python train.py --config=yolact_base_config --batch_size 8` on 8 GPUs - YOLACT splits the batch
    over the visible GPUs, so 8 is the batch per update (one image a GPU), not each GPU's."""
    from advisor.consultation import read_message

    found = read_message(kb, "When I train yolact using 8 GPUs: CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 python train.py "
                             "--config=yolact_base_config --batch_size 8")
    assert found["framework"][0] == "yolact" and found["batch_size"][0] == 8 and "batch_unqualified" not in found


@pytest.mark.parametrize("message, stack_finding, torch_finding", [
    ("TF2 Keras training on one 1080 Ti with batch_size=1 still gives ResourceExhaustedError OOM. What can I do?",
     "finding-oom-at-batch-one-unsized-tf-jax", "finding-oom-at-batch-one-unsized"),
    ("My Flax model on a TPU v3-8 runs out of memory even at batch size 1 (XlaRuntimeError). What can I do?",
     "finding-oom-at-batch-one-unsized-tf-jax", "finding-oom-at-batch-one-unsized"),
    ("My Keras model trains on 4 GPUs with MirroredStrategy but it is slower than on a single GPU. batch_size=64",
     "finding-multi-gpu-no-faster-tf-jax", "finding-multi-gpu-no-faster"),
])
def test_tensorflow_and_jax_users_get_their_own_levers_not_pytorch_s(kb, message, stack_finding, torch_finding):
    c = run_consultation(message, kb=kb)
    found = {f.id: f for f in c.advice.findings}
    assert stack_finding in found and torch_finding not in found
    text = found[stack_finding].text
    assert "torch" not in text and "FSDP" not in text and "accelerate" not in text


def test_a_pytorch_user_keeps_the_pytorch_levers(kb):
    c = run_consultation("OOM even at per_device_train_batch_size 1 on my 3090, what can I do?", kb=kb)
    found = {f.id for f in c.advice.findings}
    assert "finding-oom-at-batch-one-unsized" in found and "finding-oom-at-batch-one-unsized-tf-jax" not in found


def test_pyslowfast_s_batch_is_the_total_over_the_gpus(kb):
    c = run_consultation("SlowFast: may I know if I need to change the base learning rate (for example, linearly) when "
                         "changing NUM_GPUS during training?", kb=kb)
    assert c.wm.value("framework") == "pyslowfast" and c.wm.value("framework_batch_scope") == "global"
    finding = next(f for f in c.advice.findings if f.id == "finding-framework-global-batch")
    assert "TRAIN.BATCH_SIZE is the batch per update" in finding.text
