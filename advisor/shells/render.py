"""Render advice for a person: plain text (default) or Markdown (chats). Both show the same content, in the
order an expert would say it: what I noticed, what I need to know, the numbers, the options, the
recommendation, what to measure, and the sources."""

from __future__ import annotations

import textwrap

from advisor.engine.advice import Advice, OptionOut
from advisor.units import fmt_bytes_gb, fmt_count, fmt_sig

WIDTH = 100


def _wrap(text: str, indent: str) -> str:
    paragraphs = [p for p in text.strip().split("\n\n") if p.strip()]
    return "\n".join(textwrap.fill(" ".join(p.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)
                     for p in paragraphs)


def _value(value: object, unit: str | None = None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if unit == "bytes":
            return fmt_bytes_gb(value)
        if unit == "count":
            return fmt_count(value)
        text = fmt_sig(value, 4)
        return text + ("×" if unit == "multiplier" else "%" if unit == "percent" else "")
    if isinstance(value, list):
        return "{" + ", ".join(_value(v) for v in value) + "}" + ("×" if unit == "multiplier" else "")
    return "—" if value is None else str(value)


def _option_estimates(option: OptionOut) -> str:
    parts = []
    for name, quantity in option.estimates.items():
        parts.append(f"{name.removesuffix('_bytes').replace('_', ' ')} {_value(quantity.value, quantity.unit)}")
    return "; ".join(parts)


def _batch(option: OptionOut) -> str:
    s = option.settings
    if s.effective_batch is not None:
        return f"{s.micro_batch} × {s.grad_accum_steps} × {s.num_gpus} = {s.effective_batch}"
    if s.micro_batch is not None:
        return f"micro {s.micro_batch}"
    if s.batch_size is not None:
        return f"batch {s.batch_size}"
    return "—"


def _settings_extra(option: OptionOut) -> str:
    s = option.settings
    parts = []
    if s.learning_rate is not None:
        parts.append(f"lr {fmt_sig(s.learning_rate, 3)}")
    for name in ("precision", "optimizer", "normalization", "warmup"):
        value = getattr(s, name)
        if value is not None:
            parts.append(str(value))
    if s.gradient_checkpointing:
        parts.append("checkpointing")
    if s.epochs is not None:
        parts.append(f"{fmt_sig(s.epochs)} epochs")
    return ", ".join(parts) or "—"


def config_facts(advice: Advice) -> list[str]:
    """'name = value  from FILE line N (key: value)' for each fact read from a config file (the lists of
    conflicts, "auto" values and notes are shown by their own findings)."""
    return [f"{f.name} = {_value(f.value, f.unit)}  {f.provenance.by}" for f in advice.facts
            if f.provenance.kind == "config" and not f.name.startswith("config_")]


def render_text(advice: Advice) -> str:
    out: list[str] = []

    def section(title: str) -> None:
        if out:
            out.append("")
        out.append(title.upper())

    if config_facts(advice):
        section("What I read from your files")
        out += [textwrap.fill(line, WIDTH, initial_indent="  ", subsequent_indent="      ") for line in config_facts(advice)]

    if advice.red_flags or advice.findings:
        section("What I noticed")
        for flag in advice.red_flags:
            out.append(f"  ! {flag.title}" + ("  (heuristic)" if flag.heuristic else ""))
            out.append(_wrap(flag.counter, "    "))
        for finding in advice.findings:
            out.append(f"  • {finding.title}" + ("  (heuristic)" if finding.heuristic else ""))
            out.append(_wrap(finding.text, "    "))
            if finding.snippet:
                out.append(textwrap.indent(finding.snippet.rstrip(), "      "))
    if advice.questions:
        section("What I need to know")
        for i, q in enumerate(advice.questions, 1):
            extra = f" [{' / '.join(q.choices)}]" if q.choices else ""
            out.append(f"  {i}. {q.text}{extra}   (answer as {q.id})")
            out.append(_wrap("why: " + "; ".join(q.why), "     "))
    if advice.estimates:
        section("The numbers")
        width = max(len(e.id) for e in advice.estimates)
        for est in advice.estimates:
            tag = "  (heuristic)" if est.heuristic else ""
            out.append(f"  {est.id.ljust(width)}  {_value(est.value, est.unit)}{tag}")
            out.append(_wrap(est.formula, "  " + " " * width + "    "))
    if advice.options:
        section("Options")
        rows = [("option", "micro × accum × GPUs", "settings", "numbers")]
        rows += [(o.id, _batch(o), _settings_extra(o), _option_estimates(o) or "—") for o in advice.options]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for n, row in enumerate(rows):
            out.append("  " + "  ".join(c.ljust(widths[i]) for i, c in enumerate(row[:3])) + "  " + row[3])
            if n == 0:
                out.append("  " + "  ".join("-" * w for w in widths) + "  " + "-" * 7)
        for i, o in enumerate(advice.options, 1):
            out.append("")
            out.append(f"  [{i}] {o.title} ({o.id})" + ("  (heuristic)" if o.heuristic else ""))
            out.append(_wrap(o.summary, "      "))
            for name in ("speed", "memory", "accuracy", "risk"):
                out.append(_wrap(f"{name}: {getattr(o.tradeoffs, name)}", "      "))
            out.append(_wrap(f"validate: {o.validate_}", "      "))
            if o.snippet:
                out.append(textwrap.indent(o.snippet.rstrip(), "        "))
    section("Recommendation")
    rec = advice.recommendation
    if rec.option_id:
        title = next(o.title for o in advice.options if o.id == rec.option_id)
        out.append(f"  → {title} ({rec.option_id})")
    out.append(_wrap(rec.rationale, "    "))
    if rec.depends_on:
        out.append(_wrap("depends on: " + ", ".join(rec.depends_on), "    "))
    if advice.measure:
        section("What to measure")
        for m in advice.measure:
            out.append(f"  - {m.title}")
            out.append(_wrap(m.text, "    "))
    if advice.sources:
        section("Sources")
        for s in advice.sources:
            out.append(_wrap(f"[{s.id}] {s.citation}" + (f" {s.url}" if s.url else ""), "  "))
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(advice: Advice) -> str:
    out: list[str] = []
    if config_facts(advice):
        out.append("## What I read from your files\n")
        out += [f"- {_md_cell(line)}" for line in config_facts(advice)]
        out.append("")
    if advice.red_flags or advice.findings:
        out.append("## What I noticed\n")
        for flag in advice.red_flags:
            out.append(f"- **{flag.title}**" + (" *(heuristic)*" if flag.heuristic else "") + f" — {' '.join(flag.counter.split())}")
        for finding in advice.findings:
            out.append(f"- {finding.title}: {' '.join(finding.text.split())}")
            if finding.snippet:
                out.append("\n```python\n" + finding.snippet.rstrip() + "\n```")
        out.append("")
    if advice.questions:
        out.append("## What I need to know\n")
        for i, q in enumerate(advice.questions, 1):
            extra = f" ({' / '.join(q.choices)})" if q.choices else ""
            out.append(f"{i}. {q.text}{extra} — *why:* {'; '.join(q.why)}")
        out.append("")
    if advice.estimates:
        out.append("## The numbers\n")
        out.append("| estimate | value | how |")
        out.append("|---|---|---|")
        for e in advice.estimates:
            out.append(f"| {e.id} | {_value(e.value, e.unit)} | {_md_cell(e.formula)} |")
        out.append("")
    if advice.options:
        out.append("## Options\n")
        out.append("| option | micro × accum × GPUs | settings | numbers | speed | memory | accuracy | risk |")
        out.append("|---|---|---|---|---|---|---|---|")
        for o in advice.options:
            t = o.tradeoffs
            cells = [f"**{o.id}**: {o.title}", _batch(o), _settings_extra(o), _option_estimates(o) or "—",
                     t.speed, t.memory, t.accuracy, t.risk]
            out.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        out.append("")
        for o in advice.options:
            out.append(f"- **{o.id}** — validate: {' '.join(o.validate_.split())}")
            if o.snippet:
                out.append("\n```python\n" + o.snippet.rstrip() + "\n```\n")
        out.append("")
    out.append("## Recommendation\n")
    rec = advice.recommendation
    if rec.option_id:
        out.append(f"**{rec.option_id}** — {' '.join(rec.rationale.split())}")
    else:
        out.append(' '.join(rec.rationale.split()))
    if rec.depends_on:
        out.append(f"\n*Depends on:* {', '.join(rec.depends_on)}")
    out.append("")
    if advice.measure:
        out.append("## What to measure\n")
        for m in advice.measure:
            out.append(f"- **{m.title}** — {' '.join(m.text.split())}")
        out.append("")
    if advice.sources:
        out.append("## Sources\n")
        for s in advice.sources:
            out.append(f"- [{s.id}] {s.citation}" + (f" <{s.url}>" if s.url else ""))
    return "\n".join(out).rstrip() + "\n"
