"""The user's hardware: GPUs named from the catalogue and their counts ('2x A100 40GB', 'A100 80G * 2', 'four V100',
'two nodes with 4 GPUs each', device-id lists), the card's memory (said, totalled, or the capacity an OOM error
reports), notebook platforms, and when a message compares one GPU with several."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from advisor.domain import gpus as catalogue
from advisor.reading import chinese
from advisor.reading.clause import MAX_NAMES, Clause, catalogue_names, negated, setup_of
from advisor.reading.cues import BATCH_SPELLINGS, GPU_WORDS, MEMORY_UNITS
from advisor.reading.state import Read, Reading
from advisor.reading.tokens import WORD_NUMBERS


SEVERAL = {"multiple", "multi", "several", "more", "fewer", "across", "each", "every", "per", "all", "other"}


def speaks_of_several_gpus(clause: Clause) -> str:
    """'multiple GPUs', 'across GPUs', 'every GPU': a message that compares one GPU with several has no 'one GPU'
    setup to read ("several"). 'per GPU' speaks of per-GPU quantities, which one GPU has as well ("a single V100 …
    256 per GPU"): a weaker sign ("per"), which a count said in words outweighs. "" when neither."""
    words = clause.words
    if "gpu" not in clause.present and "gpus" not in clause.present:
        return ""
    found = ""
    for k, w in enumerate(words):
        if w in ("gpu", "gpus") and k > 0 and words[k - 1] in SEVERAL and setup_of(clause, k) == "user" \
                and clause.word_of(k - 1) == (k - 1, k - 1) and clause.word_of(k) == (k, k) \
                and not (words[k - 1] == "more" and ACQUIRING.intersection(words[max(0, k - 5):k - 1])) \
                and not negated(clause, k - 1) and not _cannot(words, k - 1) and words[k - 2:k - 1] != ["or"] \
                and not (words[k - 1] in ("more", "all", "fewer", "less") and words[k + 1:k + 2]
                         and words[k + 1] in GPU_RESOURCES):
            # (not `per_gpu_…` keys; "use more GPU memory", "all GPU power": more of one card, no count of them; "do I
            # need more GPUs?": GPUs the user may add, not ones they run; "I can't
            # shard across GPUs": none; "single GPU or multi GPU?": a choice asked of, not a setup)
            if words[k - 1] != "per":
                return "several"
            found = "per"
    return found


# what a card has more or less of ("use more GPU memory", "all GPU power"): said of one card as well as of several
GPU_RESOURCES = frozenset({"memory", "vram", "ram", "utilization", "utilisation", "usage", "util", "power", "compute",
                           "resources", "capacity", "load"})


def _an_example(words: list[str], k: int) -> bool:
    """Whether the card at key k is named as an example of a kind ("a slightly older GPU like the RTX 2080 8 GB",
    "cards such as the A100"): not the user's own."""
    for start in range(k - 1, max(-1, k - 5), -1):
        if words[start] == "like" and start >= 1 and words[start - 1] in SEEMS:
            return False  # "it feels like a V100 16G is not enough": the user's card, as it seems to them
        if words[start] == "like" or words[start - 1:start + 1] == ["such", "as"] and start >= 1:
            return all(w in EXAMPLE_FILLERS for w in words[start + 1:k])  # (not "I'd like to use the A100")
        if words[start] not in EXAMPLE_FILLERS:
            return False
    return False


SEEMS = frozenset({"feel", "feels", "felt", "look", "looks", "looked", "seem", "seems", "seemed", "sound", "sounds"})
EXAMPLE_FILLERS = frozenset({"the", "a", "an", "nvidia", "rtx", "gtx", "geforce", "tesla", "quadro", "amd", "radeon"})


def _cannot(words: list[str], k: int) -> bool:
    """'I can't shard across GPUs', 'cannot split over GPUs': a verb just before key k that the user cannot do."""
    before = words[max(0, k - 5):k]
    return "cannot" in before or "unable" in before or any(
        before[j:j + 3] in (["can", "'", "t"], ["can", "’", "t"]) for j in range(len(before) - 2))


# the words of a GPU count said outright ("a single V100", "one A100", "1 GPU"), which 'per GPU' does not undo
SAID_ONE = frozenset({"single", "one", "1", "only"})


ACQUIRING = frozenset({"need", "needed", "buy", "rent", "add", "get", "require", "requires"})


# EC2's GPU instance families, said without a size ("a p4 node"): no card of that name (the sized types, p4d.24xlarge,
# are catalogue entries of their own)
AWS_FAMILIES = frozenset({"p2", "p3", "p4", "p5", "g4", "g5", "g6"})
INSTANCE_WORDS = frozenset({"node", "nodes", "instance", "instances", "machine", "machines", "server", "cluster", "vm"})
CLOUDS = frozenset({"aws", "ec2", "amazon"})
# nouns after a bare model number that make it a count ("1050 samples", "4090 steps"), not a card's name
COUNTED_AFTER = frozenset({"samples", "images", "examples", "steps", "iterations", "iters", "epochs", "tokens",
                           "sequences", "rows", "records", "sentences", "documents", "pictures", "files", "items",
                           "batches", "utterances", "instances", "prompts", "texts", "videos", "clips", "frames"})


# a computer called by its card ("my 7900XT PC", "a 4090 rig")
COMPUTER_NOUNS = frozenset({"pc", "rig", "box", "desktop", "workstation", "build", "computer"})
# words that make a card named beside them several cards, uncounted
SEVERAL_WORDS = frozenset({"multiple", "several", "many", "some", "both", "all", "our", "these", "those"})
PLURAL_GPU_WORDS = frozenset({"gpus", "cards", "nodes", "machines", "servers", "instances", "clusters"})


PLATFORM_SWITCHES = frozenset({"went", "go", "moved", "move", "switched", "switch", "upgraded", "upgrade", "changed",
                               "bumped"})


def gpu_names(clause: Clause, reading: Reading) -> None:
    """GPUs named from the catalogue ('2x A100 40GB', 'a single 3090', 'T4 x 2'): the card (or its ambiguous family),
    its memory, and the count written before or after it; a platform ('Kaggle') is settled at the end."""
    words = clause.words
    previous_end = -1  # where the card named before in the clause ends (for "an A6000 or an H100")
    for s, e, target in catalogue_names(catalogue.name_index(), clause, reading):
        last = clause.tokens[clause.keys[e - 1]]
        after = words[e:min(len(words), e + 4)]
        if e - s > 1 and words[e - 1] == "s" and clause.source[last.start:last.end] == "s":
            e -= 1  # "8 V100s" is a plural of the V100, not the V100S (a product name is written in capitals)
            reading.plural_card = True
        elif e < len(words) and words[e] == "s" and not clause.tokens[clause.keys[e]].space_before:
            reading.plural_card = True  # "I train on A100s": several of them, however many
        if not SEVERAL_WORDS.isdisjoint(words[max(0, s - 2):s]) or not PLURAL_GPU_WORDS.isdisjoint(after[:3]):
            reading.plural_card = True  # "multiple H100 GPUs", "on A100 40GB GPUs": several, however many
        if e - s == 1 and last.is_num and after[:1] and (after[0] in COUNTED_AFTER or after[:2] in (
                ["training", "samples"], ["training", "images"], ["training", "examples"], ["train", "samples"])):
            continue  # "1050 training samples", "3090 images": a count, not a GTX 1050 or an RTX 3090
        if _in_dimensions(clause, clause.keys[s], clause.keys[e - 1]):
            continue  # "1080x1920", "1920x1080": an image's sides, not a GTX 1080 (nor 1,920 of them)
        if e - s <= 2 and _code_variable(clause, clause.keys[s], clause.keys[e - 1]):
            continue  # "s4, p4 = encoder_block(p3, 128)", "conv_block(p4, 256)": a variable in code, no Tesla P4
        nxt = clause.keys[e - 1] + 1
        if last.is_num and nxt < clause.end and not clause.tokens[nxt].space_before \
                and clause.tokens[nxt].text in ("b", "m", "bn"):
            continue  # "a30b model": a parameter count, no A30
        if after[:1] and after[0] in COMPUTER_NOUNS and "gpu_model" in reading.values \
                and _another_card(reading.values["gpu_model"].value, words[s:e]):
            continue  # "a MI100 I got off eBay in my 7900XT PC": the computer the card named first went into
        if "".join(words[s:e]) in AWS_FAMILIES and (after[:1] and after[0] in INSTANCE_WORDS
                                                        or not CLOUDS.isdisjoint(words[max(0, s - 2):s])):
            continue  # "an AWS p4 node with 8 A100s", "a p3 instance": EC2's family, not the Tesla P4 or P100
        for j in range(e, e + len(after)):
            # (the set test first: a host word after the card is rare, a mark between two keys common)
            if not HOST_WORDS.isdisjoint(words[j:j + 4]) \
                    and any(clause.tokens[t].text == "," for t in range(clause.keys[j - 1] + 1, clause.keys[j])):
                after = words[e:j]  # "a 6GB GPU RTX 3060, 32GB of RAM" or "…, 64GB DDR5": the host's, next in the list
                break
        # (the words before the name, as far as the card named before it: "RTX 3090 + RTX 3060" is two cards)
        match = _find_gpu(" ".join(words[max(0, s - 2, previous_end):e] + after))
        if match is not None and match.platform and match.id != target:
            # "kaggle T4", "colab pro L4 (24GB)": the card named, not the platform before it
            match = _find_gpu(" ".join(words[s:e] + after))
        text = clause.text(clause.keys[s], clause.keys[e - 1])
        if match is not None:
            # the name's own digits ("3090" in "4 3090 cards") count nothing
            clause.consumed.update(range(clause.keys[s], clause.keys[e - 1] + 1))
        if match is not None and match.platform:
            # (a later one switched to is the run's: "I went up to a ml.g5.48xlarge instance" - review 86 #11)
            switched = "to" in words[max(0, s - 3):s] and not PLATFORM_SWITCHES.isdisjoint(words[max(0, s - 5):s])
            if reading.platform is None or switched:  # settled once the message has been read (a card named wins)
                reading.platform = (match, text, setup_of(clause, s))
                count = _count_before(clause, s)
                if count is not None and 2 <= count[0] <= MAX_MACHINES and len(match.candidates) == 1:
                    # "6 g5.4xlarge instances": that many machines of the type, each with its cards
                    reading.platform_machines = (int(count[0]), clause.text(count[1], clause.keys[e - 1]))
            continue
        if match is not None and _alternative(words, previous_end, s, reading, match):
            # "should I rent an A6000 or an H100?": the plan is checked on the first and on this one
            if "gpu_alternative" not in reading.values:
                reading.set(Read("gpu_alternative", text, text))
                reading.set(Read("gpu_alternative_bytes", match.gpu.memory_bytes, text))
            previous_end = e
            continue
        if match is not None and _joined(clause, previous_end, s, reading, match) and setup_of(clause, s) == "user":
            # "a Tesla K80 and a 1080 Ti": a second, different card beside the first in the user's machine
            if "gpu_second" not in reading.values:
                reading.set(Read("gpu_second", match.id, text))
                if match.gpu is not None:  # (a family of several sizes, "RTX 3060", leaves its memory unsaid)
                    reading.set(Read("gpu_second_bytes", match.gpu.memory_bytes, text))
            previous_end = e
            continue
        if match is not None and match.gpu is not None and previous_end >= 0 and "to" in words[max(previous_end, s - 4):s] \
                and "from" in words[max(0, previous_end - 8):previous_end] and setup_of(clause, s) == "user":
            # "moving from 8x A100 40GB to 8x H100 80GB": the run asked about is on the new card
            for name in ("gpu_model", "gpu_memory_gb", "gpu_memory_catalogue_bytes"):
                reading.values.pop(name, None)
        if match is not None:
            previous_end = e
            setup = setup_of(clause, s)  # "in the paper … on 8 H100 GPUs": the authors' cards
            if setup != "user" and words[e:e + 3] == ["in", "my", "case"]:
                setup = "user"  # "you stated that with one GPU (16gb), (Tesla V100 in my case) …" (review 85 #11)
            before, after = _count_before(clause, s), _count_after(clause, e)
            # ("a T4x2 on Kaggle": the article counts the machine, the count after the card its GPUs)
            count = after if after is not None and (before is None or before[0] == 1) else before
            # (the words before a count of several: "much slower than 8*RTX3090" - review 79 #27; not "more memory
            # than a single A100 has", the user's own card)
            lead = min(s, clause.key_of.get(count[1], s) if count and count[0] > 1 else s)
            if lacked(words, min(s, clause.key_of.get(count[1], s) if count else s)) or "than" in words[max(0, lead - 2):s] \
                    or words[max(0, lead - 2):lead] in (["compared", "to"], ["compared", "with"]) \
                    or _an_example(words, lead):
                # "I don't have 8 A100s like you", "a more powerful GPU than a T4", "10x the time compared to V100":
                # cards the user lacks or compares with are another setup's
                setup = "reference"
                if e + 1 < len(words) and clause.tokens[clause.keys[e]].is_num and words[e + 1] in MEMORY_UNITS:
                    # ("like the RTX 2080 8 GB": the example's size, no more the user's card than its name)
                    clause.consumed.update((clause.keys[e], clause.keys[e + 1]))
            clause.card_ends.add(clause.keys[e - 1])  # (a family's name too: "16GB RAM V100s")
            clause.card_starts.add(clause.keys[s])
            clause.card_sizes[clause.keys[s]] = frozenset(round(m.memory_gb) for m in match.candidates)
            clause.card_end_sizes[clause.keys[e - 1]] = clause.card_sizes[clause.keys[s]]
            if match.gpu is not None:
                card, before = Read("gpu_model", match.gpu.id, text, setup), reading.values.get("gpu_model")
                reading.set(card)
                size = Read("gpu_memory_gb", match.gpu.memory_gb, text, setup, weak=True)
                # (the card's catalogue size gives way to one the user states: "RTX 2080 (11264MiB each)")
                reading.set(size)
                old = reading.values.get("gpu_memory_gb")
                if reading.values.get("gpu_model") is card and before is not None and before.past \
                        and old is not None and old is not size and old.weak:
                    # "a month ago I trained on a 4080 and it worked; today on a 3090 …": the card of the run asked
                    # about brings its own size, not the earlier run's
                    reading.values["gpu_memory_gb"] = size
                reading.set(Read("gpu_memory_catalogue_bytes", match.gpu.memory_bytes, text, setup))
            else:
                reading.set(Read("gpu_model", match.id, text, setup))
                if match.memory_gb_said and "total" not in words[e:e + 6]:
                    reading.set(Read("gpu_memory_gb", match.memory_gb_said, text, setup))
            if count:  # (the user's count, one they lack, or a reference's: "you trained on 8 A100s")
                name, n = ("num_gpus", count[0])
                if count[0] > 1:
                    # (a count after the card - "16 nodes of H100x8" - is placed as the card is, after "nodes of")
                    at = s if count[1] > clause.keys[e - 1] else clause.key_of.get(count[1], s)
                    name, n = gpu_count(clause, at, count[0])
                first, last = clause.keys[s], clause.keys[e - 1]
                said = clause.text(min(count[1], first), max(count[1] + 1, last) if count[1] > last else last)
                if name == "num_gpus" and count[0] > 1 and _could_use(words, clause.key_of.get(count[1], s)):
                    name = "gpus_available"  # "I could use two A40 GPUs if necessary": what the run may grow to
                reading.set(Read(name, n, said, setup))
                if setup != "user":
                    clause.consumed.add(count[1])  # (another setup's count: "than 8*RTX3090" counts none of the user's)
                if name == "num_gpus" and count[0] == GPUS_PER_SERVER and n > count[0] and n % count[0] == 0 \
                        and n // count[0] <= MOST_MACHINES_MULTIPLIED:
                    # "9*8 A800 80G", "2*8 A800": machines of eight cards each, the usual server
                    reading.set(Read("num_nodes", n // count[0], said, setup))


def _another_card(card_read: str, name: list[str]) -> bool:
    """Whether the catalogue card called `name` is another than the card already read."""
    match = _find_gpu(" ".join(name))
    return match is not None and match.id != card_read


# words that end a card's name after its model number ("RTX 5880 Ada", "RTX 5000 Ada Generation", "GTX 1070 Ti")
CARD_SUFFIXES = frozenset({"ti", "super", "ada", "pro", "max", "xt", "xtx", "blackwell", "ampere", "hopper",
                           "generation", "gen", "mobile", "laptop", "d"})


def unknown_cards(clause: Clause, reading: Reading) -> None:
    """A card the catalogue does not know ('4x RTX 5880 Ada 48GB', '2 Tesla P4', 'a Radeon VII 16GB'): its name is
    marked as a card's, so the size written next to it is its memory and the count before it the number of GPUs.
    The card itself is not read (its memory and peak are not guessed)."""
    if clause.present.isdisjoint(CARD_PREFIXES):
        return
    words, keys, tokens = clause.words, clause.keys, clause.tokens
    for k, w in enumerate(words):
        if w not in CARD_PREFIXES or keys[k] in clause.consumed or not card_after(clause, k):
            continue  # (a catalogue card's name is consumed when it is read)
        if reading.names_seen >= MAX_NAMES:
            return  # (the message's budget of names, shared with the catalogue's: a pasted log names thousands)
        reading.names_seen += 1
        e = k + 1
        while e < len(words) and words[e] in CARD_PREFIXES:
            e += 1  # "Quadro RTX 7000"
        if e + 1 < len(words) and tokens[keys[e]].is_num and words[e + 1] in MEMORY_UNITS:
            continue  # "1060 GTX 6GB": the name's number came first, and a size follows
        if e < len(words) and keys[e] not in clause.consumed:
            e += 1  # the model: "5880", "P4" (its glued parts follow), "VII"
            while e < len(words) and not tokens[keys[e]].space_before and keys[e] != keys[e - 1] \
                    and tokens[keys[e]].kind in ("num", "word") and e - k < 5:
                e += 1
        while e < len(words) and words[e] in CARD_SUFFIXES and e - k < 6:
            e += 1
        first, last = keys[k], keys[e - 1]
        clause.card_starts.add(first)
        clause.card_ends.add(last)
        clause.consumed.update(range(first, last + 1))  # ("5880" is the card's name, no count or size)
        count = _count_before(clause, k)
        if count is not None and setup_of(clause, k) == "user" and not lacked(words, clause.key_of.get(count[1], k)):
            name, n = gpu_count(clause, clause.key_of.get(count[1], k), count[0]) if count[0] > 1 else ("num_gpus", 1)
            reading.set(Read(name, n, clause.text(count[1], last)))
            clause.consumed.add(count[1])


ALTERNATIVES = frozenset({"or", "vs", "versus"})


def _alternative(words: list[str], previous_end: int, s: int, reading: Reading, match) -> bool:
    """Whether the card named at key s is weighed against the one named just before it in the clause, the user's
    ('an A6000 or an H100', 'A100 vs H100', 'a 4090 or rent an A100'): another card, one to three words after the
    first, the first of them 'or', 'vs' or 'versus'."""
    if previous_end < 0 or match.gpu is None or not 1 <= s - previous_end <= 3 or words[previous_end] not in ALTERNATIVES:
        return False
    first = reading.values.get("gpu_model")
    return first is not None and first.setup == "user" and first.value != match.id


JOINING = frozenset({"and", "+", "&", "plus"})
ONE_CARD = frozenset({"a", "an", "one", "1", "single", "my", "the", "old", "older", "new", "newer", "another", "second"})


def _joined(clause: Clause, previous_end: int, s: int, reading: Reading, match) -> bool:
    """Whether the card named at key s is a second card beside the one named just before it in the clause, the
    user's, one of each ('a Tesla K80 and a 1080 Ti', 'RTX 3090 + RTX 3060'): joined by 'and' or '+', with nothing
    but 'a' or 'one' between, and another card (not 'an A100 and an A100')."""
    if previous_end < 1 or not 0 <= s - previous_end <= 3:
        return False
    words, keys = clause.words, clause.keys
    if words[previous_end:previous_end + 1] and words[previous_end] in JOINING:
        between = words[previous_end + 1:s]
    elif any(clause.tokens[t].text in ("+", "&") for t in range(keys[previous_end - 1] + 1, keys[s])):
        between = words[previous_end:s]  # ("+" is no key: it stands between the two names' keys)
    else:
        return False
    if any(w not in ONE_CARD and w not in CARD_PREFIXES for w in between):  # ("a 1080 Ti", "RTX 3060")
        return False
    first = reading.values.get("gpu_model")
    return first is not None and first.setup == "user" and first.value != match.id


def single_gpu(clause: Clause, reading: Reading) -> None:
    """'a GPU', 'a single GPU', 'one card', 'an 80GB GPU', 'my 24 GB card': one GPU."""
    if "gpu" not in clause.present and "card" not in clause.present:
        return
    for k, w in enumerate(clause.words):
        if w in ("gpu", "card") and setup_of(clause, k) == "user":
            nxt = clause.words[k + 1] if k + 1 < len(clause.words) else ""
            if nxt.isdigit() or nxt in ("s", "'") or nxt in GPU_COMPOUNDS:
                continue  # "GPU 0 has …" names a device; "GPUs"; "a GPU server" may hold eight
            if clause.words[k + 1:k + 3] in (["per", "process"], ["per", "rank"], ["per", "worker"], ["for", "each"]):
                continue  # "a single GPU per process": how DDP places its processes, not a run on one GPU
            t = clause.keys[k]
            if nxt == "batch" and t - 1 >= clause.start and clause.tokens[t - 1].text == "-" \
                    and not clause.tokens[t].space_before and clause.keys[k + 1] == t + 1:
                continue  # "the single-GPU batch size is 16": each GPU's batch, not a count of GPUs
            count = _count_before(clause, k)
            if count and _batch_of_one_gpu(clause.words, clause.key_of.get(count[1], k)):
                continue  # "the batchsize for a single GPU is 4": each GPU's batch, not a run on one GPU
            if count and _measure_of_one_gpu(clause.words, clause.key_of.get(count[1], k)):
                continue  # "the VRAM usage of a single graphics card increases with the number of cards": each card's
            if count and count[0] == 1 and not compared_with(clause, clause.key_of.get(count[1], k)):
                reading.set(Read("num_gpus", 1, clause.text(count[1], clause.keys[k])))
            elif _names_its_card(clause, k):
                # "GPU: A6000 48GB VRAM", "My GPU is a GTX 1050 Ti", "Graphics card: RTX 3080 10GB": the one card
                # (weak: a count said anywhere else wins)
                reading.set(Read("num_gpus", 1, clause.text(clause.keys[k], clause.keys[k + 1]), weak=True))


def _batch_of_one_gpu(words: list[str], k: int) -> bool:
    """Whether the count at key k ends "batch size for / per a single GPU": a batch each GPU runs."""
    while k > 0 and words[k - 1] in ("a", "an", "the", "one", "single", "each"):
        k -= 1
    # (not "the batch_size of one GPU from 4 to 8": a change of each GPU's batch, read with the GPU's count)
    return k >= 2 and words[k - 1] in ("for", "per") \
        and words[k - 2] in ("batchsize", "batch", "size", "bs", "bsz")


# what is measured on each GPU: "the VRAM usage of a single graphics card", "memory per single GPU"
MEASURED_ON_A_GPU = frozenset({"usage", "memory", "vram", "consumption", "utilization", "utilisation", "footprint", "load",
                               "occupancy"})
MEASURED_ON = frozenset({"usage", "consumption", "utilization", "utilisation", "footprint", "occupancy"})  # (+ "on")


def _measure_of_one_gpu(words: list[str], k: int) -> bool:
    """Whether the count at key k ends "<memory usage> of / per a single GPU": what each GPU holds, no count (not "out
    of VRAM on a 20GB GPU": the run's one GPU)."""
    while k > 0 and words[k - 1] in ("a", "an", "the", "one", "single", "each"):
        k -= 1
    return k >= 2 and (words[k - 1] in ("of", "per") and words[k - 2] in MEASURED_ON_A_GPU
                       or words[k - 1] == "on" and words[k - 2] in MEASURED_ON)  # ("occupancy on a single GPU")


# what makes "one GPU" a yardstick rather than the run ("utilization comparable to one GPU in isolation")
YARDSTICK = (("comparable", "to"), ("compared", "to"), ("compared", "with"), ("similar", "to"), ("same", "as"),
             ("than",), ("versus",), ("vs",), ("match",), ("matches",), ("matching",))  # "to match the 8-GPU run"


def compared_with(clause: Clause, k: int) -> bool:
    """Whether the count at key k follows a comparison's words ("comparable to one GPU", "faster than a single card")."""
    words = clause.words
    while k > 0 and words[k - 1] in ("a", "an", "the", "one", "single"):
        k -= 1  # ("than a single card")
    if k >= 2 and words[k - 1] in ("on", "with", "using") and words[k - 2] in ("running", "training", "run", "train"):
        k -= 2  # ("compared to running on 1 GPU", "than training on 8 GPUs")
    return any(tuple(words[max(0, k - len(y)):k]) == y for y in YARDSTICK)


def _names_its_card(clause: Clause, k: int) -> bool:
    """Whether the singular 'GPU' or 'card' at key k is followed by ':' or 'is' and a card's name ("GPU: A6000",
    "my GPU is a GeForce GTX 1050 Ti"), not a number of them ("GPU: 8x A100") nor a plural before it ("GPUs")."""
    words, t = clause.words, clause.keys[k]
    if t + 1 >= clause.end:
        return False
    if clause.tokens[t + 1].text == ":":
        j = k + 1
    elif k + 1 < len(words) and words[k + 1] in ("is", "was", "has"):
        j = k + 2
        if j + 1 < len(words) and clause.tokens[clause.keys[j]].is_num and words[j + 1] in MEMORY_UNITS \
                and clause.words[max(0, k - 2):k][-1:] != ["each"]:
            return True  # "the GPU is 16gb", "my GPU has 24 GB": its size, so one card
        if words[k + 1] == "has":
            return False
    else:
        return False
    while j < len(words) and (words[j] in ("a", "an", "the", "one", "single") or words[j] in GPU_NOISE):
        j += 1
    # a card's name, not a count or a device number ("GPU: 8x A100", "GPU: 2")
    return j < len(words) and (words[j] in catalogue.name_index().by_first or card_after(clause, j))


# nouns that make 'GPU' or 'card' a modifier: "a large GPU capacity", "a GPU server", "my GPU cluster"
GPU_COMPOUNDS = {"capacity", "memory", "utilization", "utilisation", "usage", "util", "ram", "time", "hours", "budget",
                 "cluster", "server", "servers", "node", "nodes", "machine", "machines", "instance", "box", "rig",
                 "farm", "poor", "rich"}


GPU_NOISE = {"nvidia", "geforce", "tesla", "rtx", "gtx", "amd", "instinct", "radeon", "quadro"}


SINGULAR = {"a", "an", "one", "my", "single", "1"}


# the first words of a GPU's name, whether or not the catalogue knows the card ("8 RTX6000", "4 Tesla M40")
CARD_PREFIXES = ("rtx", "gtx", "quadro", "tesla", "titan", "radeon", "instinct")
CARD_INITIALS = frozenset("rgqtim")  # a cheap first test: most words after a number start otherwise


def _code_variable(clause: Clause, first: int, last: int) -> bool:
    """Whether the short name spanning tokens first..last is a variable in pasted code: a call's first argument
    (`conv_block(p4, 256)`) or assigned (`p4 = …`, `s4, p4 = …`)."""
    tokens = clause.tokens
    if clause.source[tokens[first].start:tokens[last].end].isupper() or tokens[first].is_num:
        return False  # ("T4", "P4", "(3090, 24 GB)": a card written as cards are; a variable starts with a letter)
    before = tokens[first - 1] if first > clause.start else None
    after = tokens[last + 1] if last + 1 < clause.end else None
    after2 = tokens[last + 2] if last + 2 < clause.end else None
    if after is not None and after.text == "=" and not (after2 is not None and after2.text == "="):
        return True
    # (a call's first argument; not "(4090)" or "(a100)", a card in brackets)
    return before is not None and before.text == "(" and not tokens[first].space_before \
        and after is not None and after.text == "," and not after.space_before


def one_gpu_used(clause: Clause, reading: Reading) -> None:
    """'only one GPU is used', 'only 1 gpu is being utilized': of the GPUs the machine has, the run uses one. Said
    with the verb first ('it just uses 1 gpu', 'fine-tuning only uses 1 GPU', 'runs only on one GPU') it is the
    symptom of a launch that started one process: the run meant for the GPUs counted keeps that count, and the
    consultation reads the one GPU in use beside it (not 'when we use only one GPU, …': a run compared)."""
    if not clause.present & {"only", "just"} or not clause.present & {"gpu", "card"}:
        return
    words = clause.words
    for k, w in enumerate(words):
        if w not in ("only", "just"):
            continue
        verb_first = k + 1 < len(words) and words[k + 1] in USES
        n = k + 1 + verb_first  # ("it just uses 1 gpu")
        n += words[n:n + 1] == ["on"]  # ("runs only on one GPU")
        if words[n:n + 1] not in (["one"], ["1"], ["single"]) or words[n + 1:n + 2] not in (["gpu"], ["card"]) \
                or setup_of(clause, k) != "user":
            continue
        if w == "only" and not verb_first and USED.intersection(words[n + 2:n + 6]):
            reading.one_gpu_used = clause.text(clause.keys[k], clause.keys[min(k + 6, len(words) - 1)])
            return
        verb_before = bool(USES.intersection(words[max(0, k - 2):k]))
        if (verb_first or verb_before) and not SUPPOSING.intersection(words[:k]) \
                and not SUPPOSING.intersection(words[n + 2:n + 5]):  # ("using just one GPU would be slow")
            start = max(0, k - 2) if verb_before else k
            reading.one_gpu_symptom = clause.text(clause.keys[start], clause.keys[min(n + 1, len(words) - 1)])
            return


USED = frozenset({"used", "utilized", "utilised", "working", "busy", "running", "active"})
# a verb of use before "only one GPU" ("it just uses 1 gpu", "training uses only one GPU", "runs only on one GPU")
USES = frozenset({"uses", "use", "using", "utilizes", "utilises", "utilizing", "runs", "running", "run", "trains",
                  "training", "occupies", "loads"})
SUPPOSING = frozenset({"when", "if", "would", "could", "whenever", "should"})


def asks_how_many_gpus(clause: Clause) -> bool:
    """'how many GPUs do I need?', 'how many H100s?': GPUs or a card named right after 'how many' (not "how many
    steps per epoch will that be?" in a message that names a card elsewhere); not a question of a reference's count
    ("I didn't find in the paper how many GPUs are used")."""
    words = clause.words
    for i in range(1, len(words) - 1):
        if words[i] == "many" and words[i - 1] == "how" and setup_of(clause, i) == "user":
            after = words[i + 1:i + 4]
            if not OTHERS_RUN.isdisjoint(words[i + 2:i + 5]):
                continue  # "I didn't find how many GPUs were used", "how many GPUs did you use?": another run's count
            if GPU_WORDS.intersection(after[:2]) or _find_gpu(" ".join(after)) is not None:
                return True
    return False


OTHERS_RUN = frozenset({"were", "was", "did", "you", "they", "authors"})  # after "how many GPUs": a run done, not one planned


def card_after(clause: Clause, k: int) -> bool:
    """Whether the word at key k starts a GPU's name: 'RTX6000', 'Quadro RTX 8000', 'Tesla M40', 'MI250'."""
    if k >= len(clause.words):
        return False
    word = clause.words[k]
    if word in CARD_PREFIXES:  # "RTX 6000", "Tesla M40", but not "2080 RTX", where the number is the card's
        after = clause.words[k + 1:k + 3]  # "M40" is two keys, "m" and "40"
        return any(c.isdigit() for w in after for c in w) or bool(after and after[0] in CARD_PREFIXES)
    if word.startswith(CARD_PREFIXES):
        return True
    return len(word) > 2 and word.startswith("mi") and word[2:].isdigit()  # AMD's MI250, MI300X


@lru_cache(maxsize=4096)
def _find_gpu(phrase: str) -> Any:
    """The catalogue's match for the words around a GPU name (the same few phrases recur in a message and across
    messages, and find_gpu tokenises again)."""
    return catalogue.find_gpu(phrase)


def _in_dimensions(clause: Clause, first: int, last: int) -> bool:
    """Whether the name from token `first` to `last` is a number glued to 'x' (or '*') and another number, a size in
    pixels ('1080x1920', '1920*1080'), or to '-' and another, a range ('3040-3060'): not a card."""
    tokens = clause.tokens
    if first != last or not tokens[first].is_num:
        return False
    # (the other side a size too: "4x3090" is four cards)
    glued_after = last + 2 < clause.end and tokens[last + 1].text in ("x", "×", "*") and tokens[last + 2].is_num \
        and not tokens[last + 1].space_before and not tokens[last + 2].space_before \
        and (tokens[last + 2].value or 0) >= 100
    glued_before = first - 2 >= clause.start and tokens[first - 1].text in ("x", "×", "*") and tokens[first - 2].is_num \
        and not tokens[first - 1].space_before and not tokens[first].space_before \
        and (tokens[first - 2].value or 0) >= 100
    # ("Batch [3040-3060]" in a log: a range of numbers, not 3,040 RTX 3060s)
    range_end = first - 2 >= clause.start and tokens[first - 1].text in ("-", "–") and tokens[first - 2].is_num \
        and not tokens[first - 1].space_before and not tokens[first].space_before
    range_start = last + 2 < clause.end and tokens[last + 1].text in ("-", "–") and tokens[last + 2].is_num \
        and not tokens[last + 1].space_before and not tokens[last + 2].space_before
    return glued_after or glued_before or range_end or range_start


def _count_before(clause: Clause, s: int) -> tuple[int, int] | None:
    """'8x A100', '8 × H100', '2 x A100', 'four V100', 'dual 3090', 'a single 4090', 'an 80GB A100': the count
    and its token."""
    k = s - 1
    while k >= 0 and clause.words[k] in GPU_NOISE:
        k -= 1
    if k >= 1 and clause.words[k] == "vram":
        k -= 1  # "a 20GB VRAM GPU"
    if k >= 1 and clause.words[k] in MEMORY_UNITS and clause.tokens[clause.keys[k - 1]].is_num:
        k -= 2  # "a 24GB 3090"
        if k >= 1 and clause.words[k] in ("gpus", "cards", "gpu", "card") and clause.tokens[clause.keys[k - 1]].is_num:
            k -= 1  # "8 GPUs 80G A100", "64卡 80g a100" (review 86 #17): the count before the cards' noun
    if k >= 1 and clause.words[k - 1] in ("a", "an", "my", "single") and clause.words[k].isalpha() \
            and clause.words[k] not in SINGULAR | SEVERAL and clause.words[k] not in WORD_NUMBERS \
            and clause.word_of(k) == (k, k):
        k -= 1  # "on a runpod A100", "my old 1080 Ti", "a rented H100": one word that describes the card (not
        # "in a multi-GPU setting": several of them; nor "my two RTX 3090s": their count)
    if k >= 0 and clause.words[k] in ("x", "×", "*"):
        k -= 1
    if k < 0:
        return None
    word = clause.words[k]
    t = clause.keys[k]
    tok = clause.tokens[t]
    if k >= 2 and clause.words[k - 1] == "or" and (clause.words[k - 2] in WORD_NUMBERS or clause.words[k - 2].isdigit()):
        return None  # "on two or one RTX3090": alternatives, no count
    between = clause.tokens[t + 1:clause.keys[s]]
    # ("32G*2 (V100)": a count of cards whose name follows in brackets, right after a size and '*')
    bracketed = [b.text for b in between] == ["("] and t >= 2 and clause.tokens[t - 1].text in ("*", "x", "×") \
        and clause.tokens[t - 2].kind == "word" and clause.tokens[t - 2].text in MEMORY_UNITS
    if any(b.kind == "punct" and b.text not in ("x", "×", "*", "-") for b in between) and not bracketed:
        return None  # "training batch 1, TITAN RTX", "bf16` (Kaggle": another clause's number
    if tok.is_num and tok.value is not None and float(tok.value).is_integer() and 1 <= tok.value <= 4096:
        if t in clause.consumed:
            return None  # a device id ("GPU 0-7: Tesla V100"), read as one
        if k >= 1 and clause.words[k - 1] in (".", "v", "rtx", "cuda", "cu", "driver", "version"):
            return None  # ("CUDA 121 - RTX 3060 12GB", review 88 #15: the CUDA version, no count)
        if t > clause.start and clause.tokens[t - 1].text.lower() in ("x", "×") and not tok.space_before \
                and (t - 1 == clause.start or clause.tokens[t - 1].space_before):
            return int(tok.value), t  # "x4 RTX 3090", "X3 64GB H100": the count after its 'x' (review 81 #3)
        if t > clause.start and clause.tokens[t - 1].kind == "word" and not tok.space_before:
            return None  # the end of a name: "bf16", "A100"
        if clause.ends_a_range(t):
            return None  # "ideally use 4-8 V100s": a range of counts, none of them the run's
        return int(tok.value), t
    if word in WORD_NUMBERS:
        return WORD_NUMBERS[word], t
    if word in SINGULAR or (word == "single" and k >= 1 and clause.words[k - 1] in SINGULAR):
        return 1, t
    return None


def _count_after(clause: Clause, e: int) -> tuple[int, int] | None:
    """'A100 x 8', 'H100 x8', 'T4 ×2', 'A100 80G * 2', 'TITAN RTX 24GB *2'."""
    words = clause.words
    while e < len(words) and words[e] in GPU_NOISE:
        e += 1
    if e + 1 < len(words) and words[e] in MEMORY_UNITS:
        e += 1
    elif e + 2 < len(words) and clause.tokens[clause.keys[e]].is_num and words[e + 1] in MEMORY_UNITS:
        e += 2
    if e + 2 < len(words) and words[e] in ("gpu", "gpus", "card", "cards") and words[e + 1] in ("x", "×", "*"):
        e += 1  # "Tesla V100(32G) GPU x 4" (review 63 #2)
    if e + 1 < len(words) and words[e] in ("x", "×", "*"):
        tok = clause.tokens[clause.keys[e + 1]]
        if tok.is_num and tok.value and float(tok.value).is_integer() and 1 <= tok.value <= 4096:
            return int(tok.value), clause.keys[e]
    if e < len(words) and clause.keys[e] - 1 >= clause.start:
        # SkyPilot's and Ray's `A100-80GB:8`: the card, a colon, and how many of it (consumed, so the number is not
        # read again as a count of what follows it)
        t = clause.keys[e]
        tok, colon = clause.tokens[t], clause.tokens[t - 1]
        if colon.text == ":" and not colon.space_before and not tok.space_before and tok.is_num and tok.value \
                and float(tok.value).is_integer() and 1 <= tok.value <= 64:
            clause.consumed.add(t)
            return int(tok.value), t - 1
    return None


# what a clause that lists device ids for generation speaks of ("vLLM server: CUDA_VISIBLE_DEVICES=6,7 swift rollout")
LISTED_FOR_SERVING = frozenset({"vllm", "rollout", "server", "serve", "serving", "inference", "sglang"})


# keys and flags that list device ids: `gpu_ids: 0,1`, `--gpu=0,1,2,3`, `CUDA_VISIBLE_DEVICES=0,1`, `localhost:0,1`
ID_LISTS = {"gpu_ids", "gpu", "gpus", "cuda_visible_devices", "localhost", "device_ids", "devices", "gpu_id", "device"}


# …of which these name devices even when they list one (`--include localhost:1`, YOLO's `device=3`); `--gpus 2`
# counts them
ID_ONLY = {"gpu_ids", "cuda_visible_devices", "localhost", "device_ids", "gpu_id", "device"}


ID_WORDS = frozenset({"gpu", "gpus", "ids", "cuda", "localhost", "devices", "device", "id"})


def listed_devices(clause: Clause, reading: Reading) -> None:
    """An environment report's line for identical GPUs ("GPU 0-7: Tesla V100-PCIE-32GB", "GPU 0,1,2,3: …", as
    OpenMMLab's and PyTorch's collect_env print it): the ids' count is the GPUs', and the ids count nothing else (not
    "7: Tesla" as seven Teslas)."""
    if "gpu" not in clause.present:
        return
    tokens = clause.tokens
    for t in range(clause.start, clause.end - 3):
        if tokens[t].text.lower() != "gpu" or not tokens[t + 1].is_num:
            continue
        u, ids = t + 1, [t + 1]
        if tokens[u + 1].text == "-" and tokens[u + 2].is_num and not tokens[u + 2].space_before:
            first, last = tokens[u].value, tokens[u + 2].value
            ids.append(u + 2)
            u += 2
            count = int(last - first + 1) if first is not None and last is not None and 0 <= first < last < 64 else 0
        else:
            while u + 2 < clause.end and tokens[u + 1].text == "," and tokens[u + 2].is_num and len(ids) < 64:
                ids.append(u + 2)
                u += 2
            count = len(ids)
        # ("GPU 0,1,2,3,4,5,6,7 Tesla V100-SXM2-32GB" - review 86 #20: the cards' maker's word after the ids)
        if count < 2 or u + 1 >= clause.end \
                or tokens[u + 1].text != ":" and tokens[u + 1].text.lower() not in GPU_NOISE:
            continue  # (one id, or no list before a colon: a device an error names)
        clause.consumed.update(ids)
        reading.set(Read("num_gpus", count, clause.text(t, u + 1)))
        return


def device_ids(clause: Clause, reading: Reading) -> None:
    """GPUs counted from a list of device ids (`gpu_ids: 0,1` is 2 GPUs, `--gpu=0,1,2,3` 4, `--include localhost:1`
    1). The device an error names (`GPU 0 has a total capacity …`) counts nothing: the run may have eight."""
    if clause.present.isdisjoint(ID_WORDS):
        return
    tokens = clause.tokens
    for t in range(clause.start, clause.end - 1):
        tok = tokens[t]
        if tok.kind != "word" or tok.text not in ID_LISTS or t > clause.start and tokens[t - 1].text in ("per", "each"):
            continue  # (`Batch size per device = 8` is a batch)
        u = t + 1
        if u + 1 < clause.end and tokens[u].text in ('"', "'") and tokens[u + 1].text == "]":
            u += 2  # Python's `os.environ['CUDA_VISIBLE_DEVICES'] = "0,1"`: the key's quote and bracket close first
        if tokens[u].text in ("=", ":"):
            u += 1
            if u < clause.end and tokens[u].text in ('"', "'"):
                u += 1  # a quoted list: `CUDA_VISIBLE_DEVICES="0,1"`
        bracketed = u < clause.end and tokens[u].text == "["  # `GPU [0,1,2,3]`, `gpus=[0, 1]`: a list of ids
        # a flag, `--gpus 0,1,2` or `-gpu 0` (not the "per-device 32" of a batch)
        flag = t - 1 > clause.start and tokens[t - 1].text == "-" and not tok.space_before \
            and (tokens[t - 1].space_before or tokens[t - 2].text == "-")
        if not bracketed and u == t + 1 and not flag:
            continue  # (a bare "gpu 0" names a device an error reports)
        u += bracketed
        ids = []
        while u < clause.end and tokens[u].is_num and tokens[u].value is not None and len(ids) < 64:
            ids.append(u)
            if u + 2 < clause.end and tokens[u + 1].text == "," and tokens[u + 2].is_num \
                    and (bracketed or not tokens[u + 2].space_before):
                u += 2
            else:
                break
        if bracketed and not (u + 1 < clause.end and tokens[u + 1].text == "]"):
            continue  # (not a closed list: a shape or an index)
        if len(ids) >= 2 or (ids and (tok.text in ID_ONLY or bracketed)):
            clause.consumed.update(ids)  # ids, not quantities (but Lightning's `gpus=2` is a count, read as one)
            listed, had = Read("num_gpus", len(ids), clause.text(t, u)), reading.values.get("num_gpus")
            reading.set(listed)
            if tok.text in ID_ONLY and len(ids) >= 2 and had is not None and had.setup == "user" \
                    and had.value > len(ids) and listed.mood != "ok" and clause.present.isdisjoint(LISTED_FOR_SERVING):
                # "I have 10 A40s … CUDA_VISIBLE_DEVICES=2,…,9": the machine has more, the launch uses these (not
                # "on one GPU (CUDA_VISIBLE_DEVICES=0) it works": a comparison with the run that fails)
                reading.values["num_gpus"] = listed


MAX_MACHINES = 4096  # machines said in words beyond this are a graph's nodes ("10242 nodes"), not a cluster's
MOST_GPUS_PER_NODE = 16  # the most GPUs one machine holds (a DGX-2's sixteen V100s; HGX boards have eight)
NODE_WORDS = {"node", "nodes", "machine", "machines", "server", "servers", "host", "hosts"}
GROUP_WORDS = frozenset({"sets", "groups", "boxes"})  # "3 sets of 8 A100": so many GPUs, so many times


BATCH_NAMES = BATCH_SPELLINGS | {"size", "mbs"}  # (keys: `batch_size` is 'batch', 'size')


GPUS_PER_SERVER = 8  # an 8-GPU server (DGX, HGX): "2*8 A800" counts two of them
MOST_MACHINES_MULTIPLIED = 64


def gpu_count(clause: Clause, k: int, count: int) -> tuple[str, float]:
    """'8x8 GPUs' and '6 machines x 8 cards' multiply; 'two nodes with 4 GPUs each' and '4 nodes, each with 4 A100
    GPUs' count GPUs per node (the total is settled once the node count is known)."""
    words = clause.words
    j = k - 1
    if j >= 1 and words[j] in ("x", "*", "×"):
        j -= 1
        if j >= 0 and words[j] in NODE_WORDS:
            j -= 1
        first = clause.tokens[clause.keys[j]] if j >= 0 else None
        # ("3090*4 GPU cards": four RTX 3090s, not 12,360; "batch 4*8 GPUs": a batch of 4 on each of 8)
        if first is not None and first.is_num and first.value and float(first.value).is_integer() \
                and clause.keys[j] not in clause.card_ends and not (j >= 1 and words[j - 1] in BATCH_NAMES):
            return "num_gpus", count * int(first.value)
    if k >= 3 and words[k - 1] == "of" and words[k - 2] in GROUP_WORDS:
        groups = clause.tokens[clause.keys[k - 3]]
        if groups.is_num and groups.value and float(groups.value).is_integer():
            return "num_gpus", count * int(groups.value)  # "3 sets of 8*A100 (40G)": 24 in all
    # ("8x H100 each": a card's two keys between the count and 'each'; not "2 GPUs, 15G each", each card's size)
    nearby = set(words[max(0, k - 3):k]) | set(words[k + 1:k + (5 if words[k + 1:k + 2] == ["x"] else 4)])
    # "2 nodes of 8 A100", "two machines with 4 V100" (several nodes: "a single node with 8xA100" is 8 in all)
    node_of = k >= 2 and words[k - 1] in ("of", "with", "containing", "having", "holding") \
        and words[k - 2] in NODE_WORDS and words[k - 2].endswith("s")  # ("3 sets of machines containing 8 A100s")
    # "8 GPUs per server", "8x V100-32G per machine" (a card's name between: up to six words), not "8 GPUs, batch
    # 16 per node"
    after = words[k + 1:k + 8]
    per_node = any(w == "per" and i + 1 < len(after) and (after[i + 1] in NODE_WORDS or after[i + 1] in WORKER_WORDS)
                   and BATCH_NAMES.isdisjoint(after[:i])
                   for i, w in enumerate(after))
    if "each" in nearby or per_node or node_of and count <= MOST_GPUS_PER_NODE:
        return "gpus_per_node", count  # ("4 machines with 32 GPUs": more than a machine holds, so all of them)
    # "two 8-gpu machines", "2 8-GPU nodes": machines of that many GPUs, counted before
    t = clause.keys[k]
    glued = k + 2 < len(words) and t + 1 < clause.end and clause.tokens[t + 1].text == "-" \
        and not clause.tokens[t + 1].space_before and words[k + 2] in NODE_WORDS
    machines = words[k - 1] if k >= 1 else ""
    if glued and (machines in WORD_NUMBERS or clause.tokens[clause.keys[k - 1]].is_num) and machines not in SINGULAR:
        return "gpus_per_node", count
    return "num_gpus", count


def _could_use(words: list[str], k: int) -> bool:
    """Whether the count at key k follows "could use", "can use", "could get" or "could add": GPUs the run may use,
    not those it runs on (but "I have access to 2 A100s" has them)."""
    return words[max(0, k - 2):k] in (["could", "use"], ["can", "use"], ["could", "get"], ["could", "add"])


GPU_TIME_UNITS = frozenset({"hours", "hour", "hrs", "hr", "days", "day", "h"})


def gpu_time(words: list[str], k: int) -> bool:
    """Whether the count at key k counts GPU time, not GPUs: '200 GPU-hours', '1,000 A100 hours', '5 GPU days'."""
    after = words[k + 1:k + 4]
    if after[1:3] and after[1] == "h" and after[2:3] and after[2].isdigit():
        return False  # "8 GPUs, H100": a card's name, not hours
    return len(after) >= 2 and after[0] in ("gpu", "gpus") and after[1] in GPU_TIME_UNITS


def found_by_an_error(words: list[str], k: int) -> bool:
    """Whether the count at key k is PyTorch's device-mismatch error's ("Expected all tensors to be on the same
    device, but found at least two devices, cuda:0 and cpu"): a GPU and the CPU, not the user's GPUs."""
    return words[max(0, k - 3):k] == ["found", "at", "least"]


POSSESSION = frozenset({"have", "access", "afford", "own", "got", "rent"})
NOT_HAVING = frozenset({"no", "not", "don", "dont", "didn", "doesn", "haven", "hasn", "hadn", "cannot", "never", "can"})


# what GPUs set aside from training do: "8 GPUs for vLLM", "2 GPUs for the reward model", "one GPU for inference"
SERVING = frozenset({"vllm", "sglang", "inference", "generation", "rollout", "rollouts", "serving", "reward", "ref",
                     "reference", "critic", "eval", "evaluation", "teacher"})


def serving(words: list[str], cue: int) -> bool:
    """Whether the GPU count whose cue ends at key `cue` is said to serve something else ('… GPUs for vLLM')."""
    after = words[cue + 1:cue + 4]
    return after[:1] == ["for"] and not SERVING.isdisjoint(after[1:])


def lacked(words: list[str], k: int) -> bool:
    """Whether the count at key k is one the user says they lack: 'without 32 GPUs', 'I don't have access to 32
    GPUs', 'we can't afford 64 A100s', 'no access to 8 nodes' (a negation within three words before a verb of
    having, with only small words between it and the count)."""
    before = words[max(0, k - 6):k]
    if before[-2:] == ["at", "least"] and len(before) >= 3 and before[-3] in NEEDS:
        return True  # "needs at least 3 A100 80G", "requires at least 8 GPUs": what a run would take, a floor
    for j in range(len(before) - 1, -1, -1):
        word = before[j]
        if word in ("without", "lack", "lacking"):
            return True
        if word == "need" and j >= 2 and before[j - 1] in ("i", "we", "you", "u") and before[j - 2] in NEED_ASKED:
            return True  # "would I need 16 A100s like the paper?", "why do u need 2GPUs?": a count asked about
        if word in ("need", "require") and j >= 1 and before[j - 1] in ("would", "will", "could", "might"):
            return True  # "a batch size of 32 would need 8 GPUs": what a plan would take, not what the user runs
        if word in REQUIRED_WORDS and j + 1 < len(before) and before[j + 1] in ("to", "use") and j >= 1 \
                and before[j - 1] in ("it", "is", "s", "really", "be"):
            return True  # "is it necessary to use 4 GPUs to reproduce?": a requirement asked about, not the setup
        if word in POSSESSION:
            near = before[max(0, j - 3):j]
            # (the 'can' of "can't": its "'" and "t" are keys of their own; "I can afford 8" has no "t")
            if NOT_HAVING.intersection(near) and ("can" not in near or "t" in near):
                return True
        elif word not in BETWEEN_HAVING_AND_COUNT:
            return False  # "I don't have enough memory on 4 GPUs", "… more than 2 GPUs": the count is theirs
    return False


NEEDS = frozenset({"need", "needs", "needed", "require", "requires", "required"})
NEED_ASKED = frozenset({"would", "do", "will", "does", "should", "must"})
REQUIRED_WORDS = frozenset({"necessary", "required", "needed", "mandatory", "essential"})
BETWEEN_HAVING_AND_COUNT = frozenset({"access", "to", "the", "a", "any", "those", "these", "all", "that", "of", "use"})


# a size after these is a use, not a card's ("one image weighs ~2.9GB of GPU memory"; PaddlePaddle's "Cannot malloc
# 39.0627 MB GPU memory" is an allocation that failed)
MEASURED = {"allocate", "allocated", "free", "reserved", "using", "uses", "used", "peak", "consumes", "takes",
            "needs", "need", "requires", "occupied", "usage", "already", "about", "around", "approximately", "~",
            "than", "under", "over", "below", "above", "roughly", "nearly", "almost", "least", "most", "=",
            "weighs", "weigh", "costs", "eats", "malloc", "shows", "showed", "showing", "reports", "reported",
            "consume", "consuming", "occupy", "occupies", "occupying", "peaks", "peaked", "peaking"}
# ("both machines consume 40GB of memory"; "it seems to be peaking at 75457MiB of VRAM" - review 68 #9)


# words after a size that make it a use or what a run leaves ("3GB left", "15.3 GB VRAM used")
LEFT_OR_USED = frozenset({"free", "allocated", "reserved", "already", "used", "left", "remaining", "spare"})
# "10.647278GB memory has been allocated" (PaddlePaddle's OOM message): the size was allocated, a use
BEEN = frozenset({"has", "have", "had", "is", "was", "are", "were", "been"})
# nouns after "memory" that make the size before it a use ("4000MB memory usage", "16GB memory footprint")
USAGE_NOUNS = frozenset({"usage", "use", "consumption", "footprint", "utilization", "utilisation"})
# what a step's memory is made of: a size of one of them is a part, no card's ("50G of activation memory")
COMPONENTS = frozenset({"activation", "activations", "gradient", "gradients", "grads", "optimizer", "weights",
                        "parameters", "params", "kv"})
# words that make a size what the run uses ("it takes 24GB on each GPU"; not "needs", "left", "free")
USE_VERBS = frozenset({"takes", "took", "uses", "used", "using", "consumes", "consumed", "consume", "consuming",
                       "occupies", "occupied", "occupy",
                       "usage", "peak", "peaks", "peaked", "peaking"})
COST_VERBS = frozenset({"cost", "costs", "costing"})  # a use, where the clause says it is the GPU's
# verbs that, with 'up', make a size a use a few words later ("it takes up a full 16GB of VRAM", "using up all
# 24GB"; not "using a 40GB A100", which owns the card)
USING = frozenset({"takes", "taking", "take", "took", "taken", "uses", "using", "use", "used", "eats", "eating", "ate",
                   "eaten"})
CAPACITY = frozenset({"capacity", "capacty"})  # PyTorch 2.1 printed "total capacty"
# words that make a size what something needs rather than what a card has ("needs" and "requires" are MEASURED: a
# size a run needs is what it uses)
REQUIRED = frozenset({"requirement", "requirements", "required", "require", "recommended", "minimum", "needed"})
CARD_WORDS = frozenset(GPU_WORDS | GPU_NOISE | {"vram", "memory"})
# any word that says whose a size is, or what it measures: without one nearby, a size is no card's
SAYS_WHOSE = frozenset(CAPACITY | MEASURED | CARD_WORDS | {"of", "with", "has", "having", "my", "on", "each", "per",
                                                          "total", "totally", "in", "ram", "cpu", "host", "system",
                                                          "disk", "dataset", "data", "runs", "run", "ran", "running",
                                                          "free", "allocated", "reserved", "already", "use", "gpu",
                                                          "enough"})


def counts_machines(clause: Clause, k: int) -> bool:
    """Whether the count at key k counts machines of a stated size: 'two 8-gpu machines', '2 8-GPU nodes'."""
    words = clause.words
    if k + 3 >= len(words) or not clause.tokens[clause.keys[k + 1]].is_num:
        return False
    t = clause.keys[k + 1]
    if t + 1 < clause.end and clause.tokens[t + 1].text == "-" and words[k + 2] in ("gpu", "gpus", "card", "cards") \
            and words[k + 3] in NODE_WORDS:
        return True
    # "running on four 8 card V100 GPUs" (review 77 #16): the machine's size said with no hyphen, its cards after it
    return clause.tokens[clause.keys[k]].space_before and words[k + 2] in ("gpu", "card") \
        and clause.tokens[clause.keys[k + 1]].value in (2, 4, 8, 16) \
        and (words[k + 3] in NODE_WORDS or clause.keys[k + 3] in clause.card_starts)


WORKER_WORDS = frozenset({"worker", "workers"})
GPU_NOUNS = frozenset({"gpu", "gpus", "card", "cards"})


def counts_workers(clause: Clause, k: int) -> bool:
    """Whether the count at key k counts worker machines: '2 workers with 4 GPUs each', 'four workers, each with 8
    V100s', '3 workers (8 GPUs per worker)'. A worker alone is a data loader's process ('8 workers'), so the GPUs
    each worker holds must be said after it."""
    words = clause.words
    if words[k + 1:k + 2] not in (["workers"], ["worker"]):
        return False
    after = words[k + 2:k + 12]
    return ("each" in after or "per" in after and not WORKER_WORDS.isdisjoint(after)) \
        and (not GPU_NOUNS.isdisjoint(after) or any(t in clause.card_starts for t in clause.keys[k + 2:k + 12]))


DIFFERENCE_WORDS = frozenset({"more", "less", "extra", "fewer"})  # after a size: how much two figures differ
ROUNDING = frozenset({"about", "around", "roughly", "approximately", "approx", "~", "≈", "nearly", "almost", "ca"})
OWNERS = frozenset({"my", "our"})


def read_memory(clause: Clause, reading: Reading, k: int, end: int, nbytes: float, unit: str) -> None:
    """A memory size is a GPU's memory when the words around it say so ('24GB GPU', 'a GPU with 16 GB',
    '80GB A100', 'my 11G', '13B on 24GB', 'a 16GB Nvidia Tesla'); sizes an error or a measurement gives
    ('allocated', 'free', 'uses about 13GB', 'more than 22G') are not, but a total over several GPUs ('four V100s,
    128G in total') and the capacity an OOM error reports ('24.00 GiB total capacity') are kept for when nothing
    else says the card's size."""
    words = clause.words
    next_to_card = clause.keys[k] - 1 in clause.card_ends or end + 1 < len(clause.keys) \
        and clause.keys[end + 1] in clause.card_starts
    # ("It has 80 GB system RAM and 40 GB VRAM" - review 77 #11: the card's noun right after the size is the card's)
    # (not "System RAM 755.48 GB, GPU type NVIDIA L40S": the next setting's words)
    vram_after = words[end + 1:end + 2] == ["vram"] or words[end + 1:end + 3] in (["gpu", "memory"], ["gpu", "ram"])
    if not next_to_card and not vram_after and not clause.present.isdisjoint(HOST_OWNERS) and _host_spoken_of(words, k):
        if _host_capacity_said(words, k) and setup_of(clause, k) == "user":
            # "the available CPU memory is about 70G": the host's RAM, said as the subject - what offload can use
            gb = nbytes / (2**30 if unit in ("gib", "tib", "mib") else 1e9)
            reading.set(Read("cpu_ram_gb", round(gb, 2), clause.text(clause.keys[max(0, k - 4)], clause.keys[end])))
        return  # "CPU memory peaks at almost 450GB (445GB peak, 21GB after)", "~350GB out of 500GB": the host's
    if not next_to_card and "ram" in words[max(0, k - 5):k] and not clause.card_starts \
            and clause.present.isdisjoint(VRAM_WORDS) and not reading.unified_memory:
        # "my ram is at around 118gb out of 128gb" (review 66 #30): RAM said alone, no GPU in the clause - the host's
        return
    if _nvidia_smi_pair(clause, reading, k, end, nbytes, unit) or _part_of_total(clause, reading, k, end, nbytes, unit):
        return
    if reading.listed_gpu_uses and _listed_gpu_use(clause, reading, k, end, nbytes, unit):
        return
    if "shared" in clause.present and _windows_shared(words, k, end):
        return
    if words[end + 1:end + 2] and words[end + 1] in DIFFERENCE_WORDS and words[end + 2:end + 3] != ["or"]:
        return  # "GPU-0 uses ~3000MB more than the other GPUs": a difference (not "20GB more or less")
    following = clause.keys[end] + 1  # ("+" is no key; "*" is, for "80G*8 A100")
    if not next_to_card and (following < clause.end and clause.tokens[following].text == "+"
                             or words[end + 1:end + 2] in (["*"], ["×"]) and end + 2 < len(words)
                             and not clause.tokens[clause.keys[end + 2]].is_num):
        return  # "approximately 2G + 2G * batch_size / 8": a term of the user's formula, no card's size or use
    if _range_of_sizes(clause, k, end):
        # "imbalanced memory across GPUs, 16G~66G", "between 16G-41G": what the GPUs were seen to hold, the
        # largest of it measured - no card's size
        reading.measured_gb = max(reading.measured_gb or 0.0, nbytes / (2**30 if unit in ("gib", "mib") else 1e9))
        return
    start = k
    while start > 0 and k - start < 2 and words[start - 1] in ROUNDING:
        start -= 1
    if start == k or OWNERS.isdisjoint(words[max(0, start - 4):start]):
        start = k  # ("GPU memory is about 13GB", "takes about 120G": a use measured, rounded)
    # "my GPU memory is about 16G": the card's, rounded; the words before the rounding say whose it is
    before = words[max(0, start - 4):start]
    after = words[end + 1:end + 4]
    # "8x H20 141GB", "a single H100 94GB": a size right after a card's name is that card's (its variant's)
    after_card = clause.keys[k] - 1 in clause.card_ends and clause.tokens[clause.keys[k]].space_before
    # "2*22G 2080ti", "a 48GB RTX 8000": a size right before a card's name is each card's (a modded card's too)
    before_card = end + 1 < len(clause.keys) and clause.keys[end + 1] in clause.card_starts
    # "80G*8 A100", "32G*2 (V100)": a size, its cards' count, then their name
    before_card = before_card or (end + 3 < len(clause.keys) and words[end + 1] in ("*", "x", "×")
                                  and clause.tokens[clause.keys[end + 2]].is_num
                                  and clause.keys[end + 3] in clause.card_starts)
    # "16GB RAM V100s", "24GB VRAM 3090": the memory word between the size and the card's name is the card's
    # (when the size is one the card comes in, and nothing stands between: "32GB RAM 3090 machine" is the host's)
    before_card = before_card or (end + 2 < len(clause.keys) and words[end + 1] in ("ram", "vram", "memory")
                                  and clause.keys[end + 2] == clause.keys[end + 1] + 1
                                  and round(nbytes / 1e9) in clause.card_sizes.get(clause.keys[end + 2], ()))
    # "an A6000 with 48GB of RAM", "my 4090 is 24GB ram": the card's own memory, in a size it comes in, said with
    # the card (not the host's)
    with_card = k >= 2 and words[k - 1] in ("with", "is", "has") \
        and round(nbytes / 1e9) in clause.card_end_sizes.get(clause.keys[k - 2], ())
    if not before_card and not with_card and _host_memory(before, after) and setup_of(clause, k) == "user":
        gb = nbytes / (2**30 if unit in ("gib", "tib", "mib") else 1e9)
        reading.set(Read("cpu_ram_gb", round(gb, 2), clause.text(clause.keys[k], clause.keys[end])))
        return  # "RAM 512GB", "128GB of RAM", "512 GB system memory": the host's, what offload can use
    if not after_card and not before_card and _cards_times_size(clause, reading, k, end, nbytes, unit):
        return  # "Is 8*24G possible?", "4x80GB": so many cards of that size
    if SAYS_WHOSE.isdisjoint(before) and SAYS_WHOSE.isdisjoint(after) and not _after_equals(clause, k) \
            and not after_card and not before_card:
        return  # no word around it says what the size is ("24GB 24GB 24GB")
    if not after_card and not before_card and _table_cell(clause, k, end):
        return  # "per CPU | per GPU | Options / 171.13GB | 0.49GB |": a column's header says whose, not the words
    gb = nbytes / (2**30 if unit in ("gib", "tib", "mib") else 1e9)
    if setup_of(clause, k) != "user":
        return  # "were the GPUs in the paper 96GB GPUs?"
    if not REQUIRED.isdisjoint(before[-3:]):
        return  # "the VRAM requirement is 24GB", "it needs 40GB", "a minimum of 24GB": what a run needs, not the card
    if len(before) >= 4 and before[-1] == "of" and before[-2] in MEMORY_UNITS and before[-4] in ("used", "using") \
            and clause.tokens[clause.keys[k - 3]].is_num:
        # XLA's "Used 12.34G of 8.00G hbm" (a TPU core's or a GPU's): the program's need, then the device's memory
        if reading.capacity_gb is None:
            reading.capacity_gb = gb  # (XLA's "G" are binary gigabytes: the number as written, in GiB)
            reading.capacity_text = clause.text(clause.keys[k], clause.keys[min(len(clause.keys) - 1, end + 1)])
        return
    capacity = CAPACITY
    if before[-2:-1] and before[-2] in capacity and before[-1] == "of" or after[:2] and after[0] == "total" and \
            after[1:2] and after[1] in capacity or before[-2:] == ["total", "memory"] and clause.words[:1] == ["total"]:
        # (TensorFlow 1's device log: "Total memory: 3.94GiB" then "Free memory: 3.55GiB" - review 78 #20)
        if reading.capacity_gb is None:
            reading.capacity_gb = gb  # "(GPU 0; 24.00 GiB total capacity …)", "total capacity of 14.58 GiB"
            ends = (clause.keys[max(0, k - 3)], clause.keys[min(len(clause.keys) - 1, end + 3)])
            reading.capacity_text = clause.text(*ends)  # the words as written ("total capacty": PyTorch 2.1's)
        return
    if capacity & set(before[-3:]):
        return
    ran_with = len(before) >= 2 and before[-2] in ("runs", "run", "ran", "running") and before[-1] == "with"
    if after[:1] and after[0] in COMPONENTS or after[:1] == ["of"] and after[1:2] and after[1] in COMPONENTS:
        return  # "50G of activation memory", "14GB activations": a part of what a step holds, not the card
    if _after_equals(clause, k):
        if not _parts_added(clause, k):
            reading.total_memory_gb = gb  # "4*16 = 64 GB of vRAM": a sum over the GPUs
        return  # ("[theoretical] 1.5+6.5=8GB": parts of one GPU's memory added, no total over GPUs - review 56 #2)
    if _bound_of_a_product(clause, k):
        return  # "1000 * 512 * 30522 / 1024^3 > 14 Gb of memory": the user's arithmetic, no card (review 56 #27)
    if before[-1:] == ["so"] and _equals_before(clause, k):
        return  # "46.7B*2 bytes = 93GB so ~47GB per card": the user's arithmetic of what the model needs
    if before[-2:] in (["i", "e"], ["that", "is"], ["which", "is"]) and "gpu" not in before:
        return  # "18B parameters … 36B bytes, i.e. 36 GB of memory": a sum worked out, not a card
    if after[:1] == ["total"] and (reading.get("num_gpus") or 1) > 1:
        reading.total_memory_gb = gb  # "using 192 GB total VRAM" over 4 A6000s: the cards' sum, not a use
        return
    if ((reading.get("num_gpus") or 1) > 1 or clause.card_starts) \
            and before[-3:] in (["total", "memory", "of"], ["total", "vram", "of"]) \
            and USE_VERBS.isdisjoint(before) and "usage" not in before:
        # "2 servers of 8 A100 GPUs has a total memory of 1280GB" (review 79 #21): the cards' sum, 80 GB each
        reading.total_memory_gb = gb
        return
    # "I am using a 22GB GPU": an article and a card's noun around the size make it the card's, whatever verb
    a_card = after[:1] != [] and after[0] in CARD_WORDS and before[-1:] in (["a"], ["an"], ["one"], ["single"])
    # ("when using 8 80GB A100 GPUs": a count, then each card's size and its name - review 68 #14)
    a_card = a_card or before_card and k >= 1 and clause.tokens[clause.keys[k - 1]].is_num
    # ("我使用了48G的显存的显卡": Chinese has no article - a card's noun after the size, Chinese before it - review 77 #29)
    first = clause.tokens[clause.keys[k]].start
    a_card = a_card or after[:1] != [] and after[0] in CARD_WORDS and after[1:2] not in (["memory"], ["ram"]) and first > 0 \
        and clause.source[first - 1] >= "\u3400" and chinese.has_cjk(clause.source[first - 1])
    # ("the fake-unet occupies too much GPU memory, >13G": a use said a few words after its verb)
    used_after_verb = not a_card and bool(set(words[max(0, start - 6):start]) & USE_VERBS) \
        and bool(set(before[-2:]) & {"memory", "vram"})
    if not a_card and set(before[-2:]) & MEASURED or used_after_verb or ran_with \
            or "up" in before and not USING.isdisjoint(before) \
            or "in use" in " ".join(after) \
            or before[-2:] == ["per", "gpu"] or \
            (after and after[0] in LEFT_OR_USED) or after[1:2] and after[0] in ("vram", "memory") and after[1] in LEFT_OR_USED \
            or after[2:3] and after[:2] == ["gpu", "memory"] and after[2] in LEFT_OR_USED \
            or after[1:2] and after[0] in ("vram", "memory") and after[1] in BEEN \
            and not LEFT_OR_USED.isdisjoint(words[end + 3:end + 5]) \
            or after[1:2] and after[0] in ("vram", "memory") and after[1] in USAGE_NOUNS \
            or after[2:3] and after[0] == "of" and after[1] in ("vram", "memory") and after[2] in USAGE_NOUNS \
            or after[:1] and after[0] in ("peak", "usage") \
            or after[:1] == ["of"] and after[1:2] and after[1] in LEFT_OR_USED \
            or after[:2] == ["of", "memory"] and after[2:3] and after[2] in LEFT_OR_USED:
        # ("with 4 GB of free memory", "starts with ~30GB of memory used")
        # ("results in ~43gb peak memory active", "20GB usage")
        # ("4000MB memory usage", "wandb shows 16GB memory usage": a use, not the card)
        # ("I have 3GB left on my GPU": what a run leaves free, not the card; "20GB GPU memory spare")
        reading.measured_gb = max(reading.measured_gb or 0.0, gb)  # "uses around 72 GB"
        # ("the memory usage of per GPU is about 8.4 GB": a use named a few words before its 'is')
        usage_is = bool(set(words[max(0, k - 8):k]) & USAGE_NOUNS) and bool(set(words[max(0, k - 3):k]) & BEEN)
        # ("the task cost nearly 40+G memory on gpu" - review 83 #2; not "with a bigger dataset it costs 200+G", the
        # host's)
        cost = bool(set(before[-3:]) & COST_VERBS) and not GPU_WORDS.isdisjoint(clause.present)
        if (set(before[-3:]) & USE_VERBS or cost or "up" in before and not USING.isdisjoint(before) or usage_is
                or after[1:2] and after[0] in ("vram", "memory") and after[1] in USAGE_NOUNS
                or after[2:3] and after[0] == "of" and after[1] in ("vram", "memory") and after[2] in USAGE_NOUNS) \
                and setup_of(clause, k) == "user" and nbytes > (reading.used_bytes or 0.0) \
                and not (reading.in_past_clause and reading.used_bytes):
            # (a run before the one asked about gives way: "unable to use higher than 46Gb … Last training …, it
            # used 136 GB" - review 84 #1)
            # ("leads to ~6.2GB of VRAM consumption", "it took up ~46GBs of memory": review 64 #18)
            # "it takes 24GB on each GPU", "usage around 20GB": what the run uses (the largest said: "the model takes
            # 3300MB when loaded … training takes 24GB"), for the count to be held against
            reading.used_bytes, reading.used_text = nbytes, clause.text(clause.keys[max(0, k - 2)], clause.keys[end])
        return
    # "a GPU with 24gb of ram", "each GPU has 24GB of RAM": its VRAM
    gpu_said_before = bool(set(before) & GPU_WORDS) and (before[-1:] in (["with"], ["has"], ["have"], ["having"])
                                                         or before[-2:] == ["each", "one"])
    gpu_ram = bool(after[:1]) and after[0] in GPU_WORDS or before[-2:-1] != [] and before[-2] in GPU_WORDS \
        and before[-1] in ("ram", "memory")  # "24GB GPU RAM", "GPU RAM 24GB": the card's
    if "swap" in before[-2:] or after[:1] == ["swap"]:
        return  # "RAM: 96G, SWAP: 60G, 4090": the host's swap space, whatever card is named next
    if (set(before[-2:]) | set(after[:2])) & {"ram", "cpu", "host", "system", "disk", "dataset", "data"} \
            and not (gpu_said_before and (after[:2] == ["of", "ram"] or after[:1] == ["ram"] and before[-1:] == ["one"])) \
            and not gpu_ram and not before_card:
        return
    later = words[end + 1:end + 5]
    several = (reading.get("num_gpus") or 1) > 1  # "4 A100s, 160GB total" (but "my 24GB total VRAM" is one card's)
    if any(later[i:i + 2] == ["in", "total"] for i in range(len(later) - 1)) or (later[:1] == ["total"] and several) \
            or (before and before[-1] in ("total", "totally")):
        # "four V100s, 128G in total", "4xA100 (160GB of memory in total)": per GPU once the count is known
        reading.total_memory_gb = gb
        return
    gpu_after = (bool(set(after[:2]) & (CARD_WORDS | {"of"})) or after[:1] == ["enough"]) \
        and (gpu_ram or not set(after[:3]) & {"ram", "cpu", "host", "system"})  # "a 24GB GPU", "is 24GB enough …?"
    # "I have only 6GB available in my GPU", "only 6GBs on my GPU": what the card has (a use says its verb first)
    on_my_gpu = words[end + 1 + (after[:1] == ["available"]):end + 5]
    gpu_after = gpu_after or on_my_gpu[:1] in (["on"], ["in"]) and on_my_gpu[1:2] in (["my"], ["the"], ["our"]) \
        and on_my_gpu[2:3] != [] and on_my_gpu[2] in GPU_WORDS
    if set(before[-3:]) & MACHINES and not set(after[:3]) & (GPU_WORDS | {"vram"}) \
            and not set(words[max(0, k - 7):k]) & GPU_WORDS:  # ("a graphics card on the server has 16GB": the card's)
        return  # "my machine has 60GB memory", "the server has 512 GB": the host's, not a GPU's
    # ("my cuda memory is 40GB": CUDA's memory is the GPU's)
    card_before = bool(set(before[-3:]) & GPU_WORDS) or (before and before[-1] in ("my", "on")) \
        or before[-3:] == ["cuda", "memory", "is"]
    gpu_before = card_before or bool(set(before[-2:]) & {"with", "has", "having"} and set(words[max(0, k - 6):k]) & GPU_WORDS)
    # "a gpu with a quite enough memory (32 GB)": the memory word right before the size, a GPU named in the clause
    gpu_before = gpu_before or before[-1:] in (["memory"], ["vram"]) and bool(set(words[max(0, k - 8):k]) & GPU_WORDS)
    if gpu_after or gpu_before or after_card or before_card or (after and after[0] in ("each", "per")):
        first = clause.keys[k - 1] if gpu_before and not gpu_after and k >= 1 else clause.keys[k]
        last = clause.keys[end + 1] if (gpu_after or not gpu_before) and end + 1 < len(clause.keys) \
            else clause.keys[end]
        text = clause.text(first, last)
        if before_card:
            reading.per_card_memory_text = text  # (each card's size, not a total over the cards)
        if not (after_card or before_card or GPU_WORDS.intersection(words[max(0, k - 6):end + 4])
                or "vram" in words[max(0, k - 3):end + 4]):
            reading.bare_memory_text = text  # "200GB of memory": no GPU word says whose
        reading.set(Read("gpu_memory_gb", round(gb, 2), text))
        reading.set(Read("gpu_memory_bytes", nbytes, text))


def _windows_shared(words: list[str], k: int, end: int) -> bool:
    """Whether the size at keys k..end is Windows' shared GPU memory - system RAM, no card's: "shared GPU memory is
    8G", "4GB dedicated and 12GB shared" (review 88 #11, #18), or counted with the card as one ("sees the VRAM and the
    shared RAM as one bulk of 16GB VRAM" - review 88 #24)."""
    before = words[max(0, k - 8):k]
    return "shared" in before[-4:] or words[end + 1:end + 2] == ["shared"] or words[end + 1:end + 3] == ["of", "shared"] \
        or "shared" in before and not {"ram", "memory"}.isdisjoint(before) and words[end + 1:end + 2] != ["dedicated"]


def _listed_gpu_use(clause: Clause, reading: Reading, k: int, end: int, nbytes: float, unit: str) -> bool:
    """A size inside a list of numbered GPUs' uses ("GPU 0 memory is 38335MB、GPU 1 memory is 45733MB" - review 83 #6;
    "gpu0 38GB gpu1 45GB"): what that GPU of the run holds, never the card's size - the largest of them the run's use."""
    first = clause.tokens[clause.keys[k]].start
    listed = next((use for use in reading.listed_gpu_uses if use.value_start <= first < use.end), None)
    if listed is None:
        return False
    gb = nbytes / (2**30 if unit in ("gib", "tib", "mib") else 1e9)
    reading.measured_gb = max(reading.measured_gb or 0.0, gb)
    if setup_of(clause, k) == "user" and nbytes > (reading.used_bytes or 0.0):
        reading.used_bytes, reading.used_text = nbytes, listed.words
    return True


def _nvidia_smi_pair(clause: Clause, reading: Reading, k: int, end: int, nbytes: float, unit: str) -> bool:
    """'13709MiB / 15360MiB' (nvidia-smi's memory column): what the processes use, then the card's total as the
    driver reports it. The use is measured; the total is the card's capacity, as an OOM error's would be."""
    keys, tokens, words = clause.keys, clause.tokens, clause.words
    before = words[max(0, k - 4):k]
    paired = words[end + 1:end + 2] == ["/"] or words[k - 1:k] == ["/"]
    if paired and "swap" in before:
        # "swap: 22.3/24.0GB" (review 76 #3): the swap file's use of its size - no GPU's use, no card's size (but
        # "RAM Usage: 55.8/64.0GB" on a Mac is the unified memory the GPU shares)
        return True
    if end + 3 < len(keys) and words[end + 1] == "/" and tokens[keys[end + 2]].is_num and words[end + 3] == words[end]:
        if "total" in words[max(0, k - 3):k]:
            return True  # "GPU1: 11GB/12GB, GPU2: 11GB/12GB, Total: 22GB/24GB": the sum over the GPUs, not one's use
        used = clause.text(keys[k], keys[end])
        if setup_of(clause, k) == "user" and nbytes > (reading.used_bytes or 0.0):
            reading.used_bytes, reading.used_text = nbytes, used
        reading.measured_gb = max(reading.measured_gb or 0.0, nbytes / 2**30 if unit in ("gib", "mib") else nbytes / 1e9)
        return True
    slash = keys[k - 1] if k >= 1 else -1
    # (the use before the '/' may be blanked: a measurement the consultation's patterns took, "uses 13709MiB")
    blanked = slash >= 0 and clause.source[max(0, tokens[slash].start - 2):tokens[slash].start] == "  "
    if k >= 1 and words[k - 1] == "/" and (blanked or k >= 3 and words[k - 2] == words[end]
                                          and tokens[keys[k - 3]].is_num):
        if reading.capacity_gb is None and "total" not in words[max(0, k - 6):k - 3]:
            reading.capacity_gb = nbytes / 2**30 if unit in ("gib", "mib") else nbytes / 1e9
            reading.capacity_text = clause.text(slash, keys[end])
        return True
    if k >= 2 and words[k - 1] == "/" and tokens[keys[k - 2]].is_num and keys[k - 1] == keys[k - 2] + 1:
        # "20556 / 24268 MB" (review 52 #29): the unit written once, after the card's total
        bare, total = tokens[keys[k - 2]].value, tokens[keys[k]].value
        if bare and total and total / 20 <= bare <= total:
            if setup_of(clause, k) == "user" and nbytes * bare / total > (reading.used_bytes or 0.0):
                reading.used_bytes, reading.used_text = nbytes * bare / total, clause.text(keys[k - 2], keys[end])
            if reading.capacity_gb is None:
                reading.capacity_gb = nbytes / 2**30 if unit in ("gib", "mib") else nbytes / 1e9
                reading.capacity_text = clause.text(slash, keys[end])
            return True
    return False


TOTAL_QUALIFIERS = frozenset({"the", "my", "its", "their", "total", "available", "a", "an", "all"})


def _part_of_total(clause: Clause, reading: Reading, k: int, end: int, nbytes: float, unit: str) -> bool:
    """'only 41GB of the 80GB gets used', '10 GB out of 24 GB', '35gb used out of 40gb': a use, then the size it is a part of (the card's,
    which its name or the total says): measured, and no card of 41GB."""
    keys, tokens, words = clause.keys, clause.tokens, clause.words
    j = end + 1
    if words[j:j + 1] in (["used"], ["in"]) and words[j + 1:j + 2] in (["out"], ["of"]):
        j += 1  # ("35gb used out of 40gb")
    if words[j:j + 2] == ["out", "of"]:
        j += 1
    if words[j:j + 1] != ["of"]:
        return False
    j += 1
    while j < len(words) and j - end <= 4 and words[j] in TOTAL_QUALIFIERS:
        j += 1
    if j + 1 >= len(words) or not tokens[keys[j]].is_num or words[j + 1] not in MEMORY_UNITS or words[j + 1] == "m":
        return False
    total = tokens[keys[j]].value
    if not total or total * MEMORY_UNITS[words[j + 1]] <= nbytes:
        return False  # ("2GB of 1GB" is no part)
    if setup_of(clause, k) == "user" and nbytes > (reading.used_bytes or 0.0):
        reading.used_bytes, reading.used_text = nbytes, clause.text(keys[k], keys[j + 1])
    reading.measured_gb = max(reading.measured_gb or 0.0, nbytes / (2**30 if unit in ("gib", "mib", "tib") else 1e9))
    if reading.capacity_gb is None and setup_of(clause, k) == "user":  # (the card's size, where nothing else says it)
        reading.capacity_gb = total * MEMORY_UNITS[words[j + 1]] / (2**30 if words[j + 1] in ("gib", "mib", "tib") else 1e9)
        reading.capacity_text = clause.text(keys[j], keys[j + 1])
    return True


def _cards_times_size(clause: Clause, reading: Reading, k: int, end: int, nbytes: float, unit: str) -> bool:
    """'8*24G', '4x80GB', '2 × 24 GB': a count of cards times each card's memory, read as both (the host's RAM,
    '4x16GB RAM', was taken before)."""
    words, keys, tokens = clause.words, clause.keys, clause.tokens
    if _size_times_cards(clause, k, end):  # "memory is 77G*8": the size first, then its cards' count
        count, first, last = tokens[keys[end + 2]].value, k, end + 2
    elif k < 2 or words[k - 1] not in ("x", "×", "*") or not tokens[keys[k - 2]].is_num:
        return False
    else:
        count, first, last = tokens[keys[k - 2]].value, k - 2, end
    if count is None or not float(count).is_integer() or not 2 <= count <= 64 or k >= 3 and words[k - 3] in ("=", "+"):
        return False
    if (k >= 3 and tokens[keys[k - 3]].is_num) or setup_of(clause, k) != "user":
        return False  # "2*4*8GB": arithmetic; "the paper's 8x80GB": not the user's cards
    gb = nbytes / (2**30 if unit in ("gib", "tib", "mib") else 1e9)
    if not 4 <= gb <= 300:
        return False  # no card's memory: "2x 500MB" tensors, "8 x 1TB" disks
    text = clause.text(keys[first], keys[last])
    reading.set(Read("num_gpus", int(count), text, "user"))
    reading.set(Read("gpu_memory_gb", round(gb, 2), text))
    reading.set(Read("gpu_memory_bytes", nbytes, text))
    return True


def _size_times_cards(clause: Clause, k: int, end: int) -> bool:
    """Whether the size at keys k..end is followed by its cards' count ("memory is 77G*8", "GPU: 24GB x 4"): said of
    GPUs or their memory just before, or with GPUs after the count, and the count the last number of its run (not
    "2GB * 32 layers", "24G*2*4")."""
    words, keys, tokens = clause.words, clause.keys, clause.tokens
    if end + 2 >= len(keys) or words[end + 1] not in ("x", "×", "*") or not tokens[keys[end + 2]].is_num \
            or keys[end + 2] != keys[end + 1] + 1:
        return False
    following = words[end + 3:end + 4]
    if following and following[0] not in GPU_WORDS and (tokens[keys[end + 3]].is_num or following[0] in ("x", "×", "*")
                                                         or keys[end + 3] == keys[end + 2] + 1):
        return False  # ("24G*2*4", "2GB*32layers"; but "77G*8, and…" ends its run)
    said_of = set(words[max(0, k - 4):k]) | set(following)
    return not said_of.isdisjoint(GPU_WORDS | {"memory", "gpu"})


def _table_cell(clause: Clause, k: int, end: int) -> bool:
    """Whether the size from key k to key `end` sits between a table's bars ('| 0.49GB |')."""
    tokens, first, last = clause.tokens, clause.keys[k], clause.keys[end]
    return (first > clause.start and tokens[first - 1].text == "|") \
        or (last + 1 < clause.end and tokens[last + 1].text == "|")


CPU_COUNTS = frozenset({"vcpu", "vcpus", "cpu", "cpus", "cores", "core", "threads", "thread"})  # a machine's CPUs
CPU_WORDS = frozenset({"vcpu", "vcpus", "cpu", "cpus"})
HOST_WORDS = frozenset({"ram", "dram", "ddr"})  # ("64GB ddr5" is the keys "ddr", "5")
HOST_QUALIFIERS = frozenset({"cpu", "host", "system", "physical"})  # ("132 GB Physical memory": the host's)
VRAM_WORDS = frozenset(GPU_WORDS | {"vram"})


def _range_of_sizes(clause: Clause, k: int, end: int) -> bool:
    """Whether the size at keys k..end is one end of a range of sizes: '16G~66G', '35-39G', '16G to 41G'."""
    tokens, keys, words = clause.tokens, clause.keys, clause.words
    nxt = keys[end] + 1
    if nxt + 1 < clause.end and tokens[nxt].text in ("~", "-", "–") and tokens[nxt + 1].is_num:
        return True  # the lower end, the upper one after its mark
    prev = keys[k] - 1
    return prev - 1 >= clause.start and tokens[prev].text in ("~", "-", "–") and tokens[prev - 1].kind == "word" \
        and tokens[prev - 1].text.lower() in MEMORY_UNITS and prev - 2 >= clause.start and tokens[prev - 2].is_num


HOST_OWNERS = frozenset({"cpu", "host", "system"})  # (a clause with none of them speaks of no host memory: no scan)


def _host_capacity_said(words: list[str], k: int) -> bool:
    """Whether the size at key k completes "<the (available|free|total)> CPU memory is (about) N": the host's RAM, not
    a use ("CPU memory usage is 70G", "CPU memory peaks at 450GB")."""
    j = k
    while j > 0 and k - j < 2 and words[j - 1] in ROUNDING:
        j -= 1
    return j >= 3 and words[j - 1] in ("is", ":") and words[j - 2] in ("memory", "ram", "mem") \
        and words[j - 3] in HOST_OWNERS


def _host_spoken_of(words: list[str], start: int) -> bool:
    """Whether the memory last named before key `start` in its clause (within 12 words, no card or GPU word
    between) is the host's: 'CPU memory peaks at almost 450GB (445GB peak, 21GB after it stabilises)'."""
    for j in range(start - 1, max(-1, start - 13), -1):
        w = words[j]
        if w in GPU_WORDS or w in ("vram", "cuda") or w.isdigit() and j + 1 < start and words[j + 1] in GPU_WORDS:
            return False
        if w in ("memory", "ram", "mem") and j >= 1 and words[j - 1] in HOST_OWNERS:
            return True
    return False


def _host_memory(before: list[str], after: list[str]) -> bool:
    """Whether a size is the host's RAM: 'RAM 512GB', 'RAM: 512 GB', '512GB RAM', '128GB of RAM', '256 GB CPU
    memory', '1TB system RAM' - not a GPU's ('24GB GPU RAM', 'GPU RAM 24GB', 'a GPU with 24gb of ram')."""
    # (after "and", only a CPU by name: "a TPU v2-8, 8 cores and 8GB memory" are the TPU's cores)
    if (before[-1:] and before[-1] in CPU_COUNTS or before[-2:-1] and before[-2] in CPU_WORDS and before[-1] == "and") \
            and after[:1] == ["memory"]:
        return True  # "32 vCPU, 256G memory", "4 GPUs, 32 CPUs and 240 GB memory": a machine's spec, CPUs then memory
    if HOST_WORDS.isdisjoint(before) and HOST_WORDS.isdisjoint(after) and HOST_QUALIFIERS.isdisjoint(after):
        return False  # (most sizes: no host word around them)
    if after[:1] and after[0] in VRAM_WORDS:
        return False  # "16GB RAM, 6GB VRAM": the size the VRAM word follows is the card's, whatever came before
    if before[-1:] in (["with"], ["has"], ["have"], ["having"]) and VRAM_WORDS.intersection(before):
        return False  # "a GPU with 24gb of ram", "each GPU has 24GB of RAM": its VRAM
    if before[-2:] == ["each", "one"] and VRAM_WORDS.intersection(before):
        return False  # "2 GPUs (each one 7.6 G RAM)": each GPU's
    words = [w for w in after[:3] if w != "of"]
    if words and (words[0] in HOST_WORDS or words[0] in HOST_QUALIFIERS and words[1:2] in (["ram"], ["memory"])):
        return True
    at = len(before) - 1 if before[-1:] and before[-1] in HOST_WORDS else \
        len(before) - 2 if before[-2:-1] and before[-2] in HOST_WORDS and before[-1] in (":", "is", "of") else -1
    return at >= 0 and not (at >= 1 and before[at - 1] in VRAM_WORDS)


def _equals_before(clause: Clause, k: int) -> bool:
    """Whether an '=' comes before key k in its clause (a computation the user wrote out)."""
    return any(tok.text == "=" for tok in clause.tokens[clause.start:clause.keys[k]])


def _after_equals(clause: Clause, k: int) -> bool:
    t = clause.keys[k]
    return t > clause.start and clause.tokens[t - 1].text == "="


def _parts_added(clause: Clause, k: int) -> bool:
    """Whether the '=' before key k ends a sum of parts ('1.5+6.5=8GB'), not a product of GPUs and their size."""
    t = clause.keys[k]
    before = clause.tokens[max(clause.start, t - 6):t - 1]
    return any(tok.text == "+" for tok in before) and not any(tok.text in ("*", "x", "×") for tok in before)


def _bound_of_a_product(clause: Clause, k: int) -> bool:
    """Whether the size at key k is a bound ('>', '<', '≈') on arithmetic written just before it ('a * b / c > 14 GB')."""
    t = clause.keys[k]
    if t <= clause.start or clause.tokens[t - 1].text not in (">", "<", "≈", "~", "≥", "≤"):
        return False
    return any(tok.text in ("*", "/", "×", "^") for tok in clause.tokens[max(clause.start, t - 14):t - 1])


MACHINES = frozenset({"machine", "computer", "pc", "server", "laptop", "workstation", "desktop", "vm", "instance"})


# the sizes cards are sold with, in GB: an OOM error's capacity (14.58 GiB on a T4) rounds up to one of them
CARD_SIZES = (2, 3, 4, 6, 8, 10, 11, 12, 16, 20, 22, 24, 32, 40, 48, 64, 80, 94, 96, 128, 141, 192, 288)


def resolve_card_memory(reading: Reading) -> None:
    """The card's memory when the message says it only indirectly: a total over the GPUs ('four V100s, 128G in
    total' is 32 GB each), or the capacity an OOM error reports ('79.17 GiB total capacity' is an 80 GB card);
    and the member of an ambiguous family that memory picks ('A100' with 79.17 GiB is the A100 80GB; an A100 that
    'uses around 72 GB' cannot be the 40 GB one)."""
    values = reading.values
    said = values.get("gpu_memory_gb")
    # (GPUs said a machine: "2 servers of 8 A100 GPUs has a total memory of 1280GB" is over all 16 cards)
    cards = reading.get("num_gpus") or (reading.get("gpus_per_node") or 0) * (reading.get("num_nodes") or 1)
    if (said is None or said.weak) and reading.total_memory_gb and cards:
        per = reading.total_memory_gb / cards
        if any(abs(per - size) < 0.5 for size in CARD_SIZES):
            values["gpu_memory_gb"] = Read("gpu_memory_gb", round(per), values.get("gpu_model", said).text
                                           if values.get("gpu_model") or said else "in total", implied=True)
    gpus = reading.get("num_gpus")
    if said is not None and not said.weak and reading.total_memory_gb and gpus and gpus > 1 \
            and abs(said.value - gpus * reading.total_memory_gb) <= 0.05 * said.value:
        # "256Gb VRAM = 32Gb VRAM x 8 GPUs": the sum said first, each card's size after the '='
        values["gpu_memory_gb"] = replace(said, value=reading.total_memory_gb, implied=True)
    if "gpu_memory_gb" not in values and reading.capacity_gb:
        nominal = next((size for size in CARD_SIZES if size >= reading.capacity_gb - 0.5), None)
        if nominal is not None and reading.capacity_gb >= 0.85 * nominal:
            values["gpu_memory_gb"] = Read("gpu_memory_gb", nominal, reading.capacity_text, implied=True)
    said, gpus, named = values.get("gpu_memory_gb"), reading.get("num_gpus"), reading.get("gpu_model") or ""
    if named in catalogue.families():
        sizes = [g.memory_gb for g in catalogue.families()[named]]
    else:
        sizes = [catalogue.gpus()[named].memory_gb] if named in catalogue.gpus() else []
    each = next((size for size in sizes if said is not None and gpus and gpus > 1 and said.value > 1.05 * max(sizes)
                 and abs(said.value / gpus - size) <= 0.05 * size), None)  # "two A800s, each with 80G" is one card's
    if each is not None and not said.weak and said.text != reading.per_card_memory_text:
        # "8xA100 (640G)": the memory of all the cards together, the named card's size each
        values["gpu_memory_gb"] = replace(said, value=each, implied=True)
    elif each is None and said is not None and not said.weak and sizes and said.value >= max(2 * max(sizes), 32) \
            and "cpu_ram_gb" not in values and said.text == reading.bare_memory_text:
        # "200GB of memory and 2*80G A100": twice what the named card comes in or more (and a size a host has), and
        # no total of its cards: the machine's RAM
        values["cpu_ram_gb"] = Read("cpu_ram_gb", said.value, said.text, said.setup)
        values.pop("gpu_memory_gb")
        values.pop("gpu_memory_bytes", None)
        if len(sizes) == 1:
            values["gpu_memory_gb"] = Read("gpu_memory_gb", sizes[0], values["gpu_model"].text, weak=True, implied=True)
    model, said = values.get("gpu_model"), values.get("gpu_memory_gb")
    card = catalogue.gpus().get(model.value) if model is not None else None
    capacity = reading.capacity_gb
    if card is not None and said is not None and not said.weak and capacity \
            and 0.85 <= capacity * 2**30 / card.memory_bytes <= 1.01 and not 0.8 <= said.value / card.memory_gb <= 1.05:
        # "RTX 3090 (32GB VRAM)" with the error's "23.69 GiB total capacity": the card and the runtime agree, the
        # size the user wrote does not
        values["gpu_memory_gb"] = Read("gpu_memory_gb", card.memory_gb, model.text, weak=True, implied=True)
        values.pop("gpu_memory_bytes", None)
    elif card is not None and said is not None and not said.weak and said.sentence != model.sentence \
            and not 0.8 <= said.value / card.memory_gb <= 1.05 and not model.value.endswith("gb"):
        # "the T4 cannot train, but it runs on a local computer with 8GB": another card's size, said elsewhere
        values["gpu_memory_gb"] = Read("gpu_memory_gb", card.memory_gb, model.text, weak=True, implied=True)
        values.pop("gpu_memory_bytes", None)
    elif card is not None and said is not None and said.weak and said.text != model.text \
            and abs(said.value - card.memory_gb) > 0.6:
        # "OOM on an RTX 3090 … I even tried the same config on an RTX 6000 Ada (48 GB)": two cards of the user's,
        # the memory read from the first named and the card from the later, more personal sentence - the run is
        # the first card's (the later one is tried beside it), so the card follows its memory
        first = next((r for pair in reading.conflicts for r in pair
                      if r.field == "gpu_model" and r.text == said.text and r.value in catalogue.gpus()), None)
        if first is not None:
            values["gpu_model"] = first
            values["gpu_memory_catalogue_bytes"] = Read("gpu_memory_catalogue_bytes",
                                                        catalogue.gpus()[first.value].memory_bytes, first.text)
        else:
            values["gpu_memory_gb"] = Read("gpu_memory_gb", card.memory_gb, model.text, weak=True, implied=True)
            values["gpu_memory_catalogue_bytes"] = Read("gpu_memory_catalogue_bytes", card.memory_bytes, model.text)
        values.pop("gpu_memory_bytes", None)
    _node_total(reading)
    _sibling_for_memory(reading)
    model = values.get("gpu_model")
    family = catalogue.families().get(model.value) if model is not None else None
    if not family:
        return
    memory = reading.get("gpu_memory_gb")
    members = [m for m in family if memory is not None and abs(m.memory_gb - memory) < 0.6]
    if not members and memory is None and reading.measured_gb:
        members = [m for m in family if m.memory_gb >= reading.measured_gb]
        members = members[:1] if len(members) == 1 else []
    if len(members) == 1:
        card = members[0]
        values["gpu_model"] = replace(model, value=card.id)
        values["gpu_memory_catalogue_bytes"] = Read("gpu_memory_catalogue_bytes", card.memory_bytes, model.text)
        if memory is None:
            values["gpu_memory_gb"] = Read("gpu_memory_gb", card.memory_gb, model.text, implied=True)


def lone_card(reading: Reading) -> Read | None:
    """"Hardware: 64GB ram + RTX 4090 (24GB gpu RAM)", "OOM when DPO training Qwen2.5-0.5B with A100 80G": the user's
    one card, named in the singular with no count of GPUs and nothing of several GPUs or machines, a launcher,
    DeepSpeed, a parallelism or a notebook platform anywhere - the Read naming it, else None. (A run on one card is
    the consultation's assumption, not a reading: the message does not say it.)"""
    values = reading.values
    card = values.get("gpu_model")
    if card is None or card.setup != "user" or "num_gpus" in values or "gpu_second" in values \
            or "num_nodes" in values or "parallelism" in values or reading.several_gpus or reading.plural_card \
            or reading.several_machines_text or reading.launcher or reading.deepspeed or reading.tpu \
            or reading.platform is not None:
        return None
    return card


def _node_total(reading: Reading) -> None:
    """'a node of A100-80gb (640gb vram)' (review 63 #1): a size said with the named card, larger than any card has,
    that is a whole number of its memory (2 to 16 cards) is the node's total - so many cards of the named size -
    when the message gives no other count (or the same one). (A smaller size is another variant of the card: "GTX
    1050 4GB" is the notebook's, not two of the desktop's 2 GB.)"""
    values = reading.values
    model, said = values.get("gpu_model"), values.get("gpu_memory_gb")
    cards = catalogue.gpus()
    card = cards.get(model.value) if model is not None else None
    if card is None or said is None or said.weak or said.sentence != model.sentence \
            or said.value <= max(g.memory_gb for g in cards.values()):
        return
    count = round(said.value / card.memory_gb)
    counted = values.get("num_gpus")
    if not 2 <= count <= 16 or abs(said.value / card.memory_gb - count) > 0.02 * count \
            or counted is not None and counted.value != count:
        return
    if counted is None:
        reading.set(Read("num_gpus", count, said.text))
    values["gpu_memory_gb"] = Read("gpu_memory_gb", card.memory_gb, model.text, weak=True, implied=True)
    values["gpu_memory_catalogue_bytes"] = Read("gpu_memory_catalogue_bytes", card.memory_bytes, model.text)
    values.pop("gpu_memory_bytes", None)


def _sibling_for_memory(reading: Reading) -> None:
    """A size variant the user states with a size far from the catalogue's ('one H100 card with 96G' against the
    H100 80GB) is the sibling of that size ('h100-nvl', 94 GB), when exactly one sibling (an id with the same first
    part) is within 3 %."""
    values = reading.values
    model, memory = values.get("gpu_model"), values.get("gpu_memory_gb")
    cards = catalogue.gpus()
    if model is None or memory is None or memory.weak or model.value not in cards or not model.value.endswith("gb"):
        return  # only a size variant ('h100-80gb') has siblings by size; an 'RTX 2080' said with 11 GB stays a 2080
    named = cards[model.value]
    if abs(named.memory_gb - memory.value) <= 0.05 * named.memory_gb:
        return
    prefix = model.value.split("-")[0]
    near = [g for g in cards.values() if g.id.split("-")[0] == prefix and abs(g.memory_gb - memory.value) <= 0.03 * memory.value]
    if len(near) == 1:
        values["gpu_model"] = replace(model, value=near[0].id)
        values["gpu_memory_catalogue_bytes"] = Read("gpu_memory_catalogue_bytes", near[0].memory_bytes, model.text)


def resolve_platform(reading: Reading) -> None:
    """A notebook platform ("on Kaggle", "a T4 on Colab") gives its card only when the message names none: one
    card when it offers one (Colab's T4), else the one whose GPU count the message states (Kaggle's two T4s
    for "2 GPUs"), else the platform itself, for the advisor to ask. A notebook on TPUs ("Colab TPU v2") has no GPU."""
    if reading.platform is None or reading.tpu:
        return
    match, text, setup = reading.platform
    named = reading.values.get("gpu_model")
    if named is not None and len(match.candidates) == 1 and match.candidates[0].id.startswith(f"{named.value}-") \
            and setup == named.setup:
        # "an aws p3dn.24xlarge … with 8 Nvidia V100 GPUs": the machine says which V100 (32 GB)
        card = match.candidates[0]
        reading.values["gpu_model"] = Read("gpu_model", card.id, text)
        reading.set(Read("gpu_memory_catalogue_bytes", card.memory_bytes, text))
        if "gpu_memory_gb" not in reading.values:
            reading.set(Read("gpu_memory_gb", card.memory_gb, text, weak=True))
        if setup == "user" and reading.get("num_gpus") is None and not reading.several_gpus:
            reading.set(Read("num_gpus", match.counts[0], text, implied=True))  # ("Kaggle P100": its one card)
        return
    if named is not None and setup == named.setup == "user" and reading.get("num_gpus") is None \
            and not reading.several_gpus:
        # "on Google Colab … CUDA:0 (Tesla T4, 15102MiB)" (review 88 #20): the platform's card named, its count the
        # platform's (Colab's one T4, Kaggle's two)
        counts = [n for c, n in zip(match.candidates, match.counts)
                  if c.id == named.value or c.id.startswith(f"{named.value}-")]
        if len(counts) == 1:
            reading.set(Read("num_gpus", counts[0], text, implied=True))
    if named is not None or setup != "user":
        return
    gpus = reading.get("num_gpus")
    chosen = [(c, n) for c, n in zip(match.candidates, match.counts) if gpus is None or n == gpus]
    if len(chosen) == 1 or len(match.candidates) == 1:
        card, count = chosen[0] if chosen else (match.candidates[0], match.counts[0])
        machines = reading.platform_machines
        if gpus is None and machines is not None:
            # "6 g5.4xlarge instances": the machines times each one's cards, over that many nodes
            reading.set(Read("num_gpus", machines[0] * count, machines[1]))
            if reading.get("num_nodes") is None:
                reading.set(Read("num_nodes", machines[0], machines[1]))
        elif gpus is None and not reading.several_gpus:
            reading.set(Read("num_gpus", count, text, implied=True))  # a notebook's GPUs: Colab's one, Kaggle's two
        if reading.capacity_gb is not None and not 0.8 <= reading.capacity_gb / card.memory_gb <= 1.05:
            return  # "Colab … (GPU 0; 11.17 GiB total capacity)": the error's card is another one (a K80), not the T4
        reading.set(Read("gpu_model", card.id, text))
        reading.set(Read("gpu_memory_catalogue_bytes", card.memory_bytes, text))
        said = reading.values.get("gpu_memory_gb")
        if said is None or 0.8 <= said.value / card.memory_gb <= 1.05:  # "15G each" of a 16 GB T4: what it leaves
            reading.values["gpu_memory_gb"] = Read("gpu_memory_gb", card.memory_gb, text, weak=True)
    else:
        reading.set(Read("gpu_model", match.id, text))
