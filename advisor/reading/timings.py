"""Timings the user compares: two measurements of one kind (an epoch's time, a step's, examples or tokens per
second) said under two setups that differ in one thing - the batch, the GPU count, the card, or how far into the
run - become the pair facts the speed rules compare ("batch 4: 3 hours an epoch; batch 8: no faster", "two RTX
2060s - epoch takes 85s / two RTX 3090s - epoch takes 90s", "one node of 8 GPUs: 1188 images/sec, two nodes: 745",
"the first epoch took ~1h, the 8th ~8h").

Each measurement's setup is what the reader finds in its own stretch of text (from the end of the measurement
before it, within its sentence, to the start of the next), so the setup words may stand before or after the
number; a setup word one stretch leaves unsaid is the other's ("batch 8 does not decrease the time" keeps the
3090). "does not decrease", "is the same", "no faster" said of the next setup repeat the measurement before it.
Every pattern is bounded (no backtracking on long input), and at most MAX_MEASUREMENTS are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_MEASUREMENTS = 8
MAX_SCAN = 20_000  # characters of a message searched for timings (a long paste's first part; bounded time)
# the patterns are written in lower case and run on an ASCII-lowered copy (same length, so positions carry over; case-
# insensitive matching would cost twice the time)
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# the facts only these comparisons fill (the rest - step_seconds_by_batch, epoch_seconds_by_gpus,
# steps_per_second_by_gpus - phrase patterns read too)
TIMING_FACTS = frozenset({"epoch_seconds_by_batch", "epoch_seconds_by_epoch", "step_seconds_by_step",
                          "throughput_by_gpus", "timed_card_older",
                          "timed_card_newer", "timed_card_older_seconds", "timed_card_newer_seconds"})
REACH = 400  # characters a measurement's setup is looked for on each side, within its sentence
# (never starting inside a number: a run of digits is tried once, not at each of its digits)
NUM = r"(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3}){1,3}(?:\.\d{1,4})?|\d{1,7}(?:\.\d{1,4})?)"
TIME = (NUM + r"(?:\s*[-–]\s*\d{1,7}(?:\.\d{1,4})?)?\s*"
        r"(?P<unit>ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?)\b")
ABOUT = (r"(?:(?:about|around|roughly|approximately|approx\.?|almost|nearly|only|just|over|under|~|"
         r"on\s+(?:an\s+)?av(?:erage|g\.?)|av(?:erage|g\.?))\s*){0,2}")  # ("takes on an avg 55 s")
MEASUREMENTS = [
    # "3 hours every epoch", "2.98 s train time per epoch", "1.3 s/it", "85s per step"
    re.compile(TIME + r"\s*(?:of\s+)?(?:train(?:ing)?\s+)?(?:time\s+)?"
               r"(?:/|per|an?|every|each|for\s+(?:one|1|an?|each|every|the(?:\s+same)?)|in\s+(?:one|1|an?|each|every))\s*"
               r"(?P<per>epoch|step|iteration|iter|it|batch)\b"),
    # "epoch takes 85s", "every epoch shows about 36-37 s", "the 8th epoch took ~8h"
    re.compile(r"\b(?P<per>epoch|step|iteration|iter)(?:\s+(?:time|duration))?\s+(?:\d{1,3}\s+)?"
               r"(?:(?:still|now|only|usually|always|also)\s+)?(?:(?:increases|increased|decreases|decreased|drops|"
               r"dropped|goes\s+up|went\s+up|goes\s+down|went\s+down|rises|rose|grows|grew|falls|fell)\s+to|takes|took|lasts|lasted|is|was|needs|needed|"
               r"shows|showed|requires|required|costs?|runs?\s+(?:in|for))\s+" + ABOUT + TIME),
    # "trains an epoch in 2 hours", "finishes one epoch in 40 min"
    re.compile(r"\b(?:an?|one|each|every|the|1)\s+(?P<per>epoch|step|iteration)\s+in\s+" + ABOUT + TIME),
    # "1188 images/sec", "10K tokens/s", "2.1 it/s", "45 samples per second"
    re.compile(NUM + r"\s*(?P<k>[kK]\b)?\s*(?P<what>it|its|iters?|iterations?|steps?|img|imgs|images?|samples?|"
               r"examples?|seqs?|sequences?|tokens?|toks?)\s*(?:/\s*s(?:ec)?|per\s+s(?:ec(?:ond)?)?)\b"),
    # tf_cnn_benchmarks' "total images/sec: 1188.51"
    re.compile(r"\b(?P<what>images|samples|examples|tokens|sequences)\s*/\s*sec(?:ond)?\s*:\s*" + NUM),
]
# a list of times at epoch marks: "epoch 0 -> 0.0057 s, epoch 10 -> 0.21 s, 20 -> 0.49 s, … 90 -> 2.5 s"
EPOCH_MARK = re.compile(r"\bepoch\s+(?P<e>\d{1,5})\s*(?:->|→|=>|:|=|took|takes)\s*" + ABOUT + TIME)
EPOCH_MARK_NEXT = re.compile(r"\s*[,;]\s*(?:\.\.\.\s*,?\s*|…\s*,?\s*)?(?:epoch\s+)?(?P<e>\d{1,5})\s*(?:->|→|=>|:|=)\s*"
                             + ABOUT + TIME)
# a duration with no unit of work, said beside a timing that has one ("with batch 32 one epoch takes 10 minutes, with
# batch 64 it takes 9 minutes", "2 hours per epoch on 4 GPUs vs 6 hours on 1 GPU"): the same kind as that timing
BARE = re.compile(r"\b(?:takes|took|needs|needed|lasts|lasted|runs\s+in|ran\s+in|finishes\s+in|finished\s+in|vs\.?|"
                  r"versus|compared\s+to|against|than|instead\s+of)\s+" + ABOUT + TIME + r"(?!\s*(?:/|per\b|an?\s|every\b|each\b))")
BARE_REACH = 160  # characters between a bare duration and the typed timing it takes its kind from
# the next setup said to change nothing: "the time for one epoch does not decrease", "is the same", "no faster"
SAME = re.compile(r"\b(?:(?:does|did|do)\s*(?:n['’]?t|\s+not)|won['’]t|never)\s+(?:seem\s+to\s+)?(?:decrease|drop|change|"
                  r"go\s+down|improve|reduce|shrink|get\s+(?:shorter|faster|any\s+faster))\b"
                  r"(?!\s+(?:the|my|our|a|an|any|its|their|this|that)\b)|"  # (not "didn't change the batch size")
                  r"\b(?:is|was|stays?|stayed|remains?|remained)\s+(?:about\s+|almost\s+|nearly\s+|roughly\s+|"
                  r"basically\s+|exactly\s+)?the\s+same\b|\bno\s+(?:faster|quicker)\b|\bnot\s+(?:any\s+)?faster\b")
# a time said to stay as it was ("still takes", "the same", "didn't change")
STILL = re.compile(r"\bstill\b|\bthe\s+same\b|\b(?:does|did)(?:n['’]t|\s+not)\s+(?:change|decrease|drop|go\s+down)\b|"
                   r"\bno\s+faster\b|\bnot\s+(?:any\s+)?faster\b")
TIME_WORDS = re.compile(r"\b(?:time|epoch|speed|faster|slower|quicker|throughput|it/s|s/it|takes?|took)\b")
# a GPU count the reader leaves to a fuller sentence ("`2 gpu batch_size: 2`")
GPU_COUNT = re.compile(r"(?<![\w.])(?P<n>\d{1,3})\s*(?:x\s*)?gpus?\b")
ORDINAL = re.compile(r"\b(?P<o>first|1st|second|2nd|third|3rd|fourth|fifth|\d{1,3}(?:st|nd|rd|th))\s+epoch\b|"
                     r"\bepoch\s+(?:#\s*)?(?P<n>\d{1,3})\b(?!\s*(?:s|sec|min|h|hours?|epochs?)\b)")
# a progress bar's position ("250/3646 [2:01:03<27:24:21, 29.05s/it"): the step a rate was shown at
PROGRESS = re.compile(r"(?<![\d./])(?P<n>\d{1,7})\s*/\s*(?P<total>\d{1,7})\s*\[")
EVAL_BAR = re.compile(r"(?i)\b(?:valid|validation|validating|val|eval|evaluation|evaluating|test|testing)\b[^\n]{0,40}$")
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "fifth": 5}
PER_GPU = re.compile(r"\s*(?:per|/|on\s+each|each|for\s+each)\s*(?:gpu|device|card|rank|worker)\b")
SENTENCE_END = re.compile(r"[.!?][)\]\"'’”]{0,2}(?=\s|$)|\n")
# the architectures' order, for which of two cards is the newer (the catalogue's arch ids)
GENERATIONS = {"kepler": 0, "maxwell": 1, "pascal": 2, "volta": 3, "turing": 3, "ampere": 4, "ada": 5, "hopper": 5,
               "blackwell": 6}


@dataclass
class Measurement:
    kind: str  # epoch | step (seconds of one) | samples | tokens (per second, the whole run's)
    value: float
    start: int
    end: int
    words: str
    setup: dict[str, Any] = field(default_factory=dict)
    per_gpu: bool = False  # a rate said of each GPU ("120 images/s per GPU"), not of the whole run
    repeated: bool = False  # "… does not decrease": the measurement before, said again of this sentence's setup


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _unit_seconds(unit: str) -> float:
    unit = unit.lower()
    if unit.startswith(("ms", "milli")):
        return 0.001
    return {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}[unit[0]]


def _measurement(match: re.Match) -> tuple[str, float] | None:
    groups = match.groupdict()
    if groups.get("unit"):
        seconds = _number(groups["num"]) * _unit_seconds(groups["unit"])
        per = groups["per"].lower()
        return ("epoch" if per == "epoch" else "step", seconds) if seconds > 0 else None
    rate = _number(groups["num"]) * (1000 if groups.get("k") else 1)
    if rate <= 0:
        return None
    what = groups["what"].lower()
    if what.startswith(("it", "step")):
        return "step", 1.0 / rate
    return ("tokens" if what.startswith("tok") else "samples"), rate


def _found(message: str) -> list[Measurement]:
    hits: list[Measurement] = []
    for pattern in MEASUREMENTS:
        for match in pattern.finditer(message):
            got = _measurement(match)
            if got is not None:
                per_gpu = got[0] in ("samples", "tokens") and PER_GPU.match(message, match.end()) is not None
                hits.append(Measurement(got[0], got[1], match.start(), match.end(), match.group(0), per_gpu=per_gpu))
            if len(hits) > 4 * MAX_MEASUREMENTS:
                break
    hits.sort(key=lambda m: (m.start, -m.end))
    kept: list[Measurement] = []
    for hit in hits:  # (two patterns can read one number: the first and longest reading stays)
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    marks = _epoch_marks(message)
    if marks:
        kept = sorted([m for m in kept if not any(k.start <= m.start < k.end for k in marks)] + marks,
                      key=lambda m: m.start)
    if kept and len(kept) < MAX_MEASUREMENTS:
        kept = _with_bare_durations(message, kept)
    return kept[:MAX_MEASUREMENTS]


def _epoch_marks(message: str) -> list[Measurement]:
    """The first list of times at epoch marks, each time with its epoch ("epoch 0 -> 0.0057 s, epoch 10 -> 0.21 s,
    20 -> 0.49 s"): the same run's later epochs against its earlier ones."""
    first = EPOCH_MARK.search(message)
    out: list[Measurement] = []
    match = first
    while match is not None and len(out) < MAX_MEASUREMENTS:
        seconds = _number(match.group("num")) * _unit_seconds(match.group("unit"))
        if seconds > 0:
            out.append(Measurement("epoch", seconds, match.start(), match.end(), match.group(0),
                                   setup={"epoch": int(match.group("e"))}))
        match = EPOCH_MARK_NEXT.match(message, match.end())
    return out if len(out) >= 2 else []


def _with_bare_durations(message: str, typed: list[Measurement]) -> list[Measurement]:
    """Durations said with no unit of work, each taking the kind of the typed epoch or step timing just before it
    (or, failing that, just after it); a bare duration with no typed timing nearby is no timing."""
    out = list(typed)
    for match in BARE.finditer(message):
        if len(out) >= MAX_MEASUREMENTS:
            break
        start = match.start("num")
        if any(m.start <= start < m.end for m in out):
            continue
        before = [m for m in typed if m.end <= start and start - m.end <= BARE_REACH and m.kind in ("epoch", "step")]
        after = [m for m in typed if m.start >= match.end() and m.start - match.end() <= BARE_REACH // 4
                 and m.kind in ("epoch", "step")]
        model = before[-1] if before else (after[0] if after else None)
        if model is None:
            continue
        seconds = _number(match.group("num")) * _unit_seconds(match.group("unit"))
        if seconds > 0:
            out.append(Measurement(model.kind, seconds, start, match.end(), match.group(0)))
            out.sort(key=lambda m: m.start)
    return out


def _sentence_bounds(message: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a span, at most REACH characters each side (a message without stops is not one setup)."""
    left = max((m.end() for m in SENTENCE_END.finditer(message, max(0, start - REACH), start)), default=max(0, start - REACH))
    right = SENTENCE_END.search(message, end, min(len(message), end + REACH))
    return left, (right.start() if right else min(len(message), end + REACH))


def _same_statements(message: str, found: list[Measurement]) -> list[Measurement]:
    """'When I set batch size = 8, the time for one epoch does not decrease': the measurement before, again."""
    out = list(found)
    for match in SAME.finditer(message):
        before = [m for m in out if m.end <= match.start()]
        if not before or len(out) >= MAX_MEASUREMENTS:
            continue
        left, right = _sentence_bounds(message, match.start(), match.end())
        if before[-1].end > left or not TIME_WORDS.search(message, max(left, match.start() - 80), match.end() + 20):
            continue  # the measurement's own sentence ("85s, and the loss is the same"), or not said of a time
        previous = before[-1]
        out.append(Measurement(previous.kind, previous.value, left, right, message[left:right].strip(), repeated=True))
        out.sort(key=lambda m: m.start)
    return out


def _setup(message: str, lowered: str, stretch: tuple[int, int], own: tuple[int, int]) -> dict[str, Any]:
    """What the reader finds in a measurement's stretch of text: GPUs, nodes, the card, the batch; the epoch. The
    measurement's own words are blanked first ("4 GPUs: 55 s/epoch": 55 is the time, not a count of GPUs)."""
    from advisor.reading.reader import read
    from advisor.reading.situation import labels_of

    def blanked(text: str) -> str:
        start, end = max(own[0], stretch[0]) - stretch[0], min(own[1], stretch[1]) - stretch[0]
        return text[:start] + " " * max(0, end - start) + text[end:] if end > start else text

    text = lowered[stretch[0]:stretch[1]]
    reading = read(blanked(message[stretch[0]:stretch[1]]))
    labels = labels_of(reading)
    if "batch_from" in labels and "batch_to" in labels and STILL.search(text):
        setup_change = (labels["batch_from"], labels["batch_to"])  # "from 32 to 64 but each epoch still takes 40 min"
    else:
        setup_change = None
    setup = {name: labels[name] for name in ("gpu_model", "num_gpus", "num_nodes", "micro_batch", "batch_size")
             if name in labels}
    if setup_change:
        setup["batch_change"] = setup_change
    if "micro_batch" not in setup and "batch_to" in labels and "batch_from" not in labels:
        setup["micro_batch"] = labels["batch_to"]  # "when I raise the batch to 8, an epoch takes …"
    for name, said in (("gpu_model", "gpu_model"), ("num_gpus", "num_gpus"), ("micro_batch", "batch")):
        if name not in setup and said in reading.reference:
            setup[name] = reading.reference[said].value  # a reference's timing ("the author reports 0.75 s a step …")
    count = GPU_COUNT.search(text)
    if count and "num_gpus" not in setup:
        setup["num_gpus"] = int(count.group("n"))
    ordinal = ORDINAL.search(text)
    if ordinal:
        said = ordinal.group("o") or ""
        setup["epoch"] = ORDINALS.get(said) or int(re.sub(r"\D", "", said or ordinal.group("n")))
    progress = PROGRESS.search(text)
    if progress:
        setup["step"], setup["steps_total"] = int(progress.group("n")), int(progress.group("total"))
        # the bar's phase ("Epoch (train): 100% 32/32 …", "Epoch (valid):   3% 1/32 …" - review 90 #18): a validation
        # bar's rate is no training step's, even where both bars count the same batches
        setup["bar_phase"] = "eval" if EVAL_BAR.search(text[:progress.start()]) else "train"
    if "batch_size" in setup and "micro_batch" not in setup:
        setup["micro_batch"] = setup["batch_size"]
    return setup


def _stretches(message: str, found: list[Measurement]) -> list[tuple[int, int]]:
    out = []
    for i, m in enumerate(found):
        left, right = _sentence_bounds(message, m.start, m.end)
        if not message[left:m.start].strip(" -*•\t\n") and left > 0:
            # "- nGPU =4\n  epoch takes on an avg 55 s": a measurement that starts its line has its setup on the
            # line before
            left = max(message.rfind("\n", max(0, left - REACH), max(0, left - 1)) + 1, left - REACH)
        if i:
            left = max(left, found[i - 1].end)
        if i + 1 < len(found):
            if found[i + 1].start < right:  # the next in the same sentence: a parallel setup after a comma is its
                comma = message.find(", ", m.end, found[i + 1].start)  # ("…, with batch size 64 it takes 9 min")
                right = comma if comma >= 0 else right
            right = min(right, found[i + 1].start)
        semicolon = message.find(";", m.end, right)
        if semicolon >= 0:
            right = semicolon  # "…=0: 0.47 sec/step; …=0,1: 1.09 sec/step": what follows a ';' is the next item's
        out.append((min(left, m.start), max(right, m.end)))
    return out


DIMENSIONS = ("epoch", "step", "gpu_model", "num_gpus", "micro_batch")


def _one_card_beside_several(a: dict, b: dict) -> tuple[dict, dict]:
    """The same card named on both sides, counted on one only ("single_device on 6000ADA, ~5it/s … distributed on
    2 x 6000ADA, 1.5s/it" - review 74 #4): the side without a count ran on one of them."""
    if a.get("gpu_model") is not None and a.get("gpu_model") == b.get("gpu_model"):
        if "num_gpus" in b and "num_gpus" not in a and b["num_gpus"] > 1:
            a = {**a, "num_gpus": 1}
        elif "num_gpus" in a and "num_gpus" not in b and a["num_gpus"] > 1:
            b = {**b, "num_gpus": 1}
    return a, b


def _differs(a: dict, b: dict) -> list[str]:
    """The setup fields said on both sides with different values (a field one side leaves unsaid is the other's)."""
    out = []
    for name in DIMENSIONS:
        if name in a and name in b and a[name] != b[name]:
            out.append(name)
    if "num_nodes" in a and "num_nodes" in b and a["num_nodes"] != b["num_nodes"] and "num_gpus" not in out:
        out.append("num_gpus")
    return out


# "It cost 50, 75, 136 seconds for 100 iterations when batch size are 1,2,4 respectively" (review 83 #9): times
# listed against the batches listed, in order
LISTED_TIMES = re.compile(
    r"(?P<times>\d{1,6}(?:\.\d{1,3})?(?:\s?,\s?(?:and\s)?\d{1,6}(?:\.\d{1,3})?){1,7})\s?"
    r"(?P<unit>ms|s|sec|secs|seconds|min|mins|minutes)\s(?:for|per|of)\s(?P<steps>\d{1,6})\s"
    r"(?:iterations|iters|steps|batches)\b[^.\n]{0,40}?\bbatch[ _]?sizes?\s(?:are|is|of|=)?\s?"
    r"(?P<batches>\d{1,6}(?:\s?,\s?(?:and\s)?\d{1,6}){1,7})\s(?:respectively|resp\.)")


def _listed_step_times(message: str, lowered: str) -> dict[str, tuple[Any, str]]:
    """Step times listed against batches listed, "respectively": the batch → seconds-a-step pairs."""
    match = LISTED_TIMES.search(lowered)
    if match is None:
        return {}
    times = [float(t) for t in re.findall(r"\d+(?:\.\d+)?", match.group("times"))]
    batches = [int(b) for b in re.findall(r"\d+", match.group("batches"))]
    steps = int(match.group("steps"))
    if len(times) != len(batches) or not steps or len(set(batches)) != len(batches):
        return {}
    per_step = _unit_seconds(match.group("unit")) / steps
    return {"step_seconds_by_batch": ([[b, t * per_step] for b, t in zip(batches, times)],
                                      message[match.start():match.end()])}


def compared_timings(message: str) -> dict[str, tuple[Any, str]]:
    """The pair facts of two timings of one kind said under setups that differ in one thing (in the message's first
    MAX_SCAN characters)."""
    message = message[:MAX_SCAN]
    lowered = message.translate(ASCII_LOWER)
    listed = _listed_step_times(message, lowered)
    if listed:
        return listed
    found = _found(lowered)
    if not found:
        return {}
    found = _same_statements(lowered, found)
    if len(found) < 2 and not (STILL.search(lowered) and "batch" in lowered):
        return {}  # (one timing compares nothing, unless it is said unchanged across a batch change)
    for m, stretch in zip(found, _stretches(lowered, found)):
        m.words = message[m.start:m.end].strip().lstrip(",;.… ")  # (the user's own words, in their case)
        own = (m.start, m.start) if m.repeated else (m.start, m.end)  # (a repeat's words are its whole sentence)
        m.setup = {**_setup(message, lowered, stretch, own), **m.setup}  # (its own words come first)
    facts: dict[str, tuple[Any, str]] = {}
    for m in found:  # one timing said unchanged across a batch change ("from 32 to 64, an epoch still takes 40 min")
        if "batch_change" in m.setup and m.kind in ("epoch", "step"):
            before, after = m.setup["batch_change"]
            pairs = [[before, m.value], [after, m.value]]
            _merge(facts, "epoch_seconds_by_batch" if m.kind == "epoch" else "step_seconds_by_batch", pairs, m, m)
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            if a.kind == b.kind:
                a.setup, b.setup = _one_card_beside_several(a.setup, b.setup)
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            if a.kind != b.kind:
                continue
            differ = _differs(a.setup, b.setup)
            if len(differ) == 1:
                for name, value in _pair_facts(differ[0], a, b).items():
                    _merge(facts, name, value, a, b)
    return facts


def _merge(facts: dict[str, tuple[Any, str]], name: str, value: Any, a: Measurement, b: Measurement) -> None:
    """A pair fact gathers the points of every pair (the first value said at each key stays: the rules compare the
    smallest key with the largest); any other fact keeps its first value."""
    if name not in facts:
        facts[name] = (value, a.words if a is b else f"{a.words}; {b.words}")
        return
    old, words = facts[name]
    if not isinstance(old, list):
        return
    keys = {key for key, _ in old}
    added = [point for point in value if point[0] not in keys]
    if added:
        new_words = [w for w in (a.words, b.words) if w not in words.split("; ")]
        facts[name] = (old + added, "; ".join([words] + new_words))


def _pair_facts(dimension: str, a: Measurement, b: Measurement) -> dict[str, Any]:
    if dimension == "micro_batch":
        pairs = [[a.setup["micro_batch"], a.value], [b.setup["micro_batch"], b.value]]
        if a.kind == "samples":  # examples/s at a batch: a step of it takes batch / rate seconds
            return {"step_seconds_by_batch": [[batch, batch / rate] for batch, rate in pairs]}
        return {"epoch": {"epoch_seconds_by_batch": pairs}, "step": {"step_seconds_by_batch": pairs}}.get(a.kind, {})
    if dimension == "num_gpus":
        count_a, count_b = a.setup.get("num_gpus"), b.setup.get("num_gpus")  # (nodes alone count no GPUs)
        if not count_a or not count_b or count_a == count_b:
            return {}
        if a.kind == "epoch":
            return {"epoch_seconds_by_gpus": [[count_a, a.value], [count_b, b.value]]}
        if a.kind == "step":
            return {"steps_per_second_by_gpus": [[count_a, 1 / a.value], [count_b, 1 / b.value]]}
        if a.kind != "samples":
            return {}  # (tokens/s by GPU count: the tokens rules read them)
        return {"throughput_by_gpus": [[count, m.value * (count if m.per_gpu else 1)]
                                       for count, m in ((count_a, a), (count_b, b))]}
    if dimension == "epoch" and a.kind == "epoch":
        return {"epoch_seconds_by_epoch": [[a.setup["epoch"], a.value], [b.setup["epoch"], b.value]]}
    if dimension == "step" and a.kind == "step" and a.setup.get("steps_total") == b.setup.get("steps_total") \
            and a.setup.get("bar_phase") == b.setup.get("bar_phase"):
        # (one bar's positions: a training bar's and a validation bar's totals differ)
        return {"step_seconds_by_step": [[a.setup["step"], a.value], [b.setup["step"], b.value]]}
    if dimension == "gpu_model":
        return _cards(a, b)
    return {}


def _cards(a: Measurement, b: Measurement) -> dict[str, Any]:
    """Two cards timed on the same work: the older first (by architecture), each with its time for one unit."""
    from advisor.domain.gpus import find_gpu

    specs = []
    for m in (a, b):
        match = find_gpu(m.setup["gpu_model"])
        spec = None if match is None else match.gpu or (match.candidates[0] if match.candidates else None)
        if spec is None or spec.arch not in GENERATIONS:
            return {}
        specs.append(spec)
    if GENERATIONS[specs[0].arch] == GENERATIONS[specs[1].arch]:
        return {}  # the same generation: which is faster is the model's, not the architecture's
    (old, old_m), (new, new_m) = sorted(zip(specs, (a, b)), key=lambda p: GENERATIONS[p[0].arch])
    seconds = (lambda m: m.value) if a.kind in ("epoch", "step") else (lambda m: 1 / m.value)
    return {"timed_card_older": old_m.setup["gpu_model"], "timed_card_newer": new_m.setup["gpu_model"],
            "timed_card_older_seconds": seconds(old_m), "timed_card_newer_seconds": seconds(new_m)}
