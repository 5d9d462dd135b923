import pytest

from advisor.units import (UnitError, fmt_duration, fmt_value, parse_bytes, parse_count, parse_duration, parse_multiplier,
                           parse_number, parse_percent)


@pytest.mark.parametrize("text, value", [
    ("8GB", 8e9), ("8 GB", 8e9), ("24 GiB", 24 * 2**30), ("512MiB", 512 * 2**20), ("1.5TB", 1.5e12), ("80gb", 80e9),
    (16 * 2**30, 16 * 2**30),
])
def test_bytes(text, value):
    assert parse_bytes(text) == value


@pytest.mark.parametrize("text", ["8", "8G", "eight GB", "8 GBs", 8, -3, "", None])
def test_bytes_rejects_ambiguous_or_unitless(text):
    with pytest.raises(UnitError):
        parse_bytes(text)


@pytest.mark.parametrize("text, value", [
    ("500M", 5e8), ("1.3B", 1.3e9), ("7e9", 7e9), ("22,696,448", 22696448), ("125k", 125000), (350, 350),
])
def test_counts(text, value):
    assert parse_count(text) == pytest.approx(value)


@pytest.mark.parametrize("text, seconds", [
    ("2 weeks", 14 * 86400), ("3 days", 3 * 86400), ("12h", 12 * 3600), ("90 min", 5400), ("two weeks", 14 * 86400),
])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_numbers_percent_multiplier():
    assert parse_number("3e-4") == 3e-4
    assert parse_percent("85.2%") == 85.2
    assert parse_multiplier("4x") == parse_multiplier("×4") == 4
    for bad in ("abc", True, float("nan"), [1]):
        with pytest.raises(UnitError):
            parse_number(bad)


@pytest.mark.parametrize("seconds, text", [
    (75_000, "20.8 h"), (5400, "90 min"), (1082, "18.0 min"), (119, "119 s"), (7200, "2 h"), (90, "90 s"), (90_000, "25 h"), (14 * 86400, "2 weeks"),
])
def test_durations_are_shown_in_the_unit_that_reads(seconds, text):
    assert fmt_duration(seconds) == text  # (never '1250 min' for 20.8 hours)


def test_format_names_its_unit():
    assert fmt_value(8e9, "bytes") == "8.00 GB (7.45 GiB)"
    assert fmt_value(5e8, "count") == "500M"
    assert fmt_value(14 * 86400, "seconds") == "2 weeks"
    assert fmt_value(4.6667, "multiplier") == "4.67×"


def test_choices_accept_hyphens_underscores_and_case(kb):
    from advisor.engine.memory import coerce
    assert coerce(kb.facts["model_preset"], "ViT-B-16") == "vit-b-16"
    assert coerce(kb.facts["optimizer"], "SGD-momentum") == "sgd_momentum"
    assert coerce(kb.facts["precision"], "amp bf16") == "amp_bf16"
