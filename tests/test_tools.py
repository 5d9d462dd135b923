"""Tool definitions for chat function calling: valid JSON Schema in both formats, and a working dispatcher."""

import pytest
from jsonschema import Draft202012Validator

from advisor.shells import tools
from advisor.errors import InputError


def test_both_formats_list_the_four_tools_with_valid_schemas():
    anthropic, openai = tools.anthropic_tools(), tools.openai_tools()
    assert [t["name"] for t in anthropic] == ["consult", "estimate_memory", "explain", "list_presets"]
    assert [t["function"]["name"] for t in openai] == [t["name"] for t in anthropic]
    for tool in anthropic:
        schema = tool["input_schema"]
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and schema.get("additionalProperties") is False
        assert 20 < len(tool["description"]) and len(tool["name"]) <= 64
    for tool in openai:
        assert tool["type"] == "function" and tool["function"]["parameters"]["type"] == "object"


def test_sample_calls_validate_against_the_schemas_and_run():
    schemas = {t["name"]: t["input_schema"] for t in tools.anthropic_tools()}
    calls = {
        "consult": {"message": "8GB GPU, 500M parameter model, what batch fits?", "answers": {"training_mode": "finetune"}},
        "estimate_memory": {"preset": "gpt2", "batch": 8, "precision": "amp_bf16", "budget_gib": 24},
        "explain": {"message": "8GB GPU, 500M parameter model, what batch fits?", "item": "states_full_adamw"},
        "list_presets": {},
    }
    for name, args in calls.items():
        Draft202012Validator(schemas[name]).validate(args)
    assert tools.call_tool("consult", calls["consult"])["recommendation"]["option_id"] == "lora"
    assert tools.call_tool("estimate_memory", calls["estimate_memory"])["fits"] is True
    assert "model_state_bytes" in "\n".join(tools.call_tool("explain", calls["explain"])["lines"])
    assert {p["name"] for p in tools.call_tool("list_presets", {})["presets"]} >= {"gpt2", "llama-2-7b"}


@pytest.mark.parametrize("name, args, message", [
    ("estimate_memory", {"preset": "gpt2", "batch": 0}, "batch: Input should be greater than or equal to 1"),
    ("estimate_memory", {"preset": "gtp2"}, "did you mean 'gpt2'"),
    ("consult", {"facts": {"gpu_memory": "lots"}}, "is not a memory size"),
    ("consult", {"colour": "red"}, "colour: Extra inputs are not permitted"),
    ("nope", {}, "unknown tool 'nope'"),
])
def test_bad_calls_raise_input_errors_a_model_can_act_on(name, args, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tools.call_tool(name, args)


def test_consult_takes_a_structured_situation():
    """A function-calling model fills the situation from a conversation; it states facts like `facts` does."""
    result = tools.call_tool("consult", {"situation": {
        "hardware": {"gpu_model": "RTX 3090", "num_gpus": 1}, "model": {"name": "Llama-3-8B"},
        "training": {"mode": "finetune"}}})
    given = {f["name"]: f["value"] for f in result["facts"] if f["provenance"]["kind"] == "given"}
    assert given["gpu_model"] == "rtx-3090" and given["model_preset"] == "llama-3-8b" and given["num_gpus"] == 1
    # no sequence length: the model's full 8,192-token context does not fit even QLoRA, so the length is asked
    assert "seq_len" in [q["id"] for q in result["questions"]]
    result = tools.call_tool("consult", {"situation": {
        "hardware": {"gpu_model": "RTX 3090", "num_gpus": 1}, "model": {"name": "Llama-3-8B"},
        "training": {"mode": "finetune"}, "batches": {"seq_len": 2048}}})
    assert result["recommendation"]["option_id"].startswith(("lora", "qlora"))
    plan = next(p for p in result["plans"] if p["recommended"])
    assert plan["fits"] and plan["per_gpu_bytes"] <= 24 * 2**30
    schema = next(t for t in tools.anthropic_tools() if t["name"] == "consult")["input_schema"]
    assert "situation" in schema["properties"]


def test_a_situation_states_dataparallel_and_dpo():
    result = tools.call_tool("consult", {"situation": {
        "hardware": {"gpu_model": "A100 80GB", "num_gpus": 2}, "model": {"name": "Llama-2-7B"},
        "training": {"mode": "finetune", "parallelism": "dp", "preference_objective": "dpo"}}})
    given = {f["name"]: f["value"] for f in result["facts"] if f["provenance"]["kind"] == "given"}
    assert given["parallelism"] == "dp" and given["preference_objective"] == "dpo"
    ids = [f["id"] for f in result["findings"]]
    assert "finding-dataparallel" in ids and "finding-reference-model" in ids


def test_a_bad_situation_is_an_input_error_naming_the_field():
    with pytest.raises(InputError, match="situation.hardware.num_gpus"):
        tools.call_tool("consult", {"situation": {"hardware": {"num_gpus": 0}}})
