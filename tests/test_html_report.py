"""The HTML report (`--format html`): a well-formed, self-contained page with the advice's content, charts whose
numbers are the advice's numbers, deterministic bytes, --output's refusals, and - when Chromium is installed - a
real rendering that is not blank."""

import math
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from advisor.consultation import consult
from advisor.estimation import estimate_memory
from advisor.shells import cli, svg
from advisor.shells.html_report import advice_charts, render_advice_html, render_estimate_html

from .conftest import ROOT

S01 = ROOT / "scenarios" / "s01-memory-pressure.yaml"
X01 = ROOT / "scenarios" / "x01-catalogue-model-memory.yaml"
S01_MESSAGE = ("I have an 8GB GPU and a 500M parameter model and I need this training done today. Just tell me the "
               "batch size that fits, I'm out of time.")
VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source"}
SVG_NS = "{http://www.w3.org/2000/svg}"


class Page(HTMLParser):
    """Checks that every element is closed in order, and keeps the text, the tags and the links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self.links: list[tuple[str, list[str]]] = []  # (href, the open elements around it)
        self.feed(html)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self.links.append((dict(attrs).get("href", ""), [f"{t}" for t in self.stack]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] not in ("style", "title") or not self.stack:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def charts(html: str) -> dict[str, ET.Element]:
    """Every inline SVG, parsed as XML (so it is well-formed on its own), by its id."""
    found = {}
    for match in re.finditer(r"<svg\b.*?</svg>", html, re.S):
        root = ET.fromstring(match.group(0))
        found[root.get("id")] = root
    return found


def elements(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    return [e for e in root.iter(SVG_NS + tag) if cls is None or e.get("class") == cls]


def assert_self_contained(html: str) -> Page:
    page = Page(html)
    assert not page.problems, page.problems[:5]
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script|javascript:|@import|url\(\s*['\"]?(?!#)", html, re.I)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    for tag, attrs in page.tags:  # nothing runs and nothing is loaded: no handlers, no src, no external href
        assert tag not in ("script", "iframe", "object", "embed", "img", "link") and "src" not in attrs, tag
        assert not [name for name in attrs if name.lower().startswith("on")], (tag, attrs)
        if tag != "a":
            assert not str(attrs.get("href", "")).startswith(("http", "//")), tag
    # web addresses only as the sources list's plain links
    anchors = [href for href, _ in page.links]
    assert len(re.findall(r"https?://", html)) == 2 * len(anchors) + html.count('xmlns="http://www.w3.org/2000/svg"')
    for href, around in page.links:
        assert href.startswith(("https://", "http://")) and "li" in around and "ul" in around
    return page


# ---------------------------------------------------------------------------------------------- the advice page

@pytest.fixture(scope="module")
def s01_page():
    advice = consult(S01_MESSAGE)
    return advice, render_advice_html(advice, S01_MESSAGE)


def test_advice_page_is_well_formed_self_contained_and_deterministic(s01_page):
    advice, html = s01_page
    assert_self_contained(html)
    assert render_advice_html(consult(S01_MESSAGE), S01_MESSAGE) == html
    assert set(charts(html)) == {"memory-by-component"}


def test_advice_page_says_what_the_text_says(s01_page):
    advice, html = s01_page
    text = Page(html).text
    said = ([f.title for f in advice.red_flags] + [f.counter for f in advice.red_flags]
            + [f.title for f in advice.findings] + [f.text for f in advice.findings]
            + [q.text for q in advice.questions] + [q.reason for q in advice.questions]
            + [o.title for o in advice.options] + [o.summary for o in advice.options]
            + [getattr(o.tradeoffs, n) for o in advice.options for n in ("speed", "memory", "accuracy", "risk")]
            + [o.validate_ for o in advice.options] + [advice.recommendation.rationale]
            + [m.title for m in advice.measure] + [m.text for m in advice.measure]
            + [e.formula for e in advice.estimates] + [s.citation for s in advice.sources])
    assert len(said) > 30
    missing = [s for s in said if " ".join(s.split()) not in text]
    assert not missing, missing[:3]
    recommended = advice.option(advice.recommendation.option_id).title
    assert recommended in text.split("What I noticed")[0]  # the recommendation leads
    assert "training_mode" not in text and "est-states" not in text  # plain words: ids are for the JSON


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_scenario_renders_a_well_formed_page(path, kb):
    from advisor.regress.scenario import load_scenario

    for message, facts, answers, _, _ in load_scenario(str(path), kb).turns():  # each turn, inputs accumulated
        advice = consult(message, facts, answers, kb=kb)
        html = render_advice_html(advice, message)
        assert_self_contained(html)
        assert Page(html).text.count(" ".join(advice.recommendation.rationale.split())) == 1


def test_the_users_words_are_escaped():
    message = 'I have an 8GB GPU & a 500M model <script>alert("x")</script> <b onclick="y">'
    html = render_advice_html(consult(message), message)
    assert_self_contained(html)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and "<b " not in html
    assert Page(html).text.count('<script>alert("x")</script>') == 1


def test_s01_draws_each_plans_components_against_the_card(s01_page):
    advice, html = s01_page
    plans = advice.to_dict()["plans"]
    assert len(plans) >= 2 and any(p["current"] for p in plans) and any(p["recommended"] for p in plans)
    bars = elements(charts(html)["memory-by-component"], "g", "bar")
    assert len(bars) == len(plans)
    for bar, p in zip(bars, plans):
        assert bar.get("data-label").startswith(p["title"])
        assert {r.get("data-part"): float(r.get("data-value")) for r in elements(bar, "rect", "part")} == \
            {k: v for k, v in p["components"].items() if v > 0}
        assert float(bar.get("data-total")) == pytest.approx(p["per_gpu_bytes"])
        assert float(bar.get("data-limit")) == p["budget_bytes"] == next(f.value for f in advice.facts if f.name == "gpu_memory")
    text = Page(html).text
    # parameters only: no activations in the bars, and the page says so next to each and why the curve is missing
    assert text.count("+ activations, does not fit") == sum(not p["fits"] for p in plans)
    assert "No peak-memory chart" in text and "No throughput chart" in text


def test_without_plans_the_components_chart_is_left_out_with_a_reason(s01_page):
    advice, _ = s01_page
    data = {k: v for k, v in advice.to_dict().items() if k != "plans"}
    out = "".join(advice_charts(data))
    assert "<svg" not in out and "No memory-by-component chart" in out


X01_MESSAGE = "I want to fine-tune gpt2 on my 24GB GPU, seq len 512. Just tell me the batch size that fits."


@pytest.mark.parametrize("message, facts, answers", [
    (X01_MESSAGE, {"micro_batch": 8, "grad_accum_steps": 4}, {"optimizer": "adamw", "precision": "amp_bf16"}),  # fits
    ("Full fine-tune of gpt2-xl on my 16GB GPU, seq len 1024, micro batch 8, fp32 adamw", {}, {"training_mode": "finetune"}),
])
def test_a_catalogue_model_draws_each_plans_exact_peaks_with_its_batch_and_the_largest_that_fits(message, facts, answers):
    advice = consult(message, facts, answers)
    html = render_advice_html(advice, message)
    assert_self_contained(html)
    chart = charts(html)["peak-vs-batch"]
    plans = [p for p in advice.to_dict()["plans"] if p["peak_by_micro_batch"]]
    assert plans and len(plans) == len(advice.to_dict()["plans"])
    lines = {l.get("data-label"): l.get("data-points") for l in elements(chart, "polyline", "series")}
    marks = [(float(m.get("data-x")), float(m.get("data-y"))) for m in elements(chart, "circle", "mark")]
    for p in plans[:5]:
        points = p["peak_by_micro_batch"]
        label = next(label for label in lines if label.startswith(p["title"]))
        assert lines[label] == " ".join(f"{int(b)},{v!r}" if not float(v).is_integer() else f"{int(b)},{int(v)}" for b, v in points)
        at = dict((b, v) for b, v in points)
        within = [b for b, v in points if v <= p["budget_bytes"]]
        if p["micro_batch"] is None:  # not even micro-batch 1 fits: nothing to mark
            assert not p["fits"] and not within and at[1] == pytest.approx(p["per_gpu_bytes"])
            continue
        assert (p["micro_batch"], at[p["micro_batch"]]) in marks
        assert at[p["micro_batch"]] == pytest.approx(p["per_gpu_bytes"])  # the curve goes through the plan's own peak
        assert p["fixed_bytes"] + p["micro_batch"] * p["per_sample_bytes"] == pytest.approx(p["per_gpu_bytes"])
        if not within:  # the user's own plan at their micro-batch, where not even micro-batch 1 fits
            assert not p["fits"] and p["current"]
            continue
        largest = max(within)
        assert largest + 1 in at and at[largest + 1] > p["budget_bytes"]
        if largest != p["micro_batch"]:
            assert (largest, at[largest]) in marks
    (level,) = elements(chart, "line", "level")
    assert float(level.get("data-y")) == next(f.value for f in advice.facts if f.name == "gpu_memory")


def test_without_plans_a_catalogue_model_draws_its_analytic_line_and_largest_batch():
    advice = consult(X01_MESSAGE, answers={"optimizer": "adamw", "precision": "amp_bf16"})
    data = {k: v for k, v in advice.to_dict().items() if k != "plans"}
    value = {e.id: e.value for e in advice.estimates}
    chart = charts("".join(advice_charts(data)))["peak-vs-batch"]
    (line,) = elements(chart, "polyline", "series")
    (x0, y0), _ = [tuple(map(float, p.split(","))) for p in line.get("data-points").split()]
    assert (x0, y0) == (1.0, value["preset_fixed"] + value["preset_per_sample"])
    (mark,) = elements(chart, "circle", "mark")
    largest = value["preset_max_micro_batch"]
    assert float(mark.get("data-x")) == largest
    assert float(mark.get("data-y")) == value["preset_fixed"] + largest * value["preset_per_sample"]
    (level,) = elements(chart, "line", "level")
    assert float(level.get("data-y")) == next(f.value for f in advice.facts if f.name == "gpu_memory")


def test_the_probe_throughput_and_measured_peaks_are_drawn():
    measured = {"throughput_by_batch": [[1, 10.5], [2, 19.0], [4, 31.2], [8, 33.0], [16, 32.9]],
                "peak_memory_by_batch": [[1, 3.0e9], [2, 4.5e9], [8, 13.0e9]], "max_micro_batch": 8}
    html = render_advice_html(consult("I fine-tune gpt2 on my 24GB GPU", measured=measured))
    assert_self_contained(html)
    found = charts(html)
    (line,) = elements(found["throughput"], "polyline", "series")
    assert line.get("data-points") == "1,10.5 2,19 4,31.2 8,33 16,32.9"
    (best,) = elements(found["throughput"], "circle", "mark")
    assert (best.get("data-x"), best.get("data-y")) == ("8", "33")
    peak = found["peak-vs-batch"]
    (probe,) = [l for l in elements(peak, "polyline", "series") if l.get("data-label").startswith("measured")]
    assert probe.get("data-points") == "1,3000000000 2,4500000000 8,13000000000"
    assert ("8", "13000000000") in [(m.get("data-x"), m.get("data-y")) for m in elements(peak, "circle", "mark")]


# ---------------------------------------------------------------------------------------------- plans (the advice's `plans`)

GiB = 2**30


def plan(pid, **fields):
    base = {"id": pid, "title": pid.replace("-", " "), "current": False, "recommended": False, "fits": True,
            "micro_batch": 4, "grad_accum_steps": 8, "num_gpus": 1, "effective_batch": 32}
    base.update(fields)
    if "per_gpu_bytes" not in base:
        base["per_gpu_bytes"] = sum((base.get("components") or {}).values())
    return base


PLANS = [
    plan("yours", title="Full AdamW in fp32", current=True, fits=False, budget_bytes=24 * GiB * 0.9,
         components={"weights": 4.0e9, "gradients": 4.0e9, "optimizer state": 8.0e9, "activations": 12.0e9, "CUDA context": 0.4e9},
         fixed_bytes=16.4e9, per_sample_bytes=3.0e9, micro_batch=4),
    plan("lora", title="LoRA on a frozen bf16 base", recommended=True, budget_bytes=24 * GiB * 0.9,
         components={"weights": 2.0e9, "optimizer state": 0.12e9, "activations": 6.0e9, "CUDA context": 0.4e9,
                     "freed before this peak": -0.5e9},
         fixed_bytes=2.52e9, per_sample_bytes=1.5e9, micro_batch=4),
    plan("no-numbers", title="A plan without a per-sample size", budget_bytes=None, components={"weights": 1.0e9},
         fixed_bytes=None, per_sample_bytes=None),
]


def test_components_chart_draws_each_plans_components_against_its_budget():
    chart = charts("".join(advice_charts({"plans": PLANS, "facts": [], "options": []})))["memory-by-component"]
    bars = elements(chart, "g", "bar")
    assert [b.get("data-label") for b in bars] == ["Full AdamW in fp32 (your plan)",
                                                   "LoRA on a frozen bf16 base (recommended)", "A plan without a per-sample size"]
    for bar, p in zip(bars, PLANS):
        parts = {r.get("data-part"): float(r.get("data-value")) for r in elements(bar, "rect", "part")}
        assert parts == {k: v for k, v in p["components"].items() if v > 0}
        assert float(bar.get("data-total")) == pytest.approx(sum(p["components"].values()))
        assert (bar.get("data-limit") is None) == (p["budget_bytes"] is None)
        if p["budget_bytes"] is not None:
            assert float(bar.get("data-limit")) == pytest.approx(p["budget_bytes"])
    (freed,) = elements(bars[1], "rect", "freed")
    assert float(freed.get("data-value")) == -0.5e9
    # one colour per component, the same in every bar and in the legend
    fills = {}
    for rect in (r for b in bars for r in elements(b, "rect", "part")):
        assert fills.setdefault(rect.get("data-part"), rect.get("fill")) == rect.get("fill")
    assert len(set(fills.values())) == len(fills)
    legend = " ".join(t.text or "" for t in elements(chart, "text"))
    assert all(name in legend for name in fills) and "does not fit" in legend


def test_peak_chart_marks_the_chosen_batch_and_the_largest_that_fits():
    chart = charts("".join(advice_charts({"plans": PLANS, "facts": [], "options": []})))["peak-vs-batch"]
    lines = elements(chart, "polyline", "series")
    assert [l.get("data-label") for l in lines] == ["Full AdamW in fp32 (your plan)", "LoRA on a frozen bf16 base (recommended)"]
    marks = {(round(float(m.get("data-x"))), float(m.get("data-y"))) for m in elements(chart, "circle", "mark")}
    budget = 24 * GiB * 0.9
    for p in PLANS[:2]:
        fixed, per = p["fixed_bytes"], p["per_sample_bytes"]
        assert (4, pytest.approx(fixed + 4 * per)) in [(x, pytest.approx(y)) for x, y in marks]
        largest = math.floor((budget - fixed) / per)
        assert fixed + largest * per <= budget < fixed + (largest + 1) * per
        assert any(x == largest and y == pytest.approx(fixed + largest * per) for x, y in marks)
    (level,) = elements(chart, "line", "level")
    assert float(level.get("data-y")) == pytest.approx(budget)
    ticks = [t.text for t in elements(chart, "text") if t.get("font-size") == "11"]
    assert "0" in ticks and all(re.fullmatch(r"[\d,]+(\.\d+)?", t) for t in ticks)


def test_plans_are_read_defensively():
    broken = [{"id": "x"}, "not a plan", {"per_gpu_bytes": "many"}, {"per_gpu_bytes": float("nan")},
              plan("ok", components={"weights": 1e9, "odd": "text"}, per_gpu_bytes=1e9, budget_bytes=2e9, fixed_bytes=1e9, per_sample_bytes=0)]
    out = "".join(advice_charts({"plans": broken, "facts": [{"name": "gpu_memory"}], "options": [{"estimates": None}]}))
    bars = elements(charts(out)["memory-by-component"], "g", "bar")
    assert [b.get("data-total") for b in bars] == ["1000000000"]
    assert "No peak-memory chart" in out
    extreme = [plan("huge", components=[1, 2], per_gpu_bytes=1e300, budget_bytes=-5.0, fixed_bytes=1e300, per_sample_bytes=1e-300),
               plan("tiny", components={"weights": 1e-300, "activations": 1e308}, per_gpu_bytes=1e308, budget_bytes=1e308,
                    fixed_bytes=0, per_sample_bytes=1e-300, micro_batch=10**18)]
    drawn = charts("".join(advice_charts({"plans": extreme, "facts": [], "options": []})))
    assert set(drawn) == {"memory-by-component", "peak-vs-batch"}
    for chart in drawn.values():  # every coordinate a finite number
        for element in chart.iter():
            for name in ("x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy"):
                if element.get(name) is not None:
                    assert math.isfinite(float(element.get(name))), (element.tag, name)
            for pair in (element.get("points") or "").split():
                assert all(math.isfinite(float(v)) for v in pair.split(","))


# ---------------------------------------------------------------------------------------------- the estimate page

@pytest.fixture(scope="module")
def estimate():
    return estimate_memory(preset="gpt2", precision="amp_bf16", budget_gib=24, target_batch=256)


def test_estimate_page_draws_the_reports_numbers(estimate):
    html = render_estimate_html(estimate, {"korthikanti": ("Korthikanti et al. 2022", "https://arxiv.org/abs/2205.05198")})
    page = assert_self_contained(html)
    found = charts(html)
    (bar,) = elements(found["memory-by-component"], "g", "bar")
    parts = {r.get("data-part"): int(r.get("data-value")) for r in elements(bar, "rect", "part")}
    assert parts == {k: v for k, v in estimate["components"].items() if v > 0}
    assert int(bar.get("data-limit")) == estimate["budget_bytes"] == 24 * GiB
    (line,) = elements(found["peak-vs-batch"], "polyline", "series")
    assert line.get("data-points") == " ".join(f"{p['batch']},{p['peak_bytes']}" for p in estimate["curve_points"])
    largest = estimate["max_micro_batch"]
    batches = [p["batch"] for p in estimate["curve_points"]]
    assert largest + 1 in batches and max(batches) > largest  # drawn up to past the largest that fits
    marks = {int(m.get("data-x")): int(m.get("data-y")) for m in elements(found["peak-vs-batch"], "circle", "mark")}
    at = {p["batch"]: p["peak_bytes"] for p in estimate["curve_points"]}
    assert marks == {estimate["batch"]: at[estimate["batch"]], largest: at[largest]}
    assert at[largest] <= estimate["budget_bytes"] < at[largest + 1]
    text = page.text
    assert f"the largest micro-batch that fits is {largest}" in text and "8 × 32 × 1 = 256" in text
    assert "Korthikanti et al. 2022" in text and "[zero]" not in text  # citations, not their ids
    assert render_estimate_html(estimate, {}) == render_estimate_html(estimate, {})


def test_estimate_without_activations_says_why_there_is_no_curve():
    html = render_estimate_html(estimate_memory(params=350e6, budget_gib=8))
    assert_self_contained(html)
    assert set(charts(html)) == {"memory-by-component"} and "No peak-against-batch chart" in html


def test_axis_ticks_are_round_and_cover_the_data():
    for high, integer in ((0.37, False), (8.59, False), (23.9, False), (1.0, True), (3.0, True), (1234.0, True), (1e-3, False)):
        axis = svg.Axis.covering(high, integer=integer)
        ticks = axis.ticks()
        assert ticks[0] == 0 and ticks[-1] >= high and 2 <= len(ticks) <= 11
        assert re.fullmatch(r"(1|2|5)(0*)", f"{axis.step:.10g}".replace(".", "").lstrip("0").rstrip("0") + "0")
        if integer:
            assert all(float(t).is_integer() for t in ticks)


# ---------------------------------------------------------------------------------------------- the command line

def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_the_page_and_refuses_to_replace_a_file(tmp_path, capsys):
    target = tmp_path / "advice.html"
    code, out, err = run(capsys, "answer", S01, "--format", "html", "--output", target)
    assert (code, out, err) == (0, "", "")
    first = target.read_bytes()
    assert first.startswith(b"<!DOCTYPE html>") and b"</html>\n" in first
    code, out, err = run(capsys, "answer", S01, "--format", "html")
    assert code == 0 and out.encode() == first  # stdout and the file are the same bytes
    target.write_text("keep me")
    code, out, err = run(capsys, "answer", S01, "--format", "html", "-o", target)
    assert code == 2 and out == "" and err.count("\n") == 1 and "exists; use --force" in err and str(target) in err
    assert target.read_text() == "keep me"
    code, _, _ = run(capsys, "answer", S01, "--format", "html", "-o", target, "--force")
    assert code == 0 and target.read_bytes() == first
    assert list(tmp_path.iterdir()) == [target]  # no temporary left behind
    for bad, says in ((tmp_path, "is a folder"), (tmp_path / "no" / "x.html", "no such folder")):
        code, _, err = run(capsys, "answer", S01, "--format", "html", "-o", bad)
        assert code == 2 and says in err and "Traceback" not in err
    code, out, err = run(capsys, "answer", S01, S01, "--format", "html")
    assert code == 2 and out == "" and "give one scenario file" in err


def test_output_gets_the_usual_file_mode_and_a_replaced_file_keeps_its_own(tmp_path, capsys):
    """write_atomically's temporary file is created private (0600); the written file must not stay that way."""
    import os

    umask = os.umask(0o022)
    try:
        target = tmp_path / "advice.html"
        assert run(capsys, "answer", S01, "-f", "html", "-o", target)[0] == 0
        assert target.stat().st_mode & 0o777 == 0o644
        target.chmod(0o640)
        assert run(capsys, "answer", S01, "-f", "html", "-o", target, "--force")[0] == 0
        assert target.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(umask)


def test_cli_draws_a_saved_probe(tmp_path, capsys):
    from advisor.measure.probe import ProbeResult

    trials = [{"batch": b, "peak_allocated_bytes": int(1e9 + b * 5e8), "peak_reserved_bytes": int(1.2e9 + b * 5e8),
               "seconds": 0.5, "ok": b <= 24, "purpose": "measure"} for b in (4, 8, 24, 25)]
    probe = ProbeResult(device="cuda", budget_bytes=16 * GiB, margin=0.1, predicted_max_micro_batch=23, max_micro_batch=24,
                        recommended_micro_batch=16, trials=trials, curve={"intercept_bytes": 1.2e9, "per_sample_bytes": 5e8},
                        throughput=[{"batch": b, "samples_per_s": s} for b, s in ((1, 40.0), (4, 120.5), (16, 201.0), (24, 203.5))])
    saved = tmp_path / "probe.json"
    saved.write_text(probe.model_dump_json())
    code, html, err = run(capsys, "answer", S01, "--probe", saved, "-f", "html")
    assert code == 0, err
    found = charts(html)
    (line,) = elements(found["throughput"], "polyline", "series")
    assert line.get("data-points") == "1,40 4,120.5 16,201 24,203.5"
    peak = found["peak-vs-batch"]
    measured = [l for l in elements(peak, "polyline", "series") if l.get("data-label").startswith("measured")]
    assert measured[0].get("data-points") == " ".join(f"{t['batch']},{t['peak_reserved_bytes']}" for t in trials if t["ok"])
    assert ("24", str(trials[2]["peak_reserved_bytes"])) in [(m.get("data-x"), m.get("data-y")) for m in elements(peak, "circle", "mark")]


def test_cli_estimate_html(tmp_path, capsys):
    target = tmp_path / "estimate.html"
    code, out, err = run(capsys, "estimate", "--preset", "gpt2", "--budget-gib", "24", "--format", "html", "-o", target)
    assert code == 0 and out == ""
    html = target.read_text()
    assert_self_contained(html)
    assert set(charts(html)) == {"memory-by-component", "peak-vs-batch"}
    code, _, err = run(capsys, "estimate", "--preset", "gpt2", "--format", "html", "-o", target)
    assert code == 2 and "--force" in err and target.read_text() == html


def test_the_page_is_byte_identical_across_processes(tmp_path):
    pages = [subprocess.run([sys.executable, "-m", "advisor", "answer", str(S01), "--format", "html"], cwd=ROOT,
                            capture_output=True, check=True).stdout for _ in range(2)]
    assert pages[0] == pages[1] and len(pages[0]) > 10_000


# ---------------------------------------------------------------------------------------------- in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(html: str, tmp_path: Path, name: str, height: int = 1600) -> Path:
    page, png = tmp_path / f"{name}.html", tmp_path / f"{name}.png"
    page.write_text(html, encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", "--hide-scrollbars", f"--screenshot={png}",
                        f"--window-size=1200,{height}", page.as_uri()], capture_output=True, timeout=120, check=True)
    return png


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) pixels of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a, b = line[i - bpp] if i >= bpp else 0, prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i:i + 3]) for r in rows for i in range(0, stride, bpp)]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
@pytest.mark.parametrize("which", ["s01", "estimate"])
def test_the_page_renders_in_headless_chromium(which, tmp_path, estimate):
    html = (render_advice_html(consult(S01_MESSAGE), S01_MESSAGE) if which == "s01"
            else render_estimate_html(estimate, {}))
    width, height, pixels = png_pixels(screenshot(html, tmp_path, which, height=1000))
    assert (width, height) == (1200, 1000)
    white = pixels.count(b"\xff\xff\xff")
    assert white < 0.97 * len(pixels)  # text and charts, not a blank page
    colours = set(pixels)
    assert len(colours) > 50
    # the SVG was drawn: its bars' colour (the first of the palette) fills many pixels
    first = bytes.fromhex(svg.BAR_COLOURS[0][1:])
    assert pixels.count(first) > 500
