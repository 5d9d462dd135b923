"""The misconception catalogue: every red flag that counters a wrong belief.

A red flag with a `belief` is a catalogue entry: the belief as a user would state it, the correction (the red
flag's title, one line), the claim facts that recognise the belief in a message (those its condition tests), and
its sources. docs/misconceptions.md holds the catalogue as a table generated from the rules, between two marker
lines; tests/test_misconceptions.py fails when it is stale, and

    python -m advisor.kb.misconceptions --write docs/misconceptions.md

rewrites it (without --write the table goes to standard output).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from advisor.errors import AdvisorError, InputError
from advisor.files import write_atomically
from advisor.kb.load import load_kb
from advisor.kb.model import KnowledgeBase, RedFlagRule, condition_facts

BEGIN = "<!-- catalogue: generated from rules/*.yaml by `python -m advisor.kb.misconceptions --write`; do not edit -->"
END = "<!-- end of catalogue -->"


@dataclass(frozen=True)
class Misconception:
    id: str  # the red flag's id
    belief: str
    correction: str
    claims: tuple[str, ...]
    sources: tuple[str, ...]
    heuristic: bool


def catalogue(kb: KnowledgeBase) -> list[Misconception]:
    """The catalogue in rule order (file, then position in the file)."""
    return [Misconception(rule.id, rule.belief, rule.title,
                          tuple(n for n in condition_facts(rule.when) if n.startswith("claim_")),
                          tuple(rule.sources), rule.heuristic)
            for rule in kb.rules if isinstance(rule, RedFlagRule) and rule.belief]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(kb: KnowledgeBase) -> str:
    rows = ["| # | red flag | the belief | the correction | recognised by | sources |", "|---|---|---|---|---|---|"]
    for n, m in enumerate(catalogue(kb), 1):
        sources = ", ".join(m.sources) + (" (heuristic)" if m.heuristic else "")
        claims = ", ".join(f"`{c}`" for c in m.claims)
        rows.append(f"| {n} | `{m.id}` | {_cell(m.belief)} | {_cell(m.correction)} | {claims} | {sources} |")
    return "\n".join(rows) + "\n"


def embedded_table(doc: str, where: str) -> tuple[int, int]:
    """The character span of the table between the markers of a document."""
    start, end = doc.find(BEGIN), doc.find(END)
    if start < 0 or end < start:
        raise InputError(f"no catalogue markers (expected a line {BEGIN!r} and later {END!r})", where)
    return start + len(BEGIN) + 1, end


def write_doc(path: Path, kb: KnowledgeBase) -> bool:
    """Replace the table between the markers of `path`; True when the file changed."""
    try:
        doc = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read it ({exc.__class__.__name__})", str(path)) from None
    start, end = embedded_table(doc, str(path))
    new = doc[:start] + markdown_table(kb) + doc[end:]
    if new != doc:
        try:
            write_atomically(path, new)
        except OSError as exc:
            raise InputError(f"cannot write it ({exc.strerror or exc.__class__.__name__})", str(path)) from None
    return new != doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m advisor.kb.misconceptions",
                                     description="Print the misconception catalogue as a Markdown table, or "
                                                 "write it into a document between its marker lines.")
    parser.add_argument("--rules", metavar="DIR", help="knowledge-base directory (default: the shipped rules/)")
    parser.add_argument("--write", metavar="FILE", help="rewrite the table inside FILE (docs/misconceptions.md)")
    ns = parser.parse_args(argv)
    try:
        kb = load_kb(ns.rules)
        if ns.write:
            changed = write_doc(Path(ns.write), kb)
            print(f"{ns.write}: {len(catalogue(kb))} misconceptions, {'updated' if changed else 'already current'}")
        else:
            sys.stdout.write(markdown_table(kb))
    except AdvisorError as exc:  # one line, exit 2, as the CLI does
        print(f"advisor: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
