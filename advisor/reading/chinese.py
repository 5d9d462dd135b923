"""Chinese in a message, read as the English words the reader's cues know.

Engineers post in Chinese as often as in English ("用4个v100训练7b模型，每个显卡的显存占用13gb", "4张A800全参微调",
"600w数据"). The tokenizer hands each run of Chinese characters here; the run is cut into the glossary's phrases,
longest first, and each phrase becomes the English words it means, spanning the Chinese characters it came from (so a
fact quotes the user's own words). Measure words between a count and a card ("4张A800", "4个v100") and characters the
glossary does not know give no word: what follows them starts a word of its own. `万` (and the `w` written for it
after a number) is a unit of 10,000, `亿` of 100,000,000.
"""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# phrase -> the English words it stands for ("" for a word that only separates: measure words, particles)
GLOSSARY: dict[str, str] = {
    # hardware
    "显卡": "gpu", "卡": "gpu", "张卡": "gpus", "块卡": "gpus", "单卡": "single gpu", "多卡": "multi gpu",
    "双卡": "two gpus", "两卡": "two gpus", "四卡": "four gpus", "八卡": "eight gpus",  # ("我用双卡微调": on two GPUs)
    "每张卡": "per gpu", "每张": "per gpu", "每块": "per gpu", "每个卡": "per gpu", "每卡": "per gpu",
    "每个显卡": "per gpu", "每块显卡": "per gpu", "每张显卡": "per gpu",
    "显存": "gpu memory", "内存": "ram", "机器": "machines", "台机器": "machines", "机": "machines", "节点": "nodes",
    "服务器": "servers", "单机": "single node", "多机": "multi node", "多机多卡": "multi node",
    "单机多卡": "single node multi gpu",
    # measure words: no word (a count before them counts what follows: "4张A800")
    "个": "", "张": "", "块": "", "台": "", "的": "", "了": "", "是": "", "在": "", "和": "and",
    # ("数据集有29450条": the data set has 29,450 items - 条 counts records; "有" has, "约" about)
    "条": "samples", "有": "has", "约": "about", "大约": "about",
    # ("我之前用bert-base-chinese设置的batch size是32,现在用…roberta large" - review 85 #28: the earlier run, then this one)
    "之前": "previously", "以前": "previously", "现在": "now",
    # ("在初始化optimizer状态时会报cuda: out of memory", "训到一半的时候OOM了", "直到epoch完oom" - review 86 #13, #18, #6)
    "初始化": "initializing", "状态": "state", "状态时": "state when", "的时候": "when", "时候": "when",
    "训到一半": "halfway through training", "训练到一半": "halfway through training", "跑到一半": "halfway through training",
    "完": "end",
    # training
    "训练": "training", "预训练": "pretraining", "继续预训练": "continued pretraining", "增量预训练": "continued pretraining",
    "微调": "fine tuning", "精调": "fine tuning", "全参微调": "full fine tuning", "全参数微调": "full fine tuning",
    "全量微调": "full fine tuning", "全参": "full fine tuning", "全参数": "full fine tuning", "全量": "full",
    "模型": "model", "大模型": "model", "参数": "parameters", "参数量": "parameters",
    "数据": "samples", "条数据": "samples", "样本": "samples", "数据集": "dataset", "数据量": "samples", "数据量有": "dataset has",
    "原来的一半": "half of the original", "一半": "half", "原来的": "the original", "原来": "the original",
    "论文": "paper", "论文的数据": "the paper's results", "论文中的": "the paper's", "结果": "results",
    "相差很大": "differ a lot", "差距很大": "differ a lot", "差很多": "differ a lot", "我改成": "changed to",
    "我改为": "changed to", "我设置为": "set to", "我设为": "set to", "我设置成": "set to",
    "步": "steps", "迭代": "iterations", "次迭代": "iterations", "步数": "steps", "训练步数": "training steps",
    "轮": "epochs", "总": "total", "总共": "total",
    "样本数": "samples", "训练样本数": "training samples", "样本量": "samples", "预期": "expected", "倍": "times", "双倍": "double", "两倍": "twice", "指的是什么": "what does it mean",
    "各个": "each", "各自": "each", "独自为战": "trains independently", "实际上": "actually", "相差无几": "about the same",
    "批大小": "batch size", "批次大小": "batch size", "批量大小": "batch size", "梯度累积": "gradient accumulation",
    "梯度累加": "gradient accumulation", "梯度累计": "gradient accumulation",  # ("梯度累计步数是128", review 56 #14)
    "梯度累计步数": "gradient accumulation steps", "梯度累积步数": "gradient accumulation steps",
    "梯度检查点": "gradient checkpointing", "学习率": "learning rate",
    "梯度检查": "gradient checkpointing", "调用": "use",  # ("开启了梯度检查", "只能调用一个显卡" - review 76 #28)
    "分辨率": "resolution",  # ("生成1024甚至更高分辨率的图": an image's side, no batch - review 77 #18)
    # ("我使用了48G的显存的显卡": I use a card of 48G memory - review 77 #29: the card's size, not a use measured)
    "的显存的显卡": "card", "显存的显卡": "card",
    "序列长度": "sequence length", "长度": "length", "层": "layers",  # ("设置个10层这样能跑": 10 layers, no batch)
    "混合精度": "mixed precision", "半精度": "half precision",
    # ("多gpu理论上训练步数应该线性递减": on several GPUs the steps should in theory fall linearly)
    "多": "multi", "减少": "decrease", "递减": "decrease", "线性递减": "decrease linearly", "理论上": "in theory",
    # ("其它llama的7B模型…可以训练…seqlen=4096, 百川模型只能训练到seqlen=2048 … 训练速度其它模型可以达到3300token/s/gpu,
    # 百川只有2200token/s/gpu": other models' runs beside the user's Baichuan)
    # ("可以" alone gives no word: "如果可以的话" - if you can - is politeness, not a question whether something can run)
    "其它": "other", "其他": "other", "只能": "can only", "达到": "reach", "速度": "speed",
    "大幅下降": "dropped sharply", "下降": "dropped", "变慢": "slower",  # ("训练速度大幅下降" - review 88 #27)
    "训练速度": "training speed", "百川": "baichuan",
    # ("能降低显存消耗吗? 我试验了…中保留和去掉--deepspeed，显存占用几乎是一样的": with and without DeepSpeed, almost the same)
    "降低": "reduce", "保留和去掉": "with and without", "去掉": "without", "几乎": "almost", "太小": "too small",
    "试验了": "tried", "尝试了": "tried", "试了": "tried",
    "量化": "quantization", "优化器": "optimizer", "不量化的": "unquantized", "不量化": "unquantized",
    "非量化": "unquantized",
    # counts said in words before a measure word
    "一张": "one", "一块": "one", "单张": "single", "单块": "single", "一个": "one", "一台": "one", "两": "two", "两张": "two", "两块": "two",
    "两个": "two", "两台": "two", "三": "three", "四": "four", "八": "eight",
    # what happened
    # ("第一个卡显存会爆掉，但是第二和第三张卡还有很多显存": the first card runs out, the second and third have much free)
    "显存会爆掉": "runs out of memory", "会爆掉": "runs out of memory", "爆掉": "out of memory",
    "第一个卡": "first card", "第一张卡": "first card", "第一块卡": "first card", "第二张卡": "second card",
    "第二和第三张卡": "second and third cards", "还有很多显存": "still have lots of free memory",
    # ("是都意味着我用两张显卡训练的时候batchsize自动设置成8": does it mean that when I train on two cards … - review 73 #30)
    "意味着": "mean", "的时候": "when", "时候": "when",
    "出错": "goes wrong", "时出错": "goes wrong",  # ("梯度累计在transformers>=4.46.0时出错": accumulation goes wrong)
    # ("在openai-medium的基础上做微调爆ram了": the host's RAM ran out - review 83 #14; 显存 is the GPU's)
    "爆": "ran out of", "爆了": "ran out of memory", "会爆": "runs out of memory",  # ("显存爆了", "单卡会爆")
    "报错": "error", "爆显存": "out of memory", "显存不足": "out of memory", "显存不够": "out of memory",
    "显存溢出": "out of memory", "溢出显存": "out of memory", "溢出": "overflow", "占用": "uses", "占显卡": "gpu memory usage", "占显存": "gpu memory usage", "显存占用": "memory usage", "显存占用了": "memory usage",
    # ("单卡和多卡内存消耗几乎一样": a single GPU's and several GPUs' memory use almost the same - 内存 said of the GPUs)
    "内存消耗": "memory usage", "显存消耗": "memory usage", "几乎一样": "almost the same", "差不多": "about the same", "一样大": "the same", "一样": "the same",
    # ("我是了dpo full跟dpo lora，给我的感觉显存占用没什么区别": full and LoRA DPO use about the same memory - review 89 #11)
    "没什么区别": "about the same", "没有什么区别": "about the same", "没有区别": "the same", "没区别": "the same",
    "区别不大": "about the same", "差别不大": "about the same", "跟": "and",
    # ("8k长度上述参数24g正好差一点点": at 8k, 24 GB is just short - it runs out by a little)
    "正好差一点点": "just out of memory", "差一点点": "just out of memory",
    # ("所需的16G显存平均分到每张卡上": the 16 GB needed split evenly over the cards - review 72 #6)
    "平均分到": "split evenly over", "平均分配到": "split evenly over", "均分到": "split evenly over",
    "分摊到": "split evenly over", "平分到": "split evenly over",
    "增大": "increase", "加大": "increase", "调大": "increase", "升到": "rises to", "涨到": "rises to", "增加到": "rises to", "降到": "drops to", "改成": "changed to",
    "改为": "changed to", "默认": "", "默认的": "", "用": "with",
    # ("per_device_train_batch_size改大后训练时间成倍增加": after enlarging it, the training time grows many-fold - review
    # 70 #4; "要13个小时": takes 13 hours)
    "改大后": "after increasing", "调大后": "after increasing", "增大后": "after increasing", "加大后": "after increasing",
    "改大": "increase", "训练时间": "training time", "时间": "time", "成倍增加": "increases many-fold",
    "成倍": "many-fold", "增加": "increases", "缩短": "shorter", "变长": "longer", "个小时": "hours", "要": "takes",
    "从": "from", "到": "to", "调整到": "to", "调到": "to", "改到": "to", "减小到": "to", "减少到": "to",
    "设置成": "set to", "设置为": "set to", "设为": "set to", "设成": "set to", "设置": "set", "把": "",
    "一段时间后": "for a while then", "一段时间之后": "for a while then",  # ("训练一段时间后就会溢出显存")
    # ("显存一直在往上涨？一会就 OOM 了": the memory keeps rising; after a while it runs out)
    "一直在往上涨": "keeps increasing during training", "一直往上涨": "keeps increasing during training",
    # ("开始占用显存为8G左右，之后逐渐增大，一天之后显存超过24G爆掉": it starts near 8 GB, then grows until it runs out
    # after a day - review 78 #28)
    "逐渐增大": "keeps increasing during training", "逐渐增加": "keeps increasing during training",
    "逐渐上升": "keeps increasing during training", "慢慢增加": "keeps increasing during training",
    "一直在涨": "keeps increasing during training", "一直涨": "keeps increasing during training",
    # ("单卡训练没有问题，多卡情况会OOM … 单卡训练时有20GB的显存是盈余的": fine on one GPU, OOM on several; 20GB spare)
    "没有问题": "is fine", "没问题": "is fine", "可以正常训练": "trains fine", "正常训练": "trains fine",
    # ("同参数情况下，单卡正常运行，多卡DDP显存OOM": the same settings run fine on one card, OOM on several under DDP)
    "正常运行": "runs fine", "可以正常运行": "runs fine", "正常跑": "runs fine", "可以正常跑": "runs fine",
    "同参数": "the same settings", "同样的参数": "the same settings", "情况下": "", "按理说": "in theory",
    "很奇怪": "strange", "奇怪": "strange",
    # ("是不是双卡不能叠加 GPU 显存，而是只能加快速度": two cards cannot add up their memory, only speed it up? "两张 T4
    # 能否分担显存负担": whether two T4s can share the memory load - review 76 #28, #29)
    "叠加": "add up", "分担": "share", "负担": "load", "能否": "whether",
    "是不是": "is it that", "能不能": "whether", "不知道": "wonder",  # (questions, no negation)
    # ("batch是不是得减半": must the batch be halved - review 88 #16)
    "是不是得": "is it that we need to", "得减半": "need to be halved", "减半": "halved",
    # ("全参数微调和 lora 微调占用的显存一致": the same memory; "1张卡和4张卡的训练速度是相同的": the same speed)
    "一致": "the same", "相同": "the same", "是相同的": "is the same", "是一样的": "is the same",
    "是盈余的": "spare", "盈余": "spare", "富余": "spare", "剩余": "left",
    # ("gradient_checkpointing 配置前后，显存和内存没有变化": before and after, memory did not change - review 82 #28)
    "没有变化": "did not change", "没变化": "did not change", "没有改变": "did not change",
    "持续增加": "keeps increasing during training", "持续增长": "keeps increasing during training",
    "不断增加": "keeps increasing during training", "直到溢出": "until out of memory", "直至": "until", "直到": "until",
    "一会就": "after a while", "一会儿就": "after a while",
    # ("随着训练数据会越来越长，在训练到中期某个时刻还是会爆显存": the samples grow longer; midway through training it
    # still runs out of memory)
    "后来": "later",  # ("我后来改成了：…": I later changed it to - the setup revised)
    "训练到中期": "midway through training", "中期": "midway", "某个时刻": "at some point", "越来越长": "longer and longer",
    "还是会": "still",
    # ("这个要多大的gpu才行？… 24G都不行": how big a GPU does it need? 24G does not work)
    "要多大的": "how big a", "需要多大的": "how big a", "多大的": "how big a", "才行": "do i need",
    "都不行": "does not work", "不行": "does not work",
    # ("单机多卡训练-显存负载不均衡 … 2张卡显存打满，其他两张空余很多": memory uneven across the GPUs)
    "显存负载不均衡": "memory uneven across gpus", "显存不均衡": "memory uneven across gpus",
    "负载不均衡": "load uneven across gpus", "显存打满": "memory full", "空余很多": "much memory free",
    "即使": "even", "小于": "below", "低于": "below", "大于": "above", "高于": "above", "显卡内存": "gpu memory", "只有": "only", "应该为": "should be", "应该是": "should be",
    "开到": "size",  # "block开到512": the block (the sequence length) opened up to 512
    "现存": "gpu memory",  # "24G现存的单卡": 显存 as it is often mistyped (the same sound)
    "压缩到": "changed to", "缩小到": "changed to", "换成": "changed to",
    # ("使用ZeRO3配置会报错 … 后面改用ZeRO2" - review 67 #12: switched to ZeRO-2 after ZeRO-3 failed)
    "改用": "switched to", "换用": "switched to", "切换到": "switched to", "切换为": "switched to",
    # ("最低需要 A100 80G * 3": what a run needs at least, someone's estimate - not the user's GPUs)
    "最低需要": "needs at least", "至少需要": "needs at least", "最少需要": "needs at least", "需要": "needs",
    "应该": "should", "如果": "if", "我": "i", "我的": "my", "我们": "we", "我用": "i use", "我们用": "we use",
    "用了": "using", "使用": "using", "开启": "enabled", "开启了": "enabled", "打开": "enabled",
    "关闭": "disabled", "没有": "no", "没": "no", "不": "not", "未": "not", "依旧": "still", "还是": "still",
    # ("是单卡还是多卡呢": single or several cards - 还是 between two choices is "or", not "still")
    "还是多卡": "or multi gpu", "还是单卡": "or single gpu", "我看": "i read",
    "很慢": "slow", "慢": "slow", "快": "fast", "更快": "faster", "更慢": "slower",
    # ("发现训练的比较慢。因为显存不够，模型开启了8bit。是因为这个原因吗？A6000 Ada会快点嘛？": training is rather slow;
    # because memory was short the model is 8-bit - is that why? would an A6000 Ada be faster? - review 83 #13)
    "快点": "faster", "会快点": "would be faster", "会更快": "would be faster", "因为": "because",
    "是因为": "is it because", "这个原因": "this reason",
    # ("全参微调比LoRA更快": full fine-tuning than LoRA faster - the comparison in Chinese word order)
    "多长时间": "how long", "多久": "how long",  # ("需要多长时间": how long it takes - not 多, "multi")
    # ("为什么增大显卡数量无法加快训练速度": why does increasing the GPU count not speed up training - review 66 #23)
    "数量": "count", "无法": "cannot", "加快": "speed up", "运行时间": "run time", "节省": "saved",
    "性能": "performance", "效果": "results",  # ("多卡的性能比单卡差很多": multi-GPU performance much worse than one GPU)
    "比": "than", "比较": "rather", "相比": "compared with", "对比": "compared with",
    "加速": "speedup", "但是": "but", "但": "but", "可是": "but",
    "能跑": "works", "可以跑": "works", "跑不起来": "fails", "跑": "run", "就": "",
    # asking
    "为什么": "why", "怎么": "how", "如何": "how", "请问": "", "是否": "whether", "多少": "how much",
    # ("至少需要多少张A100 80G的卡": needs at least how many A100 80G cards - a count of cards, not an amount)
    "多少张": "how many", "多少块": "how many", "多少台": "how many", "几张": "how many", "几块": "how many",
    "几台": "how many",
    "正常吗": "normal ?", "吗": "", "呢": "", "嘛": "",
    # ("A的效果和B的效果一样吗": is A the same as B? - review 78 #27: two settings compared)
    "的效果和": "the same as", "的效果一样吗": "?",
    # ("在训练的时候会有out of memory现象出现嘛？": will there be an out-of-memory error in training? - review 73 #5: a
    # question, no OOM that happened; "现象出现" the phenomenon appears)
    "会有": "will there be", "会不会": "will", "现象": "",
    # ("训练一轮大约需要6小时 … 单张3090训练3.9h": an epoch takes about 6 hours; one 3090 trains it in 3.9 h)
    "训练时长": "training time", "一轮": "one epoch", "每轮": "each epoch", "每": "every", "每隔": "every", "每训": "every", "这": "these", "那": "those", "大约需要": "takes about",
    "需要约": "takes about", "小时": "hours", "分钟": "minutes", "秒": "seconds", "秒钟": "seconds",
    # ("单卡能跑到0.15秒一个batch … 4卡只能跑到0.35秒一个batch": 0.15 seconds a batch - review 68 #22)
    "秒一个": "seconds a", "秒一步": "seconds a step", "秒每步": "seconds per step",
    "差距有点大": "differ a lot", "差距很大": "differ a lot",
    # numbers' units
    "万": "wan", "亿": "yi",
}
LONGEST = max(len(p) for p in GLOSSARY)

# full-width marks read as the ASCII ones the reader splits sentences and lists at
MARKS = {"，": ",", "。": ".", "？": "?", "！": "!", "：": ":", "；": ";", "（": "(", "）": ")", "、": ",",
         "【": "[", "】": "]", "“": '"', "”": '"'}


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


# A number written in Chinese numerals ("数据共三十条": 30 samples, "两千步": 2,000 steps, "五十万条": 500,000): digits
# before the units 十, 百, 千 (and 万 for ten thousands). It must hold a unit - a lone digit ("三") is the glossary's
# word - and open with a digit or 十, so 千万 ("by all means"), 万一 ("in case") and 百分之 ("percent") stay words.
DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL = re.compile("[一二两三四五六七八九十][零一二两三四五六七八九十百千万]*")
# what a numeral may not be followed by: 十分 is "very" (unless 十分钟, ten minutes), 十几/几十 "a dozen or so"
MEASURES = frozenset("个张块台条轮步次层天小秒分")
NOT_AFTER = {"分": "钟", "几": None, "多": None, "来": None}


def _below_ten_thousand(text: str) -> int | None:
    """The value of "三十", "一百零五", "两千三百" (units falling, each after at most one digit), else None."""
    total, digit, last_unit = 0, None, 10_000
    for char in text:
        if char in DIGITS:
            if digit:  # two digits in a row ("三四十": thirty or forty) is no number; after 零 ("一百零五") one may follow
                return None
            digit = DIGITS[char]
        else:
            unit = UNITS[char]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit:
        total += digit
    return total


def numeral(run: str, i: int) -> tuple[int, int] | None:
    """(end, value) of the Chinese numeral starting at run[i], where one starts there and holds a unit."""
    match = NUMERAL.match(run, i)
    if match is None:
        return None
    text = match.group()
    after = run[match.end():match.end() + 1]
    if after in NOT_AFTER and run[match.end() + 1:match.end() + 2] != NOT_AFTER[after]:
        return None
    if not any(char in UNITS or char == "万" for char in text):
        # a lone digit counts only before a measure word or a unit ("五个小时": five hours, "六张卡": six cards)
        if len(text) > 1 or after not in MEASURES:
            return None
    high, _, low = text.partition("万")
    if "万" in low or high == "":
        return None
    high_value = _below_ten_thousand(high)
    low_value = _below_ten_thousand(low) if low else 0
    if high_value is None or low_value is None:
        return None
    value = high_value * 10_000 + low_value if "万" in text else high_value
    return match.end(), value


def phrases(run: str) -> list[tuple[int, int, str]]:
    """(start, end, English words) of each glossary phrase in a run of Chinese characters, longest first from the
    left; characters the glossary does not know are skipped (they give no word). A Chinese numeral longer than the
    phrase found there gives its value in digits ("30"). Linear: at most LONGEST lookups per character."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(run)
    while i < n:
        # (not inside a run of numerals - "三四十" is "thirty or forty" - nor after 第 or 之: "第三十" is the 30th,
        # "百分之五十" fifty percent)
        before = run[i - 1] if i else " "
        opens = (run[i] in DIGITS or run[i] == "十") and before not in DIGITS and before not in UNITS \
            and before not in "第之万"
        number = numeral(run, i) if opens else None
        if number is not None:
            longest = next((size for size in range(min(LONGEST, n - i), 0, -1) if run[i:i + size] in GLOSSARY), 0)
            if number[0] - i > longest:
                out.append((i, number[0], str(number[1])))
                i = number[0]
                continue
        for size in range(min(LONGEST, n - i), 0, -1):
            english = GLOSSARY.get(run[i:i + size])
            if english is not None:
                if english:
                    out.append((i, i + size, english))
                i += size
                break
        else:
            i += 1
    return out


def english_view(message: str) -> tuple[str, list[tuple[int, int]]]:
    """The message with its Chinese read as English words, for the phrase patterns ("多卡微调就OOM，但是单卡能跑" is
    "multi gpu fine tuning oom , but single gpu runs"), and for each character of it the span of the message it came
    from, so a match quotes the user's own characters. A word from Chinese is set apart by spaces; the rest keeps the
    message's own spacing."""
    from advisor.reading.tokens import tokenize

    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    before_cjk = False
    for token in tokenize(message):
        cjk = has_cjk(message[token.start:token.end])
        # (no space at a line's ends: the view is already in the form the patterns' reader normalises to)
        if parts and parts[-1] != "\n" and token.kind != "nl" and (token.space_before or cjk or before_cjk):
            parts.append(" ")
            spans.append((token.start, token.start))
        text = "\n" if token.kind == "nl" else token.text
        parts.append(text)
        spans.extend([(token.start, token.end)] * len(text))
        before_cjk = cjk
    return "".join(parts), spans


def original_words(message: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """The message's own words for the stretch [start, end) of its English view."""
    covered = [span for span in spans[start:end] if span[1] > span[0]]
    if not covered:
        return ""
    return message[covered[0][0]:max(span[1] for span in covered)]

