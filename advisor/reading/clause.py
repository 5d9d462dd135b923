"""A clause as the reader walks it: its tokens, its word keys (built once per message, sliced per clause), which
keys speak of a reference setup, and the helpers every step shares (whose setup a position belongs to, negation,
flags, catalogue names in order)."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, NamedTuple

from advisor.reading.cues import (ARTIFACTS, FAIL_WORDS, FIRST_PERSON, FOLLOWING, FOLLOWING_LAST, GUESSES, MODEL_NOUNS,
                                  NEGATIONS, OK_WORDS, OTHER_PEOPLE, OTHER_WORDS, REFERENCE_CUES)
from advisor.reading.state import Reading
from advisor.reading.tokens import Token


MAX_NAMES = 64  # GPU and model mentions read per message
# numbers read in one clause: a line of prose or config holds a few dozen; one with thousands is a pasted tensor or
# table (or an attack), whose first numbers tell all there is, and each number read costs the reader's steps a scan
MAX_CLAUSE_NUMBERS = 256
# "with the recipe", "using the repo", "running the X repo's train.py": what the user runs (and "the only changes to
# the recipe YAML are batch_size: 4": what the user changed in it is theirs)
INSTRUMENT_WORDS = frozenset({"with", "using", "via", "running", "run", "use", "used", "changes", "changed",
                              "modified", "edited", "tweaked", "following", "followed", "follow", "trying", "tried"})
FOLLOWING_WORDS = frozenset({"following", "followed", "follow"})
# what a run the user made reports of itself ("this configuration is working fine", "it works fine")
RAN_FINE = (["working", "fine"], ["works", "fine"], ["worked", "fine"], ["runs", "fine"], ["running", "fine"],
            ["working", "well"], ["works", "well"], ["trains", "fine"])
# "could you please advise", "can you help me": a request to the one asked ("could you share your config" still
# speaks of theirs through "your")
REQUEST_MODALS = frozenset({"could", "can", "would", "will"})
# "the original setting(s)": a recipe's values, spoken of as such ("default" and "config" name what users run too)
SETTING_NOUNS = frozenset({"setting", "settings"})
ORIGINAL_WORDS = frozenset({"original"})
PRETRAINED_WORDS = frozenset({"pretrained", "original", "base", "released"})  # ("the pretrained model was trained on …")
PRETRAINED_THINGS = frozenset({"model", "models", "checkpoint", "checkpoints", "weights", "network", "backbone"})
DEFAULT_SETUPS = frozenset({"config", "configs", "configuration", "settings", "setting", "recipe", "yaml", "setup"})
# what follows a default setup said as the subject of its own numbers ("the default config has …", "the default
# training config in mmdet, for Mask-RCNN … is 8 GPUs") - not "uses" or "is", which the user says of a run made with it
DEFAULT_SAYS = frozenset({"has", "have", "sets", "assumes", "specifies", "in", "for"})
REQUEST_VERBS = frozenset({"advise", "advice", "help", "tell", "explain", "suggest", "recommend", "clarify", "confirm", "check",
                           "point", "answer", "comment"})
RECOMMENDING = frozenset({"recommend", "recommends", "recommended", "suggest", "suggests", "suggested", "advise"})
# what owns a setup the user compares with ("the config's initial LR", "the default's batch")
SETUP_OWNERS = frozenset({"config", "configs", "cfg", "default", "defaults", "baseline"})
# what a named party's possessive makes a reference ("Karpathy's run", "NVIDIA's numbers", "Meta's setup")
POSSESSED_SETUPS = frozenset({"run", "runs", "setup", "numbers", "results", "experiments", "experiment", "training",
                              "recipe", "config", "settings"})


class Keys:
    """The word keys of a whole message, built once: clauses and sentences are slices of them. A key is a word's
    part ('per_device_train_batch_size' is five), a number, or '/', "'", 'x', '*': `words[n]` is its text and
    `keys[n]` the index of the token it is part of (plain ints: a long message has thousands)."""

    def __init__(self, tokens: list[Token]):
        self.keys: list[int] = []
        self.words: list[str] = []
        self.first: list[int] = []  # per token: index of its first key (or of the next token's, when it has none)
        # per key of a word of several keys: its token's first and last key (a key alone in its token is absent)
        self.span: dict[int, tuple[int, int]] = {}
        self.numbers: list[int] = []  # the keys that are numbers, in order
        keys, words, first, span = self.keys, self.words, self.first, self.span
        add_key, add_word, add_first, add_number = keys.append, words.append, first.append, self.numbers.append
        marks = KEY_MARKS
        n = 0
        for i, tok in enumerate(tokens):  # the hot loop of a long message: methods bound once
            add_first(n)
            kind, text = tok.kind, tok.text
            if kind == "num":
                add_key(i)
                add_word(text)
                add_number(n)
                n += 1
            elif kind == "word" and "_" not in text:
                add_key(i)
                add_word(text)
                n += 1
            elif kind == "word":
                parts = [p for p in text.split("_") if p]
                if len(parts) > 1:
                    whole = (n, n + len(parts) - 1)
                    span.update((m, whole) for m in range(n, n + len(parts)))
                keys += [i] * len(parts)
                words += parts
                n += len(parts)
            elif text in marks:
                add_key(i)
                add_word("x" if text == "×" else text)
                n += 1
        first.append(n)


KEY_MARKS = frozenset(("/", "'", "×", "*"))


class KeyOf:
    """token index -> the clause's index of its first key, for tokens that have keys (a view, built for free)."""

    __slots__ = ("keys", "offset", "start", "end")

    def __init__(self, keys: Keys, offset: int, start: int, end: int):
        self.keys, self.offset, self.start, self.end = keys, offset, start, end

    def __contains__(self, t: int) -> bool:
        return self.start <= t < self.end and self.keys.first[t] != self.keys.first[t + 1]

    def __getitem__(self, t: int) -> int:
        if t not in self:
            raise KeyError(t)
        return self.keys.first[t] - self.offset

    def get(self, t: int, default: Any = None) -> Any:
        return self.keys.first[t] - self.offset if t in self else default


# words right after "I assume" that make the guess one about the user's own run
OWN_RUN_AFTER_GUESS = frozenset(FIRST_PERSON | {"using", "running", "training", "setting"})


def _trained_itself(words: list[str], k: int) -> bool:
    """Whether the words from key k say how an artifact was itself trained: "(the provided checkpoints) have been
    trained on a 4 GPU system", "were trained with batch 256" - its recipe's setup, not the user's run with it."""
    after = words[k:k + 4]
    return "trained" in after and not {"were", "was", "been", "are", "is"}.isdisjoint(after[:after.index("trained")])


class Clause:
    """One sentence or clause: its tokens, its word keys (for phrases) and where each token's keys start."""

    def __init__(self, tokens: list[Token], start: int, end: int, source: str, index: Keys | None = None):
        index = index or Keys(tokens)
        self.tokens, self.start, self.end, self.source = tokens, start, end, source
        a, b = index.first[start], index.first[end]
        self.keys = index.keys[a:b]
        self.words = index.words[a:b]
        self.present = set(self.words)
        self.key_of = KeyOf(index, a, start, end)  # token index -> first key index
        # the clause's number keys, sliced from the message's list (bisect: no pass over the clause's words)
        first_number = bisect_left(index.numbers, a)
        last_number = min(bisect_left(index.numbers, b), first_number + MAX_CLAUSE_NUMBERS)
        self.numbers = [n - a for n in index.numbers[first_number:last_number]]
        self._span, self._offset = index.span, a
        self.consumed: set[int] = set()  # tokens a step has read, which later steps leave alone
        self.claimed: set[int] = set()  # tokens inside a model name already read
        self.card_ends: set[int] = set()  # the last token of each GPU name read ("H20" in "8x H20 141GB")
        self.card_starts: set[int] = set()  # and the first ("2080" in "2x 22GB 2080 Ti")
        self.card_sizes: dict[int, frozenset[int]] = {}  # a card's first token -> the sizes it comes in (GB)
        self.card_end_sizes: dict[int, frozenset[int]] = {}  # and its last token -> the same
        self.counts_by_noun: dict[str, set[str]] | None = None  # noun -> the numbers said before it (built once)
        # whether a reference setup is being spoken of at each key: a reference cue seen earlier in the sentence
        # and no first-person word since ("the paper used 512 but I use 64"); one pass, so setups cost O(n)
        self.reference_at: list[bool] = []
        speaking_of_reference = False
        words = self.words
        present = self.present  # (isdisjoint builds no set: most clauses have none of these words)
        others = not present.isdisjoint(OTHER_PEOPLE | MODEL_NOUNS) and not present.isdisjoint(OTHER_WORDS)
        trained_from = self._pretrained_training() if "trained" in present else -1
        if present.isdisjoint(REFERENCE_CUES) and present.isdisjoint(GUESSES) and not others and trained_from < 0 \
                and not ("'" in present and not present.isdisjoint(POSSESSED_SETUPS)) \
                and (present.isdisjoint(ORIGINAL_WORDS) or present.isdisjoint(SETTING_NOUNS) and not self._labelled_original()) \
                and ("default" not in present or present.isdisjoint(DEFAULT_SETUPS)):
            return  # nothing in it speaks of another setup (most clauses): all the user's
        reported = False  # "the document suggests that … we can use batch 14": their words, reported
        # a cue inside brackets speaks of another setup until they close ("(the hyperparameters from your paper) on
        # 4 A6000 GPUs": the GPUs are the user's): the depth of brackets at each key, and at the cue that opened it
        depth, cue_depth, tokens, keys = 0, 0, self.tokens, self.keys
        quote_opened = -1  # the key after which a quotation reported as a source's words opened (-1: none)
        difference_said = False  # whether a word of what differs came before ("the only difference from … is that")
        ran_fine: bool | None = None  # whether the clause says a run went fine (looked for at the first cue that asks)
        for k, w in enumerate(words):
            difference_said = difference_said or w in DIFFERENCES
            if k and speaking_of_reference and cue_depth:
                for t in range(keys[k - 1] + 1, keys[k]):
                    depth += (tokens[t].text == "(") - (tokens[t].text == ")")
                if depth < cue_depth:
                    speaking_of_reference = False
            if quote_opened >= 0 and k > quote_opened + 1 and any(
                    tokens[t].text in ('"', "”") for t in range(keys[k - 1] + 1, keys[k])):
                # the quotation closed ('… says "… on a single A100." I removed …'): the user may speak again
                quote_opened, reported = -1, False
            elif k and speaking_of_reference and not reported and keys[k] - keys[k - 1] > 2 and any(
                    tokens[t].text == ":" and tokens[t + 1].text in ('"', "“")
                    for t in range(keys[k - 1] + 1, keys[k] - 1)):
                # 'you mentioned the batch size used for GLUE: "We therefore use a batch size of 8 …"': the source's
                # words quoted after a colon, whose 'we' is the source's
                reported, quote_opened = True, k - 1
            if k == trained_from:
                speaking_of_reference = True  # "The pretrained model was first trained on 100 steps … batch 72"
            self.reference_at.append(speaking_of_reference)
            if others and k and (
                    w in OTHER_PEOPLE and words[k - 1] in OTHER_WORDS
                    or w in MODEL_NOUNS and not OTHER_WORDS.isdisjoint(words[max(0, k - 4):k - 1])):
                # "(another user reports ~3 days on 8x RTX 3090)": their run, until the user speaks or the bracket closes;
                # "other llama 7B models can train seqlen=4096": other models' runs (but "the other model", next to
                # it, is often the user's own second model - a DPO reference)
                if not speaking_of_reference:
                    depth = cue_depth = self._depth_at(k)
                speaking_of_reference = True
            elif w in REFERENCE_CUES:
                # "we use your code", "your code OOMs on my 3090" (but "the baseline code provides an example on a
                # V100", with no user before it, speaks of the code's own run)
                artifact = k + 1 < len(words) and words[k + 1] in ARTIFACTS \
                    and (w in ("your", "you") or not FIRST_PERSON.isdisjoint(words[:k])) \
                    and not _trained_itself(words, k + 2)
                # "I'm training your repo with 2 A100s": the artifact after a possessive the user works with is the
                # thing they run, not a source speaking ("the official repo uses 8 GPUs" has no user before it)
                artifact = artifact or (w in ARTIFACTS and k >= 2 and words[k - 1] == "your"
                                        and not FIRST_PERSON.isdisjoint(words[:k - 1]))
                # "with the repo's deepspeed finetune script": what it made, which the user runs
                artifact = artifact or (words[k + 1:k + 3] == ["'", "s"] and not ARTIFACTS.isdisjoint(words[k + 3:k + 6]))
                # "with the alignment-handbook recipe", "using the sliders repo": the user's instrument, not a setup
                artifact = artifact or self._instrument(k) or self._run_in(k)
                # "Based on the scripts you provided, the batch size per GPU is set to 2, … and this configuration is
                # working fine": what the authors made, which the user ran - the run is theirs
                if ran_fine is None and w in ("you", "provided") and not ARTIFACTS.isdisjoint(words[max(0, k - 3):k]):
                    # (looked for once a clause: a long clause of such cues is read in linear time)
                    ran_fine = any(words[j:j + 2] in RAN_FINE for j in range(len(words) - 1))
                artifact = artifact or (w in ("you", "provided") and not ARTIFACTS.isdisjoint(words[max(0, k - 3):k])
                                        and bool(ran_fine))
                # "train_it.sh does not match the paper: it has micro_batch_size=4 …", "differs from the paper": the
                # source is what the user's setup is held against, and the words after it are that setup's
                artifact = artifact or self._held_against(k)
                # "if you keep batch_size = 128 and train with 8 GPUs": a generic 'you', the asker's own case
                # (but "if you were using 8 GPUs, is the global batch 16?": the authors' run, in the past, asked about)
                artifact = artifact or (w == "you" and k > 0 and words[k - 1] in ("if", "when", "once")
                                        and words[k + 1:k + 2] not in (["were"], ["used"], ["trained"], ["ran"],
                                                                       ["had"], ["did"]))
                # "could you please advise: with two A10s …", "can you help": the one asked, not a setup spoken of
                artifact = artifact or (w == "you" and k > 0 and words[k - 1] in REQUEST_MODALS
                                        and bool(set(words[k + 1:k + 3]) & REQUEST_VERBS))
                # "gpt2-medium", "whisper-medium", "phi-3-medium": a cue glued into a model's name is part of it, and
                # so is "medium" after a family's name or number ("GPT-2 medium", "Whisper medium")
                # "the comment says total batch ~0.5M tokens": a script's comment speaks of its run (not "my
                # comment above", nor a comment the user adds)
                artifact = artifact or (w == "comment" and (words[k + 1:k + 2] == [] or words[k + 1] not in SAYING
                                                            or k > 0 and words[k - 1] in ("my", "our")))
                # "For reference right off the bat: 3050Ti Laptop GPU with 4GB" (review 88 #18): the idiom brings in the
                # user's own facts ("for reference, the paper used 512" still has its source's cue)
                artifact = artifact or (w == "reference" and k > 0 and words[k - 1] in ("for", "your"))
                t = self.keys[k]
                artifact = artifact or (t > self.start and not self.tokens[t].space_before
                                        and self.tokens[t - 1].text in ("-", "_", "/"))
                artifact = artifact or (w == "medium" and k > 0 and self.tokens[t].space_before
                                        and (self.tokens[self.keys[k - 1]].is_num or words[k - 1] in _families()))
                if not artifact and not self._file_name(k) and not (k > 0 and words[k - 1] in FOLLOWING_LAST and any(
                        tuple(words[max(0, k - n):k]) in FOLLOWING for n in (1, 2, 3))):
                    if not speaking_of_reference:
                        depth = cue_depth = self._depth_at(k)
                    speaking_of_reference = True
            elif w in ORIGINAL_WORDS and not speaking_of_reference and self._colon_after(k):
                # "1x schedule, original: 16 images/batch, lr 0.02, 90k iterations": the recipe's, until the user speaks
                depth = cue_depth = self._depth_at(k)
                speaking_of_reference = True
            elif w in SETTING_NOUNS and k >= 1 and words[k - 1] in ORIGINAL_WORDS and not speaking_of_reference:
                # "whose original setting is: 2 per GPU, 8 GPUs, lr 0.02": the recipe's, until the user speaks
                depth = cue_depth = self._depth_at(k)
                speaking_of_reference = True
            elif w in DEFAULT_SETUPS and k >= 1 and (words[k - 1] == "default" or k >= 2 and words[k - 2] == "default"
                                                     and words[k - 1] in ("training", "train", "model")) \
                    and not speaking_of_reference \
                    and FIRST_PERSON.isdisjoint(words[:k]) and INSTRUMENT_WORDS.isdisjoint(words[max(0, k - 4):k]) \
                    and k + 1 < len(words) and words[k + 1] in DEFAULT_SAYS:
                # "the default config has IMS_PER_BATCH=16 and BASE_LR=0.02 for 8 GPUs", "the default training config
                # in mmdet … is 8 GPUs and 2 samples per GPU": the recipe's setup, said as the subject (not "I run the
                # default config with 4 GPUs", the user's run made with it)
                depth = cue_depth = self._depth_at(k)
                speaking_of_reference = True
            elif w in POSSESSED_SETUPS and k >= 3 and words[k - 2:k] == ["'", "s"] and self._named_party(k - 3):
                speaking_of_reference = True  # "Karpathy's run took 4 days on 8x A100": someone else's run
            elif w == "s" and k >= 2 and words[k - 1] == "'" and words[k - 2] in SETUP_OWNERS:
                speaking_of_reference = True  # "does the config's LR assume 8 GPUs with 2 per GPU?": the config's
            elif w == "that" and speaking_of_reference and difference_said and k >= 1 and words[k - 1] == "is" \
                    and words[k + 1:k + 2] and words[k + 1] in FIRST_PERSON:
                # "The only difference from the script you provided is that I only have 4 GPUs" (review 90 #22): what
                # the user's run changes against the source, said by the user
                speaking_of_reference = False
            elif w == "that" and speaking_of_reference:
                reported = True
            elif w in SAYING and speaking_of_reference and self._quote_after(k):
                reported = True  # ('the README says "we train with bs=2x8"': the authors' words, quoted)
                quote_opened = k
            elif w in ("using", "with") and speaking_of_reference and not reported and not cue_depth \
                    and any(tokens[t].text == "," for t in range(keys[k - 1] + 1, keys[k])) \
                    and self._user_subject_before_cue(k):
                # "I used the verl dapo branch to reproduce the results of the dapo paper, using 128 A800 cards"
                # (review 74 #2): the participle after the comma is the user's, whose sentence it is
                speaking_of_reference = False
            elif w in FIRST_PERSON and not reported and speaking_of_reference and k \
                    and words[k - 1] in REPORTED_WITHOUT_THAT:
                # "The table claims we can do this in just a single RTX 3090" (review 71 #24): the source's 'we',
                # reported without a 'that'
                reported = True
            elif w in FIRST_PERSON and not reported:
                # "I guess the number of GPUs is 256?": a deduction about theirs (not "I assume using
                # samples_per_gpu=1 on 4 GPUs gives batch 4", "I guess my batch is 8": about the user's own run)
                speaking_of_reference = k + 1 < len(words) and words[k + 1] in GUESSES \
                    and not OWN_RUN_AFTER_GUESS.intersection(words[k + 2:k + 4])
        self._source_after()

    def _pretrained_training(self) -> int:
        """The key from which the clause tells how the checkpoint the user starts from was trained - "The pretrained
        model was first trained on 100 steps with learning rate of 1e-3 and a batch size of 72" (review 78 #22), "the
        released weights were trained with …" - its authors' run, not the user's; -1 when it does not."""
        words = self.words
        for k in range(2, len(words) - 1):
            if words[k] in ("was", "were") and words[k - 1] in PRETRAINED_THINGS \
                    and words[k - 2] in PRETRAINED_WORDS and FIRST_PERSON.isdisjoint(words[:k]):
                after = words[k + 1:k + 3]
                if after[:1] == ["trained"] or after[:1] in (["first"], ["originally"], ["initially"]) \
                        and after[1:] == ["trained"]:
                    return k
        return -1

    def _user_subject_before_cue(self, k: int) -> bool:
        """Whether the clause opens with the user as its subject ("I used …", "we tried …") before the first word that
        spoke of another setup, up to key k."""
        words = self.words
        cue = next((j for j in range(k) if words[j] in REFERENCE_CUES), k)
        return any(words[j] in ("i", "we") for j in range(min(cue, 3)))

    def _held_against(self, k: int) -> bool:
        """Whether the cue at key k is what something else fails to match: "train_it.sh does not match the paper: it
        has …" (not "differs from the benchmark setting, where the batch is 1024", which goes on about the source,
        nor "I can't match the paper's result at batch 1024", the source's own)."""
        words, j = self.words, k - 1
        while j >= 0 and words[j] in ("the", "your", "their", "its", "original", "official"):
            j -= 1
        return j >= 1 and words[j] in ("match", "matches") and negated(self, j) \
            and ("does" in words[max(0, j - 3):j] or "doesn" in words[max(0, j - 3):j]) \
            and words[k + 1:k + 2] not in (["where"], ["which"], ["that"], ["'"])

    def _source_after(self) -> None:
        """A number whose source is named after it - "batch 32768 in the paper", "lr 0.1 in the official README, but
        I use 0.01" - is the reference's too: the keys since the clause began, or since the user last spoke of their
        own ("our model was trained with batch 32768 in the paper"), up to the source, at most SOURCE_REACH back."""
        words, at = self.words, self.reference_at
        for j, w in enumerate(words):
            if w != "in" or j + 2 >= len(words) or not {"as", "like", "than", "same"}.isdisjoint(words[max(0, j - 3):j]):
                # ("batch 256 as in the paper", "32 as mentioned in the paper", "smaller than in the paper": the
                # user's, following or compared)
                continue
            rest = words[j + 1:j + 4]
            while rest and rest[0] in SOURCE_QUALIFIERS:
                rest = rest[1:]
            if not rest or rest[0] not in SOURCE_NOUNS or words[j + 1] not in SOURCE_QUALIFIERS or rest[1:2] == ["'"]:
                continue  # ("in the repo's default config" the user trains with: what the source made, theirs)
            for k in range(j - 1, max(-1, j - 1 - SOURCE_REACH), -1):
                if words[k] in FIRST_PERSON or words[k] in SOURCE_BOUNDARIES or self._mark_after(k):
                    break  # ("I changed batch_size to 1000 - it is 8k in the paper": only the 8k)
                at[k] = True

    def _quote_after(self, k: int) -> bool:
        """Whether a quotation mark or a colon comes right after key k ('says "we train …"', 'states: …')."""
        if k + 1 >= len(self.keys):
            return False
        return any(self.tokens[t].text in ('"', "“", ":", "'") for t in range(self.keys[k] + 1, self.keys[k + 1]))

    def _mark_after(self, k: int) -> bool:
        """Whether a punctuation mark that parts a clause (a dash, a comma, a semicolon, a colon, a bracket) stands
        between key k and the next key."""
        if k + 1 >= len(self.keys):
            return False
        return any(self.tokens[t].text in CLAUSE_MARKS or self.tokens[t].text == "-" and self.tokens[t].space_before
                   for t in range(self.keys[k] + 1, self.keys[k + 1]))

    def _colon_after(self, k: int) -> bool:
        """Whether the word at key k is followed by ':' ("original: 16 images/batch")."""
        t = self.keys[k]
        return t + 1 < self.end and self.tokens[t + 1].text == ":"

    def _labelled_original(self) -> bool:
        """Whether 'original' labels what follows it with a colon anywhere in the clause."""
        return any(w in ORIGINAL_WORDS and self._colon_after(k) for k, w in enumerate(self.words))

    def _depth_at(self, k: int) -> int:
        """How many brackets are open before key k in the clause (counted once, when a cue is met)."""
        depth = 0
        for t in range(self.start, self.keys[k]):
            depth += (self.tokens[t].text == "(") - (self.tokens[t].text == ")")
        return max(depth, 0)

    def ends_a_range(self, t: int) -> bool:
        """Whether the number token t is the second of a range glued to the first ("4-8 V100s", "2~4 GPUs")."""
        return t - 2 >= self.start and self.tokens[t - 1].text in ("-", "–", "~") and not self.tokens[t].space_before \
            and not self.tokens[t - 1].space_before and self.tokens[t - 2].is_num

    def word_of(self, k: int) -> tuple[int, int]:
        """The first and last key of key k's token (`lr_warmup_steps` is keys k-1..k+1 when k is 'warmup')."""
        whole = self._span.get(self._offset + k)
        if whole is None:
            return k, k
        return whole[0] - self._offset, whole[1] - self._offset

    def _named_party(self, k: int) -> bool:
        """Whether the word at key k is a name written with a capital ("Karpathy", "NVIDIA", "Meta"), not the
        user's own ("I", "We" open sentences) nor a common noun ("the model's run")."""
        token = self.tokens[self.keys[k]]
        return token.kind == "word" and self.source[token.start].isupper() and self.words[k] not in FIRST_PERSON

    def _instrument(self, k: int) -> bool:
        """Whether the cue at key k is the object of 'with', 'using', 'via' or 'following' a few words before it, with
        no number or mark between ("full DPO with the alignment-handbook recipe on 8x A40", "following the fine-tuning
        instructions in the NeMo docs, on a g5.12xlarge", "trying the zephyr-7b-beta DPO recipe on ONE A100": the user's
        run, made with it)."""
        for j in range(k - 1, max(-1, k - 10), -1):
            w = self.words[j]
            if w == "follow" and self.words[j + 1] == "up":
                return False  # "Follow-up: you ran on 4 GPUs": the noun, then the authors' run
            if self.words[k] == "you" and any(self.tokens[t].text in (":", ";") for t in
                                              range(self.keys[j] + 1, self.keys[j + 1])):
                return False  # "training with one GPU: you train with 4 GPUs": a heading, then the authors' run
                # (but "with the same setup: wenetspeech recipe" is still what the user runs with)
            if w in ("trying", "tried") and self.words[j + 1] == "to":
                return False  # ("trying to figure out whether you used …": an attempt, no instrument)
            if w in INSTRUMENT_WORDS:
                # ("we recommend following the recipe": someone else's advice, not what the user runs)
                return not (w in FOLLOWING_WORDS and not RECOMMENDING.isdisjoint(self.words[max(0, j - 2):j]))
            if w in ("'", "s"):
                continue  # "using the paper's recipe": the possessive is part of the phrase
            possessor = self.words[j + 1:j + 3] == ["'", "s"]  # (the paper whose recipe the user runs)
            number = self.tokens[self.keys[j]]
            before = self.tokens[self.keys[j] - 1] if self.keys[j] > self.start else None
            if number.is_num and not number.space_before and before is not None and before.text == "-" \
                    and not before.space_before:
                continue  # "the zephyr-7b-beta recipe": a number inside a hyphenated name
            if w in REFERENCE_CUES and not possessor or number.is_num or not w.isalpha():
                return False
        return False

    def _run_in(self, k: int) -> bool:
        """Whether the cue at key k is a recipe or a script the user runs something in ("I tried to run context 20k
        (32B) in the recipe with a single node"): 'in the' before it, and the user's running verb since they spoke."""
        words = self.words
        if words[k] not in RUN_IN or k < 3 or words[k - 2:k] != ["in", "the"]:
            return False
        for j in range(k - 3, max(-1, k - 12), -1):
            if words[j] in FIRST_PERSON:
                return False
            if words[j] in RUNNING and j and words[j - 1] in FIRST_PERSON | {"to"}:
                return not any(self.tokens[t].text in (",", ";", ":") for t in range(self.keys[j], self.keys[k]))
        return False

    def _file_name(self, k: int) -> bool:
        """'README.md', 'defaults.yaml': a file's name, not a setup spoken of."""
        t = self.keys[k]
        nxt = self.tokens[t + 1] if t + 1 < self.end else None
        return nxt is not None and nxt.text == "." and t + 2 < self.end and not self.tokens[t + 2].space_before \
            and self.tokens[t + 2].kind == "word"

    def text(self, first_token: int, last_token: int) -> str:
        return self.source[self.tokens[first_token].start:self.tokens[last_token].end]


RUN_IN = frozenset({"recipe", "script", "repo", "repository", "code", "config"})  # what a user runs a setting in
RUNNING = frozenset({"run", "ran", "train", "trained", "use", "used"})
SAYING = frozenset({"says", "said", "states", "stated", "writes", "wrote", "reads", "mentions", "mentioned"})
# a source's verbs after which its own 'we' or 'you' follows with no 'that' ("the README claims we can …")
REPORTED_WITHOUT_THAT = SAYING | {"claims", "claimed", "suggests", "recommends", "shows", "showed"}
SOURCE_QUALIFIERS = {"the", "your", "their", "this", "that", "original", "official", "author's", "authors"}
SOURCE_NOUNS = {"paper", "readme", "article", "publication", "blog", "tutorial", "report", "docs", "documentation",
                "repo", "repository"}
SOURCE_BOUNDARIES = {"but", "while", "whereas", "though", "although", "however", "than", "instead"}
SOURCE_REACH = 12  # keys back from "in the paper" that it can still qualify
CLAUSE_MARKS = {",", ";", ":", "(", ")", "—", "–"}


def _families() -> frozenset[str]:
    from advisor.reading.names import FAMILIES  # (names reads clauses: imported when first needed)

    return FAMILIES


def setup_of(clause: Clause, position: int) -> str:
    """A number belongs to a reference setup when a reference cue comes before it in its sentence (the paper
    used 512) and no first-person word stands between ("the paper used 512 but I use 64")."""
    at = clause.reference_at
    if not at:
        return "user"
    return "reference" if at[min(position, len(at) - 1)] else "user"


def catalogue_names(index: Any, clause: Clause, reading: Reading) -> Any:
    """(start, end, id) of each catalogue name in the sentence's words, left to right (the leftmost, then longest),
    within the message's budget of names. "a 10GB card" names no A10: a one-letter first part is written glued
    ("A10", "T4", "L40S"). Only the words a name can start with are tried (the index's `by_first`)."""
    words, first = clause.words, index.by_first
    if clause.present.isdisjoint(index.first_words):
        return
    end = 0
    for i in [i for i, w in enumerate(words) if w in first]:
        if i < end:
            continue
        if reading.names_seen >= MAX_NAMES:
            return
        longer = index.by_pair.get((words[i], words[i + 1]), ()) if i + 1 < len(words) else ()
        single = (words[i],)
        for cand in [*longer, single] if single in index.exact else longer:  # longest first, the word alone last
            n = len(cand)
            said, stop = _name_words(words, i, n)
            if said == cand:
                reading.names_seen += 1
                gap = clause.keys[i + 1] - clause.keys[i] if n > 1 else 1
                if len(words[i]) == 1 and n > 1 and (clause.tokens[clause.keys[i + 1]].space_before or gap > 2
                                                     or gap == 2 and clause.tokens[clause.keys[i] + 1].text != "-"):
                    break  # "a 10GB card", "a ~30b model" (but "K-80", "P-100")
                yield i, stop, index.exact[cand]
                end = stop
                break


def _name_words(words: list[str], i: int, n: int) -> tuple[tuple[str, ...], int]:
    """The n words of a name from key i, a '/' inside it skipped as the catalogue's names skip it ("ViT-B/32" is
    vit, b, 32), and the key after them."""
    said, j = [words[i]], i + 1
    while len(said) < n and j < len(words):
        if words[j] != "/" or j + 1 >= len(words):
            said.append(words[j])
        j += 1
    return tuple(said), j


# negations that are a setting's value: they turn off the key before them, never one after
# (`--pure_bf16 False --use_fp16 True`)
VALUES_OFF = frozenset({"false", "none"})


# words between a negation and what it negates that only say it was switched on ("did not turn on the …")
SWITCHING_ON = frozenset({"turn", "turned", "on", "the", "enable", "enabled", "activate", "activated", "set", "use",
                          "used", "using", "enabling", "any", "a", "an"})  # ("I am not using any FSDP/deepspeed")


def negated(clause: Clause, k: int, length: int = 1) -> bool:
    """A negation just before ("without gradient checkpointing", "instead of Adam", "no fp32 master weights") or
    just after ("LoRA is not an option", "flash attention isn't installed"); the next items of a list it negates
    ("I don't want gradient checkpointing or bf16", at most three items back)."""
    if k >= 2 and clause.words[k - 1] in ("or", "nor"):
        for item_end in range(k - 2, max(-1, k - 12), -1):
            if clause.words[item_end + 1] not in ("or", "nor", ","):
                continue
            if _negated_here(clause, item_end, 1):
                return True
    return _negated_here(clause, k, length)


def _negated_here(clause: Clause, k: int, length: int) -> bool:
    lo = max(0, k - 5)
    before = [j for j in range(lo, k) if clause.words[j] not in ("'", "t")] \
        if not NEGATIONS.isdisjoint(clause.words[lo:k]) else []  # "wouldn't need QLoRA" (most words have none)
    # three words back, or further over words that only switch the thing on ("I did not turn on the 8bit optimizer")
    reach = 3
    while reach < len(before) and clause.words[before[-reach]] in SWITCHING_ON:
        reach += 1
    before = before[-reach:]
    for j in before:
        # a negation glued into a key negates that key (`no_offload`), not a later one (`local_scripts/zero3`)
        if clause.words[j] in NEGATIONS and clause.words[j] not in VALUES_OFF \
                and (clause.word_of(j) == (j, j) or clause.word_of(j)[1] >= k):
            t = clause.keys[j]
            if any(clause.tokens[u].text in (",", ";", "(") for u in range(t + 1, clause.keys[k])):
                # "don't cache latents, gradient checkpointing": a list's next item is not negated, nor what a
                # bracket adds ("that's not the problem (DataParallel handles it)")
                continue
            if t > clause.start and clause.tokens[t - 1].text in ("=", ":"):
                continue  # `dtype=None, load_in_4bit=True`: a value, not a negation
            return True
    after = clause.words[k + length:k + length + 3]
    if not (after[:1] and after[0] in ("is", "isn", "was", "wasn", "doesn", "didn", "won", "wouldn")
            and set(after) & {"not", "isn", "wasn", "doesn", "didn", "won", "wouldn"}):
        return False
    last, nxt = clause.keys[k + length - 1], clause.keys[k + length]
    return not any(clause.tokens[t].kind == "punct" for t in range(last + 1, nxt))  # "OOMs — isn't 80G enough"


class TokenSpan(NamedTuple):
    """A stretch of tokens (what `in_flag` needs of a clause)."""

    tokens: list[Token]
    start: int
    end: int


def in_flag(clause: Clause | TokenSpan, t: int) -> bool:
    """Whether token t is a command-line flag's name: `--learning-rate`, `-batch_size` (not the 'tune' of
    'fine-tune')."""
    tok = clause.tokens[t]
    dash = clause.tokens[t - 1] if t > clause.start else None
    return dash is not None and dash.text == "-" and not tok.space_before and \
        (dash.space_before or (t - 2 >= clause.start and clause.tokens[t - 2].text == "-"))


QUOTES = frozenset({'"', "“", "”"})


def in_title(clause: Clause, t: int) -> bool:
    """Whether token t is inside a quoted title of five or more words ("Accurate, Large Minibatch SGD: Training
    ImageNet in 1 Hour"): a paper's or a post's name, not the user's setup. A quoted config value (`"stage": 3`,
    `"device": "cpu"`) is one or two words; a quoted error ("CUDA out of memory") is the user's own."""
    def quote(step: int) -> int | None:
        u = t + step
        while clause.start <= u < clause.end and abs(u - t) <= 30:
            if clause.tokens[u].text in QUOTES:
                return u
            u += step
        return None
    left, right = quote(-1), quote(1)
    if left is None or right is None:
        return False
    inside = clause.tokens[left + 1:right]
    # (a quoted path, `".../torch/nn/parallel/data_parallel.py"`, has no space in it: a file, not a title)
    return sum(tok.kind == "word" for tok in inside) >= 5 and not any(tok.text in ("=", "{", "}") for tok in inside) \
        and any(tok.space_before for tok in inside[1:])


FILE_TYPES = {"py", "yaml", "yml", "json", "sh", "md", "txt", "pt", "pth", "ckpt", "bin", "ipynb", "safetensors", "toml",
              "cfg", "prototxt", "log", "out", "err", "csv", "jsonl", "parquet", "tsv"}


DOCUMENTS = {"md", "txt", "rst", "html", "pdf"}


def in_file_name(clause: Clause, t: int, types: set[str] = FILE_TYPES) -> bool:
    """Whether token t is part of a file's name ('ram-efficient-pytorch-fsdp.md', 'ds_z3_config.json'): a run of
    glued tokens that ends in '.' and one of the file types."""
    tokens, u = clause.tokens, t
    while u + 1 < clause.end and not tokens[u + 1].space_before and u - t < 24:
        if tokens[u + 1].text == "." and u + 2 < clause.end and tokens[u + 2].text in types \
                and not tokens[u + 2].space_before:
            return True
        u += 1
    return False


# ---------------------------------------------------------------- moods: whether words report a failure or a success

TUNE_WORDS = frozenset({"tune", "tuning", "tuned", "tunes", "tuner"})
# "no issue with llama 7B": a success said as the absence of a problem
NO_PROBLEM = frozenset({"issue", "issues", "problem", "problems", "errors", "trouble"})


def ok_said(present: set[str], words: list[str]) -> bool:
    """Whether a word of success is said ("it runs", "fits", "works fine", "no issue"): the 'fine' of "fine-tuning"
    is not one."""
    said = present & OK_WORDS
    if not said and "expected" in present:
        # "the training is starting as expected" (review 84 #5) - not "not as expected"
        return any(w == "expected" and words[k - 1:k] == ["as"] and words[k - 2:k - 1] != ["not"]
                   for k, w in enumerate(words))
    if not said and "no" in present and present & NO_PROBLEM:
        return any(w == "no" and words[k + 1:k + 2] and words[k + 1] in NO_PROBLEM for k, w in enumerate(words))
    if said != {"fine"}:
        return bool(said)
    return any(w == "fine" and (k + 1 == len(words) or words[k + 1] not in TUNE_WORDS) for k, w in enumerate(words))


def segment_mood(clause: Clause, t: int) -> str:
    """Whether the words between the commas around token t report a failure or a success: in 'with a batch size of
    256 we get an OOM, and with a batch size of 128 it just fits' each batch has its own."""
    if clause.present.isdisjoint(MOOD_WORDS):
        return ""  # (the words of a segment are keys of its clause: a clause with none has no mood anywhere)
    first, last = t, t
    while first > clause.start and clause.tokens[first - 1].text not in SEGMENT_ENDS and t - first < 30:
        first -= 1
    while last + 1 < clause.end and clause.tokens[last + 1].text not in SEGMENT_ENDS and last - t < 30:
        last += 1
    said = [w for u in range(first, last + 1) if clause.tokens[u].kind == "word"
            for w in clause.tokens[u].text.split("_")]
    words = set(said)
    failures = [i for i, w in enumerate(said) if w in FAIL_WORDS]
    if failures and not {"out", "enough", "can", "cannot"} & words \
            and all(not NEGATING_A_FAILURE.isdisjoint(said[max(0, i - 2):i]) for i in failures):
        return "ok"  # "with batch size 1 it does not OOM", "no OOM at 2", "won't OOM" (Chinese 不会OOM): it runs
    if failures or {"out", "memory"} <= words or {"not", "enough"} <= words:
        return "fail"  # ("the GPU memory is not enough")
    if not words.isdisjoint(NEGATED_SUCCESS) and any(
            w in OK_WORDS and not NEGATED_SUCCESS.isdisjoint(said[max(0, i - 3):i]) for i, w in enumerate(said)):
        return "fail"  # "none of them worked", "it doesn't work", "nothing runs"
    able = _able_to_train(said) if not words.isdisjoint(ABLE_WORDS) else None
    if able is not None:
        asked = clause.end < len(clause.tokens) and clause.tokens[clause.end].text == "?"
        return "" if asked else "ok" if able else "fail"  # "I can fine-tune … using SGD"; "I can't … using AdamW"
    # "only with batchsize 2 can it run": what alone runs works
    return "ok" if ok_said(words, said) or "only" in words and not words.isdisjoint(ONLY_RUNS) else ""


ONLY_RUNS = frozenset({"run", "train", "work"})
NEGATING_A_FAILURE = frozenset({"not", "no", "t", "never", "without"})  # ("doesn't OOM" is 'doesn', 't', 'oom')
NEGATED_SUCCESS = frozenset({"none", "nothing", "not", "never", "t"})  # ("doesn't" is the keys 'doesn', 't')
RUN_VERBS = frozenset({"run", "train", "fine", "finetune", "tune", "fit", "pretrain"})


def _able_to_train(said: list[str]) -> bool | None:
    """'I can fine-tune …' (True), "I can't fine-tune at all" / 'cannot train' / 'unable to run' (False): the user
    able or unable to run, said just before the verb; None when no such words are said."""
    for i, w in enumerate(said):
        if w == "can" and said[i + 1:i + 2] == ["t"] or w in ("cannot", "unable"):
            if not RUN_VERBS.isdisjoint(said[i + 1:i + 4]):
                return False
        elif w == "can" and not RUN_VERBS.isdisjoint(said[i + 1:i + 3]):
            return True
        elif w == "able" and said[i + 1:i + 2] == ["to"] and not RUN_VERBS.isdisjoint(said[i + 2:i + 4]):
            # "I am able to run this with … however, I am not able to run … with the 4B model" (review 89 #21)
            return "not" not in said[max(0, i - 2):i]
    return None
ABLE_WORDS = frozenset({"can", "cannot", "unable", "able"})
DIFFERENCES = frozenset({"difference", "differences", "change", "changes"})  # "the only difference from … is that I …"
MOOD_WORDS = FAIL_WORDS | OK_WORDS | ABLE_WORDS | {"out", "enough", "only", "no", "expected"}
# what ends a segment of a clause for its mood: "24k context trains fine but 32k context OOMs" is two
SEGMENT_ENDS = frozenset({",", ";", "but", "whereas", "while"})
