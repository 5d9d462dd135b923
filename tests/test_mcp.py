"""The MCP server, in-process with the SDK's client and once as a stdio subprocess (needs the [mcp] extra)."""

import asyncio
import sys

import pytest

pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters  # noqa: E402

from advisor.shells.mcp_server import server  # noqa: E402

from .conftest import ROOT  # noqa: E402


def call(name, args, target=server):
    async def go():
        async with Client(target) as client:
            return await client.call_tool(name, args)
    return asyncio.run(go())


def test_tools_are_listed_read_only_with_output_schemas():
    async def go():
        async with Client(server) as client:
            return {t.name: t for t in (await client.list_tools()).tools}
    listed = asyncio.run(go())
    assert set(listed) == {"consult", "estimate_memory", "explain", "list_presets"}
    for tool in listed.values():
        assert tool.output_schema["type"] == "object" and tool.annotations.read_only_hint


def test_structured_results():
    r = call("consult", {"message": "8GB GPU, 500M parameter model, what batch fits?", "answers": {"training_mode": "finetune"}})
    assert not r.is_error and r.structured_content["recommendation"]["option_id"] == "lora"
    r = call("estimate_memory", {"preset": "llama-2-7b", "batch": 1, "budget_gib": 80})
    assert not r.is_error and r.structured_content["fits"] is False and r.structured_content["params"] == 6738415616
    r = call("list_presets", {})
    from advisor.domain.catalogue import preset_names
    assert len(r.structured_content["presets"]) == len(preset_names()) >= 42


def test_anticipated_failures_are_tool_errors_with_the_reason():
    r = call("estimate_memory", {"preset": "gtp2"})
    assert r.is_error and "did you mean 'gpt2'" in r.content[0].text
    r = call("consult", {"facts": {"gpu_memory": "lots"}})
    assert r.is_error and "is not a memory size" in r.content[0].text
    r = call("estimate_memory", {"preset": "gpt2", "batch": 0})
    assert r.is_error and "greater than or equal to 1" in r.content[0].text


def test_stdio_subprocess_speaks_only_protocol():
    params = StdioServerParameters(command=sys.executable, args=["-m", "advisor", "mcp"], cwd=str(ROOT))
    r = call("consult", {"message": "the paper uses batch 512, my GPU fits 256"}, params)
    assert not r.is_error and "rf-paper-batch" in [f["id"] for f in r.structured_content["red_flags"]]


def test_unknown_arguments_are_refused_like_the_library_does():
    r = call("estimate_memory", {"preset": "gpt2", "bogus": 1})
    assert r.is_error and "bogus" in r.content[0].text


def test_internal_failures_are_named_and_slow_calls_are_abandoned(monkeypatch):
    import time

    from advisor.shells import mcp_server, tools

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setitem(tools.TOOLS, "list_presets", (tools.ListPresetsArgs, broken))
    r = call("list_presets", {})
    assert r.is_error and "internal error in list_presets (RuntimeError: boom)" in r.content[0].text

    monkeypatch.setattr(mcp_server, "CALL_SECONDS", 0.2)
    monkeypatch.setitem(tools.TOOLS, "list_presets", (tools.ListPresetsArgs, lambda args: time.sleep(1) or {}))
    r = call("list_presets", {})
    assert r.is_error and "took longer than 0.2 s" in r.content[0].text
