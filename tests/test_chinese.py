"""Messages written in Chinese (or mixing it with English): cards counted with measure words ("4张A800", "4个v100"),
full fine-tuning (全参微调), GPU memory used (显存占用), 万 written as 'w' ("600w数据"), and facts quoted in the user's
own characters. Messages are the way engineers post them on Chinese projects' issue trackers."""

import pytest

from advisor.consultation import read_message, run_consultation
from advisor.reading import chinese
from advisor.reading.tokens import MAX_TOKENS, tokenize


def facts(kb, message):
    return {name: value for name, (value, _) in read_message(kb, message).items()}


@pytest.mark.parametrize("message, expected", [
    ("你好，我用4个v100训练7b模型，batch size用默认的4", {"num_gpus": 4, "gpu_model": "v100", "params": 7e9}),
    ("qwen2vl-72B全参微调时4张A800会从每张30多G的显存占用突然升到80G后报错",
     {"num_gpus": 4, "gpu_model": "a800", "training_mode": "finetune", "full_training": True, "params": 72e9}),
    ("用了6张a10（24G）进行预训练，开启了zero2 offload依旧报错",
     {"num_gpus": 6, "gpu_model": "a10", "zero_stage": 2, "offload": "cpu"}),
    ("我600w数据，设置的train_batch_size=1, devices=2 (两张卡)", {"dataset_size": 6e6, "micro_batch": 1, "num_gpus": 2}),
    ("最后的训练阶段，crop_size(240,1248) 显卡内存只有11G无法满足怎么办", {"gpu_memory": 11 * 2.0 ** 30}),
    # letters first, then Chinese in one word ("24G现存的单卡": 显存 mistyped); a size the model was cut down to
    ("我尝试将7B的模型压缩到5.7B，在尝试24G现存的单卡上进行微调还是会OOM",
     {"params": 5.7e9, "gpu_memory": 24 * 2.0 ** 30, "num_gpus": 1}),
    # "单卡还是多卡" asks single or several cards (还是 between choices is "or"); the paper's figure is per card
    # the first card runs out while the second and third have much free: GPU 0's extra memory (review 61 #5)
    ("我用3个12G的卡训练，但是第一个卡显存会爆掉，但是第二和第三张卡还有很多显存，只有设置batchsize为1才不会报错",
     {"num_gpus": 3, "oom": True, "claim_gpu0_extra_memory": True}),
    ("想问一下是单卡还是多卡呢，我看论文是单卡17G，我用RTX3090 24G单卡显示爆显存",
     {"num_gpus": 1, "quoted_memory": 17 * 2.0 ** 30, "gpu_memory": 24 * 2.0 ** 30, "gpu_count_unsaid": None}),
])
def test_chinese_messages_are_read(kb, message, expected):
    got = facts(kb, message)
    for name, value in expected.items():
        assert got.get(name) == pytest.approx(value) if isinstance(value, float) else got.get(name) == value, \
            (name, got.get(name), value)


def test_a_use_after_the_card_is_not_its_size(kb):
    # "每张30多G的显存占用": thirty-odd GB used on each card, not a 30 GB A800 (the A800 has 40 or 80)
    got = facts(kb, "4张A800会从每张30多G的显存占用突然升到80G后报错")
    assert "gpu_memory" not in got
    assert "num_gpus" not in got or got["num_gpus"] == 4
    assert facts(kb, "crop_size(240,1248) 显卡内存只有11G").get("num_gpus") is None  # no 1,248 GPUs


def test_facts_quote_the_users_own_characters(kb):
    found = read_message(kb, "4张A800全参微调")
    assert found["num_gpus"][1] == "4张A800"
    assert found["training_mode"][1] == "全参微调"


def test_tokens_span_the_characters_they_came_from():
    text = "用4个v100训练7b模型"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["with", "4", "v", "100", "training", "7", "b", "model"]
    assert text[tokens[-1].start:tokens[-1].end] == "模型"
    assert not tokens[6].space_before  # "7b": the B stays glued to its number (7 billion)
    assert tokens[2].space_before  # after the measure word 个 the V100 starts a word of its own


def test_w_is_wan_only_beside_a_number_and_chinese():
    assert [t.text for t in tokenize("600w数据")] == ["600", "wan", "samples"]
    assert [t.text for t in tokenize("a 350W card")] == ["a", "350", "w", "card"]  # watts, in English


def test_unknown_characters_give_no_word_and_the_scan_is_bounded():
    assert chinese.phrases("龘龘龘") == []
    assert len(tokenize("我" * 20 + "的" * 20)) == 20  # one word per 我, none for the particle 的
    assert len(tokenize("我" * 100_000)) == MAX_TOKENS  # one run as long as a message: cut at the tokens' bound


def test_the_phrase_patterns_read_chinese_through_its_english(kb):
    """"多卡微调就OOM，但是单卡能跑" (review 46 #1): an OOM on several GPUs where one works - the English phrase patterns
    read it, and the fact quotes the user's characters."""
    found = read_message(kb, "ptuning/train.sh 多卡微调就OOM，但是单卡能跑")
    assert found["claim_multi_gpu_oom_one_fits"] == (True, "多卡微调就OOM，但是单卡能跑")


def test_the_english_view_lines_up_with_the_message():
    text = "用4个v100训练7b模型，但是OOM"
    english, spans = chinese.english_view(text)
    assert english == "with 4 v100 training 7b model , but oom"
    at = english.find("training")
    assert chinese.original_words(text, spans, at, at + len("training 7b model")) == "训练7b模型"


def test_a_long_message_of_chinese_stops_at_the_token_bound():
    """A message of Chinese has no spaces: the tokenizer cuts it into chunks before Chinese characters, so it stops
    scanning once it has its tokens, however long the message."""
    tokens = tokenize(("用4个v100训练7b模型" * 8_000)[:100_000])
    assert len(tokens) == MAX_TOKENS
    assert tokens[-1].end < 60_000  # (the rest of the message was never scanned)


def test_machines_that_each_train_alone(kb):
    """'假如我有三个节点，训练一个epoch,实际上训练三个epoch，各个节点独自为战。训练时间跟用一个node相差无几' (review 48 #29): the
    machines never formed one world - the answer says how to start them as one job."""
    c = run_consultation("多节点训练失效\n\n假如我有三个节点，训练一个epoch,实际上训练三个epoch，各个节点独自为战。训练时间跟用一个node"
                         "相差无几。", kb=kb)
    assert c.advice.findings[0].id == "finding-nodes-never-joined"


def test_just_short_of_the_card_is_an_oom(kb):
    """Review 51 #4: "llama3-8b 8k长度上述参数24g正好差一点点" - at 8k the 24 GB card is just short: a run that runs out
    by a little, not one that fits."""
    c = run_consultation("LoRA finetuning 4x4090, deepspeed zero3, 想达到的是用4个4090 finetune contextlength=8k的数据，"
                         "llama3-8b 8k长度上述参数24g正好差一点点。", kb=kb)
    assert c.wm.value("oom") is True


def test_an_oom_after_training_a_while_in_chinese_is_a_failure_after_steps(kb):
    """Review 53 #16: "为什么训练一段时间后就会溢出显存" - why does it run out of GPU memory after training a while."""
    found = read_message(kb, "求问为什么训练一段时间后就会溢出显存")
    assert found["oom"][0] is True and found["oom_at_fixed_step"][0] is True


def test_memory_rising_under_the_trainer_is_the_longest_padded_batch(kb):
    """Review 53 #15 ("为什么训练阶段的显存一直在往上涨？一会就 OOM 了" with `--per_device_train_batch_size 64` under the
    Trainer): the climb is the padded length of the batches, not a leak of a loop the user never wrote - and no count
    at an assumed 4,096 tokens for a run that trained a while."""
    c = run_consultation("为什么训练阶段的显存一直在往上涨？一会就 OOM 了\nCUDA_VISIBLE_DEVICES=4 python baichuan_lora_tuning.py "
                         "--lora_rank 4 --per_device_train_batch_size 64 --gradient_accumulation_steps 2 --fp16", kb=kb)
    ids = [f.id for f in c.advice.findings]
    assert ids[0] == "finding-trainer-memory-grows-with-padded-length"
    assert "finding-gpu-memory-grows-per-step" not in ids and not c.wm.known("plan_memory_needed")


def test_uneven_memory_over_data_parallel_cards_is_the_batches_each_draws(kb):
    """Review 53 #17 (ms-swift embedding training on 4 GPUs under ZeRO-2: "显存负载不均衡 … 2张卡显存打满，其他两张空余很多"):
    memory uneven over data-parallel ranks is the batches each one draws; `--model_type qwen2_5` with a 1.5b name is
    Qwen2.5-1.5B, and an embedding model computes no vocabulary logits."""
    c = run_consultation("单机多卡训练-显存负载不均衡\n4张卡会存在2张卡显存打满，其他两张空余很多\nNPROC_PER_NODE=4 swift sft "
                         "--model models/jina-code-embeddings-1.5b --task_type embedding --model_type qwen2_5 "
                         "--train_type full --per_device_train_batch_size 8 --gradient_accumulation_steps 4 "
                         "--loss_type infonce --deepspeed zero2", kb=kb)
    assert c.advice.findings[0].id == "finding-uneven-memory-across-data-parallel-ranks"
    assert c.wm.value("model_preset") == "qwen2.5-1.5b" and c.wm.value("embedding_training") is True
    assert not c.wm.known("plan_current_logits") or not c.wm.value("plan_current_logits")


def test_how_big_a_gpu_full_fine_tuning_needs_with_no_model_named(kb):
    """Review 53 #14 ("这个要多大的gpu才行？我GeForce RTX3090 用全参数24G都不行" - how big a GPU does it need? full
    parameters on 24G do not work): a question about fitting, answered with what the card's states hold."""
    c = run_consultation("这个要多大的gpu才行？我GeForce RTX3090 用全参数24G都不行\n'train_batch_size': 4,", kb=kb)
    assert c.wm.value("user_goal") == "fit"
    assert c.advice.findings[0].id == "finding-full-training-on-one-card"
    assert c.wm.value("largest_full_model_one_gpu") == pytest.approx(
        c.wm.value("gpu_memory") * c.wm.value("states_budget_share") / 16, rel=1e-6)


@pytest.mark.parametrize("message, fact", [
    ("单卡训练没有问题，多卡情况会OOM。单卡训练时有20GB的显存是盈余的", "claim_multi_gpu_oom_one_fits"),
    ("训练过程中显存占用持续增加，直到溢出", "claim_gpu_memory_grows_per_step"),
])
def test_review_54s_chinese_failures_are_read(kb, message, fact):
    """Review 54 #2 (fine on one GPU, OOM on several; 20GB spare is no card's size) and #9 (memory keeps rising until it
    overflows)."""
    found = read_message(kb, message)
    assert found[fact][0] is True and "gpu_memory" not in found


def test_steps_that_did_not_fall_on_several_gpus(kb):
    """Review 55 #28 ("使用repo中的optimizer发现总的训练步数并没有减少，多gpu理论上训练步数应该线性递减啊？" - the total steps
    did not fall; on several GPUs shouldn't they fall linearly?): when steps fall with the GPUs - a distributed sampler
    and a run set in epochs - not 'I read nothing I could use'."""
    c = run_consultation("多gpu训练步数问题\n你好，使用repo中的optimizer发现总的训练步数并没有减少，多gpu理论上训练步数应该线性递减啊？",
                         kb=kb)
    assert c.wm.value("claim_steps_not_fewer_with_gpus") is True
    assert c.advice.findings[0].id == "finding-steps-not-fewer-with-gpus"


def test_mixed_precision_in_chinese_is_read(kb):
    """混合精度 (mixed precision) and 半精度 (half precision) are glossary words of their own, not part of a comment."""
    from advisor.reading import chinese

    assert "mixed precision" in chinese.english_view("开启混合精度训练")[0]
    assert "half precision" in chinese.english_view("用半精度")[0]


def test_other_models_figures_are_not_the_users_run(kb):
    """Review 55 #26 ("其它llama的7B模型…可以训练…seqlen=4096, 百川模型只能训练到seqlen=2048 … 训练速度其它模型可以达到
    3300token/s/gpu,百川只有2200token/s/gpu"): the other models' sequence length and speed are a comparison; the user's
    Baichuan runs at the 2,200 tokens/s it 'only' reaches."""
    found = read_message(kb, "机器A100*8\n1. 其它llama的7B模型在zero2的时候可以训练单卡的batch=1时的seqlen=4096, "
                             "百川模型只能训练到seqlen=2048\n2. 训练速度其它模型可以达到3300token/s/gpu,百川只有2200token/s/gpu")
    assert found["measured_tokens_per_second"][0] == 2200
    assert found.get("seq_len", (None,))[0] != 4096
    # (English, the same: "only" marks the user's figure)
    assert read_message(kb, "Other models reach 3300 tokens/s per GPU, mine only 2200 tokens/s per GPU."
                        )["measured_tokens_per_second"][0] == 2200


def test_one_card_said_in_chinese_beside_a_per_card_batch(kb):
    """Review 56 #14 ("用了一张卡训练，每张卡上的batchsize是64，梯度累计步数是128"): one card, its batch 64 and 128
    accumulation steps - the one card stays one beside the per-card batch, so an update is 8,192 samples."""
    found = read_message(kb, "我目前有9106条数据，用了一张卡训练，每张卡上的batchsize是64，梯度累计步数是128")
    assert found["num_gpus"][0] == 1 and found["micro_batch"][0] == 64 and found["grad_accum_steps"][0] == 128


def test_one_and_four_cards_at_the_same_speed_under_ddp(kb):
    """rq-2730 ("我这里采用DDP训练…但是1张卡和4张卡的训练速度是相同的"): one card and four under DDP at the same
    iteration speed - each iteration holds four times the samples, which the answer explains first."""
    c = run_consultation("我这里采用DDP训练，gpu利用率100%，但是1张卡和4张卡的训练速度是相同的，您知道是为什么吗？", kb=kb)
    assert c.wm.value("claim_iteration_time_same_across_gpus") is True and c.wm.value("num_gpus") == 4
    assert c.advice.findings[0].id == "finding-iteration-time-same-across-gpus"


def test_full_fine_tuning_faster_than_lora_in_chinese(kb):
    """rq-2820 ("结果在耗时上全参微调比LoRA更快，大约快了将近五分之一"): full fine-tuning a fifth faster than LoRA, said
    in Chinese word order - the answer says what LoRA does and does not skip."""
    c = run_consultation("在使用Qwen2.5VL做实验时发现，同样的数据，同样的batch size，只有全参和LoRA的不同，结果在耗时上"
                         "全参微调比LoRA更快，大约快了将近五分之一，想了解一下为什么会这样呢", kb=kb)
    assert c.advice.findings[0].id == "finding-lora-not-faster-than-full"


def test_a_bf16_dtype_on_a_turing_card_and_an_epochs_time_in_chinese(kb):
    """'四张NVIDIA Titan RTX 24GB … 训练一轮大约需要6小时 … 单张3090训练3.9h' with `--dtype "bfloat16"` (review 61 #11): an
    epoch of 6 hours; bf16 on a card without it leads; the precision is not asked again."""
    c = run_consultation("预训练训练时长\n我用了四张NVIDIA Titan RTX 24GB，训练参数如下，我训练一轮大约需要6小时，虽然titan不如"
                         "3090，但是四张卡与“单张3090训练3.9h”差距有点大\ntorchrun --nproc_per_node=4 train_pretrain.py "
                         "--epochs 2 --batch_size 32 --dtype \"bfloat16\" --accumulation_steps 8", kb=kb)
    assert c.wm.value("epoch_seconds") == 6 * 3600 and c.wm.value("user_goal") == "faster"
    assert c.advice.red_flags[0].id == "rf-bf16-dtype-unsupported"
    assert "precision" not in {q.id for q in c.advice.questions}


def test_an_oom_said_to_come_with_more_accumulation_and_a_size_for_a_name(kb):
    """'在单张A800 (80G) 卡上，LoRA rank 8 微调一个4B的模型 … batch size设为1的时候，只有gradient accumulation step小于64才不会
    OOM，gradient accumulation step设为128也会OOM' (review 61 #1): accumulation costs no memory - the red flag; '一个4B'
    (a 4B model) is a size, no model's name to ask about."""
    c = run_consultation("在单张A800 (80G) 卡上，LoRA rank 8 微调一个4B的模型。换成dpo训练，即使batch size设为2也会OOM。batch "
                         "size设为1的时候，只有gradient accumulation step小于64才不会OOM，gradient accumulation step设为128也"
                         "会OOM。", kb=kb)
    assert c.advice.red_flags[0].id == "rf-accumulation-costs-memory"
    assert not c.wm.known("model_named") and c.wm.value("params") == 4e9


def test_multi_gpu_worse_than_one_in_chinese_order(kb):
    """Review 65 #12: "单机多卡sft的性能比单机单卡差很多" - A 比 B 差 is A worse than B: the same per-device settings on 8
    GPUs make fewer, larger updates."""
    c = run_consultation("GPU number: 8\n同样参数下，单机多卡sft的性能比单机单卡差很多。多卡的loss只能降到0.35左右，而单卡可以降到"
                         "0.0009，这是为什么呢？", kb=kb)
    assert c.wm.value("claim_multi_gpu_worse_result") is True
    assert c.advice.findings[0].id == "finding-more-gpus-fewer-updates"


def test_how_long_is_no_multi():
    """rq-2735: "4090完整训练一次大概需要多长时间" asks how long a run takes - 多长时间 is "how long", not 多 ("multi")."""
    from advisor.reading import chinese

    english = chinese.english_view("4090完整训练一次大概需要多长时间？")[0]
    assert "how long" in english and "multi" not in english


def test_step_times_compared_in_chinese_are_a_scaling_measurement(kb):
    """Review 68 #22: "单卡功耗能跑到0.15秒一个batch … 同样的4卡只能跑到0.35秒一个batch … 单卡和多卡单个gpu上batch一样大" is
    6.67 steps/s on one GPU and 2.86 on four at the same per-GPU batch: 1.71× the samples, 42.9% efficiency."""
    c = run_consultation("多卡速度上不去\n\n单卡功耗能跑到0.15秒一个batch，GPU功耗280w。同样的4卡只能跑到0.35秒一个batch。"
                         "gpu功耗150w。单卡和多卡单个gpu上batch一样大。请问为什么。", kb=kb)
    pairs = c.wm.value("steps_per_second_by_gpus")
    assert [gpus for gpus, _ in pairs] == [1, 4]
    assert pairs[0][1] == pytest.approx(1 / 0.15) and pairs[1][1] == pytest.approx(1 / 0.35)
    assert "1.71×" in c.advice.findings[0].title


def test_a_zero_stage_switched_to_after_another_failed(kb):
    """Review 67 #12: "使用Deepspeed ZeRO3配置会出现…报错 … 后面改用Deepspeed ZeRO2 8卡会出现显存OOM": the run is ZeRO-2 (改用 is
    "switched to")."""
    said = read_message(kb, "FULL 全量微调的LLaMA2，使用Deepspeed ZeRO3配置会出现weight-2D xxxxx 报错。后面改用Deepspeed ZeRO2 "
                            "8卡会出现显存OOM。后面修改模式为LoRA，使用ZeRO2配置，可以进行训练")
    assert said["zero_stage"][0] == 2


def test_a_larger_batch_that_makes_the_run_longer_is_a_run_set_in_steps(kb):
    """Review 70 #4 (ChatGLM's train.sh, --max_steps fixed): "after enlarging per_device_train_batch_size the training
    time grows many-fold: 1 hour at the default 1, 13 hours at 16" - each step now trains 16 times the samples."""
    c = run_consultation("per_device_train_batch_size改大后训练时间成倍增加\n参数默认1，跑1个小时。\n改成16，要13个小时。\n"
                         "我理解batch大时间应该缩短一些吧。", kb=kb)
    assert c.wm.value("claim_slower_after_increase") is True and c.wm.value("current_duration") == 13 * 3600
    assert c.advice.findings[0].id == "finding-run-length-set-in-steps"


def test_memory_expected_to_split_evenly_over_the_cards(kb):
    """Review 72 #6: "多卡训练时，所需的16G显存平均分到每张卡上，每张卡只占用8G显存" - the 16 GB one card used, expected halved
    on two: data parallelism keeps a whole copy on each."""
    c = run_consultation("多卡训练占用显存\n我在精度为fp16的情况下，单卡微调训练占用16G显存，使用多卡训练，则需要两个16G显存，但我的理解中，"
                         "多卡训练时，所需的16G显存平均分到每张卡上，每张卡只占用8G显存。请问问题出在哪里了呢", kb=kb)
    assert c.wm.value("claim_gpu_memory_adds_up") is True
    assert c.advice.red_flags[0].id == "rf-gpu-memory-pools"


@pytest.mark.parametrize("run, value", [
    ("数据共三十条", 30), ("两千步", 2000), ("五十万条", 500_000), ("两万五千条", 25_000), ("一百零五", 105),
    ("九十九", 99), ("十条", 10), ("训练了五个小时", 5), ("六张卡", 6),
])
def test_numbers_in_chinese_numerals(run, value):
    """"数据共三十条" is 30 samples: a numeral holding a unit (十, 百, 千, 万), or a lone digit before a measure word."""
    assert [int(english) for _, _, english in chinese.phrases(run) if english.isdigit()] == [value]


@pytest.mark.parametrize("run", ["千万不要", "十分大", "三四十", "第三十", "百分之五十", "十几条", "一样", "三张卡"])
def test_numerals_that_are_no_number(run):
    """千万 "by all means", 十分 "very", 三四十 "thirty or forty", 第三十 "the 30th", 百分之五十 "fifty percent", 十几
    "ten-odd": words, or no count; a lone 三 stays the glossary's "three"."""
    assert not any(english.isdigit() for _, _, english in chinese.phrases(run))


def test_a_data_set_counted_in_chinese_numerals(kb):
    assert facts(kb, "数据共三十条，在单卡上进行sft")["dataset_size"] == 30


@pytest.mark.parametrize("message, gpus, nodes", [("4机8卡 H100 80GB，跑QWEN3-30B-A3B GRPO示例训练", 32, 4),
                                                 ("2机16卡训练72B模型", 16, 2)])
def test_machines_and_cards_said_together(kb, message, gpus, nodes):
    """Review 74 #21: "4机8卡" is 4 machines of 8 cards; "2机16卡" 16 cards over 2 machines."""
    got = facts(kb, message)
    assert (got["num_gpus"], got["num_nodes"]) == (gpus, nodes)


def test_wan_written_as_a_latin_w_before_chinese_data_words():
    """Review 75 #13: "在共计 2200W+ 的句对数据集上训练" is 22 million pairs (W for 万), not 2,200; a power in watts
    ("功耗 300W 的显卡") counts no data."""
    from advisor.reading.reader import read
    from advisor.reading.situation import labels_of
    assert labels_of(read("在共计 2200W+ 的句对数据集上训练了 1 epoch"))["dataset_size"] == 22_000_000
    assert "dataset_size" not in labels_of(read("功耗 300W 的显卡"))


def test_with_a_card_of_so_much_memory(kb):
    """Review 76 #29: "用 24G 的显存是可以执行微调的" - with 24G of GPU memory it fine-tunes: the card's size, not a
    use measured (but "用了24G显存", used 24G, is the run's use)."""
    assert read_message(kb, "用 24G 的显存是可以执行微调的")["gpu_memory"][0] == 24 * 2**30
    found = read_message(kb, "训练时用了24G显存")
    assert "gpu_memory" not in found and found["measured_use"][0] == 24e9


def test_two_cards_do_not_pool_and_lora_without_quantization(kb):
    """Review 76 #29: "xtuner 的 qlora 配置 … 24G 可以 … 不量化的 lora 微调 … 显存不够 … 是不是双卡不能叠加 GPU 显存": the
    run asked about is the LoRA on an unquantized base (the QLoRA worked), and the question is whether two cards add
    up their memory; #28's "两张 T4 能否分担显存负担" asks the same."""
    found = read_message(kb, "我用 xtuner 的 qlora 配置，用 24G 的显存是可以执行微调的。但是我希望尝试不量化的 lora 微调，"
                             "之后显示显存不够。是不是双卡不能叠加 GPU 显存，而是只能加快速度呀？")
    assert (found["adapter"][0], found["base_bits"][0]) == ("lora", 16)
    assert found["claim_gpu_memory_adds_up"][0] is True
    assert read_message(kb, "虽然我不知道两张 T4 能否分担显存负担")["claim_gpu_memory_adds_up"][0] is True
    # in English too; and a QLoRA said alone stays QLoRA
    assert read_message(kb, "QLoRA works on 24GB. But LoRA without quantization OOMs")["adapter"][0] == "lora"
    assert read_message(kb, "QLoRA on a 4090 OOMs")["adapter"][0] == "qlora"


def test_a_use_said_in_total_over_the_cards(kb):
    """Review 75 #10: "4块A10（22731MB显存/块）… 此时一共占用显存50个G": 50 GB in all over four 22.7 GB cards is 12.5 GB
    each, not 50 on one (more than a card holds); a use said of one card stays."""
    found = read_message(kb, "用手上的4块A10（22731MB显存/块）做多卡训练，batch_size降到2才能正常运行，而且此时一共占用显存50个G")
    assert found["measured_use"][0] == 12.5e9 and found["measured_use_summed"][0] == 50e9
    found = read_message(kb, "4块A10（22731MB显存/块），每张卡占用显存20个G")
    assert found["measured_use"][0] == 20e9 and "measured_use_summed" not in found


def test_checkpointing_on_then_another_thing_off(kb):
    """Review 76 #28: "在开启了梯度检查、关闭生成训练预览图的情况下" - checkpointing on, the training preview off: the
    comma ends the setting's words (in English too), and 梯度检查 is checkpointing."""
    assert read_message(kb, "在开启了梯度检查、关闭生成训练预览图的情况下，训练开始之后立刻爆显存了")["grad_checkpointing"][0] is True
    assert read_message(kb, "I enabled gradient checkpointing, and disabled the preview")["grad_checkpointing"][0] is True
    assert read_message(kb, "gradient checkpointing disabled")["grad_checkpointing"][0] is False


def test_two_settings_asked_the_same_in_chinese(kb):
    """Review 78 #27: "双卡…per_device_train_batch_size=1，gradient_accumulation_steps=8的效果和
    per_device_train_batch_size=4，gradient_accumulation_steps=2的效果一样吗" asks whether the two settings are the
    same: both are 16 per update on the two cards."""
    from advisor.consultation import run_consultation
    c = run_consultation("我用双卡微调的时候，per_device_train_batch_size=1，gradient_accumulation_steps=8的效果和"
                         "per_device_train_batch_size=4，gradient_accumulation_steps=2的效果一样吗，都是8个样本更新一次参数吗，"
                         "还是16呀。", kb=kb)
    titles = [f.title for f in c.advice.findings]
    assert titles == ["Batch 1 × 8 steps and batch 4 × 2 are both 16 samples per update"]


def test_a_bit_more_after_a_number_keeps_its_unit(kb):
    """Review 80 #27: "占用了5个多G的显存" is a little over 5 GB of GPU memory used - 多 after a number is "and a bit
    more", and the G stays the number's unit."""
    assert [t.text for t in tokenize("只有8000多M")][-2:] == ["8000", "m"]
    assert read_message(kb, "占用了5个多G的显存")["measured_use"][0] == 5e9
