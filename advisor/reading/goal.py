"""The user's goal: what they want from the advisor.

fit             make a run fit in memory (an OOM, "how much memory", "how many GPUs do I need")
faster          make it faster (slow steps, low GPU utilisation, throughput)
match_reference match a paper's, a README's or the authors' setup or results
choose_lr       choose a learning rate (for a new batch size, more GPUs)
choose_batch    choose a batch size
explain_result  explain something the user observed or read (why X uses more memory than Y, what a flag means,
                whether two setups are equivalent, why accuracy dropped)

The goal is a judgement over the whole message, so it is read as one: cue phrases vote for a goal, a vote in a
question counts three times as much as one in a statement (the question is what the user asks the advisor),
and a few facts of the situation add their weight (an OOM votes for fit; comparing two setups, or memory that
did not change when it should have, votes for an explanation). The goal with the most votes wins; with no vote,
no goal is read (the advisor asks). One pass over the words of each sentence: linear in the message.
"""

from __future__ import annotations

# cue phrase (word keys, as the reader's phrase index builds them) -> (goal, weight)
GOAL_CUES: list[tuple[str, str, float]] = [
    # fit: the run does not fit, or how much it needs
    ("oom", "fit", 1), ("out of memory", "fit", 1), ("fit", "fit", 1), ("fits", "fit", 1), ("fit into", "fit", 1),
    ("not enough", "fit", 1), ("enough memory", "fit", 1), ("how much memory", "fit", 2),
    ("how much gpu memory", "fit", 2), ("how much vram", "fit", 2), ("how much cuda memory", "fit", 2),
    ("how many gpus", "fit", 1), ("how many a100 gpus", "fit", 1), ("minimum gpu", "fit", 2), ("need", "fit", 1),
    ("needed", "fit", 1), ("required", "fit", 1), ("minimum", "fit", 1), ("don ' t know why", "fit", 1),
    ("errors out", "fit", 1), ("saves gpu memory", "fit", 1), ("memory blow up", "fit", 1),
    ("minimum memory", "fit", 2), ("minimum needed", "fit", 2), ("memory is needed", "fit", 2),
    ("vram usage", "fit", 1), ("reduce the vram", "fit", 2), ("reduce gpu memory", "fit", 2),
    ("save gpu memory", "fit", 2), ("save memory", "fit", 1), ("reduce memory", "fit", 1.5),
    ("reduce the memory", "fit", 1.5),
    # a larger batch that memory does not allow: "I still can't increase the batch size" (a wish alone, "I want to
    # increase the batch_size", may be a question of how the loader reads it)
    ("can ' t increase the batch size", "fit", 2), ("cannot increase the batch size", "fit", 2),
    ("takes up a lot of memory", "fit", 1.5), ("trouble with memory usage", "fit", 1.5),
    ("too much gpu memory", "fit", 1.5), ("too much memory", "fit", 1.5), ("too much vram", "fit", 1.5),
    ("memory go lower", "fit", 2), ("get it down", "fit", 1), ("bring it down", "fit", 1),
    ("bring down the memory", "fit", 2), ("bring the memory down", "fit", 2), ("way around it", "fit", 1),
    # "how you're fitting two SDXL UNets on a single A800 … optimizations to bring memory down" (review 51 #18)
    ("bring memory down", "fit", 2), ("how you ' re fitting", "fit", 2), ("how are you fitting", "fit", 2),
    ("how did you fit", "fit", 2), ("how do you fit", "fit", 2),
    ("is there a fix", "fit", 1),
    ("can it be done on", "fit", 2), ("be fine tuned on", "fit", 1), ("be fully fine tuned on", "fit", 1),
    ("finetune", "fit", 0.3), ("fine tune", "fit", 0.3), ("is it possible to run", "fit", 1),
    ("should be enough", "fit", 1), ("enough to", "fit", 0.5), ("maximum token length", "fit", 1),
    ("memory problem", "fit", 1), ("gpu requirements", "fit", 2), ("gpu spec", "fit", 2), ("resources", "fit", 0.5),
    ("sufficient", "fit", 1), ("memory requirements", "fit", 2), ("memory requirement", "fit", 1.5),
    ("memory utilization", "fit", 1.5), ("memory utilisation", "fit", 1.5),  # memory's, not the cores' busyness
    # slowness accepted to make it fit ("can I let it run slower but finish?", "even if it takes longer")
    ("slower but", "fit", 2), ("even if slower", "fit", 2), ("even if it is slower", "fit", 2),
    ("even if it ' s slower", "fit", 2), ("even if it runs slower", "fit", 2), ("even if it takes longer", "fit", 2),
    # faster
    ("slow", "faster", 1), ("slower", "faster", 1), ("faster", "faster", 1), ("speed", "faster", 1),
    ("speed up", "faster", 1), ("throughput", "faster", 1), ("utilization", "faster", 1),
    ("utilisation", "faster", 1), ("properly utilized", "faster", 1), ("gpu utilized", "faster", 1),
    ("gpus utilized", "faster", 1), ("underutilized", "faster", 1), ("gpu util", "faster", 1),
    ("gpu usage", "faster", 1), ("it/s", "faster", 1), ("slowness", "faster", 1), ("slows down", "faster", 1),
    ("takes longer", "faster", 1), ("much longer", "faster", 1), ("much more time", "faster", 1),
    # ("an estimate of the expected completion time … I've observed low VRAM usage" - review 69 #19: a run that trains,
    # its time the question, its memory use low - no fit to reach)
    ("completion time", "faster", 1), ("expected time", "faster", 1), ("estimated time", "faster", 1),
    ("low vram usage", "faster", 1.5), ("low gpu memory usage", "faster", 1.5), ("low memory usage", "faster", 1.5),
    # ("finetune with much longer context length up to 32768": a longer input to fit, not a slower run)
    ("much longer context", "fit", 1), ("much longer sequence", "fit", 1), ("much longer sequences", "fit", 1),
    # "it's taking about twice as long", "what made training that fast?": a run's time against another's
    ("twice as long", "faster", 1), ("times as long", "faster", 1), ("that fast", "faster", 1), ("as fast", "faster", 1),
    ("wps", "faster", 1), ("tps", "faster", 1), ("tokens/s", "faster", 1),  # torchtitan's and others' throughput logs
    ("speedup", "faster", 1), ("speed-up", "faster", 1), ("scaleup", "faster", 1), ("tokens/sec", "faster", 1), ("tokens per second", "faster", 1), ("samples/s", "faster", 1),
    ("samples/sec", "faster", 1), ("images/s", "faster", 1), ("images/sec", "faster", 1), ("img/s", "faster", 1),
    ("waiting for data", "faster", 1), ("per iteration", "faster", 0.5), ("training time", "faster", 1),
    ("takes too long", "faster", 1), ("mfu", "faster", 1), ("all reduce", "faster", 0.5), ("all reduces", "faster", 1),
    ("efficiency", "faster", 1),
    # the loader's workers asked about ("how do I change the number of workers … to make full use of the GPU?"): the
    # GPU waits for data, so the run is to be made faster, not its batch chosen
    ("number of workers", "faster", 2.5), ("dataloader workers", "faster", 2.5),
    # match a reference
    ("reproduce", "match_reference", 2), ("replicate", "match_reference", 2), ("same results", "match_reference", 1),
    ("same result", "match_reference", 1), ("match the paper", "match_reference", 2),
    ("the paper's result", "match_reference", 2), ("in the paper", "match_reference", 1),
    # ("miou just 45.11, how to reduce the gap with the paper" - review 70 #14)
    ("gap with the paper", "match_reference", 2), ("gap to the paper", "match_reference", 2),
    ("gap between the paper", "match_reference", 2), ("lower than the paper", "match_reference", 2),
    ("lower than reported", "match_reference", 2),
    ("what hardware did you use", "match_reference", 3), ("what gpu was used", "match_reference", 3),
    ("what gpus did you use", "match_reference", 3), ("what device did you use", "match_reference", 3),
    ("what hardware", "match_reference", 2), ("your code could", "match_reference", 2),
    ("the original", "match_reference", 1), ("equivalent to using more gpus", "match_reference", 2),
    ("official way", "match_reference", 1), ("was this on", "match_reference", 2), ("were these on", "match_reference", 2),
    ("was it trained on", "match_reference", 2), ("were you using", "match_reference", 2),
    # asking the authors for their setup: "what batch size did you use?", "could you share your hardware settings?"
    ("did you use", "match_reference", 3), ("your hardware", "match_reference", 2), ("you used", "match_reference", 3),
    ("your settings", "match_reference", 2), ("your parameter settings", "match_reference", 2),
    ("your hardware settings", "match_reference", 2), ("did you train", "match_reference", 1),
    # what the authors' own run was ("your batch size for training the 7B", "the GPU memory of your machine", "how
    # many GPUs and how much time it took to train"): their setup, to match
    ("your batch size", "match_reference", 2), ("your batch", "match_reference", 1.5),
    ("your params", "match_reference", 2), ("your parameters", "match_reference", 2),
    ("your machine", "match_reference", 2), ("your setting", "match_reference", 2),
    ("your config", "match_reference", 2), ("your configuration", "match_reference", 2),
    ("your environment", "match_reference", 2), ("your training environment", "match_reference", 2),
    ("your train environment", "match_reference", 2),  # "can you explain your train environment, how many GPUs?"
    # "How many GPUs were used? … What is the final batchsize?" (review 55 #17): the authors' GPUs, not a count to fit
    # (the whole question, so that it is read before "how many gpus")
    ("how many gpus were used", "match_reference", 2), ("how many gpus did you use", "match_reference", 2),
    ("how many gpus did you train", "match_reference", 2), ("how many gpus were you using", "match_reference", 2),
    ("did it take", "match_reference", 2), ("it took to train", "match_reference", 2),
    ("did you really", "match_reference", 2), ("official results", "match_reference", 2),
    ("official result", "match_reference", 2),
    # a result below the authors' or the paper's: "lower mean IoU than yours", "0.5 lower than reported"
    # (not "more parameters than the paper in question": a count compared, no result short of it)
    ("than yours", "match_reference", 2), ("worse than the paper", "match_reference", 2),
    ("lower than the paper", "match_reference", 2), ("less than the paper", "match_reference", 2),
    ("than the paper reports", "match_reference", 2), ("than the paper's", "match_reference", 2),
    ("than the paper s", "match_reference", 2), ("than the papers", "match_reference", 2),
    ("than reported", "match_reference", 2), ("than the reported", "match_reference", 2),
    ("than in the paper", "match_reference", 2),
    # choose a learning rate (only the words: "lr = 3e-4" in a config names a value, not a question)
    ("learning rate", "choose_lr", 1), ("lr", "choose_lr", 1), ("base lr", "choose_lr", 1),
    ("linear scaling", "choose_lr", 1), ("scaling rule", "choose_lr", 1), ("scale the learning rate", "choose_lr", 2),
    ("learning rate scaling", "choose_lr", 1), ("lr scaling", "choose_lr", 1),
    ("adjust the learning rate", "choose_lr", 2), ("change the learning rate", "choose_lr", 2),
    ("change the initial learning rate", "choose_lr", 2), ("initial learning rate", "choose_lr", 1),
    ("change the lr", "choose_lr", 2), ("set the learning rate", "choose_lr", 2), ("scale the lr", "choose_lr", 2),
    # choose a batch size
    ("which batch size", "choose_batch", 2), ("what batch size", "choose_batch", 2),
    # "I want to use the GPU fully, how should I set the parameters?": the settings that fill the card
    ("use the gpu fully", "choose_batch", 2), ("fully use the gpu", "choose_batch", 2),
    ("make full use of the gpu", "choose_batch", 2), ("full use of the gpu", "choose_batch", 2),
    ("which batch sizes", "choose_batch", 2), ("what batch sizes", "choose_batch", 2),
    ("what values to try", "choose_batch", 1), ("batch sizes to try", "choose_batch", 2),
    ("leave batch size", "choose_batch", 2), ("leave the batch size", "choose_batch", 2),
    ("multiply the batch size", "choose_batch", 2), ("keep the batch size", "choose_batch", 1.5),
    ("batch size per gpu", "choose_batch", 0.5), ("batch size per processor", "choose_batch", 1),
    ("recommended batch size", "choose_batch", 2), ("best batch size", "choose_batch", 2),
    ("optimal batch size", "choose_batch", 2), ("how big a batch", "choose_batch", 2),
    ("divide the batch size", "choose_batch", 2), ("desired batch size", "choose_batch", 2),
    ("batch size also increase", "choose_batch", 2), ("keep the per gpu batch size", "choose_batch", 2),
    ("minimum batch size", "choose_batch", 2), ("samples per batch", "choose_batch", 1),
    ("effective batch size of", "choose_batch", 1), ("batch size must", "choose_batch", 2),
    ("batchsize must", "choose_batch", 2), ("must the batch size", "choose_batch", 2),
    # how much accumulation reaches a batch: "How many GA steps to match?"
    ("how many ga steps", "choose_batch", 2), ("how many accumulation steps", "choose_batch", 2),
    ("how many gradient accumulation steps", "choose_batch", 2), ("how much gradient accumulation", "choose_batch", 2),
    ("how much accumulation", "choose_batch", 2), ("how much grad accumulation", "choose_batch", 2),
    ("how much grad accum", "choose_batch", 2), ("how many grad accumulation steps", "choose_batch", 2),
    ("how many grad accum steps", "choose_batch", 2), ("how many accum steps", "choose_batch", 2),
    ("what grad accum", "choose_batch", 2), ("what gradient accumulation", "choose_batch", 2),
    ("what accumulation", "choose_batch", 2), ("which gradient accumulation", "choose_batch", 2),
    ("to match", "match_reference", 1),
    # explain a result
    ("why", "explain_result", 1.5), ("how come", "explain_result", 1.5), ("or is that", "explain_result", 2),
    ("how do you define", "explain_result", 2), ("doesn't that make", "explain_result", 2),
    ("per node or", "explain_result", 2), ("per device or total", "explain_result", 2), ("per device or global", "explain_result", 2), ("per device or across", "explain_result", 2), ("what do", "explain_result", 1), ("is that normal", "explain_result", 2),
    ("is this normal", "explain_result", 2), ("is it normal", "explain_result", 2), ("explain", "explain_result", 2),
    ("what's going on", "explain_result", 2), ("am i right", "explain_result", 2),
    ("am i misunderstanding", "explain_result", 2), ("is it a bug", "explain_result", 2),
    ("is that correct", "explain_result", 2), ("can you confirm", "explain_result", 2),
    ("what exactly", "explain_result", 2), ("how does", "explain_result", 1), ("what does", "explain_result", 1),
    ("does it mean", "explain_result", 1), ("equivalent", "explain_result", 2), ("per gpu or total", "explain_result", 2), ("per gpu or global", "explain_result", 2),
    ("per gpu or across", "explain_result", 2), ("per gpu or in total", "explain_result", 2), ("per gpu or the total", "explain_result", 2),
    ("per gpu or overall", "explain_result", 2), ("per gpu or all", "explain_result", 2),
    ("refer to", "explain_result", 1), ("what's causing", "explain_result", 2), ("seems wrong", "explain_result", 2),
    ("accuracy", "explain_result", 1), ("converges slower", "explain_result", 1), ("worse", "explain_result", 1),
    ("drops", "explain_result", 1), ("lower accuracy", "explain_result", 1), ("batchnorm", "explain_result", 1),
    ("syncbn", "explain_result", 1), ("sync bn", "explain_result", 1), ("bn", "explain_result", 1),
    ("surprised", "explain_result", 2), ("counterintuitive", "explain_result", 2), ("weird", "explain_result", 1),
    ("larger than i expected", "explain_result", 2), ("than i expected", "explain_result", 1),
    ("more memory than", "explain_result", 2), ("uses more memory", "explain_result", 2),
    ("use more memory", "explain_result", 2), ("the same gpu memory", "explain_result", 2),
    ("the same memory", "explain_result", 2), ("memory is unchanged", "explain_result", 2),
    ("unchanged", "explain_result", 1), ("no effect", "explain_result", 2), ("no difference", "explain_result", 2),
    ("makes no difference", "explain_result", 2), ("went up instead", "explain_result", 2),
    ("but not", "explain_result", 1), ("doesn't work", "explain_result", 1), ("calculation", "explain_result", 1),
    ("what did i miss", "explain_result", 1), ("would more epochs help", "explain_result", 2),
    ("times the memory", "explain_result", 2), ("times more memory", "explain_result", 2),
    ("twice the memory", "explain_result", 2), ("twice as much memory", "explain_result", 2),
    ("is that due to", "explain_result", 2), ("loss", "explain_result", 0.5), ("need more memory than", "explain_result", 2),
    # confusion about a result: "How is this possible?", "which confuses me", "Is something going wrong?"
    ("how is this possible", "explain_result", 2), ("how is it possible", "explain_result", 2),
    ("how is that possible", "explain_result", 2), ("don ' t understand", "explain_result", 1.5),
    ("do not understand", "explain_result", 1.5), ("confuses me", "explain_result", 2), ("confused", "explain_result", 1),
    ("confusing", "explain_result", 1), ("is something wrong", "explain_result", 1),
    ("something going wrong", "explain_result", 1.5), ("something wrong with", "explain_result", 1),
    ("did i do something wrong", "explain_result", 1), ("could it be", "explain_result", 1.5),
    # an expectation the result broke: "I expected about 937 steps", "not the 3.5G I'd expect", "I thought fp16 would"
    ("i expected", "explain_result", 2), ("i ' d expect", "explain_result", 2), ("i thought", "explain_result", 1.5),
    ("i would expect", "explain_result", 2), ("than expected", "explain_result", 1.5),
    ("strange", "explain_result", 1), ("runs successfully", "explain_result", 1), ("trains fine", "explain_result", 1),
    ("runs fine", "explain_result", 1), ("works fine", "explain_result", 1), ("it seems", "explain_result", 1),
    # asking for a cause, or a saving that did not come: "What's the reason?", "for some reason", "the memory is
    # not reduced", "is there a gap in my understanding?"
    ("for some reason", "explain_result", 1.5), ("even though", "explain_result", 1),
    ("gap in my understanding", "explain_result", 2), ("my understanding", "explain_result", 1),
    ("what makes", "explain_result", 1.5),
    ("not reduced", "explain_result", 1.5), ("doesn't reduce", "explain_result", 1.5),
    ("does not reduce", "explain_result", 1.5), ("didn't reduce", "explain_result", 1.5),
    ("did not reduce", "explain_result", 1.5), ("no reduction", "explain_result", 1.5),
    ("doesn't decrease", "explain_result", 0), ("didn't decrease", "explain_result", 0),  # (comparisons only)
    ("barely changes", "explain_result", 1.5), ("barely changed", "explain_result", 1.5),
    ("doesn't change", "explain_result", 1), ("does not change", "explain_result", 1),
    ("didn't change", "explain_result", 1), ("stays the same", "explain_result", 1.5),
    ("remains the same", "explain_result", 1.5),
]

# a number (or '=' / ':') right after an LR word names a value of a config, not a question about the LR
_VALUE_AFTER = {"=", ":"}
SCHEDULER_WORDS = {"scheduler", "schedulers", "scheduling"}
# words that put a hardware setup in a question ("can it be done on a 3090?", "is 2x L40S enough?")
HARDWARE = {"gpu", "gpus", "card", "cards", "vram", "gb", "g", "gib", "a100", "h100", "v100", "t4", "3090", "4090"}
CAN = {"can", "could", "possible", "enough", "need", "needs", "needed"}
# words that make a 'why' about memory a question about fitting ("why is 24g still not enough?")
MEMORY = {"memory", "oom", "vram", "enough", "allocate"}
# words that say memory grows while a run goes on (a leak, a cache): the 'why' is a question about the cause
GROWTH = {"increase", "increases", "increasing", "grow", "grows", "growing", "rises", "rising", "climbs", "leak",
          "leaks", "leaking"}
# words that say a run is slow (not how fast a mechanism goes: "why does throughput change?" asks for a mechanism)
SLOW = {"slow", "slower", "slowly", "longer"}
WORKER_CUES = frozenset({"number of workers", "dataloader workers"})  # speed only when asked beside the GPU
# what makes "linear scaling" a speed-up's (not the LR rule's): said beside a speed, with no LR word
SPEED_WORDS = frozenset({"speed", "speedup", "faster", "slower", "throughput", "seconds"})
LR_WORDS = frozenset({"lr", "learning", "rate"})
# what one does to a batch: a question when asked ("should I multiply the batch size?"), a report when said
BATCH_ACTIONS = frozenset({"multiply the batch size", "divide the batch size", "keep the batch size",
                           "leave the batch size", "leave batch size"})
REDUCING = frozenset({"reduce", "reducing", "reduced", "lower", "lowering", "decrease", "decreasing", "save", "saving",
                      "impact", "effect"})
QUESTION_WEIGHT = 3.0
LAST_QUESTION_BONUS = 1.0
OOM_PRIOR = 2.0
HARDWARE_QUESTION = 1.0
# the first goal in this order wins a tie: the more specific request first ("why does throughput change?" asks
# for an explanation before a speed-up)
ORDER = ("choose_batch", "choose_lr", "match_reference", "explain_result", "faster", "fit")


class Sentence:
    """One sentence as the goal reads it: its word keys, the set of them, and whether it asks a question; what a key
    is (a number, part of a flag, its whole word, the words as written) is asked only where a cue matches, through
    the methods a reader's sentence provides."""

    __slots__ = ()
    words: list[str]
    present: set[str]
    question: bool

    def is_num(self, k: int) -> bool:  # key -> whether it is a number
        raise NotImplementedError

    def in_flag(self, k: int) -> bool:  # key -> whether it is part of a command-line flag (`--learning-rate`) or of
        # a config line's comment (`steps = 100  # lr warm up`)
        raise NotImplementedError

    def word_of(self, k: int) -> tuple[int, int]:  # key -> the first and last key of its word (`lr_warmup_steps`)
        raise NotImplementedError

    def text(self, x: int, y: int) -> str:  # (first key, last key) -> the message's words
        raise NotImplementedError

    def called(self, k: int) -> bool:  # key -> whether it is code: a method after a dot (`model.fit(`), a string
        # in quotes (`dm.setup('fit')`)
        raise NotImplementedError


def _of_speed(sentences: list[Sentence], n: int) -> bool:
    """Whether sentence n, with the one before it, speaks of a speed and not of an LR ("epochs take 212 s with 8
    GPUs. I didn't expect perfect linear scaling")."""
    near = sentences[n].present | sentences[n - 1].present if n > 0 else sentences[n].present
    return not near.isdisjoint(SPEED_WORDS) and near.isdisjoint(LR_WORDS)


BATCH_NAMES = frozenset({"batch", "bs", "batch_size", "batchsize"})
BATCHES_WEIGHED = 1.5
CHOOSING = frozenset({"should", "which", "better", "recommend", "recommended", "choose", "pick", "prefer", "best"})


def _batches_weighed(sentence: Sentence) -> bool:
    """Whether a question weighs two batch sizes: a word of choosing, a batch named, then within a few words "N or M"
    ("should I use batch size 32 or 64", "which is better, bs 8 or 16?"; not "is the effective batch 1024, or 256?")."""
    words = sentence.words
    if CHOOSING.isdisjoint(sentence.present):
        return False
    for k, w in enumerate(words):
        if w not in BATCH_NAMES:
            continue
        for j in range(k + 1, min(k + 5, len(words) - 2)):
            if sentence.is_num(j) and words[j + 1] == "or" and sentence.is_num(j + 2):
                return True
    return False


REQUEST_WORDS = frozenset({"provide", "share", "send", "upload", "publish"})


def _training_time_as_a_moment(words: list[str], k: int, after: int) -> bool:
    """Whether the cue words[k:after] is "training time" said as a moment ("at training time", "during training
    time": when something happens), not the time training takes."""
    return words[k:after] == ["training", "time"] and words[k - 1:k] in (["at"], ["during"])


def goal_of(sentences: list[Sentence], oom: str | None, index) -> tuple[str, str] | None:
    """(goal, the words that decided it), or None when nothing votes. `oom` is the words that reported an OOM
    (None when none did); `index` is a PhraseIndex over GOAL_CUES."""
    votes: dict[str, float] = {}
    best_text: dict[str, tuple[float, str]] = {}

    def vote(goal: str, amount: float, phrase: str) -> None:
        votes[goal] = votes.get(goal, 0.0) + amount
        if amount > best_text.get(goal, (0.0, ""))[0]:
            best_text[goal] = (amount, phrase)

    last_question = max((n for n, s in enumerate(sentences) if s.question), default=-1)
    # (a "GPU usage" to reduce, in a message that speaks of GPU memory, is the memory's - not the cores' busyness: "GPU
    # usage is quite low but memory is fully used")
    memory_said = any("memory" in s.present and ("gpu" in s.present or "cuda" in s.present) or "vram" in s.present
                      for s in sentences)
    for n, sentence in enumerate(sentences):
        words = sentence.words
        scale = QUESTION_WEIGHT + (LAST_QUESTION_BONUS if n == last_question else 0.0) if sentence.question else 1.0
        present = sentence.present
        # a doubt about one's settings where memory is concerned is a question about making it fit ("Is the memory
        # requirement just that high, or is something wrong with my settings?"); a plain 'why' asks for the cause
        # ("Why do I get OOM with Unsloth?"), and the OOM itself votes for fitting
        # (nor is a doubt about memory that grows as training goes: "why does memory increase during training?"
        # asks for the cause, a leak or caching, more than for a smaller plan)
        about_memory = sentence.question and bool(present & MEMORY) and not _compares(words, index) \
            and present.isdisjoint(GROWTH)
        # a 'why' about a run that is slow (in its sentence, or the one before a short "Do you know why?")
        about = present | sentences[n - 1].present if len(words) <= 6 and n > 0 else present
        about_slow = sentence.question and bool(about & SLOW) and not about & MEMORY
        # (not a request for the authors' files: "could you provide a config file … using 4 gpus?")
        # (nor "is there anyway we can do multi-GPU training?" - review 66 #29: how to use several GPUs, not fit)
        if sentence.question and present & HARDWARE and present & CAN and not _memory_said_enough(words) \
                and present.isdisjoint(REQUEST_WORDS) and not _only_perceives(words) and not _asks_time(words) \
                and not ({"multi", "multiple", "distributed"} & present and not present & (MEMORY | SPEED_WORDS | {"speed"})):
            # (nor "any configuration I can tweak to improve the multiple GPU result?" - review 69 #6: its accuracy)
            vote("fit", HARDWARE_QUESTION * scale, sentence.text(0, len(words) - 1))
        if sentence.question and present & ADJUST and present & SETTINGS_WORDS and _fewer_gpus(sentences, n):
            # "How to use one GPU for training? How to adjust the parameters?": a recipe carried to fewer GPUs
            vote("match_reference", FEWER_GPUS_QUESTION * scale, sentence.text(0, len(words) - 1))
        if sentence.question and _batches_weighed(sentence):
            # "Should I use batch size 32 or 64 for …?": two batches weighed, which one to choose
            vote("choose_batch", BATCHES_WEIGHED * scale, sentence.text(0, len(words) - 1))
        first_words = index.by_first
        next_cue = 0  # a cue read covers its words: the next one starts after it
        for k in [k for k, w in enumerate(words) if w in first_words]:  # one pass picks where a cue may start
            if k < next_cue:
                continue
            hit = index.at(words, k)
            if hit is None or sentence.in_flag(k):
                continue
            length, (goal, weight) = hit
            after = k + length
            if sentence.word_of(k)[0] < k or sentence.word_of(after - 1)[1] > after - 1:
                continue  # "lr" inside `lr_warmup_steps`: part of another key's name
            next_cue = after
            if goal == "fit" and length == 1 and sentence.called(k):
                continue  # Keras' `model.fit(...)`, Lightning's `setup('fit')`: code, not a wish to fit in memory
            if _training_time_as_a_moment(words, k, after):
                continue  # "decrease batch size at training time": when, not how long training takes
            if words[k] == "faster" and words[after:after + 1] in (["r"], ["rcnn"], ["whisper"]):
                continue  # "Faster R-CNN", "Faster Whisper": a detector's or a library's name, not a wish for speed
            if goal == "faster" and (words[after:after + 1] == ["inference"]
                                     or not sentence.question and not LIBRARY_ADVICE.isdisjoint(present)):
                # a library's log: "converting to bf16 for faster inference", "Warning: import flash_attn fail, please
                # install FlashAttention to get higher efficiency" - its advice, not the user's wish (review 55 #30)
                continue
            # (past the quote that closes a logged dict's key: "'learning_rate': 4.2e-06" - the colon is dropped)
            value_at = after + 1 if words[after:after + 1] in (["'"], ['"']) and after + 1 < len(words) else after
            if goal == "choose_lr" and not sentence.question and value_at < len(words) \
                    and (sentence.is_num(value_at) or words[value_at] in _VALUE_AFTER | SCHEDULER_WORDS):
                # "lr 3e-4", "learning_rate=2e-5" in a statement: a value, not a question about it; "some learning rate
                # schedulers require the number of steps": the scheduler's input, not the LR's value
                continue
            if words[k] == "utilization" and not present.isdisjoint(XLA_LOG_WORDS):
                continue  # XLA's "HLO temp 15.45G (60.9% utilization: Unpadded … Padded …)" (review 90 #11): memory
            if k and sentence.text(k - 1, after - 1).lower().endswith("$" + " ".join(words[k:after])):
                continue  # `--learning_rate $LR` (review 89 #25): a script's variable passed on, no question about it
            if not sentence.question and value_at < len(words) and "=" in sentence.text(after - 1, value_at) \
                    and not sentence.is_num(value_at):
                # `Adam(lr=INIT_LR, decay=1e-6)`, `model.compile(loss='categorical_crossentropy')` (review 88 #24): code
                # that sets a name, no question about it
                continue
            phrase = " ".join(words[k:after])
            if goal == "choose_lr" and phrase == "linear scaling" and _of_speed(sentences, n):
                goal = "faster"  # "I didn't expect perfect linear scaling, but at least 50%": of speed, not the LR
            if phrase == "gpu usage" and memory_said and not REDUCING.isdisjoint(words[max(0, k - 4):k]):
                goal = "fit"  # "which parameters have a greater impact on GPU usage? … using up the GPU memory"
            elif phrase == "gpu usage" and memory_said and n == 0 and not sentence.question:
                continue  # a title "GPU usage and batch size" over a message about the memory: no wish for speed
            if phrase in WORKER_CUES and not (sentence.question and "gpu" in present):
                continue  # (RLlib's rollout workers, a log's "Using 2 dataloader workers": no question about the GPU)
            if goal == "match_reference" and phrase in ("reproduce", "replicate") and _reproduces_a_failure(words, k):
                continue  # an issue template's "Steps to reproduce", "To reproduce the error": the bug, not a result
            if goal == "match_reference" and phrase in ("same result", "same results") and (
                    present & MEMORY or "batch" in present and after == len(words) and not sentence.question
                    and present.isdisjoint(NEGATING)):
                # "almost the same used memory, and with 16 GPUs it is the same result": a measurement again; "if the
                # batch size is 8 or 4, I get the same result" (review 71 #30): the reading repeated at other batches
                continue
            if goal == "match_reference" and phrase == "the original" \
                    and not {"compared", "than", "versus", "vs"}.isdisjoint(words[max(0, k - 5):k]):
                continue  # "higher compared to the original Whisper" (review 66 #17): held against it, not matched
            if goal == "match_reference" and words[k] == "your" and k == 0 and after == len(words):
                continue  # an issue template's heading "## Your Environment": the reporter's own, asked of them
            if goal == "choose_batch" and phrase in BATCH_ACTIONS and not sentence.question:
                weight *= 0.25  # "the only change was to multiply the batch size by 8": what was done, not asked
            if goal == "fit" and phrase.startswith("how many") and sentence.question and ASKERS.isdisjoint(present) \
                    and asks_how_it_was_trained(words):
                goal = "match_reference"  # "For the results in Model Zoo, how many GPUs were they run on?": the source's
            if goal == "fit" and phrase in BARE_NEEDS and (not present & (MEMORY | HARDWARE) or _memory_said_enough(words)):
                continue  # "Do I need to divide the steps by the batch size?": a need, but not of memory or GPUs
            if goal == "fit" and phrase in BARE_NEEDS and words[k + 1:k + 2] == ["to"] \
                    and words[k + 2:k + 3] and words[k + 2] in ACTIONS_NEEDED:
                continue  # "I also needed to change the valid-mini-batch … to prevent OOM": a step taken, not a need
            if goal == "fit" and phrase in BARE_NEEDS and k >= 1 and words[k - 1] in TIME_NEEDED:
                continue  # "the total time required remained constant": time needed, not memory (review 56 #19)
            if goal == "fit" and phrase == "sufficient" and not DATA_WORDS.isdisjoint(words[max(0, k - 3):k]):
                continue  # "if training data is sufficient": enough data, not enough memory
            if goal == "explain_result" and about_memory and phrase in DOUBTS:
                goal = "fit"  # "… or is something wrong with my settings?" about memory: make it fit
            elif goal == "explain_result" and phrase == "why" and about_slow:
                goal = "faster"  # "26 min an epoch on two GPUs and 16 on one. Do you know why?": make it fast
            vote(goal, weight * scale, sentence.text(k, after - 1))
    if oom is not None:
        # an OOM set against a run that works or a result that surprised the user ("LoRA trains fine, but with
        # QLoRA it OOMs"; "it runs successfully on 2 GPUs"; "I'm surprised that 4 impacts the memory so much") is a
        # result to explain when the user asks nothing else
        contrasts = last_question < 0 and any(_compares(s.words, index) for s in sentences)
        vote("explain_result" if contrasts else "fit", OOM_PRIOR, oom)
    if not votes:
        return None
    goal = max(ORDER, key=lambda g: (votes.get(g, 0.0), -ORDER.index(g)))
    if votes.get(goal, 0.0) <= 0:
        return None
    return goal, best_text[goal][1]


LIBRARY_ADVICE = frozenset({"warning", "install"})  # words of a library's printed advice, not of the user's question
FAILURES = frozenset({"bug", "bugs", "error", "errors", "issue", "issues", "problem", "problems", "behavior",
                      "behaviour", "crash", "oom", "this", "it", "steps", "example", "repro", "reproducer",
                      "snippet"})  # ("I fail to reproduce a simple example yet": a minimal repro of the bug)
# what a reproducer is said to be ("a simple example", "a minimal repro"), skipped before its noun
REPRO_ADJECTIVES = frozenset({"the", "my", "a", "an", "same", "simple", "minimal", "small", "standalone", "short"})


def _reproduces_a_failure(words: list[str], k: int) -> bool:
    """Whether 'reproduce' at key k reproduces a failure rather than a result: "Steps to reproduce", a heading "To
    Reproduce" that opens its sentence, "to reproduce the error", "reproduce this"."""
    before = words[max(0, k - 2):k]
    if before[-1:] == ["to"] and (k == 1 or before[:1] in (["steps"], ["how"], ["code"], ["script"], ["method"],
                                                            ["instructions"], ["commands"])):
        # ("Method to reproduce is: <gist>" - review 86 #4)
        return True
    after = [w for w in words[k + 1:k + 6] if w not in REPRO_ADJECTIVES]
    # ("for the maintainers to reproduce and diagnose the issue": a second verb, then the failure)
    return bool(after) and (after[0] in FAILURES or after[0] in ("and", "or") and not FAILURES.isdisjoint(after[1:3]))


NOT_HAVING = frozenset({"not", "no", "t", "never", "without"})  # ("don't have enough": the 't' of "don't")
PREMISES = frozenset({"given", "since", "because", "assuming", "as"})  # "given that I have …": granted, not asked


NEGATING = frozenset({"not", "can't", "cannot", "couldn't", "don't", "didn't", "never", "t"})
PAST_RUN_VERBS = frozenset({"trained", "run", "pretrained", "finetuned", "tuned"})
ASKERS = frozenset({"i", "my", "we", "our", "me", "us"})  # (a question of the user's own run)


def asks_how_it_was_trained(words: list[str]) -> bool:
    """Whether a question asks how a run was done: 'was'/'were' then, within four words, a verb of training ("was it
    really trained on 64 gpus", "how many GPUs were they run on")."""
    return any(w in ("was", "were") and not PAST_RUN_VERBS.isdisjoint(words[k + 1:k + 5]) for k, w in enumerate(words))


TIME_UNITS = frozenset({"time", "hours", "days", "minutes", "weeks"})


def _asks_time(words: list[str]) -> bool:
    """Whether the sentence asks how long something takes ("how much time would the script take to run on a single
    80GB A100?" - review 71 #16): a question of time, whatever hardware it names."""
    return any(w == "how" and (words[k + 1:k + 2] == ["long"] or words[k + 1:k + 2] in (["much"], ["many"])
                               and not TIME_UNITS.isdisjoint(words[k + 2:k + 3])) for k, w in enumerate(words))


PERCEIVING = frozenset({"see", "find", "notice", "read", "tell", "spot"})


def _only_perceives(words: list[str]) -> bool:
    """Whether every 'can'/'could' of the sentence is one of seeing ("in the logs I can see mention of 8x V100, so is
    the mini-batch 32 x 8 = 256?" - review 70 #11): what the user found, not whether the hardware is enough."""
    abilities = [k for k, w in enumerate(words) if w in CAN]
    return bool(abilities) and all(words[k] in ("can", "could") and words[k + 1:k + 2] and words[k + 1] in PERCEIVING
                                   for k in abilities)


def _memory_said_enough(words: list[str]) -> bool:
    """Whether the sentence grants the memory as a premise ("given that I have a large enough amount of GPU memory,
    do clips over 10 s need splitting?"): 'have' a few words before 'enough', after a premise's word, not negated."""
    for k, w in enumerate(words):
        if w in ("enough", "plenty", "sufficient") and "have" in words[max(0, k - 4):k] \
                and NOT_HAVING.isdisjoint(words[max(0, k - 6):k]) \
                and not PREMISES.isdisjoint(words[max(0, k - 9):k]):
            return True
    return False


DATA_WORDS = frozenset({"data", "dataset", "datasets", "samples", "examples", "images", "tokens"})
# words that ask for resources only in a sentence about memory or hardware
BARE_NEEDS = {"need", "needed", "required", "minimum"}
# what one may need to do ("needed to change X"): an action, whose need says nothing of memory needed
ACTIONS_NEEDED = frozenset({"change", "set", "reduce", "lower", "decrease", "increase", "raise", "modify", "adjust",
                            "switch", "use", "add", "remove", "disable", "enable", "turn", "edit", "patch"})
TIME_NEEDED = frozenset({"time", "hours", "days", "minutes", "epochs", "steps", "iterations"})  # "the time required"

# "how do I adjust the parameters for one GPU?": settings carried to fewer GPUs than the recipe's
ADJUST = frozenset({"adjust", "change", "modify", "adapt", "set"})
SETTINGS_WORDS = frozenset({"parameters", "params", "settings", "config", "configuration", "hyperparameters"})
ONE_GPU = frozenset({"one", "single", "1"})
FEWER_GPUS_QUESTION = 1.0


def _fewer_gpus(sentences: list[Sentence], n: int) -> bool:
    """Whether sentence n, or the one before it, speaks of one GPU ("use one GPU", "a single card")."""
    for sentence in sentences[max(0, n - 1):n + 1]:
        words = sentence.words
        if any(w in ONE_GPU and words[k + 1:k + 2] in (["gpu"], ["card"]) for k, w in enumerate(words)):
            return True
    return False


# doubts about one's own settings: about memory, a question of making the run fit
DOUBTS = {"is something wrong", "something wrong with", "did i do something wrong", "something going wrong"}


# phrases that set two setups or an expectation side by side ("more memory than LoRA", "the same memory")
COMPARISONS = {"more memory than", "uses more memory", "use more memory", "the same gpu memory", "the same memory",
               "memory is unchanged", "unchanged", "no effect", "no difference", "makes no difference",
               "went up instead", "but not", "need more memory than", "surprised", "counterintuitive", "weird",
               "strange", "runs successfully", "trains fine", "runs fine", "works fine", "it seems",
               "much more memory", "so much more", "same as", "times the memory", "times more memory",
               "twice the memory", "twice as much memory", "not reduced", "doesn't reduce", "does not reduce",
               "didn't reduce", "did not reduce", "no reduction", "doesn't decrease", "didn't decrease",
               "barely changes", "barely changed", "doesn't change", "does not change", "didn't change",
               "stays the same", "remains the same"}

# a comparative near a memory noun compares two setups' memory ("consumes more GPU memory than DataParallel", "uses
# 15% more runtime GPU memory than fp16", "twice the time and GPU memory of bf16", "so much less memory")
COMPARATIVES = frozenset({"more", "less", "higher", "lower"})
MULTIPLES = frozenset({"twice", "double", "half"})
MEMORY_NOUNS = frozenset({"memory", "vram"})


_COMPARISON_FIRST = frozenset(phrase.split()[0] for phrase in COMPARISONS)


def _compares(words: list[str], index) -> bool:
    for k in [k for k, w in enumerate(words) if w in _COMPARISON_FIRST]:  # only where a comparison may start
        hit = index.at(words, k)
        if hit and " ".join(words[k:k + hit[0]]) in COMPARISONS:
            return True
    for k in [k for k, w in enumerate(words) if w in COMPARATIVES or w in MULTIPLES or w == "same"]:
        if (words[k] in MULTIPLES or words[k] == "same") and MEMORY_NOUNS.intersection(words[k + 1:k + 6]):
            return True  # "twice the memory", "the same amount of memory as DDP"
        if MEMORY_NOUNS.intersection(words[max(0, k - 4):k + 5]) and ("than" in words[k + 1:k + 8]
                                                                      or words[k - 1:k] in (["much"], ["so"])):
            return True
    return False


# what a question asks for, by topic (the AskedTopic values of advisor/kb/model.py): the findings that answer it
# lead the answer. Read in questions only ("how many steps?"), not in statements ("3 epochs, 1,200 steps").
ASK_CUES: list[tuple[str, str]] = [
    ("how long", "time"), ("how many days", "time"), ("how many hours", "time"), ("how many minutes", "time"),
    ("how many weeks", "time"), ("how much time", "time"), ("eta", "time"), ("training time", "time"),
    # ("Could someone please provide an estimate of the expected completion time?" - review 69 #19)
    ("completion time", "time"), ("estimated time", "time"), ("expected time", "time"), ("time required", "time"),
    ("time needed", "time"), ("time to train", "time"), ("time estimate", "time"),
    ("how many steps", "steps"), ("how many optimizer steps", "steps"), ("how many iterations", "steps"),
    ("how many updates", "steps"), ("how many optimizer updates", "steps"), ("how many training steps", "steps"),
    ("steps per epoch", "steps"), ("total steps", "steps"), ("number of steps", "steps"), ("warmup", "steps"),
    ("steps", "steps"), ("optimization steps", "steps"),  # "why does 1 epoch = 3 steps only?"
    # "should I adjust the iteration count from 1,000,000 to 8,000,000?" (review 56 #19)
    ("iteration count", "steps"), ("number of iterations", "steps"), ("iterations", "steps"), ("max iter", "steps"),
    ("train iteration", "steps"), ("training iteration", "steps"),  # "the train iteration is abnormally large"
    ("n step", "steps"), ("n steps", "steps"), ("num steps", "steps"),  # ("what value of **n_step** until 1-epoch is complete?")
    ("lr", "lr"), ("learning rate", "lr"), ("blr", "lr"),
    ("grad accum", "accumulation"), ("gradient accumulation", "accumulation"), ("grad accumulation", "accumulation"),
    ("accum iter", "accumulation"), ("accumulation steps", "accumulation"), ("ga", "accumulation"),
    ("accumulate", "accumulation"), ("accum", "accumulation"),
    ("global batch", "batch_per_update"), ("effective batch", "batch_per_update"), ("total batch", "batch_per_update"),
    ("batch per update", "batch_per_update"), ("tokens per step", "batch_per_update"),
    ("tokens per optimizer step", "batch_per_update"), ("tokens per update", "batch_per_update"),
    ("tokens per optimizer update", "batch_per_update"), ("tokens per iteration", "batch_per_update"),
    ("tokens per batch", "batch_per_update"),
    ("fit", "fit"), ("fits", "fit"), ("enough", "fit"), ("oom", "fit"), ("ooms", "fit"), ("out of memory", "fit"),
    ("how much memory", "fit"), ("how much vram", "fit"), ("how much gpu memory", "fit"), ("memory per gpu", "fit"),
    ("how many gpus", "gpus"), ("how many cards", "gpus"), ("how many nodes", "gpus"),
    ("faster", "speed"), ("slow", "speed"), ("slower", "speed"), ("slowness", "speed"), ("speed", "speed"),
    ("mfu", "speed"),
    ("throughput", "speed"), ("utilization", "speed"), ("util", "speed"),
    ("what batch", "batch"), ("which batch", "batch"), ("what micro batch", "batch"), ("largest batch", "batch"),
    ("max batch", "batch"), ("what batch size", "batch"), ("which batch size", "batch"),
    ("per device train batch size", "batch"), ("micro batch size", "batch"), ("what micro batch size", "batch"),
    ("what per gpu batch", "batch"), ("per gpu batch", "batch"), ("what per device batch", "batch"),
    # "could you recommend a proper batch size?", "a suitable batch size for my card?"
    ("recommend a batch size", "batch"), ("recommend a proper batch size", "batch"), ("proper batch size", "batch"),
    ("suitable batch size", "batch"), ("good batch size", "batch"), ("right batch size", "batch"),
    ("optimal batch size", "batch"), ("best batch size", "batch"),
    ("expected", "expected"), ("normal", "expected"), ("make sense", "expected"), ("makes sense", "expected"),
    ("reasonable", "expected"), ("is this right", "expected"), ("is that right", "expected"),
    ("expectations", "expected"), ("in line with", "expected"), ("sound right", "expected"),
    ("sounds right", "expected"), ("as expected", "expected"),
]
# "how many H100s do I need?": a count of cards is a question about GPUs. A card's name is keys of letters and digits
# ("H100" is 'h', '100'; "4090s" is '4090', 's')
CARD_WORDS = frozenset({"gpu", "gpus", "card", "cards", "nodes", "machines"})
CARD_PREFIXES = frozenset({"h", "a", "v", "l", "t", "p", "rtx", "gtx", "mi", "b"})


def _names_cards(words: list[str]) -> bool:
    """Whether the words after 'how many' name GPUs ('GPUs', 'H100 80GB', 'A100s', '4090s')."""
    if not words:
        return False
    first = words[0]
    return first in CARD_WORDS or (first.isdigit() and len(first) == 4) or \
        (first in CARD_PREFIXES and len(words) > 1 and words[1].isdigit())


INTERROGATIVES = frozenset({"how", "what", "which", "when", "should", "would", "will", "can", "could", "does", "do",
                            "is", "are"})


PRODUCT_MARKS = frozenset({"x", "*", "×"})


# "Is that normal?", "is this expected?", "Is it correct?": a short question about what was just said
POINTING_BACK = frozenset({"this", "that", "it"})
JUDGED = frozenset({"normal", "expected", "correct", "right", "ok", "okay", "reasonable", "intended"})


def _points_back(words: list[str]) -> bool:
    return len(words) <= 6 and not POINTING_BACK.isdisjoint(words) and not JUDGED.isdisjoint(words)


# the words of an XLA memory report's line ("HLO temp 15.45G (60.9% utilization: Unpadded (9.40G) Padded (15.44G)"):
# its "utilization" is of the buffers, not of the chip
XLA_LOG_WORDS = frozenset({"hlo", "unpadded", "padded"})


def asked_of(sentences: list[Sentence], index) -> tuple[list[str], str]:
    """(the topics the message's questions ask about, in the order asked; the words of the first), from the
    questions only; `index` is a PhraseIndex over ASK_CUES."""
    topics: list[str] = []
    said = ""
    first_words = index.by_first
    asked: list[Sentence] = []
    for n, sentence in enumerate(sentences):
        words = sentence.words
        if not sentence.question and words[:1] and words[0] not in INTERROGATIVES:
            continue  # (a question is often written without its mark: "how many a100 do i need")
        if n and _points_back(words) and not sentences[n - 1].question:
            # "I find that the train iteration is abnormally large … Is that normal?": the question asks of what the
            # sentence before it said, as well as whether it is right
            asked.append(sentences[n - 1])
        asked.append(sentence)
    for sentence in asked:
        words = sentence.words
        found = []
        if "many" in sentence.present and "how" in sentence.present:
            # "how many H100 80GB do I need?" (not "how many steps at 45k tok/s per gpu?")
            found += [(k, "gpus") for k, w in enumerate(words[:-1]) if w == "how" and words[k + 1] == "many"
                      and _names_cards(words[k + 2:k + 4])]
        if "batch" in sentence.present and not sentence.present.isdisjoint(PRODUCT_MARKS):
            # "BATCH_SIZE should equal 1 x 3 x GRADIENT_ACC(4) = 12?": the user's product checked, a batch per update
            found += [(k, "batch_per_update") for k, w in enumerate(words[1:], 1)
                      if w in PRODUCT_MARKS and words[k - 1].isdigit()][:1]
        next_cue = 0
        for k in [k for k, w in enumerate(words) if w in first_words]:
            if k < next_cue:
                continue
            hit = index.at(words, k)
            if hit is None or sentence.in_flag(k):
                continue
            length, topic = hit
            if sentence.word_of(k)[0] < k or sentence.word_of(k + length - 1)[1] > k + length - 1:
                continue  # "lr" inside `lr_warmup_steps`: part of another key's name
            next_cue = k + length
            if words[k] == "utilization" and not sentence.present.isdisjoint(XLA_LOG_WORDS):
                continue  # (an XLA memory report's utilization of its buffers: no question of speed)
            if topic == "steps" and words[k + length:k + length + 2] in (["to", "reproduce"], ["to", "repro"],
                                                                         ["to", "replicate"]):
                continue  # an issue template's "What are the steps to reproduce the bug?": no count of steps
            found.append((k, topic))
        for _, topic in sorted(found):
            if topic not in topics:
                topics.append(topic)
                said = said or sentence.text(0, len(words) - 1)
    return topics, said

