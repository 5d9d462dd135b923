"""Engine semantics on small synthetic knowledge bases, one behaviour per test."""

import textwrap

import pytest

from advisor.consultation import run_consultation
from advisor.errors import EngineLoopError, InputError
from advisor.consultation import load_kb

from .conftest import write_kb

FACTS = textwrap.dedent("""
    facts:
      - {name: x, type: number, description: an input, askable: true, question: What is x?}
      - {name: y, type: number, description: another input, askable: true, question: What is y?}
      - {name: flag, type: bool, description: a claim, default: false, patterns: [{regex: 'hello', value: true}]}
      - {name: given_only, type: number, description: an input nobody is asked for}
      - {name: d, type: number, derived: true, description: derived}
      - {name: e, type: number, derived: true, description: derived too}
""")


def kb_with(tmp_path, rules: str, facts: str = FACTS):
    return load_kb(write_kb(tmp_path, {"facts.yaml": facts, "r.yaml": textwrap.dedent(rules)}))


def fired(c):
    return [t.rule for t in c.advice.trace]


def test_salience_then_file_order(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - {id: low, kind: finding, title: low, text: t, sources: [src], salience: 1}
          - {id: high-b, kind: finding, title: hb, text: t, sources: [src], salience: 5}
          - {id: high-a, kind: finding, title: ha, text: t, sources: [src], salience: 5}
    """)
    assert fired(run_consultation(kb=kb)) == ["high-b", "high-a", "low"]


def test_refraction_fires_once_per_inputs_and_again_when_they_change(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - {id: set-d, kind: derive, title: d from x, when: {fact: x, gt: 0}, set: {d: {fact: x}}, salience: 9}
          - {id: bump, kind: derive, title: e from d, when: {fact: d, gt: 0}, set: {e: {fact: d}}}
          - {id: change-d, kind: derive, title: d changes, when: {fact: e, known: true}, set: {d: 7}, salience: -1}
    """)
    c = run_consultation(facts={"x": 3}, kb=kb)
    # bump read d=3, then fired again after change-d set d=7 (refraction is per version of what a rule read);
    # change-d re-fires once on the new e, sets the same value, and the run reaches its fixed point
    assert fired(c) == ["set-d", "bump", "change-d", "bump", "change-d"]
    assert c.wm.value("e") == 7


def test_cycle_guard_names_the_rules_that_kept_firing(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - {id: ping, kind: derive, title: ping, when: {fact: e, ne: 1}, set: {d: 1, e: 1}}
          - {id: pong, kind: derive, title: pong, when: {fact: d, eq: 1}, set: {d: 2, e: 2}}
          - {id: start, kind: derive, title: start, set: {e: 0}}
    """)
    with pytest.raises(EngineLoopError, match=r"ping .*pong|pong .*ping"):
        run_consultation(kb=kb)


def test_question_only_for_askable_unknown_and_not_when_another_premise_is_false(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - id: needs-x
            kind: finding
            title: x matters when the user said hello
            when: {all: [{fact: flag, eq: true}, {fact: x, gt: 1}]}
            text: t
            sources: [src]
    """)
    assert [q.id for q in run_consultation("hello", kb=kb).advice.questions] == ["x"]
    assert run_consultation("goodbye", kb=kb).advice.questions == []  # preview: flag is false
    assert run_consultation("hello", facts={"x": 5}, kb=kb).advice.questions == []  # never ask a known fact


def test_answers_resume_and_skip_declines(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - {id: f, kind: finding, title: 'x is {x}', when: {all: [{fact: flag, eq: true}, {fact: x, gt: 1}]}, text: t, sources: [src]}
    """)
    c = run_consultation("hello", answers={"x": "5"}, kb=kb)
    assert [f.id for f in c.advice.findings] == ["f"]
    assert c.wm.facts["x"].provenance.kind == "answer"
    skipped = run_consultation("hello", answers={"x": "skip"}, kb=kb)
    assert skipped.advice.questions == [] and skipped.advice.findings == []


def test_a_rule_that_also_needs_an_unavailable_input_asks_nothing(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - id: hopeless
            kind: finding
            title: needs an input nobody gave
            when: {all: [{fact: flag, eq: true}, {fact: x, gt: 1}, {fact: given_only, gt: 1}]}
            text: t
            sources: [src]
    """)
    assert run_consultation("hello", kb=kb).advice.questions == []


def test_questions_follow_dependencies_and_say_why(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - {id: make-d, kind: derive, title: d from x, when: {all: [{fact: flag, eq: true}, {fact: x, gt: 0}]}, set: {d: {fact: x}}}
          - {id: use-d, kind: finding, title: big d needs y, when: {all: [{fact: d, gt: 10}, {fact: y, gt: 0}]}, text: t, sources: [src]}
    """)
    first = run_consultation("hello", kb=kb).advice.questions
    assert [q.id for q in first] == ["x"]  # y is only worth asking once d is known to be large
    assert any("use-d" in why for why in first[0].why) and any("make-d" in why for why in first[0].why)
    assert [q.id for q in run_consultation("hello", answers={"x": 50}, kb=kb).advice.questions] == ["y"]
    assert run_consultation("hello", answers={"x": 5}, kb=kb).advice.questions == []  # d ≤ 10: y no longer matters


def test_rules_never_overwrite_what_the_user_said(tmp_path):
    from advisor.engine.memory import Provenance, WorkingMemory

    kb = kb_with(tmp_path, "rules: []\n")
    wm = WorkingMemory(kb)
    assert wm.set("x", 5, Provenance("given"))
    assert not wm.set("x", 1, Provenance("derived", "some-rule")) and wm.value("x") == 5
    assert wm.set("x", 6, Provenance("answer")) and wm.value("x") == 6  # the user may change their mind
    with pytest.raises(InputError, match="'d' is computed by the advisor, not given"):
        run_consultation(facts={"d": 5}, kb=kb)


def test_recommendation_highest_salience_wins_and_lists_open_questions(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - id: opt-a
            kind: option
            option: a
            title: A
            summary: s
            when: {fact: flag, eq: true}
            tradeoffs: {speed: s, memory: m, accuracy: a, risk: r}
            validate: v
            sources: [src]
          - {id: rec-a-weak, kind: recommend, recommend: a, title: weak, text: weak, salience: 1}
          - {id: rec-a-strong, kind: recommend, recommend: a, title: strong, text: strong, salience: 9, when: {fact: x, gt: 3}}
    """)
    c = run_consultation("hello", kb=kb)
    assert c.advice.recommendation.rationale == "weak" and c.advice.recommendation.depends_on == ["x"]
    assert run_consultation("hello", answers={"x": 4}, kb=kb).advice.recommendation.rationale == "strong"


def test_effective_batch_is_always_the_product(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - id: opt
            kind: option
            option: plan
            title: plan
            summary: s
            settings: {micro_batch: 8, grad_accum_steps: 4, num_gpus: 2}
            tradeoffs: {speed: s, memory: m, accuracy: a, risk: r}
            validate: v
            sources: [src]
    """)
    assert run_consultation(kb=kb).advice.options[0].settings.effective_batch == 64


@pytest.mark.parametrize("rule, message", [
    ("{id: r, kind: finding, title: t, text: t, sources: [src], when: {fact: nope, eq: 1}}", "unknown fact 'nope'"),
    ("{id: r, kind: finding, title: t, text: t, sources: [nope]}", "unknown source 'nope'"),
    ("{id: r, kind: finding, title: t, text: t}", "a claim needs sources"),
    ("{id: r, kind: estimate, title: t, estimate: {fn: nope, into: d}}", "unknown estimator 'nope'"),
    ("{id: r, kind: derive, title: t, set: {x: 1}}", "sets 'x', which is an input fact"),
    ("{id: r, kind: finding, title: t, text: t, sources: [src], when: {fact: x, gt: 1, lt: 3}}", "exactly one of"),
    ("{id: r, kind: finding, title: t, text: t, sources: [src], colour: red}", "unknown key 'colour'"),
    ("{id: r, kind: verdict, title: t}", "rule 'kind' must be one of"),
    ("{id: r, kind: recommend, recommend: nope, title: t, text: t}", "unknown option 'nope'"),
])
def test_rule_file_errors_name_file_and_line(tmp_path, rule, message):
    path = write_kb(tmp_path, {"facts.yaml": FACTS, "r.yaml": f"rules:\n  - {{id: ok, kind: finding, title: t, text: t, sources: [src]}}\n  - {rule}\n"})
    with pytest.raises(InputError) as err:
        load_kb(path)
    assert message in str(err.value)
    assert err.value.file.endswith("r.yaml") and err.value.line == 3


def test_duplicate_rule_ids_are_rejected(tmp_path):
    path = write_kb(tmp_path, {"facts.yaml": FACTS, "r.yaml": "rules:\n  - {id: a, kind: finding, title: t, text: t, sources: [src]}\n",
                               "s.yaml": "rules:\n  - {id: a, kind: finding, title: t, text: t, sources: [src]}\n"})
    with pytest.raises(InputError, match=r"duplicate rule id 'a' \(first at .*r.yaml:2\)"):
        load_kb(path)


def test_conditions_are_data_never_code(tmp_path):
    """A condition that looks like Python is just an unknown key; nothing in a rule file is evaluated."""
    path = write_kb(tmp_path, {"facts.yaml": FACTS, "r.yaml": textwrap.dedent("""
        rules:
          - {id: r, kind: finding, title: t, text: t, sources: [src], when: {expr: "__import__('os').system('false')"}}
    """)})
    with pytest.raises(InputError):
        load_kb(path)


def test_a_number_for_a_side_remark_is_not_asked_beside_a_deciding_question(tmp_path):
    """x comes first in the vocabulary but only fills in a finding's number; y decides the recommendation: y is
    asked, and while it is open x is not (the 'open questions decide it' line names only y); alone, x is asked."""
    rules = """
        rules:
          - {id: about-x, kind: finding, title: 'x is {x}', text: t, sources: [src], when: {fact: x, gt: 0}}
          - id: opt-a
            kind: option
            option: a
            title: A
            summary: s
            tradeoffs: {speed: s, memory: m, accuracy: a, risk: r}
            validate: v
            sources: [src]
          - {id: rec-a, kind: recommend, recommend: a, title: t, text: t, when: {fact: y, gt: 1}}
    """
    advice = run_consultation("hello", kb=kb_with(tmp_path, rules)).advice
    assert [q.id for q in advice.questions] == ["y"]
    assert advice.recommendation.depends_on == ["y"]
    alone = run_consultation("hello", kb=kb_with(tmp_path, rules.replace("when: {fact: y, gt: 1}",
                                                                         "when: {fact: flag, eq: true}"))).advice
    assert [q.id for q in alone.questions] == ["x"]


FILLS_FACTS = FACTS + textwrap.indent(textwrap.dedent("""
    - {name: said, type: number, description: a value read without what it is}
    - name: which
      type: choice
      choices: [is_x, is_y]
      description: what the value said is
      askable: true
      question: Is it x or y?
      fills: {is_x: x, is_y: y}
      fills_from: said
"""), "  ")


def test_an_answer_that_says_what_a_value_is_fills_that_input(tmp_path):
    kb = kb_with(tmp_path, """
        rules:
          - {id: f, kind: finding, title: 'x is {x}', when: {fact: x, gt: 1}, text: t, sources: [src]}
    """, FILLS_FACTS)
    # the rule waits for x, which no one gave; 'which' would supply it from the value said, so it is asked
    assert [q.id for q in run_consultation("", facts={"said": 5}, kb=kb).advice.questions] == ["which"]
    assert [q.id for q in run_consultation("", kb=kb).advice.questions] == ["x"]  # nothing said: ask x itself
    c = run_consultation("", facts={"said": 5}, answers={"which": "is_x"}, kb=kb)
    assert [f.id for f in c.advice.findings] == ["f"] and c.wm.value("x") == 5
    assert c.wm.facts["x"].provenance.kind == "answer"
    c = run_consultation("", facts={"said": 5, "x": 7}, answers={"which": "is_x"}, kb=kb)
    assert c.wm.value("x") == 7  # an input the user stated is never replaced


def test_fills_must_name_input_facts(tmp_path):
    bad = FILLS_FACTS.replace("fills: {is_x: x, is_y: y}", "fills: {is_x: x, is_y: d}")
    with pytest.raises(InputError, match="not an input fact"):
        kb_with(tmp_path, "rules: []", bad)


def test_lists_tests_a_comma_separated_text_fact(tmp_path):
    facts = FACTS + "  - {name: topics, type: text, description: what is asked, askable: true, question: What?}\n"
    kb = kb_with(tmp_path, """
        rules:
          - id: about-lr
            kind: finding
            title: the LR is asked about
            when: {fact: topics, lists: lr}
            text: t
            sources: [src]
    """, facts)
    assert "about-lr" in fired(run_consultation("", facts={"topics": "time, lr"}, kb=kb))
    assert "about-lr" not in fired(run_consultation("", facts={"topics": "blr, time"}, kb=kb))  # a whole name only
    with pytest.raises(InputError, match="'lists' tests a comma-separated text fact"):
        kb_with(tmp_path, """
            rules:
              - id: bad
                kind: finding
                title: t
                when: {fact: x, lists: lr}
                text: t
                sources: [src]
        """)
