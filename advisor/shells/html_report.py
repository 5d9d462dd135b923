"""The advice, or a memory estimate, as one self-contained HTML page with charts (`--format html`).

One file that opens anywhere and says the same as the text renderer: inline CSS, inline SVG (advisor.shells.svg),
no scripts, no fonts or images from elsewhere, and a Content-Security-Policy that forbids loading anything, so a
page kept in a bug report never calls out. Every text from the advice is escaped; every number drawn or printed
comes from the advice or the estimate (the charts carry the raw values as data-* attributes). Same input, same
bytes: no timestamps, fixed formats, the advice's own order.

Charts for `advisor answer`: memory by component per plan against the card, peak memory against micro-batch with
the budget and the chosen batch, and the probe's throughput when one was given. They are drawn from the advice's
`plans` (the user's own plan and the options the plan search computed); without plans, from what the advice has
(the options' model states, the catalogue model's fixed and per-sample bytes, the probe's measurements), or left
out with a sentence saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any, Iterable, Mapping

from advisor.engine.advice import Advice
from advisor.engine.wording import capitalised, plain_values, value_words
from advisor.kb.model import KnowledgeBase
from advisor.shells import render, svg
from advisor.units import fmt_bytes_gib, fmt_card, fmt_count, fmt_sig, fmt_value

GiB = 2**30  # memory is shown in GiB, the unit a card is read in: one unit in every comparison

CSS = """
body{font:15px/1.5 "DejaVu Sans","Liberation Sans",Arial,sans-serif;color:#222;background:#fff;margin:0}
main{max-width:920px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid #ddd}
h3{font-size:16px;margin:18px 0 4px}p{margin:6px 0}
.lead{color:#555;margin:0 0 16px}.message{border-left:4px solid #bbb;padding:6px 12px;background:#f6f6f6;margin:8px 0}
.rec{border:2px solid #009E73;border-radius:6px;padding:10px 14px;background:#f1faf6;margin:12px 0}
.flag{border-left:4px solid #B00020;padding:4px 12px;margin:10px 0;background:#fdf3f4}
.finding{border-left:4px solid #0072B2;padding:4px 12px;margin:10px 0;background:#f2f7fb}
.tag{font-size:12px;color:#666;font-weight:normal}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;border:1px solid #e2e2e2;padding:8px;overflow-x:auto;font-size:13px}
code{font-family:"DejaVu Sans Mono","Liberation Mono",monospace}
figure{margin:16px 0}svg.chart{max-width:100%;height:auto;display:block}figcaption{color:#555;font-size:14px}
.why{color:#555;font-size:14px}.note{color:#555;font-style:italic}ul,ol{padding-left:24px}
"""
# nothing may be fetched: no scripts, no fonts, no images, no connections; only the inline style applies
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _page(title: str, body: Iterable[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def _paragraphs(text: str, css: str = "") -> str:
    """Rule texts separate paragraphs with blank lines; inside one, line breaks are only wrapping."""
    cls = f' class="{css}"' if css else ""
    return "".join(f"<p{cls}>{escape(' '.join(p.split()))}</p>" for p in text.strip().split("\n\n") if p.strip())


def _tag(heuristic: bool) -> str:
    return ' <span class="tag">(heuristic)</span>' if heuristic else ""


def _snippet(code: str | None) -> str:
    return f"<pre><code>{escape(code.rstrip())}</code></pre>" if code else ""


def _figure(chart: str, caption: str) -> str:
    return f"<figure>{chart}<figcaption>{escape(caption)}</figcaption></figure>"


def _absent(sentence: str) -> str:
    return f'<p class="note">{escape(sentence)}</p>'


def _sources(sources: Iterable[tuple[str, str, str | None]]) -> list[str]:
    """[id] citation, with the URL as a plain link when it is a web address (a few are paths to the docs)."""
    items = []
    for sid, citation, url in sources:
        link = ""
        if url:
            link = (f' <a href="{escape(url)}">{escape(url)}</a>' if url.startswith(("https://", "http://"))
                    else f" <code>{escape(url)}</code>")
        items.append(f'<li id="source-{escape(sid)}">{escape(citation)}{link}</li>')
    return ["<h2>Sources</h2>", "<ul>" + "".join(items) + "</ul>"] if items else []


# ---------------------------------------------------------------------------------------------- the advice

def render_advice_html(advice: Advice, message: str = "", kb: KnowledgeBase | None = None) -> str:
    """The whole advice as a page: recommendation first, then what was noticed, the pictures, the questions, the
    options with their tradeoffs, the numbers, what to measure, what was read, and the sources. In plain words, as
    the text renderers: labels, titles and values from the knowledge base `kb`, no ids."""
    kb = render.knowledge(kb)
    data = advice.to_dict()
    titles = {o.id: o.title for o in advice.options}
    body = ["<h1>Batch size and GPU memory: advice</h1>",
            '<p class="lead">Written by advisor from your message and the facts it read; every number is computed.</p>']
    if message.strip():
        body.append(f'<blockquote class="message">{escape(" ".join(message.split()))}</blockquote>')
    body += _recommendation(advice, titles, kb)
    if advice.red_flags or advice.findings:
        body.append("<h2>What I noticed</h2>")
        for flag in advice.red_flags:
            body.append(f'<div class="flag"><h3>! {escape(flag.title)}{_tag(flag.heuristic)}</h3>{_paragraphs(flag.counter)}</div>')
        for finding in advice.findings:
            body.append(f'<div class="finding"><h3>{escape(finding.title)}{_tag(finding.heuristic)}</h3>'
                        f"{_paragraphs(finding.text)}{_snippet(finding.snippet)}</div>")
    body.append("<h2>Pictures</h2>")
    body += advice_charts(data)
    if advice.questions:
        body.append("<h2>What I need to know</h2><ol>")
        for q in advice.questions:
            body.append(f"<li><p>{escape(render.question_line(kb, q))}</p><p class=\"why\">{escape(q.reason)}</p></li>")
        body.append("</ol>")
    if advice.options:
        body += _options(advice, kb)
    if advice.estimates:
        body.append("<h2>The numbers</h2><table><tr><th>number</th><th>value</th><th>how</th></tr>")
        for e in advice.estimates:
            label = capitalised(render.estimate_label(kb, advice, e.id))
            body.append(f"<tr><td>{escape(label)}{_tag(e.heuristic)}</td><td class=\"num\">{escape(_value(e.value, e.unit))}"
                        f"</td><td>{escape(' '.join(plain_values(kb, e.formula).split()))}</td></tr>")
        body.append("</table>")
    if advice.measure:
        body.append("<h2>What to measure</h2>")
        for m in advice.measure:
            body.append(f"<h3>{escape(m.title)}{_tag(m.heuristic)}</h3>{_paragraphs(m.text)}")
    body += _facts_read(advice, kb)
    body += _sources((s.id, s.citation, s.url) for s in advice.sources)
    return _page("advisor: advice", body)


def _recommendation(advice: Advice, titles: Mapping[str, str], kb: KnowledgeBase) -> list[str]:
    rec = advice.recommendation
    head = f"<p><strong>→ {escape(titles.get(rec.option_id, rec.option_id))}</strong></p>" if rec.option_id else ""
    depends = _paragraphs(render.depends_text(kb, rec.depends_on), "why") if rec.depends_on else ""
    return ["<h2>Recommendation</h2>", f'<div class="rec">{head}{_paragraphs(rec.rationale)}{depends}</div>']


def _value(value: Any, unit: str | None) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and unit == "bytes":
        return fmt_bytes_gib(value)
    return fmt_value(value, unit) if value is not None else "—"


def _batch(settings: Mapping[str, Any]) -> str:
    if settings.get("effective_batch") is not None:
        return (f"{settings['micro_batch']} × {settings['grad_accum_steps']} × {settings['num_gpus']} = "
                f"{settings['effective_batch']}")
    if settings.get("micro_batch") is not None:
        return f"micro {settings['micro_batch']}"
    if settings.get("batch_size") is not None:
        return f"batch {settings['batch_size']}"
    return "—"


def _settings(settings: Mapping[str, Any], kb: KnowledgeBase) -> str:
    parts = [f"lr {fmt_sig(settings['learning_rate'], 3)}"] if settings.get("learning_rate") is not None else []
    parts += [kb.facts[name].value_label(settings[name]) if name in kb.facts else str(settings[name])
              for name in ("precision", "optimizer", "normalization", "warmup") if settings.get(name) is not None]
    if settings.get("gradient_checkpointing"):
        parts.append("checkpointing")
    if settings.get("epochs") is not None:
        parts.append(f"{fmt_sig(settings['epochs'])} epochs")
    return ", ".join(parts) or "—"


def _options(advice: Advice, kb: KnowledgeBase) -> list[str]:
    out = ["<h2>Options</h2>", "<table><tr><th>option</th><th>micro × accum × GPUs</th><th>settings</th><th>numbers</th></tr>"]
    for o in advice.options:
        settings = o.settings.model_dump()
        numbers = render.option_numbers(o) or "—"
        out.append(f"<tr><td>{escape(o.title)}</td><td class=\"num\">{escape(_batch(settings))}</td>"
                   f"<td>{escape(_settings(settings, kb))}</td><td>{escape(numbers)}</td></tr>")
    out.append("</table>")
    for i, o in enumerate(advice.options, 1):
        t = o.tradeoffs
        rows = "".join(f"<tr><th>{name}</th><td>{escape(' '.join(getattr(t, name).split()))}</td></tr>"
                       for name in ("speed", "memory", "accuracy", "risk"))
        out.append(f"<h3>[{i}] {escape(o.title)}{_tag(o.heuristic)}</h3>"
                   f"{_paragraphs(o.summary)}<table>{rows}<tr><th>validate</th><td>{escape(' '.join(o.validate_.split()))}"
                   f"</td></tr></table>{_snippet(o.snippet)}")
    return out


def _facts_read(advice: Advice, kb: KnowledgeBase) -> list[str]:
    """What the advisor took from the user (not its defaults or its own conclusions), with where it came from."""
    read = render.read_facts(kb, advice.facts)
    if not read:
        return []
    where = {"message": "your words", "config": "your config file", "given": "you stated it", "answer": "your answer",
             "measured": "measured", "estimate": "the model catalogue"}
    rows = "".join(f"<tr><td>{escape(kb.facts[f.name].plain_label)}</td><td>{escape(value_words(kb, f.name, f.value))}</td>"
                   f"<td>{escape(where.get(f.provenance.kind, f.provenance.kind) + (': ' + f.provenance.by if f.provenance.by else ''))}"
                   f"</td></tr>" for f in read)
    return ["<h2>What I read</h2>", f"<table><tr><th>fact</th><th>value</th><th>from</th></tr>{rows}</table>"]


# ---------------------------------------------------------------------------------------------- charts of the advice

def _number(value: Any) -> float | None:
    """A finite number from the advice's JSON, or None (the plans are read defensively: fields may be absent)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _facts(data: Mapping[str, Any]) -> dict[str, Any]:
    return {f["name"]: f for f in data.get("facts", []) if isinstance(f, dict) and "name" in f}


def plans_of(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The advice's plans (the user's own and the options computed for them), those with a per-GPU size."""
    plans = data.get("plans") or []
    return [p for p in plans if isinstance(p, dict) and _number(p.get("per_gpu_bytes")) is not None]


def _plan_label(plan: Mapping[str, Any]) -> str:
    title = str(plan.get("title") or plan.get("id") or "plan")
    who = [w for w, flag in (("your plan", plan.get("current")), ("recommended", plan.get("recommended")))
           if flag and w not in title.lower()]
    return title + (f" ({', '.join(who)})" if who else "")


def advice_charts(data: Mapping[str, Any]) -> list[str]:
    """The three pictures of an advice (as JSON, `Advice.to_dict()`), each a figure or a sentence saying why not."""
    plans, facts = plans_of(data), _facts(data)
    return [_components_figure(plans), _peak_figure(plans, facts), _throughput_figure(facts)]


def _components_figure(plans: list[dict[str, Any]]) -> str:
    bars, without_activations = [], False
    for plan in plans:
        components = plan.get("components") if isinstance(plan.get("components"), dict) else {}
        parts = tuple((str(name), value) for name, raw in components.items() if (value := _number(raw)) is not None)
        if not parts:
            continue
        # a plan computed from the parameter count alone has no activations in its bar: say so next to it
        open_ended = not _drawable(plan)
        without_activations |= open_ended
        fits = {True: "fits", False: "does not fit"}.get(plan.get("fits"), "")
        note = fmt_bytes_gib(plan["per_gpu_bytes"]) + (" + activations" if open_ended else "") + (f", {fits}" if fits else "")
        bars.append(svg.Bar(_plan_label(plan), parts, _number(plan.get("budget_bytes")), note))
    if not bars:
        return _absent("No memory-by-component chart: the advice has no plan with its memory per GPU (that needs the "
                       "model's size and the card, and is not computed when measured peaks decide).")
    cards = {bar.limit for bar in bars if bar.limit is not None}
    chart = svg.stacked_bars("memory-by-component", "Memory per GPU by component, for each plan", bars,
                             unit_label="GiB per GPU", scale=GiB,
                             limit_label=f"the card ({fmt_card(cards.pop())})" if len(cards) == 1 else "the card",
                             fmt_total=fmt_bytes_gib)
    caption = ("Each bar is one plan's memory at its peak on one GPU, component by component; the dashed red mark is "
               "the card.")
    if without_activations:
        caption += (" A bar marked '+ activations' holds no activations: they are not known without the model's shape "
                    "(name the model, or give its config), and such a plan fits only if room is left for them after "
                    "the share of the card kept free.")
    return _figure(chart, caption)


def _largest_fitting(fixed: float, per_sample: float, budget: float | None) -> int | None:
    """The largest b with fixed + b × per_sample ≤ budget, as the plans define peak(b)."""
    if budget is None or per_sample <= 0:
        return None
    room = (budget - fixed) / per_sample
    return max(0, math.floor(room)) if math.isfinite(room) else None


@dataclass(frozen=True)
class _Straight:
    """peak(b) = fixed + b × per_sample, drawn from micro-batch 1 to the end of the x axis."""

    label: str
    fixed: float
    per_sample: float

    def at(self, batch: float) -> float:
        return self.fixed + self.per_sample * batch


class _PeakChart:
    """What the peak-against-batch chart will draw, gathered from the plans, the catalogue model's estimate and the
    probe's measurements; each source adds its lines, marks, budget and a sentence of the caption."""

    def __init__(self) -> None:
        self.lines: list[_Straight | svg.Line] = []
        self.marks: list[tuple[float, float, str, int]] = []
        self.levels: list[tuple[float, str]] = []
        self.reach: list[float] = [1.0]
        self.caption: list[str] = []

    def level(self, y: float, label: str) -> None:
        if y not in [value for value, _ in self.levels]:
            self.levels.append((y, label))

    def draw(self) -> str:
        x_high = svg.Axis.covering(max(self.reach) * 1.15, integer=True).top  # straight lines run to the axis' end
        series = [svg.Line(line.label, ((1.0, line.at(1)), (x_high, line.at(x_high)))) if isinstance(line, _Straight) else line
                  for line in self.lines]
        chart = svg.line_chart("peak-vs-batch", "Peak memory per GPU against the micro-batch", series,
                               x_label="micro-batch per GPU", y_label="GiB per GPU", y_scale=GiB,
                               levels=[svg.Level(y, label) for y, label in self.levels],
                               marks=[svg.Mark(x, y, label, line) for x, y, label, line in self.marks], x_high=x_high)
        return _figure(chart, " ".join(self.caption))


def _peak_figure(plans: list[dict[str, Any]], facts: Mapping[str, Any]) -> str:
    chart = _PeakChart()
    drawable = [p for p in plans if _drawable(p)]
    if drawable:
        _plan_lines(chart, drawable)
    else:
        _catalogue_line(chart, facts)
    _measured_line(chart, facts)
    if not chart.lines:
        return _absent("No peak-memory chart: the advice has no per-sample memory for this model (a catalogue model, a "
                       "model config or a probe gives one).")
    return chart.draw()


def _plan_curve(plan: Mapping[str, Any]) -> list[tuple[float, float]]:
    """The plan's exact peaks by micro-batch (`peak_by_micro_batch`), or [] when it has none."""
    points = [tuple(item) for item in plan.get("peak_by_micro_batch") or []
              if isinstance(item, (list, tuple)) and len(item) == 2 and all(_number(v) is not None for v in item)]
    return sorted((float(b), float(v)) for b, v in points)


def _drawable(plan: Mapping[str, Any]) -> bool:
    return bool(_plan_curve(plan)) or (_number(plan.get("fixed_bytes")) is not None
                                       and (_number(plan.get("per_sample_bytes")) or 0) > 0)


def _plan_lines(chart: _PeakChart, drawable: list[dict[str, Any]]) -> None:
    """Each plan's peaks: its computed points when it has them (exact, also where the optimizer step is the peak),
    else its line fixed + b × per-sample; its micro-batch and the largest that stays within its budget marked."""
    # the user's plan and the recommended one first, then the others in the advice's order; at most five lines
    shown = sorted(drawable, key=lambda p: (not p.get("current"), not p.get("recommended")))[:5]
    for plan in shown:
        budget, micro = _number(plan.get("budget_bytes")), _number(plan.get("micro_batch"))
        index = len(chart.lines)
        points = _plan_curve(plan)
        if points:
            at = dict(points)
            chart.lines.append(svg.Line(_plan_label(plan), tuple(points)))
            chart.reach.append(points[-1][0])
            within = [b for b, v in points if budget is not None and v <= budget]
            # the points include the largest micro-batch that fits and the next, so the last one within is it
            largest = int(max(within)) if within and max(within) < points[-1][0] else None
            peak_at = at.get
        else:
            fixed, per = float(plan["fixed_bytes"]), float(plan["per_sample_bytes"])
            line = _Straight(_plan_label(plan), fixed, per)
            chart.lines.append(line)
            largest = _largest_fitting(fixed, per, budget)
            chart.reach += [micro or 1.0, (largest or 0) + 1.0]
            peak_at = line.at
        if budget is not None:
            chart.level(budget, f"the card ({fmt_card(budget)})")
        if micro is not None and peak_at(micro) is not None:
            chart.marks.append((micro, peak_at(micro), f"micro-batch {int(micro)}", index))
        if largest and largest != micro and peak_at(largest) is not None:
            chart.marks.append((largest, peak_at(largest), f"largest that fits: {largest}", index))
    chart.caption.append("Each plan's peak on one GPU at each micro-batch (allocator margin and CUDA context included); "
                         "the circles mark the micro-batch the plan uses and the largest that stays within the card.")
    if len(drawable) > len(shown):
        chart.caption.append(f"{len(drawable) - len(shown)} more plan(s) are in the options below.")


def _catalogue_line(chart: _PeakChart, facts: Mapping[str, Any]) -> None:
    """Without plans: the catalogue model's analytic line, if the advice computed it."""
    fixed = _number((facts.get("preset_fixed") or {}).get("value"))
    per = _number((facts.get("preset_per_sample") or {}).get("value"))
    if fixed is None or not per or per <= 0:
        return
    largest = _number((facts.get("preset_max_micro_batch") or {}).get("value"))
    index = len(chart.lines)
    chart.lines.append(_Straight("estimate: weights, optimizer state, activations, logits (allocated)", fixed, per))
    chart.reach.append((largest or 1.0) + 1)
    if largest:
        chart.marks.append((largest, fixed + per * largest, f"largest that fits: {int(largest)} (estimated)", index))
    _card_level(chart, facts)
    chart.caption.append(f"The estimate allocates {fmt_bytes_gib(fixed)} + {fmt_bytes_gib(per)} × micro-batch; its largest "
                         "micro-batch also keeps the allocator's margin and the CUDA context free, so it lies left of "
                         "where the line meets the card.")


def _measured_line(chart: _PeakChart, facts: Mapping[str, Any]) -> None:
    measured = _measured_points(facts, "peak_memory_by_batch")
    if not measured:
        return
    index = len(chart.lines)
    chart.lines.append(svg.Line("measured by the probe (reserved)", tuple(measured), dots=True))
    chart.reach += [x for x, _ in measured]
    top = facts.get("max_micro_batch") or {}
    largest = _number(top.get("value"))
    if largest is not None and (top.get("provenance") or {}).get("kind") == "measured" and largest in dict(measured):
        chart.marks.append((largest, dict(measured)[largest], f"largest that ran: {int(largest)}", index))
    if not chart.levels:
        _card_level(chart, facts)
    chart.caption.append("The dots are the probe's measured peaks (reserved memory) of full training steps.")


def _card_level(chart: _PeakChart, facts: Mapping[str, Any]) -> None:
    card = _number((facts.get("gpu_memory") or {}).get("value"))
    if card is not None:
        chart.level(card, f"the card ({fmt_card(card)})")


def _measured_points(facts: Mapping[str, Any], name: str) -> list[tuple[float, float]]:
    fact = facts.get(name) or {}
    points = []
    for item in fact.get("value") or []:
        if isinstance(item, list) and len(item) == 2 and all(_number(v) is not None for v in item):
            points.append((float(item[0]), float(item[1])))
    return sorted(points)


def _throughput_figure(facts: Mapping[str, Any]) -> str:
    points = _measured_points(facts, "throughput_by_batch")
    if not points:
        return _absent("No throughput chart: it is measured, not estimated (advisor probe, then advisor answer --probe FILE).")
    best_x, best_y = max(points, key=lambda p: (p[1], -p[0]))
    chart = svg.line_chart("throughput", "Measured throughput against the micro-batch", [svg.Line("examples/s (probe)", tuple(points), dots=True)],
                           x_label="micro-batch per GPU", y_label="examples per second",
                           marks=[svg.Mark(best_x, best_y, f"best: {fmt_sig(best_y, 4)} examples/s at {int(best_x)}")])
    return _figure(chart, "Examples per second of full training steps at each micro-batch; past the knee a larger batch only "
                          "costs memory.")


# ---------------------------------------------------------------------------------------------- advisor estimate

def render_estimate_html(report: Mapping[str, Any], sources: Mapping[str, tuple[str, str | None]] | None = None) -> str:
    """`advisor estimate`'s report (advisor.estimate_memory) as a page: the components against the budget, peak
    against micro-batch up to past the largest that fits, the components table, plans and assumptions.
    `sources` maps a source id to (citation, url); ids without an entry are listed as they are."""
    model, batch = report["model"], report["batch"]
    title = (f"{model['name']} ({fmt_count(report['params'])} parameters"
             + (f", sequence {model['seq_len']}" if model.get("seq_len") else "") + f"), micro-batch {batch}, per GPU")
    body = ["<h1>Training memory estimate</h1>", f'<p class="lead">{escape(title)}</p>', _estimate_verdict(report),
            "<h2>Pictures</h2>", _estimate_components_figure(report), _estimate_peak_figure(report)]
    rows = "".join(f"<tr><td>{escape(name)}</td><td class=\"num\">{value:,}</td><td class=\"num\">{value / GiB:.2f}</td>"
                   f"<td>{escape(' '.join(str(report['formulas'].get(name, '')).split()))}</td></tr>"
                   for name, value in report["components"].items())
    rows += (f"<tr><th>peak on the GPU</th><th class=\"num\">{report['peak_bytes']:,}</th>"
             f"<th class=\"num\">{report['peak_bytes'] / GiB:.2f}</th><th>allocated {escape(fmt_bytes_gib(report['allocated_bytes']))}</th></tr>")
    if report.get("cpu_bytes"):
        rows += (f"<tr><td>in CPU memory</td><td class=\"num\">{report['cpu_bytes']:,}</td>"
                 f"<td class=\"num\">{report['cpu_bytes'] / GiB:.2f}</td><td>offloaded optimizer state</td></tr>")
    body += ["<h2>Components</h2>", f"<table><tr><th>component</th><th>bytes</th><th>GiB</th><th>how</th></tr>{rows}</table>"]
    curve = report["curve"]
    body.append(_paragraphs(f"peak(batch) ≈ {fmt_bytes_gib(curve['intercept_bytes'])} + {fmt_bytes_gib(curve['per_sample_bytes'])} "
                            "× batch allocated; the GPU needs the allocator margin and the CUDA overheads on top."))
    if report.get("plans") is not None:
        body.append("<h2>Plans for the target batch</h2>")
        body.append("<ul>" + "".join(f"<li>{p['micro_batch']} × {p['grad_accum_steps']} × {p['num_gpus']} = {p['effective_batch']}</li>"
                                     for p in report["plans"]) + "</ul>" if report["plans"]
                    else _absent("No exact plan reaches the target batch with micro-batches that fit."))
    body += ["<h2>Assumptions</h2>", "<ul>" + "".join(f"<li>{escape(a)}</li>" for a in report["assumptions"]) + "</ul>"]
    known = sources or {}
    body += _sources((sid, *known.get(sid, ("", None))) for sid in report["sources"])
    return _page(f"advisor: memory estimate, {model['name']}", body)


def _estimate_verdict(report: Mapping[str, Any]) -> str:
    peak = f"Peak on the GPU: {fmt_bytes_gib(report['peak_bytes'])} at micro-batch {report['batch']}."
    if not report.get("budget_bytes"):
        return _paragraphs(peak + " Give --budget-gib to hold it against a card.", "rec")
    verdict = "fits" if report["fits"] else "does not fit"
    largest = report.get("max_micro_batch")
    text = f"{peak} It {verdict} in {fmt_card(report['budget_bytes'])}"
    if largest is None:
        text += "."
    else:
        text += f"; the largest micro-batch that fits is {largest}." if largest else "; not even micro-batch 1 fits."
    return f'<div class="rec">{_paragraphs(text)}</div>'


def _estimate_components_figure(report: Mapping[str, Any]) -> str:
    budget = report.get("budget_bytes")
    note = fmt_bytes_gib(report["peak_bytes"]) + ({True: ", fits", False: ", does not fit"}.get(report.get("fits"), "") if budget else "")
    bar = svg.Bar(f"micro-batch {report['batch']}", tuple(report["components"].items()), budget, note)
    chart = svg.stacked_bars("memory-by-component", "Memory per GPU by component", [bar], unit_label="GiB per GPU",
                             scale=GiB, limit_label=f"budget {fmt_card(budget)}" if budget else "budget", fmt_total=fmt_bytes_gib)
    return _figure(chart, "What is alive at the peak, on one GPU" + (", against the budget (dashed)." if budget
                                                                     else "; give --budget-gib to draw the budget."))


def _estimate_peak_figure(report: Mapping[str, Any]) -> str:
    if not report.get("activations_estimated"):
        return _absent("No peak-against-batch chart: activations are not estimated for this model (no transformer "
                       "shape), so the estimate does not grow with the batch. Use --preset or --config, or --model to trace.")
    points = tuple((float(p["batch"]), float(p["peak_bytes"])) for p in report["curve_points"])
    at = dict(points)
    budget = report.get("budget_bytes")
    marks = [svg.Mark(report["batch"], at[report["batch"]], f"micro-batch {report['batch']}")]
    largest = report.get("max_micro_batch")
    if largest and largest != report["batch"] and largest in at:
        marks.append(svg.Mark(largest, at[largest], f"largest that fits: {largest}"))
    chart = svg.line_chart("peak-vs-batch", "Peak memory per GPU against the micro-batch",
                           [svg.Line("peak on the GPU (with the allocator margin and CUDA overheads)", points, dots=True)],
                           x_label="micro-batch per GPU", y_label="GiB per GPU", y_scale=GiB,
                           levels=[svg.Level(budget, f"budget {fmt_card(budget)}")] if budget else [], marks=marks)
    return _figure(chart, "The estimated peak at each computed micro-batch" + (", against the budget (dashed)." if budget else "."))
