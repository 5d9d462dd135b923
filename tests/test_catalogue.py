"""Parameter counts computed from shapes, against published totals; local config.json and safetensors reading."""

import json
import struct

import pytest

from advisor.domain.catalogue import (count_bert, count_gpt2, count_llama, from_hf_config, preset, preset_names,
                               safetensors_params)
from advisor.errors import InputError

PUBLISHED = {
    "gpt2": 124_439_808, "bert-base": 109_482_240, "llama-2-7b": 6_738_415_616, "resnet50": 25_557_032,
    "vit-b-16": 86_567_656, "tinystories-004": 22_696_448,
}


@pytest.mark.parametrize("name, total", sorted(PUBLISHED.items()))
def test_catalogue_counts_match_published_totals(name, total):
    assert preset(name).params == total


def test_catalogue_yaml_totals_are_the_computed_ones():
    import yaml

    from advisor.domain.catalogue import CATALOGUE
    entries = yaml.safe_load(CATALOGUE.read_text())["presets"]
    assert sorted(entries) == sorted(PUBLISHED) == preset_names()
    for name, entry in entries.items():
        assert entry["params_total"] == preset(name).params, name


@pytest.mark.parametrize("fn, dims, total", [
    (count_llama, dict(vocab=32000, d_model=5120, n_layers=40, n_heads=40, d_ff=13824), 13_015_864_320),
    (count_bert, dict(vocab=30522, n_positions=512, d_model=1024, n_layers=24, d_ff=4096), 335_141_888),
    (count_gpt2, dict(vocab=50257, n_positions=1024, d_model=1024, n_layers=24, d_ff=4096), 354_823_168),
    (count_gpt2, dict(vocab=50257, n_positions=1024, d_model=1600, n_layers=48, d_ff=6400), 1_557_611_200),
])
def test_counters_reproduce_other_published_totals(fn, dims, total):
    assert fn(**dims) == total


def test_aliases_seq_len_and_unknown_names():
    assert preset("GPT-2").name == "gpt2"
    assert preset("tinystories", seq_len=128).seq_len == 128
    assert preset("llama-2-7b").mlp == "swiglu" and preset("gpt2").vocab == 50257 and preset("bert-base").vocab == 0
    with pytest.raises(InputError, match="did you mean 'gpt2'"):
        preset("gtp2")


def test_hf_config_json(tmp_path):
    cfg = {"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096, "num_hidden_layers": 32,
           "num_attention_heads": 32, "num_key_value_heads": 32, "intermediate_size": 11008,
           "max_position_embeddings": 4096, "tie_word_embeddings": False}
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    spec = from_hf_config(tmp_path)
    assert spec.params == 6_738_415_616 and spec.seq_len == 4096
    gpt2 = {"model_type": "gpt2", "vocab_size": 50257, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024}
    (tmp_path / "g.json").write_text(json.dumps(gpt2))
    assert from_hf_config(tmp_path / "g.json").params == 124_439_808
    (tmp_path / "t5.json").write_text(json.dumps({"model_type": "t5"}))
    with pytest.raises(InputError, match="model_type 't5' is not supported"):
        from_hf_config(tmp_path / "t5.json")
    with pytest.raises(InputError, match="no such file"):
        from_hf_config(tmp_path / "missing.json")


def test_safetensors_header(tmp_path):
    header = {"a.weight": {"dtype": "BF16", "shape": [1024, 512], "data_offsets": [0, 1]},
              "b.bias": {"dtype": "F32", "shape": [512], "data_offsets": [1, 2]}, "__metadata__": {"format": "pt"}}
    raw = json.dumps(header).encode()
    path = tmp_path / "m.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * 16)
    assert safetensors_params(path) == {"BF16": 1024 * 512, "F32": 512}
    (tmp_path / "bad.safetensors").write_bytes(b"\xff" * 4)
    with pytest.raises(InputError):
        safetensors_params(tmp_path / "bad.safetensors")
