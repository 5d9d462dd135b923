"""The `advisor` command line: a thin shell over `consult()`.

Exit codes: 0 ok (open questions are ok), 1 checks or lint failed, 2 bad input, 3 internal error, 130 Ctrl-C.
Errors are one line on stderr (`advisor: FILE:LINE: message`); output is written only once it is complete.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Sequence

from advisor import __version__
from advisor.errors import AdvisorError, EngineLoopError, InputError
from advisor.files import path_kind, shown_name

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
PROG = "advisor"


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line with a hint, exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # "argument --batch: must be between ..." (from advisor.shells.argtypes) reads better as "--batch must be ..."
        message = re.sub(r"^argument (-[-\w/]+(?:/-[-\w]+)*): (must )", r"\1 \2", " ".join(message.split()))
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog=PROG, description="Batch-size and GPU-memory advisor: notices shaky assumptions, asks what "
               "changes the answer, computes the numbers, lays out options with their tradeoffs, and says what to measure.",
               epilog="Run 'advisor COMMAND --help' for the options of each command.")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument("--rules", metavar="DIR", help="knowledge-base directory (default: the shipped rules/)")
    p.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    a = sub.add_parser("answer", help="advise on a scenario file ('-' reads standard input) and/or training config files",
                       description="Advise on one situation described in a YAML file (message, facts, answers) and/or in "
                                   "training config files (--config).")
    a.add_argument("scenario", nargs="*", help="scenario YAML file(s) or folder(s), or '-' for standard input")
    a.add_argument("-m", "--message", metavar="TEXT",
                   help="your message, as you would write it (e.g. -m \"OOM fine-tuning llama-2-7b on a 3090, batch 4\"); "
                        "alone, with --config files, or after one scenario file's message")
    a.add_argument("-f", "--format", choices=["text", "json", "markdown", "html", "jsonl"], default="text",
                   help="output format (default: text; html: one self-contained page with charts; several files or "
                        "a folder: jsonl, one object per line)")
    a.add_argument("-o", "--output", metavar="FILE", help="write to FILE (whole or not at all) instead of standard output")
    a.add_argument("--force", action="store_true", help="with --output: replace an existing file")
    a.add_argument("--json", dest="format", action="store_const", const="json", help="same as --format json")
    a.add_argument("--answer", "-a", action="append", default=[], metavar="NAME=VALUE",
                   help="answer a question (repeatable), e.g. -a training_mode=finetune")
    a.add_argument("--probe", metavar="FILE.json", help="use the measurements of a saved advisor probe")
    a.add_argument("--config", action="append", default=[], metavar="FILE", dest="configs",
                   help="a training config file to read (repeatable): DeepSpeed JSON, TrainingArguments (JSON, YAML, "
                        "a printed TrainingArguments(...) or key=value lines), accelerate config YAML, a launch "
                        "command, or a model's config.json (docs/configs.md)")
    a.add_argument("-v", "--verbose", action="store_true",
                   help="text: the whole advice (every option with its tradeoffs, the formulas, the sources), not the short answer")

    e = sub.add_parser("explain", help="explain HOW a number or option was reached, WHY a question is asked, or WHY-NOT an option",
                       description="Explain one item of the advice for a scenario: a fact or estimate (how), a question id (why), "
                                   "an option that was offered (how) or not (why-not), a red flag, a finding, or 'recommendation'.")
    e.add_argument("scenario", help="scenario YAML file, or '-'")
    e.add_argument("item", help="id of a fact, estimate, question, option, red flag, finding, or 'recommendation'")
    e.add_argument("--answer", "-a", action="append", default=[], metavar="NAME=VALUE", help="answer a question (repeatable)")

    rp = sub.add_parser("repl", help="consult interactively (the default when run in a terminal with no command)",
                        description="An interactive consultation: describe your situation, answer the questions. "
                                    "History in $XDG_STATE_HOME/advisor/history.")
    rp.add_argument("scenario", nargs="?", help="start from a scenario file")
    rp.add_argument("--history-file", metavar="PATH", help="where to keep the input history")
    rp.add_argument("--no-history", action="store_true", help="keep no history file")

    pr = sub.add_parser("probe", help="measure the largest safe micro-batch and throughput of your model",
                        description="Measure full training steps of your model: the largest micro-batch that fits (in few "
                                    "trials, surviving OOM), the throughput curve, optionally the gradient noise scale; under "
                                    "torchrun also the cost of gradient sync. On the CPU, --memory-cap-gib simulates a device.")
    from advisor.shells.probe_cmd import add_arguments as add_probe_arguments

    add_probe_arguments(pr)

    sub.add_parser("mcp", help="serve the advisor over MCP on stdio (needs the [mcp] extra)",
                   description="A Model Context Protocol server on stdio with the tools consult, estimate_memory, explain "
                               "and list_presets. Configure a client with {\"command\": \"advisor\", \"args\": [\"mcp\"]}.")

    c = sub.add_parser("check", help="run scenario expectations (the regression suite)",
                       description="Run the expectations of scenario files; prints a table and 'N passed, N failed'; exit 1 on any "
                                   "failure, 2 if a scenario file is invalid, 3 on an internal error (every file is still run).")
    c.add_argument("paths", nargs="*", default=["scenarios"], help="scenario files or folders (default: scenarios)")
    c.add_argument("-v", "--verbose", action="store_true", help="list every failure, not only a count per scenario")

    r = sub.add_parser("rules", help="knowledge-base tools", description="Knowledge-base tools.")
    rsub = r.add_subparsers(dest="rules_command", metavar="SUBCOMMAND", parser_class=Parser)
    rsub.add_parser("lint", help="check the knowledge base", description="Unreachable rules, undefined facts, unused questions, "
                    "claims without sources, duplicate ids, uncovered seed items. Exit 1 if anything is found.")

    f = sub.add_parser("facts", help="list the fact names a scenario can use", description="List the facts vocabulary.")
    f.add_argument("-f", "--format", choices=["text", "json"], default="text")

    est = sub.add_parser("estimate", help="training memory of a model: by component, against batch size, and what fits",
                         description="Estimate training memory per GPU: model states (precision × optimizer, frozen "
                                     "parameters, ZeRO/FSDP, offload), activations, logits, CUDA overheads; peak(batch), "
                                     "the largest micro-batch under a budget, and plans for a target batch.")
    from advisor.shells.estimate_cmd import add_arguments

    add_arguments(est)

    s = sub.add_parser("schema", help="print a JSON Schema (advice, scenario, rules, facts, sources, seed_items, situation)",
                       description="Print the JSON Schema of an output or file format, or write them all with --write.")
    s.add_argument("name", nargs="?", default="advice", choices=["advice", "scenario", "rules", "facts", "sources", "seed_items", "situation"])
    s.add_argument("--write", metavar="DIR", help="write every schema into DIR instead of printing one")
    return p


def _answers(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--answer expects NAME=VALUE, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


def _kb(ns: argparse.Namespace):
    from advisor.consultation import load_kb

    return load_kb(ns.rules)


def cmd_answer(ns: argparse.Namespace) -> int:
    from advisor.consultation import run_consultation
    from advisor.reading.configs import config_files_of
    from advisor.shells.html_report import render_advice_html
    from advisor.shells.output import check_output, emit
    from advisor.shells.render import render_markdown, render_short, render_text, text_width
    from advisor.regress.scenario import load_scenario

    kb = _kb(ns)
    said = ns.message
    if said is not None and not said.strip():
        raise InputError("--message is empty: write your situation and question in it")
    if not ns.scenario and not ns.configs and said is None:
        raise InputError("give your message with -m \"…\", a scenario file (or '-' for standard input), or training "
                         "config files with --config")
    many = len(ns.scenario) > 1 or any(path_kind(p) == "folder" for p in ns.scenario if p != "-")
    if ns.scenario and (many or ns.format == "jsonl"):
        if ns.format == "html" or ns.output:
            raise InputError(f"--{'format html' if ns.format == 'html' else 'output'} writes one document: give one scenario file")
        if said is not None:
            raise InputError("--message goes with one scenario file at most, not with several or with --format jsonl")
        return _answer_batch(ns, kb)
    output = check_output(ns.output, ns.force)
    configs = config_files_of(ns.configs)
    message: str | list[str] = said or ""
    if not ns.scenario:  # the message and/or the config files alone
        consultation = run_consultation(message, None, _answers(ns.answer), configs=configs, kb=kb)
    else:
        _exists(ns.scenario[0])
        sc = load_scenario(ns.scenario[0], kb)
        message = sc.spec.message
        if said is not None:  # the file's turns, then this one
            message = [*([message] if isinstance(message, str) and message else message or []), said]
        answers = {**sc.spec.answers, **_answers(ns.answer)}
        consultation = run_consultation(message, sc.spec.facts, answers, measured=_measured(ns, sc),
                                        configs=sc.configs + configs, kb=kb)
    advice = consultation.advice
    shown = message if isinstance(message, str) else "\n".join(message)  # a conversation's turns, one a line
    text = {"json": lambda: advice.to_json() + "\n", "markdown": lambda: render_markdown(advice, kb),
            "html": lambda: render_advice_html(advice, shown, kb),
            "text": lambda: (render_text(advice, kb, text_width()) if ns.verbose
                             else render_short(consultation, text_width(), more="--verbose")),
            "jsonl": lambda: json.dumps({"configs": ns.configs, "advice": advice.to_dict()}, ensure_ascii=False,
                                        separators=(",", ":")) + "\n"}[ns.format]()
    emit(text, output)
    return EXIT_OK


def _exists(raw: str) -> None:
    """A scenario argument that names no file: said plainly, with the way to pass a message when it looks like one."""
    if raw != "-" and path_kind(raw) == "missing":
        raise _missing(raw)


def _missing(raw: str) -> InputError:
    """A path that names nothing; a message given where a file name goes gets the way to pass it."""
    if len(raw.split()) <= 2:
        return InputError("no such file or folder", raw)
    return InputError("no such file or folder (to give your message itself, use -m \"…\")", shown_name(raw))


def _answer_batch(ns: argparse.Namespace, kb) -> int:
    """One JSON object per line per file; a file that fails - bad input, a missing file, or an internal error - is
    reported (its line and stderr) and the others go on. Exit 3 if any failed internally, else 2 if any failed."""
    from advisor.consultation import consult
    from advisor.reading.configs import config_files_of
    from advisor.regress.scenario import load_scenario

    entries: list[tuple[str, InputError | None]] = []  # (file, an error found before reading it)
    for raw in ns.scenario:
        kind = "file" if raw == "-" else path_kind(raw)
        if kind == "folder":
            found = sorted(str(p) for p in Path(raw).glob("*.yaml"))
            entries += [(f, None) for f in found] or [(raw, InputError("no scenario files (*.yaml) found", raw))]
        elif kind == "missing":
            error = _missing(raw)
            entries.append((error.file or raw, error))
        else:  # a file, or a pipe or device: reading it says what is wrong
            entries.append((raw, None))
    extra = _answers(ns.answer)
    configs = config_files_of(ns.configs)
    failed = internal = 0
    for file, error in entries:
        try:
            if error is not None:
                raise error
            sc = load_scenario(file, kb)
            advice = consult(sc.spec.message, sc.spec.facts, {**sc.spec.answers, **extra}, measured=_measured(ns, sc),
                             configs=sc.configs + configs, kb=kb)
            record = {"file": file, "advice": advice.to_dict()}
        except (KeyboardInterrupt, BrokenPipeError):
            raise
        except InputError as exc:
            failed += 1
            message = one_line(exc.location_message())
            print(f"{PROG}: {message}", file=sys.stderr)
            record = {"file": file, "error": message}
        except Exception as exc:  # noqa: BLE001 - an internal error in one file must not lose the others
            failed += 1
            internal += 1
            if ns.debug:
                import traceback

                traceback.print_exc()
            message = one_line(f"internal error: {exc!r}; please report it (rerun with --debug for a traceback)")
            print(f"{PROG}: {file}: {message}", file=sys.stderr)
            record = {"file": file, "error": message, "internal": True}
        sys.stdout.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        sys.stdout.flush()
    print(f"{PROG}: {len(entries) - failed} answered, {failed} failed", file=sys.stderr)
    return EXIT_INTERNAL if internal else EXIT_INPUT if failed else EXIT_OK


def one_line(text: str, limit: int = 1000) -> str:
    """An error message as one line of bounded length (a user's value can be long or contain newlines)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cmd_probe(ns: argparse.Namespace) -> int:
    from advisor.shells.probe_cmd import run

    return run(ns)


def _measured(ns: argparse.Namespace, sc) -> dict | None:
    """Measurements from --probe, or from the scenario's probe: (relative to the scenario file)."""
    from advisor.shells.probe_cmd import load_measured

    path = getattr(ns, "probe", None)
    if not path and sc.spec.probe:
        path = str((Path(sc.file).parent / sc.spec.probe) if sc.file != "<stdin>" else Path(sc.spec.probe))
    return load_measured(path) if path else None


def cmd_mcp(ns: argparse.Namespace) -> int:
    try:
        from advisor.shells.mcp_server import main as mcp_main
    except ImportError:
        raise InputError("the MCP server needs the optional extra: pip install 'advisor[mcp]' (mcp>=2.3)") from None
    return mcp_main()


def cmd_explain(ns: argparse.Namespace) -> int:
    from advisor.consultation import run_consultation
    from advisor.engine.explain import explain
    from advisor.regress.scenario import load_scenario

    kb = _kb(ns)
    sc = load_scenario(ns.scenario, kb)
    answers = {**sc.spec.answers, **_answers(ns.answer)}
    consultation = run_consultation(sc.spec.message, sc.spec.facts, answers, configs=sc.configs, kb=kb)
    from advisor.shells.render import text_width, wrap_lines

    sys.stdout.write(wrap_lines(explain(consultation, ns.item).lines, text_width()))
    return EXIT_OK


def scenario_paths(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        kind = path_kind(raw)
        if kind == "folder":
            files += sorted(p for p in Path(raw).glob("*.yaml"))
        elif kind == "missing":
            raise _missing(raw)
        else:
            files.append(Path(raw))
    if not files:
        raise InputError("no scenario files (*.yaml) found", ", ".join(paths))
    return files


def cmd_check(ns: argparse.Namespace) -> int:
    from advisor.regress.checker import ScenarioResult, run_scenario
    from advisor.regress.scenario import load_scenario

    kb = _kb(ns)
    results = []
    invalid = internal = 0
    for path in scenario_paths(ns.paths):
        try:
            results.append(run_scenario(load_scenario(str(path), kb), kb))
        except (KeyboardInterrupt, BrokenPipeError):
            raise
        except InputError as exc:
            invalid += 1
            results.append(ScenarioResult(path.stem, str(path), 0, [f"invalid scenario: {one_line(exc)}"]))
        except Exception as exc:  # noqa: BLE001 - one scenario's internal error must not hide the others' results
            if ns.debug:
                raise
            internal += 1
            results.append(ScenarioResult(path.stem, str(path), 0, [
                f"{path}: internal error: {one_line(repr(exc))}; please report it (rerun with --debug for a traceback)"]))
    width = max(len(r.name) for r in results)
    lines = [f"{'scenario'.ljust(width)}  turns  result", f"{'-' * width}  -----  ------"]
    for r in results:
        lines.append(f"{r.name.ljust(width)}  {r.turns:>5}  {'ok' if r.passed else f'FAILED ({len(r.failures)})'}")
    failed = [r for r in results if not r.passed]
    for r in failed:
        lines.append("")
        lines += [f"  {msg}" for msg in (r.failures if ns.verbose or len(failed) <= 3 else r.failures[:5])]
        if not ns.verbose and len(failed) > 3 and len(r.failures) > 5:
            lines.append(f"  … {len(r.failures) - 5} more (use --verbose)")
    lines.append("")
    notes = ([f"{invalid} invalid"] if invalid else []) + ([f"{internal} internal error" + "s" * (internal > 1)] if internal else [])
    lines.append(f"{len(results) - len(failed)} passed, {len(failed)} failed" + "".join(f" ({n})" for n in notes))
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_INTERNAL if internal else EXIT_INPUT if invalid else EXIT_FAILED if failed else EXIT_OK


def cmd_lint(ns: argparse.Namespace) -> int:
    from advisor.kb.lint import lint

    kb = _kb(ns)
    from advisor.domain.estimators import ESTIMATORS

    issues = lint(kb, ESTIMATORS)
    for issue in issues:
        print(issue)
    print(f"{len(kb.rules)} rules, {len(kb.facts)} facts, {len(kb.sources)} sources, {len(kb.seed_items)} seed items: "
          + (f"{len(issues)} problem(s)" if issues else "clean"))
    return EXIT_FAILED if issues else EXIT_OK


def cmd_facts(ns: argparse.Namespace) -> int:
    kb = _kb(ns)
    if ns.format == "json":
        data = [spec.model_dump(exclude_none=True, exclude={"patterns"}) for spec in kb.facts.values()]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    lines = []
    for spec in kb.facts.values():
        role = "derived" if spec.derived else ("asked" if spec.askable else "input")
        kind = spec.type + (f" in {spec.unit}" if spec.unit else "") + (f": {' | '.join(spec.choices)}" if spec.choices else "")
        default = f" (default {spec.default})" if spec.default is not None else ""
        lines.append(f"{spec.name}  [{role}; {kind}]{default}\n    {spec.description}")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_repl(ns: argparse.Namespace) -> int:
    from advisor.shells.repl import history_path, main as repl_main

    history = None if getattr(ns, "no_history", False) else Path(getattr(ns, "history_file", None) or history_path())
    return repl_main(getattr(ns, "scenario", None), history, ns.rules)


def cmd_estimate(ns: argparse.Namespace) -> int:
    from advisor.shells.estimate_cmd import run

    return run(ns)


def cmd_schema(ns: argparse.Namespace) -> int:
    from advisor.shells.schema_export import schema_text, write_all

    if ns.write:
        for path in write_all(Path(ns.write)):
            print(path)
        return EXIT_OK
    sys.stdout.write(schema_text(ns.name))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    commands = {"answer": cmd_answer, "explain": cmd_explain, "check": cmd_check, "facts": cmd_facts, "schema": cmd_schema,
                "estimate": cmd_estimate, "repl": cmd_repl, "mcp": cmd_mcp, "probe": cmd_probe}
    try:
        if ns.command == "rules":
            if ns.rules_command != "lint":
                parser.parse_args(["rules", "--help"])
            return cmd_lint(ns)
        if ns.command is None:
            if sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty():
                return cmd_repl(ns)
            parser.print_help()
            return EXIT_OK
        return commands[ns.command](ns)
    except InputError as exc:
        print(f"{PROG}: {one_line(exc.location_message())}", file=sys.stderr)
        return EXIT_INPUT
    except EngineLoopError as exc:
        print(f"{PROG}: knowledge-base error: {one_line(exc)}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except AdvisorError as exc:
        print(f"{PROG}: {one_line(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no tracebacks for users
        if ns.debug:
            raise
        print(f"{PROG}: internal error: {one_line(repr(exc))}; please report it (rerun with --debug for a traceback)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
