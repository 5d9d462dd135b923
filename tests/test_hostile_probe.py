"""`advisor probe` and `advisor estimate --model` under failing or noisy user code: every failure of the user's
functions is an InputError naming them (exit 2), their output never reaches stdout, --save is checked before the
run, and the loader verdict does not depend on how fast this machine is (issue 12)."""

import subprocess
import sys
import types

import pytest

torch = pytest.importorskip("torch")

from advisor.errors import InputError  # noqa: E402
from advisor.measure import probe as probe_mod  # noqa: E402
from advisor.measure.probe import Prober, Throughput, _loader_check, loader_is_bottleneck  # noqa: E402
from advisor.shells import cli  # noqa: E402

from . import factories  # noqa: E402
from .conftest import ROOT  # noqa: E402

QUIET = types.SimpleNamespace(progress=lambda msg: None)


@pytest.mark.parametrize("tick, expected", [(0.03, True), (0.02, False), (0.01, False)])
def test_loader_verdict_on_a_fake_clock(tick, expected):
    factories.CLOCK.now, factories.CLOCK.tick = 0.0, tick
    points = [Throughput(batch=2, samples_per_s=20.0), Throughput(batch=4, samples_per_s=100.0)]  # a step: 0.04 s
    assert _loader_check("tests.factories:ticking_loader", 4, points, QUIET, factories.CLOCK) is expected


def test_loader_verdict_needs_a_step_time():
    assert loader_is_bottleneck(1.0, None) is None and loader_is_bottleneck(1.0, 1.0) is True


@pytest.mark.parametrize("loader, match", [
    ("tests.factories:broken_loader", r"the data loader tests.factories:broken_loader failed while fetching batch 2: "
                                      r"OSError: the dataset shard is missing"),
    ("tests.factories:not_iterable_loader", r"must return an iterable of batches, got int"),
    ("tests.factories:noisy_factory",
     r"the data loader tests.factories:noisy_factory failed: TypeError"),
])
def test_a_failing_loader_is_named(loader, match):
    with pytest.raises(InputError, match=match):
        _loader_check(loader, 4, [], QUIET)


@pytest.fixture
def flaky():
    prober = Prober("tests.factories:make_batch_fails_after_search", device="cpu", cap_gib=0.05)
    factories.FAIL_MAKE_BATCH = True
    yield prober
    factories.FAIL_MAKE_BATCH = False


def test_make_batch_failing_in_the_throughput_run_is_named(flaky):
    with pytest.raises(InputError, match=r"make_batch\(1\) of tests.factories:make_batch_fails_after_search failed: "
                                         r"KeyError: 'sample 1234 is missing'"):
        flaky.throughput(1, warmup=1, timed=1)


def test_make_batch_failing_in_the_noise_scale_run_is_named(flaky):
    with pytest.raises(InputError, match=r"make_batch\(2\) of tests.factories:make_batch_fails_after_search failed"):
        flaky.noise_scale(2, accumulation=2, windows=1)


def test_other_failures_in_the_throughput_run_name_the_factory(monkeypatch):
    prober = Prober("tests.factories:tiny_gpt", device="cpu", cap_gib=0.05)

    def broken_step(*args, **kwargs):
        raise ZeroDivisionError("loss_fn divided by zero")

    monkeypatch.setattr(prober, "_step", broken_step)
    with pytest.raises(InputError, match=r"the throughput run failed at batch 1 \(tests.factories:tiny_gpt: model, "
                                         r"make_batch or loss_fn\): ZeroDivisionError: loss_fn divided by zero"):
        prober.throughput(1)


@pytest.mark.parametrize("command", [
    ["probe", "--model", "tests.factories:noisy_factory", "--device", "cpu", "--memory-cap-gib", "1", "--format", "json"],
    ["estimate", "--model", "tests.factories:noisy_factory", "--format", "json"],
])
def test_user_output_never_reaches_stdout(command):
    out = subprocess.run([sys.executable, "-m", "advisor", *command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == "", out.stdout
    assert "noise from the factory" in out.stderr and "fd-level noise" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("advisor: the model factory failed: RuntimeError: no GPU weights")


@pytest.mark.parametrize("save, match", [
    ("{tmp}/no/such/folder/p.json", "no such folder"),
    ("{tmp}", "needs a .json file name"),
    ("{tmp}/folder.json", "is a folder"),
    ("{tmp}/notes.json", "exists and is not a saved advisor probe; not replacing it"),
    ("{tmp}/p.txt", "needs a .json file name"),
])
def test_save_is_checked_before_the_run(tmp_path, capsys, monkeypatch, save, match):
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "notes.json").write_text('{"my": "notes"}')
    monkeypatch.setattr(probe_mod, "probe", lambda *a, **k: pytest.fail("the probe ran before --save was checked"))
    code = cli.main(["probe", "--model", "tests.factories:tiny_gpt", "--device", "cpu", "--memory-cap-gib", "0.05",
                     "--save", save.format(tmp=tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and match in err and err.count("\n") == 1
    assert (tmp_path / "notes.json").read_text() == '{"my": "notes"}'
    assert not list(tmp_path.glob("**/*.tmp"))


@pytest.mark.parametrize("content, match", [
    (b"[" * 100_000, "not a saved advisor probe (nested too deeply)"),
    (b'{"budget_bytes": 1' + b"0" * 400 + b"}", "not a saved advisor probe"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_a_hostile_saved_probe_is_an_input_error(tmp_path, content, match):
    from advisor.shells.probe_cmd import load_measured

    path = tmp_path / "p.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=match.replace("(", r"\(").replace(")", r"\)")):
        load_measured(str(path))


def test_a_saved_probe_from_dev_zero_is_bounded():
    from advisor.shells.probe_cmd import load_measured

    with pytest.raises(InputError, match="larger than 1 MiB"):
        load_measured("/dev/zero")
