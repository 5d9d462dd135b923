"""Safe YAML loading that remembers where every value came from.

We compose the node tree first (it carries line numbers), reject duplicate keys (PyYAML silently keeps the
last one), then construct plain Python data with the safe loader. Errors found later by JSON Schema or
pydantic are mapped back to a line with `line_of(path)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import re
from typing import Any, Iterable

import yaml

from advisor.errors import InputError

try:  # libyaml is much faster; both keep line marks and are equally safe
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, plus YAML 1.2 floats: PyYAML (YAML 1.1) reads `3e-4` and `8.0e9` as *strings*, a trap
    for ML users; here they are numbers, as in JSON and YAML 1.2."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


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


def _check_duplicate_keys(node: yaml.Node, file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    first = seen[key.value].start_mark.line + 1
                    raise InputError(f"duplicate key {key.value!r} (first at line {first})", file, key.start_mark.line + 1)
                seen[key.value] = key
            _check_duplicate_keys(value, file)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, file)


def load_yaml_text(text: str, file: str = "<stdin>") -> YamlDocument:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(f"YAML syntax error: {exc.problem or exc}", file, line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file) from None
    if root is None:
        raise InputError("the document is empty; expected a mapping", file, 1)
    _check_duplicate_keys(root, file)
    data = _Loader(text).get_single_data()
    return YamlDocument(data=data, root=root, file=file)


def load_yaml_file(path: str | Path) -> YamlDocument:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory; expected a YAML file", str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text; expected a YAML file", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", str(path)) from None
    return load_yaml_text(text, str(path))
