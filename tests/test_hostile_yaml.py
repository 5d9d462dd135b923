"""Hostile and malformed YAML: every case ends at once with a one-line InputError naming file and line (exit 2),
never a hang, a RecursionError or an internal error (issue 12)."""

import io
import subprocess
import sys
import time

import pytest

from advisor.errors import InputError
from advisor.kb import yamlio
from advisor.kb.yamlio import load_yaml_file, load_yaml_text

from .conftest import ROOT


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "message: hi\nfacts:\n  x:\n" + "\n".join("    " + line for line in lines) + "\n"


def fails_fast(text: str, match: str, line: int | None = None, file: str = "f.yaml") -> InputError:
    start = time.perf_counter()
    with pytest.raises(InputError, match=match) as info:
        load_yaml_text(text, file)
    assert time.perf_counter() - start < 2
    assert info.value.file == file and "\n" not in str(info.value)
    if line is not None:
        assert info.value.line == line
    return info.value


def test_billion_laughs_is_refused_at_the_alias_that_goes_over():
    fails_fast(billion_laughs(9), r"more than 250,000 values \(counting what each alias repeats\)", line=9)


def test_a_small_alias_expansion_is_fine_and_shares_nothing_surprising():
    doc = load_yaml_text("- &a [1, 2]\n- &b [*a, *a]\n- *b\n", "f.yaml")
    assert doc.data == [[1, 2], [[1, 2], [1, 2]], [[1, 2], [1, 2]]]


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n", "- &x\n  - [1, *x]\n"])
def test_a_self_referencing_alias_is_an_input_error(text):
    fails_fast(text, r"refers to a value that contains it", line=text.count("\n", 0, text.index("*")) + 1)


def test_too_many_aliases():
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (yamlio.MAX_ALIASES + 1)) + "]\n"
    fails_fast(text, rf"more than {yamlio.MAX_ALIASES} aliases", line=2)


@pytest.mark.parametrize("text", ["a: " + "[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x",
                                  "a: " + "{b: " * 65 + "1" + "}" * 65])
def test_deep_nesting_is_refused_before_the_c_composer_recurses(text):
    fails_fast(text, r"nested more than 64 levels deep", line=1)


def test_depth_counts_through_aliases():
    inner = "[" * 40 + "]" * 40
    fails_fast(f"a: &a {inner}\nb: {'[' * 30}*a{']' * 30}\n", r"the alias \*a nests the document more than 64", line=2)


@pytest.mark.parametrize("text, shown", [("message: !foo bar\n", "!foo"),
                                         ("message: !!python/object:os.system x\n", "!!python/object:os.system"),
                                         ("message: !!python/name:os.system\n", "!!python/name:os.system"),
                                         ("a: !!binary aGVsbG8=\n", "!!binary"), ("a: !!set {x}\n", "!!set"),
                                         ("a: !<tag:example.com,2000:x> 1\n", "tag:example.com,2000:x")])
def test_tags_are_refused(text, shown):
    fails_fast(text, rf"YAML tag '{shown}' is not supported", line=1)


@pytest.mark.parametrize("text, match", [("facts: {gpu_memory: !!int abc}\n", r"'abc' is not a valid integer"),
                                         ("a: !!float x\n", r"'x' is not a valid number"),
                                         ("a: !!int\n", r"'' is not a valid integer"), ("!!int ", r"'' is not a valid integer"),
                                         ("a: " + "1" * 5000 + "\n", r"is not a valid integer")])
def test_core_tags_with_bad_values(text, match):
    fails_fast(text, match, line=1)


def test_core_tags_and_plain_values_still_work():
    doc = load_yaml_text("a: !!str 5\nb: !!float 1\nc: 2024-01-01\nd: =\n<<: {e: 1}\nf: 3e-4\n", "f.yaml")
    assert doc.data == {"a": "5", "b": 1.0, "c": "2024-01-01", "d": "=", "e": 1, "f": 3e-4}


@pytest.mark.parametrize("text, line", [("? [a, b]\n: c\n", 1), ("facts:\n  {a: 1}: 2\n", 2), ("x:\n  ? - 1\n  : 2\n", 2)])
def test_complex_keys(text, line):
    fails_fast(text, r"a key must be a plain value", line=line)


def test_control_characters_and_surrogates():
    fails_fast("a: 1\nb: \x00\n", r"U\+0000 is not allowed", line=2)
    fails_fast("a: '\ud800'\n", r"U\+D800 is not allowed", line=1)


def test_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("message: '" + "x" * yamlio.MAX_INPUT_BYTES + "'\n")
    with pytest.raises(InputError, match=r"larger than 1 MiB") as info:
        load_yaml_file(big)
    assert info.value.file == str(big)
    fails_fast("a: 1\n" * (yamlio.MAX_INPUT_BYTES // 4), r"larger than 1 MiB")


def test_dev_zero_is_read_bounded():
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"larger than 1 MiB"):
        load_yaml_file("/dev/zero")
    assert time.perf_counter() - start < 2


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("message: hi\nfacts: {}\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xe9\)") as info:
        load_yaml_file(path)
    assert info.value.line == 3


def test_duplicate_keys_and_anchors():
    fails_fast("a: 1\nb: 2\na: 3\n", r"duplicate key 'a' \(first at line 1\)", line=3)
    fails_fast("a: &x 1\nb: &x 2\n", r"duplicate anchor \(first at line 1\)", line=2)


def _cli(args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "advisor", *args], cwd=ROOT, input=stdin, capture_output=True, timeout=60)


@pytest.mark.parametrize("stdin, match", [
    (billion_laughs(9).encode(), b"<stdin>:9: more than 250,000 values"),
    (b"message: &a [*a]\n", b"<stdin>:1: the alias *a refers to a value that contains it"),
    (b"message: !!python/object/apply:os.system ['true']\n", b"<stdin>:1: YAML tag"),
    (b"message: \xff\xfe hi\n", b"<stdin>:1: not UTF-8 text (byte 0xff)"),
])
def test_cli_answer_stdin_exits_2_with_one_line(stdin, match):
    out = _cli(["answer", "-"], stdin)
    assert out.returncode == 2 and out.stdout == b""
    assert out.stderr.startswith(b"advisor: " + match) and out.stderr.count(b"\n") == 1, out.stderr


def test_stdin_text_stream_is_bounded(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("x" * (yamlio.MAX_INPUT_BYTES + 10)))
    with pytest.raises(InputError, match="larger than 1 MiB"):
        yamlio.read_stdin()


def test_a_scenario_has_at_most_1000_steps(kb):
    from advisor.regress.scenario import parse_scenario

    text = "message: hi\nsteps:\n" + "  - {answers: {}}\n" * 1001
    with pytest.raises(InputError, match=r"at most 1000 items .* \(at steps\)") as info:
        parse_scenario(load_yaml_text(text, "f.yaml"), kb)
    assert info.value.line == 3


@pytest.mark.parametrize("args, code, line", [(["answer", "-"], 2, b"advisor: <stdin>: standard input is closed"),
                                              (["repl", "--no-history"], 0, None)])
def test_stdin_closed(args, code, line):
    import os

    out = subprocess.run([sys.executable, "-m", "advisor", *args], cwd=ROOT, capture_output=True, timeout=60,
                         stdin=None, preexec_fn=lambda: os.close(0))
    assert out.returncode == code and b"Traceback" not in out.stderr, out.stderr
    if line:
        assert out.stderr.startswith(line)
