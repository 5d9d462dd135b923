"""Layouts: a GPU count said together with each GPU's batch ("8 GPUs x 8", "32 V100s with batch size 128 per GPU",
"4 GPUs and 2 img/gpu", "batch 64 on a single GPU"), and two of them with the same batch per update.

Engineers often weigh two ways of reaching one total: "would batch 64 on a single GPU give the same result as
8 GPUs x 8?", "I used 32 V100s with 128 per GPU instead of the recommended 64 V100s with 64". Read number by
number, that is a batch change (8 → 64) and two GPU counts that conflict; read as layouts, it is one batch per
update split two ways - a comparison whose answer is what the split changes (BatchNorm's statistics, a contrastive
loss's negatives), not a learning-rate rule.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from advisor.reading import batches
from advisor.reading.clause import Clause, setup_of
from advisor.reading.cues import GUESSES, MEMORY_UNITS
from advisor.reading.hardware import NODE_WORDS
from advisor.reading.state import Read, Reading
from advisor.reading.tokens import WORD_NUMBERS

MAX_LAYOUTS = 8  # layouts kept per message (a comparison names two; a pasted table would name many)
MOST_GPUS = 4096  # a count larger than this is no GPU count ("batch 64 on 1 GPU" vs "8192 tokens")

GPU_NOUNS = frozenset(batches.GPU_COUNT_WORDS)  # what a count of GPUs counts ("8 GPUs", "4 ranks")
ONE_WORDS = frozenset({"single", "one"})  # "a single GPU", "one GPU"
COUNT_WORDS = frozenset(WORD_NUMBERS) | ONE_WORDS  # "two A100 GPUs", "a single GPU"
BATCH_WORDS = frozenset(batches.BATCH_WORDS | {"minibatch", "mini"})
# what may stand between a count and its batch ("8 GPUs with a batch size of 8", "4 GPUs and 2 img/gpu")
LINKS = frozenset({"with", "and", "at", "using"})
RUN_NOUNS = frozenset({"run", "runs", "setup", "job", "training", "experiment"})  # a run named by its GPUs
# (`train_batch_size 32`; "8 gpu and set batch size 64")
FILLERS = BATCH_WORDS | {"a", "the", "size", "sizes", "of", "train", "training", "set", "setting", "use", "used"}
# another setting said between the GPUs and their batch ("2 GPUs with learning rate 1e-4 and train_batch_size 32"):
# its words and its value are passed over, and a link may follow it
OTHER_SETTINGS = frozenset({"lr", "learning", "rate", "epochs", "epoch", "warmup", "decay", "seed", "resolution"})
SETTING_LINKS = frozenset({"of", "=", ":", "is"})  # "learning rate of 1e-4", "lr = 1e-4"
SAID_PER_GPU = frozenset({"per", "each"})  # "batch size per GPU of 8", "128 per GPU", "8 each"
SAID_TOTAL = frozenset({"total", "global", "effective"})
ITEMS = frozenset({"images", "image", "imgs", "img", "samples", "sample", "sequences", "seqs", "examples"})
ON_WORDS = frozenset({"on", "with", "using", "across", "over"})  # "batch 64 on a single GPU"
SAID_WITH_A_BATCH = BATCH_WORDS | ITEMS | {"x", "*"}  # what a layout's batch is said with, one of them at least


class Layout(NamedTuple):
    """A GPU count and each GPU's batch, said together: the words, and whose setup they are."""

    gpus: int
    per_gpu: int
    text: str
    setup: str
    personal: bool  # said in a sentence of the user's ("I train on 4 GPUs and 2 img/gpu")
    # a batch on several GPUs said neither per GPU nor as the total: each GPU's only where the framework makes a
    # script's batch each process's (accelerate, DeiT's main.py), which the whole message tells
    unsaid: bool = False
    asked: bool = False  # said in a question whether two settings are the same ("… the same as 64 on a single GPU?")


def layouts(clause: Clause, reading: Reading, asked: bool = False) -> None:
    """Every layout the clause says, in order, into `reading.layouts` (at most MAX_LAYOUTS a message); `asked`: the
    clause asks whether two settings are the same."""
    present = clause.present
    if len(reading.layouts) >= MAX_LAYOUTS:
        return
    if "b" in present and "x" in present:
        _config_names(clause, reading)
    if present.isdisjoint(GPU_NOUNS) and not clause.card_starts or present.isdisjoint(SAID_WITH_A_BATCH):
        return  # (no GPU noun and no card named: no count of GPUs; no batch word, item or 'x': no batch said with it)
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    counts = clause.numbers  # (a count is a number or a word for one: only those keys are tried)
    if not present.isdisjoint(COUNT_WORDS):
        counts = sorted(counts + [k for k, w in enumerate(words) if w in COUNT_WORDS])
    inside = _card_tokens(clause)
    for k in counts:
        if keys[k] in inside:
            continue  # (the 100 of "A100" counts nothing)
        count = _gpu_count(clause, k)
        if count is None:
            continue
        gpus, end = count
        found = _batch_after(clause, end, gpus) or _batch_before(clause, k)
        if found is None:
            continue
        per_gpu, n, first, last = found
        if gpus > 1 and per_gpu is False:
            continue  # (a batch said as the total on several GPUs: no split said; one GPU's is its own)
        value = tokens[keys[n]].value
        text = clause.text(keys[min(k, first)], keys[max(last, end - 1)])
        if value is not None and float(value).is_integer() and value >= 1 and len(reading.layouts) < MAX_LAYOUTS:
            # ("I would guess 4096 = 8 GPU * 64 * 8": a guess at someone's layout, not said of one's own run)
            personal = reading.in_personal_sentence and present.isdisjoint(GUESSES)
            reading.layouts.append(Layout(gpus, int(value), text, setup_of(clause, k), personal,
                                          unsaid=gpus > 1 and per_gpu is None, asked=asked))


def _card_tokens(clause: Clause) -> set[int]:
    """The tokens inside the GPU names the clause reads ("A100", "RTX 3090 Ti")."""
    if not clause.card_starts:
        return set()
    ends = sorted(clause.card_ends)
    inside: set[int] = set()
    for start in clause.card_starts:
        end = next((e for e in ends if e >= start), start)
        inside.update(range(start, end + 1))
    return inside


OLD_NAME_GPUS = re.compile(r"(\d{1,4})(?:_|$)")


def _config_names(clause: Clause, reading: Reading) -> None:
    """OpenMMLab's config names carry the layout their learning rate was set for: `mask2former_r50_8xb2-lsj-50e_coco.py`
    is 8 GPUs × 2 images (a reference's layout, whoever runs the config)."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    for k in clause.numbers:
        if k >= 1 and words[k - 1] == "b" and k + 2 < len(words) and words[k + 1] == "x" and tokens[keys[k + 2]].is_num:
            # the older names put the images first: `swin_base_224_b16x64_300e_imagenet.py`, `resnet50_b32x8` (16 per
            # GPU × 64 GPUs; the GPUs' token may run on into the schedule's, "64_300e")
            per_gpu, gpus = tokens[keys[k]].value, OLD_NAME_GPUS.match(tokens[keys[k + 2]].text)
            glued = all(not tokens[t].space_before for t in range(keys[k - 1], keys[k + 2] + 1))
            if glued and gpus and per_gpu and float(per_gpu).is_integer() and 1 <= int(gpus.group(1)) <= MOST_GPUS \
                    and len(reading.layouts) < MAX_LAYOUTS:
                text = clause.text(keys[k - 1], keys[k + 2]).split("_")[0]
                reading.layouts.append(Layout(int(gpus.group(1)), int(per_gpu), text, "reference", False))
            continue
        if k + 3 >= len(words) or words[k + 1] != "x" or words[k + 2] != "b" or not tokens[keys[k + 3]].is_num:
            continue
        gpus, per_gpu = tokens[keys[k]].value, tokens[keys[k + 3]].value
        glued = all(not tokens[t].space_before for t in range(keys[k] + 1, keys[k + 3] + 1))
        if glued and gpus and per_gpu and float(gpus).is_integer() and float(per_gpu).is_integer() \
                and 1 <= gpus <= MOST_GPUS and len(reading.layouts) < MAX_LAYOUTS:
            text = clause.text(keys[k], keys[k + 3])
            reading.layouts.append(Layout(int(gpus), int(per_gpu), text, "reference", False))


def _gpu_count(clause: Clause, k: int) -> tuple[int, int] | None:
    """The GPU count at key k and the key after its noun: '8 GPUs', '32 V100s', '8x A100', 'a single GPU', 'one card'
    (not '8 GB', not '2 nodes')."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    tok = tokens[keys[k]]
    if tok.is_num:
        if tok.value is None or not float(tok.value).is_integer() or not 1 <= tok.value <= MOST_GPUS:
            return None
        gpus = int(tok.value)
    elif words[k] in ONE_WORDS:
        gpus = 1
    elif words[k] in WORD_NUMBERS:
        gpus = WORD_NUMBERS[words[k]]  # "two A100 GPUs", "eight cards"
    else:
        return None
    e = k + 1
    if e < len(words) and words[e] in ("x", "*") and gpus > 1:
        e += 1  # "8x A100", "8 x GPUs"
    if e >= len(words):
        return None
    if words[e] in GPU_NOUNS:
        if words[e + 1:e + 3] == ["'", "s"]:
            return gpus, e + 3  # "8 GPU's X 2 samples per GPU": a plural written with an apostrophe
        return gpus, e + 1
    if keys[e] in clause.card_starts:
        while e < len(words) and keys[e] not in clause.card_ends:
            e += 1
        e += 1
        if e < len(words) and words[e] == "s" and not tokens[keys[e]].space_before:
            e += 1  # "32 V100s"
        if e < len(words) and words[e] in GPU_NOUNS:
            e += 1  # "64 V100 GPUs"
        return gpus, e
    return None


def _batch_after(clause: Clause, e: int, gpus: int) -> tuple[bool | None, int, int, int] | None:
    """The batch said right after a GPU count ending before key e: '8 GPUs x 8' (each GPU's), '… with batch size
    128 per GPU', '… and 2 img/gpu', '… with batch 64 (64x64 = 4096)'. (per GPU: True | total: False | unsaid:
    None, the batch's key, the phrase's first and last keys)."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    if e + 1 < len(words) and words[e] in ("x", "*") and tokens[keys[e + 1]].is_num:
        after = words[e + 2] if e + 2 < len(words) else ""
        card_after = keys[e + 2:e + 3] and keys[e + 2] in clause.card_starts
        product = keys[e + 1] + 1 < clause.end and tokens[keys[e + 1] + 1].text == "="
        if after in GPU_NOUNS or after in NODE_WORDS or after in MEMORY_UNITS or card_after or product:
            # "2 x 8 GPUs", "8 GPUs x 2 nodes", "4 GPUs x 24GB", "4 GPUs * 2 = 8" (the product's own reader)
            return None
        return True, e + 1, e + 1, e + 1
    j, said, batch_word, setting, passed = e, None, False, False, False
    if j + 1 < len(words) and words[j] in RUN_NOUNS and words[j + 1] in LINKS:
        j += 1  # "a single gpu run with per_device_train_batch_size=16", "an 8-GPU setup with 2 per GPU"
    if j < len(words) and words[j] in LINKS:
        j += 1
    while j < len(words) and j - e < (12 if passed else 7):
        w = words[j]
        if tokens[keys[j]].is_num:
            if not setting:
                break
            setting, passed = False, True  # (another setting's value: "learning rate 1e-4")
            j += 1
            if j < len(words) and words[j] in LINKS | {","}:
                j += 1  # "… 1e-4 and train_batch_size 32"
            continue
        if w in OTHER_SETTINGS and not batch_word:
            setting = True
            j += 1
            continue
        if setting and w in SETTING_LINKS:
            j += 1
            continue
        if setting:
            return None
        if w in SAID_PER_GPU:
            said = True
            j += 1
            if j < len(words) and words[j] in GPU_NOUNS:
                j += 1
            continue
        if w in SAID_TOTAL:
            said = False
        elif w not in FILLERS:
            return None
        batch_word = batch_word or w in BATCH_WORDS
        j += 1
    if j >= len(words) or not tokens[keys[j]].is_num:
        return None  # ("8 GPUs, 2 images per GPU": no link word, the noun after the batch says it)
    n = j
    last = n
    tail = words[n + 1:n + 4]
    if tail[:1] and tail[0] in MEMORY_UNITS:
        return None  # "8 GPUs with 80 GB"
    items = bool(tail[:1]) and tail[0] in ITEMS
    if items:
        tail, last = tail[1:], last + 1
    if tail[:1] == ["each"]:
        said, last = True, last + 1  # "8 each"
    elif tail[:2] and tail[0] in ("per", "/") and tail[1] in GPU_NOUNS and last + 2 < len(keys) and not any(
            tokens[t].text in (",", ";") for t in range(keys[n], keys[last + 2])):
        # "128 per GPU", "2 img/gpu" (not "50,000 examples, per_device_train_batch_size 8": the next setting's name)
        said, last = True, last + 2
    if not batch_word and not items:
        return None  # "8 GPUs and 2 nodes": a count, not a batch
    if not batch_word and not said and any(tokens[t].text == ":" for t in range(keys[e - 1] + 1, keys[n])):
        return None  # "on one A100: 50,000 examples, …": the colon lists the setup's facts, here the data set
    if said is None and _product_of(clause, n, gpus):
        said = True  # "64 V100s with batch 64 (64x64 = 4096)": the user's own arithmetic says it is each GPU's
    return said, n, e, last


def _product_of(clause: Clause, n: int, gpus: int) -> bool:
    """Whether a product of the GPU count and the batch at key n follows it: '(64x64 = 4096)', '(32 x 128)'."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    if n + 3 >= len(words) or words[n + 2] not in ("x", "*"):
        return False
    a, b = tokens[keys[n + 1]], tokens[keys[n + 3]]
    batch = tokens[keys[n]].value
    return a.is_num and b.is_num and {a.value, b.value} == {float(gpus), batch} and keys[n + 1] - keys[n] <= 2


def _batch_before(clause: Clause, k: int) -> tuple[bool | None, int, int, int] | None:
    """A batch said before the GPU count at key k: 'batch 64 on a single GPU', 'batch size 128 with 1 GPU' (on one
    GPU the batch is that GPU's; on several, unsaid)."""
    words, tokens, keys = clause.words, clause.tokens, clause.keys
    j = k - 1
    while j >= 0 and words[j] in ("a", "an", "single", "just", "only") and j >= k - 2:
        j -= 1
    if j < 1 or words[j] not in ON_WORDS and words[j] != "in":
        return None
    per_gpu = j >= 3 and words[j - 2] in SAID_PER_GPU and words[j - 1] in GPU_NOUNS  # "batch 8 per GPU on 8 GPUs"
    n = j - 3 if per_gpu else j - 1
    # "64 images on a single GPU", "64 batches in a single gpu" (samples, said as batches): the noun after the count
    counted = n >= 1 and words[n] in ITEMS | {"batches"} and (per_gpu or _one_gpu_named(words, k))
    if counted:
        n -= 1  # ("8 images per GPU on 8 GPUs" too: each GPU's, said)
    if n < 0 or not tokens[keys[n]].is_num:
        return None
    named = [b for b in range(max(0, n - 3), n) if words[b] in BATCH_WORDS] or ([n + 1] if counted else [])
    if not named:
        return None
    gpus = 1 if words[k] in ONE_WORDS else tokens[keys[k]].value
    return (True if gpus == 1 or per_gpu else None), n, min(named[0], n), n + counted + (2 if per_gpu else 0)


def _one_gpu_named(words: list[str], k: int) -> bool:
    """Whether the GPU count at key k is one ("a single GPU", "one card", "1 GPU"): a count of samples before it is
    that GPU's batch (on several GPUs it could be any split)."""
    return words[k] in ONE_WORDS or words[k] == "1"


# reads that say each process builds its own batch: a script's per-GPU flag, accelerate, Lightning
PER_PROCESS = frozenset({"batch_flag_per_gpu", "accelerate", "lightning"})


def _prose(text: str) -> bool:
    """Whether a batch was said in words, not as a script's key or flag (`batch_size=128`, `--batch-size 64`)."""
    return not any(mark in text for mark in ("_", "=", "--", ":"))


def resolve_layouts(reading: Reading) -> None:
    """Two layouts of the same batch per update on different GPU counts: the user's run is one of them (the surer
    by _users_run, else the first said), the other the layout compared; the 'change' between their batches or GPU
    counts, and the counts' conflict, are the comparison read number by number, so they go."""
    _accumulated_to_reference(reading)
    per_process = not PER_PROCESS.isdisjoint(reading.values)
    said_layouts = reading.layouts
    # a batch unsaid on several GPUs is each GPU's where the script's batch is each process's, else no split
    # (a script whose batch flag is per GPU makes its flag each GPU's - "8 GPUs and batch_size=128" - but not the
    # user's prose: "a batch size of 1024 on 4 GPUs" may be the total the paper gives, so it stays unsaid)
    flag_only = set(reading.values) & PER_PROCESS == {"batch_flag_per_gpu"}
    accumulates = _accumulates(reading)
    reading.layouts = [layout._replace(unsaid=False) for layout in reading.layouts
                       if not layout.unsaid or per_process and not (flag_only and _prose(layout.text))
                       or _splits_a_said_total(layout, said_layouts, accumulates)]
    data = reading.values.get("dataset_size")
    if data is not None and any(data.value == layout.per_gpu and data.text in layout.text for layout in reading.layouts):
        del reading.values["dataset_size"]  # "64 images on a single GPU": that GPU's batch, not a data set of 64
    said = reading.values.get("num_gpus")
    theirs = next((layout for layout in reading.layouts if layout.setup == "reference"), None)
    if theirs is None and said is not None and said.personal and len(reading.layouts) == 1 \
            and not reading.layouts[0].personal and reading.layouts[0].gpus not in (said.value, 1):
        # "does the config's LR assume 8x GPU (2 samples per gpu)? … I have only 4 GPUs": a layout said apart from
        # the user's own GPUs, on another count, is the setup they compare with
        theirs = reading.layouts[0]
    reference = reading.reference.get("batch")
    if theirs is not None and theirs.gpus > 1 and (reference is None or reference.value == theirs.per_gpu):
        # "the paper trains on 8 GPUs with 32 per GPU", a config named `…_8xb2-…`: the reference's batch per update
        # is the product, not the per-GPU batch
        reading.reference["batch"] = Read("batch", theirs.gpus * theirs.per_gpu, theirs.text, "reference")
    _per_gpu_batch_compared(reading)
    pair = _same_total(reading.layouts)
    if pair is None:
        _own_layout(reading)
        _one_gpu_that_worked(reading, said_layouts)
        return
    first, second = pair
    values = reading.values
    said = values.get("num_gpus")
    if _users_run(second, said) > _users_run(first, said):
        first, second = second, first
    total = first.gpus * first.per_gpu
    if first.setup != "user" and (said is None or said.value != first.gpus):
        # "the default LR is for 4 GPUs and 2 img/gpu; equivalently 8 GPUs and 1 img/gpu": the docs' two ways, neither
        # the user's run (unless their GPU count is one of them): only the reference's batch per update
        reading.reference.setdefault("batch", Read("batch", total, first.text, "reference"))
        return
    reading.compared_layout = second
    values["num_gpus"] = Read("num_gpus", first.gpus, first.text)
    values["micro_batch"] = Read("micro_batch", first.per_gpu, first.text)
    values["global_batch"] = Read("global_batch", total, first.text)
    values.pop("batch_unqualified", None)
    compared = {first.per_gpu, second.per_gpu, total}
    if "batch_from" in values and "batch_to" in values and \
            {values["batch_from"].value, values["batch_to"].value} <= compared:
        del values["batch_from"], values["batch_to"]
    # the learning rate was set for the batch per update the two share: no change of it to scale for
    reference = reading.reference.get("batch")
    if reference is None or reference.value in compared:
        reading.reference["batch"] = Read("batch", total, second.text, "reference")
    if "gpus_from" in values and "gpus_to" in values and \
            {values["gpus_from"].value, values["gpus_to"].value} == {first.gpus, second.gpus}:
        del values["gpus_from"], values["gpus_to"]  # (the two counts compared, not a move from one to the other)
    reading.conflicts = [(a, b) for a, b in reading.conflicts
                         if not (a.field == b.field == "num_gpus" and {a.value, b.value} == {first.gpus, second.gpus})]


def _per_gpu_batch_compared(reading: Reading) -> None:
    """"allocate 8 batches to each gpu … is the result the same as that of 64 batches in a single gpu?": a batch per
    GPU said with no GPU count, weighed against one GPU that runs a whole multiple of it, is that batch on as many
    GPUs as make up the one GPU's batch (8 × 8 = 64) - the layout the question compares."""
    if len(reading.layouts) != 1:
        return
    single = reading.layouts[0]
    micro = reading.values.get("micro_batch") or reading.reference.get("micro_batch")
    gpus = reading.values.get("num_gpus")
    if not single.asked or single.gpus != 1 or micro is None or micro.text in single.text \
            or gpus is not None and gpus.value != 1 or not float(micro.value).is_integer() or micro.value < 1:
        return
    per_gpu = int(micro.value)
    if single.per_gpu % per_gpu or not 2 <= single.per_gpu // per_gpu <= MOST_GPUS:
        return
    reading.layouts.append(Layout(single.per_gpu // per_gpu, per_gpu, micro.text, micro.setup, False))


def _own_layout(reading: Reading) -> None:
    """"I train on 48 GPUs x 2 img/gpu (batch 96)": the one layout the user says of their own run, on the GPU count
    the message settled on, gives each GPU's batch and the batch per update when nothing else did."""
    values = reading.values
    own = [layout for layout in reading.layouts if layout.setup == "user" and layout.personal]
    said = values.get("num_gpus")
    # (the count read as the user's too: not a supposed case's "what if I have 4 GPUs, batch 1?" nor a guess at
    # theirs, "I would guess 4096 = 8 GPU * 64 * 8")
    if len(own) != 1 or own[0].gpus < 2 or said is None or said.value != own[0].gpus \
            or "micro_batch" in values or "global_batch" in values:
        return
    layout = own[0]
    values["micro_batch"] = Read("micro_batch", layout.per_gpu, layout.text)
    values["global_batch"] = Read("global_batch", layout.gpus * layout.per_gpu, layout.text, implied=True)
    plain = values.get("batch_unqualified")
    if plain is not None and plain.value == layout.gpus * layout.per_gpu:
        del values["batch_unqualified"]  # ("… (batch 96)": the product, said again)


def _one_gpu_that_worked(reading: Reading, said_layouts: list[Layout]) -> None:
    """"I use single gpu with batch size 16. Model works. However, when I use 8 gpu and set batch size 64 … out of
    memory": two layouts of the user's own, one GPU and several; the run asked about is the several (the count the
    message settles on), each GPU's batch its batch, and the one GPU's batch is the most each GPU is known to hold.
    A batch on the GPUs said neither per GPU nor as the total is each GPU's when the run ran out of memory and its
    share as a total would have been no more than one GPU held (64 over 8 GPUs is 8, and 16 ran)."""
    values = reading.values
    oom = values.get("oom") is not None and values["oom"].value is True
    own = [layout for layout in said_layouts if layout.setup == "user" and layout.personal
           and (not layout.unsaid or oom)]
    said = values.get("num_gpus")
    if len(own) != 2 or "micro_batch" in values or "global_batch" in values:
        return
    several = next((layout for layout in own if layout.gpus > 1), None)
    single = next((layout for layout in own if layout.gpus == 1), None)
    # (the counts settle later, the several winning over one GPU compared with it: either may be read so far)
    if several is None or single is None or several.per_gpu <= single.per_gpu \
            or said is not None and said.value not in (1, several.gpus) \
            or several.unsaid and several.per_gpu / several.gpus > single.per_gpu:
        return
    values["micro_batch"] = Read("micro_batch", several.per_gpu, several.text)
    values["global_batch"] = Read("global_batch", several.gpus * several.per_gpu, several.text, implied=True)
    values.setdefault("max_micro_batch", Read("max_micro_batch", single.per_gpu, single.text))
    values.pop("batch_unqualified", None)
    reading.conflicts = [(a, b) for a, b in reading.conflicts
                         if not (a.field == b.field == "batch" and {a.value, b.value} == {single.per_gpu, several.per_gpu})]


def _accumulated_to_reference(reading: Reading) -> None:
    """"2 A100s, batch_size = 192; you trained on 8 A100s - do I set accumulate_grad_batches to 4 to match?": an
    accumulation that makes up exactly the GPUs the reference had more of keeps the per-GPU batch, so the
    reference's batch per update is that batch on its GPUs (192 × 8 = 1,536), which the user's plan reaches."""
    values, reference = reading.values, reading.reference
    gpus, theirs = values.get("num_gpus"), reference.get("num_gpus")
    micro, accum = values.get("micro_batch"), values.get("grad_accum_steps")
    if gpus is None or theirs is None or micro is None or accum is None or "batch" in reference:
        return
    if accum.value > 1 and gpus.value * accum.value == theirs.value:
        reference["batch"] = Read("batch", micro.value * theirs.value, theirs.text, "reference", implied=True)


def _users_run(layout: Layout, said: Read | None) -> tuple[bool, bool, bool, int]:
    """How surely a layout is the user's run: theirs rather than a reference's, said of themselves, the GPU count
    the rest of the message settled on; between two runs of theirs alike, the one on more GPUs ("on one H20 … but
    on 2 x H20 it OOMs earlier": a comparison asks about the larger setup, as a GPU count compared does)."""
    return layout.setup == "user", layout.personal, said is not None and said.value == layout.gpus, layout.gpus


def _accumulates(reading: Reading) -> bool:
    """Whether the message gives some run accumulation steps above 1 (read, or in a conflict of two reads)."""
    reads = [reading.values.get("grad_accum_steps")] + [r for pair in reading.conflicts for r in pair]
    return any(r is not None and r.field == "grad_accum_steps" and r.value > 1 for r in reads)


def _splits_a_said_total(layout: Layout, found: list[Layout], accumulates: bool) -> bool:
    """"batch_size=4 with single GPU … than batch_size=1 with 4 GPUs": a batch on several GPUs said neither per GPU
    nor as the total is each GPU's where, as a total, it would not split into whole samples per GPU (1 on 4 GPUs),
    and times the GPUs it makes the batch of a layout said outright on another count - one total split two ways.
    (32 on 2 GPUs against 64 on one stays unsaid: 16 each against 64 is as likely a comparison; and where some run
    accumulates, the layouts' batches are not their totals to match.)"""
    return layout.unsaid and not accumulates and layout.per_gpu % layout.gpus != 0 and any(
        not other.unsaid and other.gpus != layout.gpus and other.gpus * other.per_gpu == layout.gpus * layout.per_gpu
        for other in found)


def _same_total(found: list[Layout]) -> tuple[Layout, Layout] | None:
    """The first two layouts on different GPU counts whose batches per update are equal."""
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            if a.gpus != b.gpus and a.gpus * a.per_gpu == b.gpus * b.per_gpu:
                return a, b
    return None


# Accumulation splits: "is bs 2 with grad accum 4 the same as bs 8?" weighs two ways of reaching a batch per update
# in time rather than over GPUs - a micro-batch and the steps accumulated - asked as a comparison, neither the run.

ACCUMULATION_WORDS = frozenset({"accumulation", "accumulate", "accumulating", "accum", "ga"})  # (keys split at '_')
NONE_WORDS = frozenset({"without", "no"})  # "batch 8 without accumulation", "bs 8 and no grad accum"


class Split(NamedTuple):
    """A batch per step and the steps accumulated into one update, as an equivalence question compares them."""

    micro: int
    steps: int


def accumulation_splits(clause: Clause, reading: Reading) -> None:
    """Pair the batches and accumulation steps an equivalence question in this clause compared (read by the
    number reader into `reading.compared_numbers`) into two splits, the one that accumulates first."""
    numbers, reading.compared_numbers = reading.compared_numbers, []
    batches_said = [(value, k) for field, value, k in numbers if field == "batch"]
    if not batches_said:
        return
    gpus_named = _gpus_named(clause)
    if len(batches_said) == 1 and not reading.compared_splits and not gpus_named:
        _own_split_compared(reading, batches_said[0][0], numbers, clause)
        return
    if reading.compared_splits or len(batches_said) != 2 or gpus_named and _gpu_counts(clause) != 1:
        return  # (GPUs compared as well are the layouts' question: "bs 8 on 4 GPUs or bs 32 on one?"; one count of
        # them said is the GPUs both splits run on: "on two GPUs, is bs 1 with GA 8 the same as bs 4 with GA 2?")
    steps: list[int | None] = [None, None]
    for field, value, k in numbers:
        if field == "grad_accum_steps":
            # each count of steps belongs to the batch nearest before it, else to the first ("accumulate 4 with bs 2")
            owner = 1 if k > batches_said[1][1] else 0
            if steps[owner] is None:
                steps[owner] = value
    for i, (_, k) in enumerate(batches_said):
        if steps[i] is None and _without_accumulation(clause, k):
            steps[i] = 1
    if steps.count(None) == 1:
        steps = [1 if s is None else s for s in steps]  # "bs 8 + ga 4 the same as bs 32": the plain one is one step
    if None in steps or max(steps) < 2:
        return
    first, second = (Split(value, s) for (value, _), s in zip(batches_said, steps))
    reading.compared_splits = [first, second] if first.steps >= second.steps else [second, first]
    keys = [k for _, _, k in numbers]
    reading.compared_splits_text = clause.text(clause.keys[min(keys)], clause.keys[max(keys)])


def _gpu_counts(clause: Clause) -> int:
    """How many GPU nouns of the clause a count stands before ("2 GPUs", "two gpus"): one is the GPUs of both sides."""
    words = clause.words
    return sum(1 for i, w in enumerate(words) if w in GPU_NOUNS and i and (words[i - 1].isdigit()
                                                                          or words[i - 1] in WORD_NUMBERS))


def _gpus_named(clause: Clause) -> bool:
    """Whether the clause names GPUs, not counting the device a batch is per (`per_device_train_batch_size`)."""
    if clause.present.isdisjoint(GPU_NOUNS):
        return False
    words = clause.words
    return any(w in GPU_NOUNS and not (i and words[i - 1] == "per") for i, w in enumerate(words))


def _own_split_compared(reading: Reading, other: int, numbers: list, clause: Clause) -> None:
    """"I can only fit --batch-size 8 … So with accumulate=8 I get exactly the same training as batch 64, right?": the
    user's own batch and accumulation (said before, or beside) against the one batch the question names, when
    their product is that batch."""
    values = reading.values
    own = next((values[f] for f in ("micro_batch", "batch", "global_batch") if f in values), None)
    steps = next((value for field, value, _ in numbers if field == "grad_accum_steps"), None)
    if steps is None and "grad_accum_steps" in values:
        steps = values["grad_accum_steps"].value
    if own is None or not steps or steps < 2 or own.value * steps != other:
        return
    reading.compared_splits = [Split(own.value, steps), Split(other, 1)]
    reading.compared_splits_text = clause.text(clause.start, clause.end - 1)


def _without_accumulation(clause: Clause, k: int) -> bool:
    """Whether the batch at key k is said without accumulation ("batch size 8 without accumulation", "8, no GA")."""
    words = clause.words[k + 1:k + 6]
    return any(w in NONE_WORDS and not ACCUMULATION_WORDS.isdisjoint(words[i + 1:i + 4]) for i, w in enumerate(words))
