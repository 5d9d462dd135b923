"""Tokens of a message: words, numbers (with the unit written next to them) and punctuation, each with its span.

One compiled pattern scanned once over the text, with no nested or overlapping quantifiers, so reading is
linear in the message's length whatever it contains (100,000 digits included). Words keep underscores between
letters (`per_device_train_batch_size` is one word, as in a config), but split at digits ("A100" is `a`, `100`)
so catalogue names match token by token.
"""

from __future__ import annotations

import re

from advisor.reading import chinese

MAX_MESSAGE = 100_000  # characters read from one message; the rest is ignored (and said so)
MAX_TOKENS = 10_000  # tokens read from one message (≈ 40-60 KB of prose; a pasted log's first lines tell enough)

_TOKEN = re.compile(r"""([^\S\n]*+)(?:
    ([^\W\d_]++(?:_[^\W\d_]++)*+)
  | ((?:\d++(?:[,_]\d++)*+(?:\.\d++)?+|\.\d++)(?:[eE][-+]?\d++)?+)
  | (\n)
  | (\*\*|[^\w\s]|_)
  | \Z)
""", re.VERBOSE)
# (Markdown's bold, "**Gradient Accumulation:** 4", is one mark: no product's '*' between a key and its value)
# Groups: the spaces before a token, then one of word, number, line break, mark. The spaces are part of the
# token's match, so the matches tile the text with no gap: every character but whitespace starts some token, and
# only spaces at the very end are left, which `\Z` takes in one match (else each of n trailing spaces would start
# a failed match over the rest: quadratic). Tiling is what lets the tokenizer take findall's strings (no match
# objects) and count the spans itself.

DECIMAL_COMMA = re.compile(r"\d{1,3},\d{1,2}")  # "4,5", "23,65": a European decimal (not "0,1,2" nor "4,500")
SIZE_UNIT_AFTER = re.compile(r" ?(?:[gmt]i?b|g)(?![a-z])", re.IGNORECASE)  # …when a memory unit follows ("4,5 GB")

KEYCAP = ("\ufe0f", "\u20e3")  # an emoji's variation selector and the keycap that encloses a digit: "3️⃣"

WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "twelve": 12, "sixteen": 16, "single": 1, "dual": 2, "quad": 4, "eleven": 11}


class Token:
    """One token: kind (num | word | punct | nl), its text (lower case; a number's as written), its span in the
    message, whether whitespace precedes it, and a number's value. A slotted class: a message has thousands."""

    __slots__ = ("kind", "text", "start", "end", "space_before", "value", "is_num")

    def __init__(self, kind: str, text: str, start: int, end: int, space_before: bool, value: float | None = None):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.space_before = space_before
        self.value = value
        self.is_num = kind == "num"

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r}, {self.start}, {self.end})"


GROUP_SPACES = "\u00a0\u202f\u2009"  # no-break, narrow no-break and thin spaces, which group digits in many locales


def _thousands_group(text: str, tokens: list[Token], num: str, start: int) -> bool:
    """Whether the three digits `num` at `start` continue the number just before them as its thousands: one space
    between, the number before a whole group of 1-3 digits (or one such group run on), and the space a digit
    group's or the group opening with a 0 ("70 000", not "32 128" - two numbers)."""
    if len(num) != 3 or not num.isdigit() or not tokens or not tokens[-1].is_num or start - tokens[-1].end != 1:
        return False
    before = tokens[-1]
    if not before.text.isdigit():
        return False
    grouped = before.end - before.start > len(before.text)  # ("1 000" already joined, "1 000 000" goes on)
    if len(before.text) > 3 and not grouped or len(before.text) > 12:
        return False
    return text[start - 1] in GROUP_SPACES or num[0] == "0" or grouped


def tokenize(text: str) -> list[Token]:
    text = text[:MAX_MESSAGE]
    tokens: list[Token] = []
    append = tokens.append
    position, length = 0, len(text)
    while position < length and len(tokens) < MAX_TOKENS:
        # a chunk at a time, cut where no token can go on, so a long message stops being scanned once it has
        # given MAX_TOKENS tokens
        end = _chunk_end(text, position)
        # (a chunk adds at most CHUNK tokens and a few more past the bound: cut once, after the loop)
        for spaces, word, num, nl, punct in _TOKEN.findall(text, position, end):
            space = bool(spaces)
            start = position + len(spaces)
            if not space and start and text[start - 1] >= "\u3400" and chinese.has_cjk(text[start - 1]):
                space = True  # "时4张A800": Chinese ends a word as a space does (the 4 is no end of a name)
            if word:
                stop = position = start + len(word)
                if not word.isascii() and chinese.has_cjk(word):
                    _mixed_word(word, start, space, tokens)  # "个v", "b模型", "w数据": Chinese beside letters
                    continue
                raw = word.lower()  # words are kept in lower case; numbers read the same either way ("3E-4")
                raw = TYPOS.get(raw, raw)
                brand = next((b for b in GLUED_BRANDS if raw.startswith(b) and len(raw) > len(b)), None) \
                    if raw[0] in "tngq" and len(raw) > 5 else None
                if brand is not None:
                    # "TeslaV100", "NvidiaA100": a brand glued to the card's letters is two words
                    append(Token("word", brand, start, start + len(brand), space))
                    append(Token("word", raw[len(brand):], start + len(brand), stop, False))
                    continue
                if raw[0] == "x" and not space and len(raw) > 1 and tokens and tokens[-1].is_num \
                        and (raw not in X_WORDS or text[stop:stop + 1].isdigit()):  # ("8xT4": the T4 after a count)
                    # "8xA100", "2xH100": the count's 'x' is glued to the name (not the 'xlarge' of "g5.2xlarge",
                    # nor a Radeon's "6800XT", "7900XTX")
                    append(Token("word", "x", start, start + 1, False))
                    append(Token("word", raw[1:], start + 1, stop, False))
                    continue
                if raw == "w" and not space and tokens and tokens[-1].is_num and _counts_data(text, stop, tokens):
                    raw = "wan"  # "hacs(50w videos)", "dataset size(50w)": 万 (10,000) in English, not watts
                append(Token("word", raw, start, stop, space))
            elif num:
                stop = position = start + len(num)
                if num[0] == "." and not space and tokens and tokens[-1].kind == "word" and len(num) > 1:
                    # "p3dn.24xlarge": a '.' glued to a word ends it (the catalogue's names split there too); the
                    # digits after it are a number of their own, not a fraction ".24"
                    append(Token("punct", ".", start, start + 1, False))
                    start, num = start + 1, num[1:]
                if DECIMAL_COMMA.fullmatch(num) and SIZE_UNIT_AFTER.match(text, stop):
                    # "roberta-base uses 4,5 GB memory" (review 85 #17): a decimal comma before a memory unit
                    append(Token("num", num, start, stop, space, float(num.replace(",", "."))))
                    continue
                if ("," in num or "_" in num) and (not _thousands(num) or _clock_seconds(tokens, space)):
                    _split_run(text, start, stop, space, tokens)  # "0,1,2,3", "1,2": numbers between commas
                    continue
                value = _number(num)
                if value is None:  # an exponent too large to be a number anyone means
                    append(Token("word", num.lower(), start, stop, space))
                elif not space and len(tokens) >= 2 and tokens[-1].text == "^" and not tokens[-1].space_before \
                        and tokens[-2].value in (2, 10) and value == int(value) and 1 <= value <= 64:
                    # "2^20 context", "10^6 images": one number, written as a power
                    base = tokens[-2]
                    del tokens[-2:]
                    append(Token("num", text[base.start:stop], base.start, stop, base.space_before,
                                 base.value ** int(value)))
                elif _thousands_group(text, tokens, num, start):
                    # "around 70 000 samples", "1 000 000 steps": thousands grouped by a space (the group that follows
                    # opens with a 0, or the space is a no-break or thin one): one number
                    first = tokens.pop()
                    append(Token("num", first.text + num, first.start, stop, first.space_before,
                                 first.value * 1000 + value))
                else:
                    append(Token("num", num, start, stop, space, value))
            elif nl or punct:
                position = start + len(nl or punct)  # ("**", Markdown's bold, is two characters)
                if punct in KEYCAP:
                    # "3️⃣ GPUs are fully utilized": an emoji list's number is 3, the emoji's selector and keycap,
                    # read as the ")" of "3)" (a list's number, no count of GPUs); the selector alone is invisible
                    if punct == "\u20e3":
                        append(Token("punct", ")", start, position, space))
                    continue
                append(Token("nl" if nl else "punct", chinese.MARKS.get(punct, nl or punct), start, position, space))
            # (else the empty match at a chunk's end, or the spaces that end the message)
        position = end
    del tokens[MAX_TOKENS:]  # (the last chunk, or a glued 'x', may add tokens over the bound)
    return tokens


def _mixed_word(word: str, start: int, space: bool, tokens: list[Token]) -> None:
    """A word with Chinese in it ("我用", "个v", "b模型", "w数据"): its letters as words of their own, its Chinese as the
    glossary's English words (chinese.py), each spanning the characters it came from. Letters glued to the number
    before them keep that ("7b模型" is 7B), and a 'w' so glued is 万 (10,000: "600w数据"); after Chinese, letters start
    a word of their own ("4个v100": the V100 after the count)."""
    at, glued = 0, not space
    for run in chinese.CJK.finditer(word):
        if run.start() == 0 and run.group() in ABOUT_AFTER_A_NUMBER and glued and tokens and tokens[-1].is_num \
                and run.end() < len(word) and word[run.end()].isascii() and word[run.end()].isalpha():
            at = run.end()  # "8000多M", "5个多G": a size and a bit more - the number keeps its unit
            continue
        if run.start() > at:
            _letters(word[at:run.start()], start + at, glued, tokens)
        if len(tokens) >= MAX_TOKENS:
            return
        for a, b, english in chinese.phrases(run.group()[:MAX_TOKENS]):
            for part in english.split():
                if part.isdigit():  # a Chinese numeral ("三十": 30) is a number the reader counts with
                    tokens.append(Token("num", part, start + run.start() + a, start + run.start() + b, True, int(part)))
                    continue
                tokens.append(Token("word", part, start + run.start() + a, start + run.start() + b, True))
        at, glued = run.end(), False
    if at < len(word):
        _letters(word[at:], start + at, glued, tokens)


# "多" after a number is "and a bit more" ("8000多M", "5个多G" - review 80 #27, #30): no word of its own
ABOUT_AFTER_A_NUMBER = frozenset({"多", "个多", "余"})


def _letters(letters: str, start: int, glued: bool, tokens: list[Token]) -> None:
    raw = letters.lower()
    if raw == "w" and glued and tokens and tokens[-1].is_num:
        raw = "wan"  # "600w数据": 6,000,000 samples (a 'w' glued to a number beside Chinese is 万, not watts)
    tokens.append(Token("word", TYPOS.get(raw, raw), start, start + len(letters), not glued))


# what a 'w' glued to a number counts when it is 万 written in Latin letters ("50w videos"): data, not watts
WAN_NOUNS = frozenset({"videos", "images", "samples", "examples", "data", "pairs", "sentences", "conversations",
                       "instructions", "rows", "records", "clips", "texts", "documents", "prompts", "pictures", "imgs"})


def _counts_data(text: str, stop: int, tokens: list[Token]) -> bool:
    """Whether the 'w' ending at `stop`, glued to the number before it, counts a data set: a data noun follows it
    ("50w videos") or a data set's size was being given ("dataset size(50w)")."""
    rest = text[stop:stop + 24].lstrip(" )+")
    following = rest.split(" ", 1)[0].strip(".,;:)").lower()
    before = [t.text for t in tokens[-4:-1]]
    # ("共计 2200W+ 的句对": Chinese words for data after it - pairs, items, samples, sentences, images)
    return following in WAN_NOUNS or (("size" in before or "dataset" in before) and "(" in before) \
        or any(noun in rest[:8] for noun in WAN_CHINESE_NOUNS)


WAN_CHINESE_NOUNS = ("句对", "条", "数据", "样本", "句子", "张图", "图片", "对话", "视频", "文本", "token")


X_WORDS = frozenset({"xlarge", "xt", "xtx"})  # words opening with an 'x' glued to a number that are no count's 'x'
GLUED_BRANDS = ("tesla", "nvidia", "geforce", "quadro")  # written glued to a card's letters: "TeslaV100"


# misspellings people type in a hurry, read as the word meant ("grad checkpoint allready on", "out of memmory"): the
# cues match the word; the message's own text is quoted unchanged
TYPOS = {"seqence": "sequence", "sequnce": "sequence", "sequece": "sequence", "seqeunce": "sequence", "lenght": "length", "lengh": "length", "legnth": "length", "instrcut": "instruct", "insturct": "instruct", "instuct": "instruct", "allready": "already", "alredy": "already", "alreday": "already", "allredy": "already",
         "xero": "zero",  # ("I'm using Xero stage 3" - review 86 #1)
         "memmory": "memory", "memeory": "memory", "memroy": "memory", "mmeory": "memory",
         "gradiant": "gradient", "graident": "gradient", "gradinet": "gradient",
         "checkpoiting": "checkpointing", "checkpoitning": "checkpointing", "checkpionting": "checkpointing",
         "chekpointing": "checkpointing", "checkpointng": "checkpointing",
         "accumlation": "accumulation", "accumalation": "accumulation", "acumulation": "accumulation",
         "accumulaton": "accumulation", "accumultion": "accumulation",
         "bacth": "batch", "btach": "batch", "batchsie": "batchsize",
         "optimzer": "optimizer", "optimiser": "optimizer", "optmizer": "optimizer",
         "chnage": "change", "chagne": "change", "cahnge": "change",
         "learing": "learning", "lerning": "learning", "leraning": "learning",
         "epoches": "epochs", "epoachs": "epochs", "eopchs": "epochs"}


CHUNK = 8192  # characters scanned at once: a 5 KB message in one call
# where a chunk may end: before whitespace, or before a mark that is always a token of its own (no number or word
# holds it: not '.', ',', '_', '+', '-', which join "1,281,167", "3e-4", "gpu_ids")
# (and before a Chinese character: a message of Chinese has no spaces, and one chunk of all of it would be read
# whole before the token bound is checked; a phrase cut at the chunk's end is read as two)
_BOUNDARY = re.compile(r"\s|[^\w\s.,_+\-]|[\u3400-\u9fff]")


def _chunk_end(text: str, start: int) -> int:
    """Where the chunk from `start` ends: the first boundary after CHUNK characters (the end when none)."""
    if len(text) - start <= CHUNK:
        return len(text)
    found = _BOUNDARY.search(text, start + CHUNK)
    return found.start() if found else len(text)


def _clock_seconds(tokens: list[Token], space: bool) -> bool:
    """Whether a number glued after "HH:MM:" is a log's seconds and milliseconds ("14:04:32,728 >> Num examples =
    20": 32 and 728, not 32,728)."""
    return not space and len(tokens) >= 2 and tokens[-1].text == ":" and not tokens[-1].space_before \
        and tokens[-2].kind == "num" and len(tokens[-2].text) == 2


def _thousands(raw: str) -> bool:
    """'1,281,167', '120_000': one number with a thousands separator (one kind, groups of three)."""
    head = raw.split(".")[0].split("e")[0].split("E")[0]
    sep = "," if "," in head else "_"
    groups = head.split(sep)
    return ("," not in head or "_" not in head) and 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _split_run(text: str, start: int, end: int, space: bool, tokens: list[Token]) -> None:
    """A run of digit groups that is no one number ('0,1,2,3', '3,4.5'): each group a number, each separator a mark."""
    i = start
    while i < end and len(tokens) < MAX_TOKENS:
        j = i
        while j < end and text[j] not in ",_":
            j += 1
        if j > i:
            raw = text[i:j]
            value = _number(raw)
            tokens.append(Token("num" if value is not None else "word", raw, i, j, space and i == start, value))
        if j < end:
            tokens.append(Token("punct", text[j], j, j + 1, False))
        i = j + 1


def _number(raw: str) -> float | None:
    try:
        value = float(raw.replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return value if value == value and abs(value) < 1e30 else None


# ", so …", ", but …": the two halves usually speak of two setups ("the paper used 512, but I use 64")
CONTRAST = {"so", "but", "while", "whereas", "however", "although", "though", "yet", "now"}  # (", now …": the run since)


def clauses(tokens: list[Token]) -> list[tuple[int, int]]:
    """[start, end) token ranges of sentences: split at . ! ? ; line breaks and ', but' / ', so' (a '.' inside a
    number or a file name is part of its token, so it never splits)."""
    return clauses_and_sentences(tokens)[0]


def sentences(tokens: list[Token]) -> list[tuple[int, int]]:
    """[start, end) token ranges of whole sentences: split at . ! ? ; and line breaks only (the goal reads a
    question with its ', but …' as one)."""
    return clauses_and_sentences(tokens)[1]


def clauses_and_sentences(tokens: list[Token]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Both splits from one pass over the marks: (clauses, sentences)."""
    clause_ends, sentence_ends = [], []
    last = len(tokens) - 1
    for i in _marks(tokens):
        text = tokens[i].text
        if text == ",":  # (a comma ends no sentence: only a clause, before ', but …')
            if i < last and tokens[i + 1].text in CONTRAST:
                clause_ends.append(i)
        elif text == "?" and i < last and not tokens[i + 1].space_before and (
                tokens[i + 1].text == "/" or tokens[i + 1].text == ")" and i >= 2 and tokens[i - 2].text in ("(", "/")):
            # a template's "Tensorflow version (GPU?): not installed", "(CPU?/GPU?/TPU?)": one word asked in brackets,
            # no question of the user's (not "(due to additional processes?)")
            continue
        elif text not in ".!" or _ends_sentence(tokens, i):
            clause_ends.append(i)
            sentence_ends.append(i)
    return _ranges(tokens, clause_ends), _ranges(tokens, sentence_ends)


_SPLITS = frozenset(".!?;,\n")


def _marks(tokens: list[Token]) -> list[int]:
    """The tokens a clause or a sentence may end at (marks and line breaks), in one pass."""
    return [i for i, tok in enumerate(tokens) if tok.text in _SPLITS]


def _ranges(tokens: list[Token], ends: list[int]) -> list[tuple[int, int]]:
    out, start = [], 0
    for i in ends:
        if i > start:
            out.append((start, i))
        start = i + 1
    if start < len(tokens):
        out.append((start, len(tokens)))
    return out


def _ends_sentence(tokens: list[Token], i: int) -> bool:
    """Whether the mark at i ends a sentence: '.', '!', '?', ';' and line breaks do, but a '.' followed directly by a
    word or another mark ('config.json', 'e.g.', '.../llava') does not."""
    text = tokens[i].text
    if text == ",":
        return False
    if text == "!":  # (but not the '!' of '!=')
        return i + 1 >= len(tokens) or tokens[i + 1].text != "=" or tokens[i + 1].space_before
    if text != ".":
        return True
    prev = tokens[i - 1] if i > 0 else None
    unit = i >= 2 and prev is not None and not prev.space_before and (
        tokens[i - 2].text == "/" or tokens[i - 2].kind == "num" and prev.text in SIZE_LETTERS)  # "0.6 it/s.", "60-70G."
    if prev is not None and prev.kind == "word" and not tokens[i].space_before and not unit and \
            (len(prev.text) == 1 or prev.text in ABBREVIATIONS):
        return False  # "(w. parallel", "e.g. 8", "vs. 4"
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt is None or nxt.space_before or nxt.kind == "nl"


SIZE_LETTERS = frozenset("gbmkt")  # a size's unit glued to its number ("70G", "7B"), not an initial
ABBREVIATIONS = {"vs", "etc", "approx", "incl", "eg", "ie", "cf", "min", "max", "avg", "ca", "resp", "fig", "eq"}
