"""Safe YAML loading that remembers where every value came from, with bounded work on hostile input.

Before anything is built, one pass over the parser's events (libyaml's parser is iterative) enforces the limits
below: input size, nesting depth, alias count, and the size and depth of the document once its aliases are
expanded (a "billion laughs" is refused at its first alias that goes over, a self-referencing alias at once).
YAML tags other than the core ones (`!foo`, `!!python/...`, `!!binary`, `!!set`, ...) are refused. Then we compose
the node tree (it carries line numbers), reject duplicate keys (PyYAML silently keeps the last one) and keys that
are lists or mappings, and construct plain Python data with the safe constructor. Dates stay text. Errors found
later by JSON Schema or pydantic are mapped back to a line with `line_of(path)`. Every problem is an InputError
with file and line.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from advisor.errors import InputError

MAX_INPUT_BYTES = 1 << 20  # 1 MiB: a scenario is a few kB, the largest rule file about 60 kB
MAX_DEPTH = 64  # nested lists/mappings (the rules nest about 10 deep), counted through aliases
MAX_ALIASES = 100  # *alias references per document
MAX_VALUES = 250_000  # scalars, lists and mappings once aliases are expanded

try:  # libyaml is much faster; both keep line marks and are equally safe
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_CORE = "tag:yaml.org,2002:"
# what YAML 1.1 does not allow in a stream (its printable set is tab, LF, CR, x20-x7E, x85, xA0-xD7FF, xE000-xFFFD and
# the planes above; a lone surrogate comes from undecodable input)
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ALLOWED_TAGS = {None, "!"} | {_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, plus YAML 1.2 floats: PyYAML (YAML 1.1) reads `3e-4` and `8.0e9` as *strings*, a trap
    for ML users; here they are numbers, as in JSON and YAML 1.2. Only the core types are constructed."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def _checked(tag: str, construct: Any) -> Any:
    """A scalar constructor whose failure (`!!int abc`, an integer of 5,000 digits) is a marked YAML error."""
    def checked(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except Exception:  # noqa: BLE001 - ValueError, IndexError ('!!int' with no value), OverflowError, ...
            raise yaml.constructor.ConstructorError(
                None, None, f"{_short(node.value)!r} is not a valid {tag}", node.start_mark) from None
    return checked


def _unsupported(loader: Any, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(None, None, f"unsupported YAML tag {node.tag!r}", node.start_mark)


_SC = yaml.constructor.SafeConstructor
_Loader.yaml_constructors = {
    _CORE + "null": _SC.construct_yaml_null,
    _CORE + "bool": _checked("boolean", _SC.construct_yaml_bool),
    _CORE + "int": _checked("integer", _SC.construct_yaml_int),
    _CORE + "float": _checked("number", _SC.construct_yaml_float),
    _CORE + "str": _SC.construct_yaml_str,
    _CORE + "seq": _SC.construct_yaml_seq,
    _CORE + "map": _SC.construct_yaml_map,
    _CORE + "timestamp": _SC.construct_yaml_str,  # a date is text here, not a datetime (which JSON cannot hold)
    _CORE + "value": _SC.construct_yaml_str,  # a lone '='
    None: _unsupported,
}
_Loader.yaml_multi_constructors = {}


def _short(text: Any, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _size_text(n: int) -> str:
    return f"{n // (1 << 20)} MiB" if n % (1 << 20) == 0 else f"{n:,} bytes"


@dataclass
class YamlDocument:
    data: Any
    root: yaml.Node
    file: str

    def line_of(self, path: Iterable[Any]) -> int:
        """1-based line of the deepest node that exists along `path` (keys and list indices)."""
        node = self.root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if key.value == str(part):
                        node = value
                        break
                else:
                    break  # a missing key ('required'): point at the parent mapping
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                break
        return node.start_mark.line + 1

    def key_line(self, path: Iterable[Any], key: str) -> int:
        """Line of a mapping key itself (for 'unknown key' errors)."""
        node = self.root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == str(part)), node)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if k.value == key:
                    return k.start_mark.line + 1
        return node.start_mark.line + 1

    def error(self, message: str, path: Iterable[Any] = ()) -> InputError:
        return InputError(message, self.file, self.line_of(path))


def _check_events(text: str, file: str) -> None:
    """The limits, in one pass over the parser's events, before any node is built (libyaml's composer recurses in
    C: a document nested 100,000 deep would crash it). Aliases count with the size and depth of what they repeat."""
    _collection_start = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    _collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    depth = values = aliases = 0
    stack: list[list] = []  # one frame per open collection: [anchor, values at its start, deepest level inside]
    anchors: dict[str, tuple[int, int] | None] = {}  # anchor -> (values, height) once closed; None while open

    def fail(message: str, event: yaml.Event) -> None:
        raise InputError(message, file, event.start_mark.line + 1)

    for event in yaml.parse(text, Loader=_Loader):
        tag = getattr(event, "tag", None)
        if tag not in _ALLOWED_TAGS:
            shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
            fail(f"YAML tag {_short(shown)!r} is not supported; write a plain value (text, number, true/false, list "
                 f"or mapping)", event)
        if isinstance(event, yaml.ScalarEvent):
            values += 1
            if event.anchor:
                anchors[event.anchor] = (1, 0)
        elif isinstance(event, _collection_start):
            values += 1
            depth += 1
            if depth > MAX_DEPTH:
                fail(f"nested more than {MAX_DEPTH} levels deep", event)
            stack.append([event.anchor, values, depth])
            if event.anchor:
                anchors[event.anchor] = None
        elif isinstance(event, _collection_end):
            anchor, start, deepest = stack.pop()
            if anchor:
                anchors[anchor] = (values - start + 1, deepest - depth + 1)
            depth -= 1
            if stack:
                stack[-1][2] = max(stack[-1][2], deepest)
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                fail(f"more than {MAX_ALIASES} aliases (*name)", event)
            if event.anchor in anchors and anchors[event.anchor] is None:
                fail(f"the alias *{_short(event.anchor)} refers to a value that contains it (a recursive structure)", event)
            size, height = anchors.get(event.anchor) or (1, 0)  # an undefined anchor is reported by the composer
            values += size
            if depth + height > MAX_DEPTH:
                fail(f"the alias *{_short(event.anchor)} nests the document more than {MAX_DEPTH} levels deep", event)
            if stack:
                stack[-1][2] = max(stack[-1][2], depth + height)
        if values > MAX_VALUES:
            fail(f"more than {MAX_VALUES:,} values (counting what each alias repeats)", event)


def _check_keys(root: yaml.Node, file: str) -> None:
    """Duplicate keys and keys that are lists or mappings, visiting each node once (aliases share nodes)."""
    seen_nodes: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise InputError("a key must be a plain value (text or a number), not a list or mapping", file,
                                     key.start_mark.line + 1)
                if key.value in seen and key.tag != _CORE + "merge":
                    first = seen[key.value].start_mark.line + 1
                    raise InputError(f"duplicate key {_short(key.value)!r} (first at line {first})", file,
                                     key.start_mark.line + 1)
                seen[key.value] = key
                todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)


def load_yaml_text(text: str, file: str = "<stdin>") -> YamlDocument:
    if len(text) > MAX_INPUT_BYTES:
        raise InputError(f"larger than {_size_text(MAX_INPUT_BYTES)}; expected a YAML file of at most that size", file)
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        raise InputError(f"the character U+{ord(bad.group()):04X} is not allowed in YAML (a control character or a "
                         f"non-character)", file, text.count("\n", 0, bad.start()) + 1)
    try:
        _check_events(text, file)
        root = yaml.compose(text, Loader=_Loader)
        if root is None:
            raise InputError("the document is empty; expected a mapping", file, 1)
        _check_keys(root, file)
        data = _Loader("").construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        kind = "YAML syntax error" if not isinstance(exc, yaml.constructor.ConstructorError) else "YAML error"
        if exc.problem == "second occurrence" and exc.context and exc.context_mark:  # a duplicate anchor
            what = f"{_one_line(exc.context).split(';')[0]} (first at line {exc.context_mark.line + 1})"
        else:
            what = ": ".join(_one_line(part) for part in (exc.context, exc.problem) if part) or _one_line(exc)
        raise InputError(f"{kind}: {what}", file, line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {_one_line(exc)}", file) from None
    return YamlDocument(data=data, root=root, file=file)


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (a byte-order mark is dropped); anything else is an InputError at the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); expected a UTF-8 YAML file", file, line) from None


def read_bounded(path: str | Path, limit: int = MAX_INPUT_BYTES, what: str = "file") -> bytes:
    """At most `limit` bytes of a file (a pipe or a device such as /dev/zero cannot exhaust memory)."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError(f"is a directory; expected a {what}", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", str(path)) from None
    if len(data) > limit:
        raise InputError(f"larger than {_size_text(limit)}; expected a {what} of at most that size", str(path))
    return data


def read_stdin(limit: int = MAX_INPUT_BYTES) -> str:
    """Standard input as text, bounded and checked for UTF-8 like a file."""
    if sys.stdin is None:  # started with stdin closed (<&-)
        raise InputError("standard input is closed; expected a YAML document", "<stdin>")
    stream = getattr(sys.stdin, "buffer", None)
    try:
        if stream is None:  # a text stream (tests, embedding): already decoded
            text = sys.stdin.read(limit + 1)
            if len(text) > limit:
                raise InputError(f"larger than {_size_text(limit)}; expected a YAML document of at most that size",
                                 "<stdin>")
            return text
        data = stream.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", "<stdin>") from None
    if len(data) > limit:
        raise InputError(f"larger than {_size_text(limit)}; expected a YAML document of at most that size", "<stdin>")
    return decode_text(data, "<stdin>")


def load_yaml_file(path: str | Path) -> YamlDocument:
    data = read_bounded(path, what="YAML file")
    return load_yaml_text(decode_text(data, str(path)), str(path))
