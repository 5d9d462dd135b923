"""Strategies and checks shared by the fuzz tests (tests/test_fuzz.py, bounded for CI) and the long run by hand
(benchmarks/fuzz_long.py). The contract under test: every call ends with a result or an AdvisorError (an
InputError for bad input), never another exception, whatever the input.

`max_digits` bounds the runs of digits in generated text: the message regexes of rules/facts.yaml backtrack on long
digit runs (quadratic: ~0.2 s at 400 digits, ~0.7 s at 800) and are being replaced by a new reader, so CI keeps
runs at 200 or fewer; the long run goes further and reports what is slow.
"""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import strategies as st

from advisor.consultation import load_kb
from advisor.errors import AdvisorError

KB = load_kb()
FACT_NAMES = sorted(KB.facts)
INPUT_FACTS = sorted(n for n, f in KB.facts.items() if not f.derived)
QUESTIONS = sorted(n for n, f in KB.facts.items() if f.askable)
OPTIONS = sorted({getattr(r, "option", None) for r in KB.rules} - {None})
RULE_IDS = sorted(r.id for r in KB.rules)
UNITS = ["", "GB", "GiB", "gb", "MB", "MiB", "TB", "TiB", "B", "G", "K", "k", "M", "B", "T", "x", "×", "%", " weeks",
         " days", "h", " min", "s", " epochs", " tokens", " nats", " samples/s", "e9", "e-4"]
PHRASES = [
    "I have an 8GB GPU", "a 500M parameter model", "a 7B model", "just tell me the batch size that fits",
    "the paper uses batch 512", "my GPU fits 256", "I tried batch 512 and got worse accuracy than batch 128",
    "training takes 2 weeks with batch 128", "I need this done in 3 days", "I increased batch size 4x and lr 4x",
    "training diverged", "gradient accumulation doesn't work", "I got OOM at batch 256 on my 32GB GPU",
    "8 GPUs", "Run 1 (batch 128): 85.2%", "Run 2 (batch 256): 84.0%", "lr 3e-4", "AdamW", "bf16", "seq len 2048",
    "loss of 2.5 nats", "train on 300B tokens", "4M tokens per step", "batch 64: 1200 samples/s", "warmup of 5 epochs",
]
SPECIALS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e308", "1e309", "-0", "0", "0x10", "1_000", "1,000,000", "½", "٣",
            "１２", "ⅷ", "", " ", "\t", "\n", "skip", "?", "yes", "no", "null", "~", "true", "[]", "{}", "'", '"', "\\",
            "\x00", "\ud800", "\u202e", "\ufeff", "\u2028", "𝟗", "…"]


def digit_runs(max_digits: int) -> st.SearchStrategy[str]:
    """Runs of digits; hypothesis favours short text, so runs near the longest allowed are drawn on purpose too."""
    return st.one_of(st.text("0123456789", min_size=1, max_size=max_digits),
                     st.builds(lambda n, d: d * n, st.integers(max(1, max_digits // 2), max_digits), st.sampled_from("0179")))


def numbers() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(), st.integers(-(10**400), 10**400), st.just(10**400), st.just(-(10**4000)),  # repr-able (< 4300 digits)
        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([5e-324, 1e-300, 1e15, 1e18, 1e19, 1e308]),
        st.booleans())


def number_texts(max_digits: int) -> st.SearchStrategy[str]:
    plain = st.one_of(numbers().map(lambda v: repr(v) if not isinstance(v, int) or abs(v) < 10**4000 else "9" * 50),
                      digit_runs(max_digits), st.sampled_from(SPECIALS))
    return st.builds(lambda n, gap, u: f"{n}{gap}{u}", plain, st.sampled_from(["", " ", "  "]), st.sampled_from(UNITS))


def _specials(surrogates: bool) -> list[str]:
    return SPECIALS if surrogates else [s for s in SPECIALS if not any(0xD800 <= ord(c) <= 0xDFFF for c in s)]


def texts(max_digits: int = 200, max_size: int = 12, surrogates: bool = True) -> st.SearchStrategy[str]:
    """Messages: phrases the reader knows, numbers with units, long digit runs, unicode, control characters (and
    lone surrogates, as a lenient decoder makes of bytes that are not UTF-8, unless `surrogates` is off)."""
    piece = st.one_of(st.sampled_from(PHRASES), number_texts(max_digits), digit_runs(max_digits),
                      st.text(max_size=30), st.sampled_from(_specials(surrogates)),
                      st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
    return st.lists(piece, max_size=max_size).map(" ".join)


def values(max_digits: int = 200, surrogates: bool = True) -> st.SearchStrategy[Any]:
    """Any JSON-ish value a caller might send as a fact or an answer."""
    scalar = st.one_of(st.none(), numbers(), number_texts(max_digits), st.text(max_size=40),
                       st.sampled_from(_specials(surrogates)))
    return st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=10)


def names() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(FACT_NAMES), st.sampled_from(INPUT_FACTS), st.text(max_size=20))


def fact_dicts(max_digits: int = 200) -> st.SearchStrategy[dict]:
    return st.dictionaries(names(), values(max_digits), max_size=6)


def answer_dicts(max_digits: int = 200) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.one_of(st.sampled_from(QUESTIONS), names()),
                           st.one_of(st.just("skip"), values(max_digits)), max_size=4)


# ------------------------------------------------------------------------------------------------ YAML-ish bytes

_YAML_TOKENS = [
    "message: ", "facts:", "answers:", "expect:", "steps:", "  ", "    ", "- ", ": ", "\n", "\n  ", "[", "]", "{", "}", ", ",
    "&a ", "&b ", "*a", "*b", "!foo ", "!!int ", "!!float ", "!!str ", "!!python/object:os.system ", "!!binary ", "!!set ",
    "? ", "<<: ", "'", '"', "|\n  ", ">\n  ", "#", "---\n", "...\n", "%YAML 1.1\n", "~", "null", ".nan", ".inf", "-.inf",
    "gpu_memory: ", "params: ", "peak_memory_by_batch: ", "throughput_by_batch: ", "text: {forbid: ['(']}",
    "\t", "\x00", "\x85", "\ufeff", "\u2028", "é", "😀",
]


def yaml_bytes(max_digits: int = 200) -> st.SearchStrategy[bytes]:
    """Documents assembled from YAML syntax, fact names and hostile values, encoded, sometimes with bytes that are
    not UTF-8 spliced in."""
    token = st.one_of(st.sampled_from(_YAML_TOKENS), st.sampled_from(FACT_NAMES).map(lambda n: f"{n}: "),
                      number_texts(max_digits), st.text(max_size=10))
    text = st.lists(token, max_size=40).map("".join)
    raw = text.map(lambda t: t.encode("utf-8", errors="surrogatepass"))
    junk = st.binary(max_size=8)
    return st.one_of(raw, st.tuples(raw, junk, raw).map(lambda p: p[0] + p[1] + p[2]), st.binary(max_size=200))


def mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """A real scenario file with a few bytes replaced, inserted or deleted."""
    def apply(edits: list[tuple[int, int, bytes]]) -> bytes:
        data = bytearray(seed)
        for pos, cut, insert in edits:
            pos %= max(1, len(data))
            data[pos:pos + cut] = insert
        return bytes(data)

    edit = st.tuples(st.integers(0, 10**6), st.integers(0, 4), st.one_of(st.binary(max_size=4),
                                                                           st.sampled_from(_YAML_TOKENS).map(str.encode)))
    return st.lists(edit, min_size=1, max_size=5).map(apply)


# ------------------------------------------------------------------------------------------------ the targets

def assert_finite(text: str, what: str) -> None:
    """No NaN or infinity anywhere in a JSON document (as a number; the words may appear in text)."""
    import json

    def refuse(constant: str) -> None:
        raise AssertionError(f"{what} holds the number {constant}")

    json.loads(text, parse_constant=refuse)


def expect_contract(fn: Callable[[], Any]) -> Any:
    """Run one call: a result or an AdvisorError is fine; anything else fails the test (with the input)."""
    try:
        return fn()
    except AdvisorError:
        return None


def consult_target(message: str, facts: dict, answers: dict) -> None:
    from advisor.consultation import consult

    def call() -> None:
        advice = consult(message, facts, answers, kb=KB)
        assert_finite(advice.to_json(), "the advice")
        from advisor.shells.render import render_text

        render_text(advice)

    expect_contract(call)


def scenario_target(data: bytes) -> None:
    from advisor.kb.yamlio import decode_text, load_yaml_text
    from advisor.regress.scenario import parse_scenario

    def call() -> None:
        doc = load_yaml_text(decode_text(data, "fuzz.yaml"), "fuzz.yaml")
        scenario = parse_scenario(doc, KB)
        from advisor.regress.checker import run_scenario

        run_scenario(scenario, KB)

    expect_contract(call)


SESSION_OPS = ["say", "answer", "set", "forget", "explain", "advice", "next_question", "reset", "round_trip"]


def session_ops(max_digits: int = 200, surrogates: bool = True) -> st.SearchStrategy[list]:
    arg = st.one_of(st.sampled_from(QUESTIONS), names(), st.sampled_from(OPTIONS), st.sampled_from(RULE_IDS),
                    st.just("recommendation"))
    op = st.tuples(st.sampled_from(SESSION_OPS), arg, st.one_of(texts(max_digits, 4, surrogates),
                                                                values(max_digits, surrogates)))
    return st.lists(op, max_size=8)


def session_target(ops: list) -> None:
    from advisor.shells.session import Session

    session = Session(kb=KB)
    for op, name, value in ops:
        def call() -> None:
            nonlocal session
            if op == "say":
                session.say(value if isinstance(value, str) else str(value)[:200])
            elif op == "answer":
                session.answer(name, value)
            elif op == "set":
                session.set(name, value)
            elif op == "forget":
                session.forget(name)
            elif op == "explain":
                session.explain(name).text()
            elif op == "advice":
                session.advice().to_json()
            elif op == "next_question":
                session.next_question()
            elif op == "reset":
                session.reset()
            elif op == "round_trip":
                import json

                from advisor.shells.session import Session as S

                session = S.from_dict(json.loads(json.dumps(session.to_dict())), kb=KB)

        expect_contract(call)


TOOL_NAMES = ["consult", "estimate_memory", "explain", "list_presets"]
_TOOL_KEYS = ["message", "facts", "answers", "item", "preset", "params", "batch", "seq_len", "precision", "optimizer", "gpus",
              "zero", "offload", "checkpointing", "attention", "lora", "base_bits", "budget_gib", "target_batch"]


def tool_calls(max_digits: int = 200) -> st.SearchStrategy[tuple[str, Any]]:
    key = st.one_of(st.sampled_from(_TOOL_KEYS), st.text(max_size=10))
    val = st.one_of(values(max_digits), texts(max_digits, 4), fact_dicts(max_digits),
                    st.sampled_from(["gpt2", "llama-2-7b", "tinystories-004", "fp32", "bf16", "adamw", "full"]))
    args = st.one_of(st.none(), st.dictionaries(key, val, max_size=6), values(max_digits))
    name = st.one_of(st.sampled_from(TOOL_NAMES), st.text(max_size=12))
    return st.tuples(name, args)


def tool_target(name: str, arguments: Any) -> None:
    from advisor.shells.tools import call_tool

    def call() -> None:
        result = call_tool(name, arguments)
        import json

        assert_finite(json.dumps(result, allow_nan=True), "the tool result")

    expect_contract(call)
