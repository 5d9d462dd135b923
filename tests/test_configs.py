"""Real training config files (issue 13, part 3): DeepSpeed, TrainingArguments, accelerate, launch commands and a
model's config.json read into facts with file and line; files combined; inconsistencies flagged in the advice;
bad files refused in one line with the file, the line and what was expected."""

import json
import subprocess
import sys

import pytest

from advisor.consultation import consult, run_consultation
from advisor.engine.explain import explain
from advisor.errors import InputError
from advisor.reading.config_files import MAX_FILE_CHARS, MAX_FILES, ConfigFile, parse_config
from advisor.reading.configs import read_configs
from advisor.shells import cli
from advisor.shells.tools import call_tool

from .conftest import ROOT

DATA = ROOT / "tests" / "data" / "configs"


def files(*names):
    return [ConfigFile(name, (DATA / name).read_text()) for name in names]


def facts(reading):
    return {name: setting.value for name, setting in reading.facts.items()}


def advice_facts(advice):
    return {f.name: f for f in advice.facts}


# ---------------------------------------------------------------------------------------------- each tool's file

@pytest.mark.parametrize("name, kind, expected", [
    ("ds_zero2_auto.json", "deepspeed",
     {"parallelism": "zero", "zero_stage": 2, "offload": "cpu", "optimizer": "adamw"}),
    ("ds_zero3_offload.json", "deepspeed",
     {"batch_size": 64, "micro_batch": 4, "grad_accum_steps": 2, "zero_stage": 3, "offload": "cpu",
      "precision": "amp_bf16", "optimizer": "adamw", "base_lr": 2e-5, "warmup_steps": 100}),
    ("ds_getting_started.json", "deepspeed",
     {"batch_size": 8, "grad_accum_steps": 1, "zero_stage": 1, "precision": "amp_fp16", "optimizer": "adamw",
      "base_lr": 0.00015}),
    ("sft_full.yaml", "training_args",
     {"micro_batch": 16, "grad_accum_steps": 2, "base_lr": 2e-5, "warmup_ratio": 0.1, "epochs": 1.0,
      "precision": "amp_bf16", "grad_checkpointing": True, "seq_len": 2048, "model_preset": "mistral-7b",
      "attention": "flash", "optimizer": "adamw"}),
    ("training_args_log.txt", "training_args",
     {"micro_batch": 4, "grad_accum_steps": 8, "base_lr": 2e-4, "warmup_ratio": 0.03, "epochs": 3.0,
      "precision": "amp_fp16", "grad_checkpointing": True, "optimizer": "adamw_8bit"}),
    ("accelerate_deepspeed.yaml", "accelerate",
     {"num_gpus": 8, "num_nodes": 1, "parallelism": "zero", "zero_stage": 3, "precision": "amp_bf16",
      "grad_accum_steps": 1}),
    ("accelerate_fsdp.yaml", "accelerate",
     {"num_gpus": 16, "num_nodes": 2, "parallelism": "fsdp", "zero_stage": 3, "precision": "amp_bf16",
      "grad_checkpointing": True}),
    ("llama2_7b_config.json", "model_config", {"params": 6_738_415_616, "model_preset": "llama-2-7b"}),
    ("axolotl_qlora.yml", "axolotl",
     {"micro_batch": 1, "grad_accum_steps": 4, "seq_len": 4096, "base_lr": 2e-4, "warmup_steps": 10, "epochs": 4.0,
      "grad_checkpointing": True, "optimizer": "adamw", "adapter": "qlora", "lora_rank": 32, "attention": "flash",
      "model_preset": "llama-2-7b", "precision": None}),
])
def test_each_tools_file_gives_its_facts(kb, name, kind, expected):
    assert [doc.kind for doc in parse_config(files(name)[0])] == [kind]
    got = facts(read_configs(files(name), kb))
    assert {k: got.get(k) for k in expected} == expected


def test_every_fact_says_its_file_line_and_key(kb):
    reading = read_configs(files("ds_zero3_offload.json"), kb)
    micro = reading.facts["micro_batch"]
    assert (micro.file, micro.line, micro.key) == ("ds_zero3_offload.json", 3, "train_micro_batch_size_per_gpu")
    assert reading.facts["zero_stage"].line == 29 and reading.facts["offload"].line == 31
    assert micro.provenance.by == "from ds_zero3_offload.json line 3 (train_micro_batch_size_per_gpu: 4)"


def test_the_kind_comes_from_the_content_not_the_name(kb):
    text = (DATA / "accelerate_fsdp.yaml").read_text()
    reading = read_configs([ConfigFile("ds_config.json", text)], kb)
    assert reading.files == [("ds_config.json", "accelerate config")]
    assert facts(reading)["parallelism"] == "fsdp"


def test_a_launch_command_is_the_launchers_flags_and_the_scripts(kb):
    docs = parse_config(files("train_llamafactory.sh")[0])
    assert [d.kind for d in docs] == ["launch", "training_args"]
    reading = read_configs(files("train_llamafactory.sh"), kb)
    got = facts(reading)
    assert (got["num_gpus"], got["micro_batch"], got["grad_accum_steps"], got["seq_len"]) == (8, 1, 2, 1024)
    assert (got["precision"], got["model_preset"], got["adapter"], got["parallelism"]) == \
        ("amp_bf16", "llama-2-7b", "none", "zero")
    assert reading.facts["micro_batch"].line == 13
    # the DeepSpeed JSON it names was not given: said, so that silence is not read as agreement
    assert any("examples/deepspeed/ds_z3_config.json, which I was not given" in n for n in reading.notes)


def test_torchrun_flags_count_gpus_per_node_times_nodes(kb):
    text = "torchrun --nnodes 2 --nproc_per_node=8 train.py --per_device_train_batch_size 2 --bf16\n"
    got = facts(read_configs([ConfigFile("run.sh", text)], kb))
    assert (got["num_gpus"], got["num_nodes"], got["micro_batch"], got["precision"]) == (16, 2, 2, "amp_bf16")


def test_a_store_true_flag_before_the_script_takes_no_value(kb):
    text = "accelerate launch --multi_gpu --num_processes 2 finetune.py --bf16 --per_device_train_batch_size 8\n"
    got = facts(read_configs([ConfigFile("launch.sh", text)], kb))
    assert (got["parallelism"], got["num_gpus"], got["precision"], got["micro_batch"]) == ("ddp", 2, "amp_bf16", 8)


def test_key_value_lines_and_a_one_line_repr(kb):
    lines = "per_device_train_batch_size = 2\ngradient_accumulation_steps=16,\nlearning_rate=1e-4\noptim=adafactor\n"
    got = facts(read_configs([ConfigFile("args.txt", lines)], kb))
    assert (got["micro_batch"], got["grad_accum_steps"], got["base_lr"], got["optimizer"]) == (2, 16, 1e-4, "adafactor")
    one_line = ("TrainingArguments(output_dir='out', per_device_train_batch_size=32, fsdp=[<FSDPOption.SHARD_GRAD_OP: "
                "'shard_grad_op'>, <FSDPOption.OFFLOAD: 'offload'>], optim=OptimizerNames.ADAMW_TORCH_FUSED, fp16=False, "
                "bf16=False)")
    got = facts(read_configs([ConfigFile("log.txt", one_line)], kb))
    assert (got["micro_batch"], got["parallelism"], got["zero_stage"], got["offload"], got["optimizer"], got["precision"]) \
        == (32, "fsdp", 2, "cpu", "adamw", "fp32")


def test_the_trainers_printed_form_keeps_unquoted_text_as_it_is(kb):
    text = "TrainingArguments(\nrun_name=Bob's run, take 2,\nper_device_train_batch_size=4,\nbf16=True,\n)\n"
    reading = read_configs([ConfigFile("log.txt", text)], kb)
    assert (facts(reading)["micro_batch"], reading.facts["micro_batch"].line) == (4, 3)
    lines = "learning_rate = 3e-4   # tuned at batch 256\nper_device_train_batch_size=8\n"
    assert facts(read_configs([ConfigFile("args.txt", lines)], kb))["base_lr"] == 3e-4


def test_training_args_json_with_an_inline_deepspeed_section(kb):
    args = {"per_device_train_batch_size": 4, "gradient_accumulation_steps": 4, "learning_rate": 1e-5, "bf16": True,
            "deepspeed": {"zero_optimization": {"stage": 3, "offload_param": {"device": "nvme"}},
                          "train_micro_batch_size_per_gpu": "auto", "bf16": {"enabled": "auto"}}}
    reading = read_configs([ConfigFile("training_args.json", json.dumps(args, indent=2))], kb)
    got = facts(reading)
    assert (got["zero_stage"], got["offload"], got["micro_batch"], got["parallelism"]) == (3, "nvme", 4, "zero")
    assert any(a.startswith("train_micro_batch_size_per_gpu (training_args.json:") and "becomes "
               "per_device_train_batch_size = 4" in a for a in reading.autos)


def test_axolotls_bf16_auto_is_left_to_the_gpu(kb):
    notes = read_configs(files("axolotl_qlora.yml"), kb).notes
    assert notes == ["bf16: auto (axolotl_qlora.yml:45) trains in bf16 where the GPU supports it, else in fp16 or fp32: "
                     "say which precision runs"]
    pure = read_configs([ConfigFile("a.yml", "base_model: x\nmicro_batch_size: 2\nbfloat16: true\n")], kb)
    assert facts(pure)["precision"] == "bf16"


def test_unsupported_settings_are_notes_not_errors(kb):
    reading = read_configs([ConfigFile("ds.json", '{"optimizer": {"type": "OneBitLamb", "params": {"lr": 1e-3}}}'),
                            ConfigFile("config.json", '{"model_type": "gemma3", "hidden_size": 2560}'),
                            ConfigFile("args.yaml", "optim: ademamix\nmax_steps: 500\nnum_train_epochs: 3\n")], kb)
    notes = " | ".join(reading.notes)
    assert "OneBitLamb" in notes and "gemma3" in notes and "ademamix" in notes
    assert "max_steps 500 (args.yaml:2) ends training, so num_train_epochs 3 is not used" in notes
    assert "optimizer" not in facts(reading) and "epochs" not in facts(reading) and "params" not in facts(reading)


# ---------------------------------------------------------------------------------------------- files combined

def test_auto_values_say_what_they_become(kb):
    reading = read_configs(files("ds_zero2_auto.json", "sft_full.yaml", "accelerate_deepspeed.yaml"), kb)
    autos = reading.autos
    assert "train_micro_batch_size_per_gpu (ds_zero2_auto.json:52) becomes per_device_train_batch_size = 16 " \
           "(from sft_full.yaml:36)" in autos
    assert "train_batch_size (ds_zero2_auto.json:51) becomes GPUs × micro-batch × accumulation = 8 × 16 × 2 = 256" in autos
    assert "bf16.enabled (ds_zero2_auto.json:12) becomes bf16 = true (from sft_full.yaml:16)" in autos
    assert "scheduler.params.warmup_min_lr (ds_zero2_auto.json:28) becomes 0" in autos
    alone = read_configs(files("ds_zero2_auto.json"), kb).autos
    assert "optimizer.params.lr (ds_zero2_auto.json:18) becomes learning_rate of TrainingArguments, which your " \
           "files do not give" in alone


def test_bucket_sizes_left_to_auto_are_computed_from_the_models_hidden_size(kb):
    autos = read_configs(files("ds_zero3_offload.json", "llama2_7b_config.json"), kb).autos
    assert any("reduce_bucket_size (ds_zero3_offload.json:41) becomes hidden_size² = 16,777,216" in a for a in autos)
    assert any("stage3_prefetch_bucket_size (ds_zero3_offload.json:42) becomes 0.9 × hidden_size² = 15,099,494" in a
               for a in autos)
    assert any("stage3_param_persistence_threshold (ds_zero3_offload.json:43) becomes 10 × hidden_size = 40,960" in a
               for a in autos)


def test_the_deciding_file_wins_and_the_disagreement_is_kept(kb):
    reading = read_configs(files("ds_zero2_auto.json", "accelerate_deepspeed.yaml"), kb)
    assert facts(reading)["zero_stage"] == 2  # DeepSpeed's own file decides
    assert reading.conflicts == ["zero_optimization.stage 2 in ds_zero2_auto.json:35 but deepspeed_config.zero_stage 3 "
                                 "in accelerate_deepspeed.yaml:9: I used ds_zero2_auto.json:35"]
    # the order of the files does not change which value is used
    assert facts(read_configs(files("accelerate_deepspeed.yaml", "ds_zero2_auto.json"), kb))["zero_stage"] == 2


def test_a_deepspeed_value_that_contradicts_training_args_stops_the_trainer(kb):
    reading = read_configs(files("ds_getting_started.json", "sft_full.yaml"), kb)
    text = " | ".join(reading.conflicts)
    assert "gradient_accumulation_steps 1 in ds_getting_started.json:3 but gradient_accumulation_steps 2 in " \
           "sft_full.yaml:19: the Trainer stops at launch on this mismatch" in text
    assert "fp16.enabled true in ds_getting_started.json:11 but bf16 true in sft_full.yaml:16 (precision amp_fp16 " \
           "against amp_bf16)" in text


def test_a_models_config_json_names_the_model_over_a_scripts_model_name(kb):
    reading = read_configs(files("sft_full.yaml", "llama2_7b_config.json"), kb)
    assert facts(reading)["model_preset"] == "llama-2-7b"
    assert any("model_name_or_path mistralai/Mistral-7B-v0.1" in c for c in reading.conflicts)


def test_a_weak_default_gives_way_without_a_conflict(kb):
    # TrainingArguments with bf16 and fp16 both false leave precision to the launcher's mixed_precision
    args = ConfigFile("args.yaml", "per_device_train_batch_size: 4\nbf16: false\nfp16: false\n")
    reading = read_configs([args] + files("accelerate_fsdp.yaml"), kb)
    assert facts(reading)["precision"] == "amp_bf16" and reading.conflicts == []
    assert facts(read_configs([args], kb))["precision"] == "fp32"


# ---------------------------------------------------------------------------------------------- in the advice

def test_deepspeed_batch_arithmetic_is_the_effective_batch_red_flag(kb):
    ds = ConfigFile("ds.json", '{"train_batch_size": 64, "train_micro_batch_size_per_gpu": 4, '
                               '"gradient_accumulation_steps": 4}')
    advice = consult("I train on 8 GPUs", configs=[ds], kb=kb)
    assert "rf-effective-batch" in [r.id for r in advice.red_flags]
    assert next(e for e in advice.estimates if e.id == "effective_batch").value == 128
    # without a GPU count DeepSpeed's rule implies one: 64 / (4 × 4) = 4
    advice = consult("", configs=[ds], kb=kb)
    gpus = advice_facts(advice)["num_gpus"]
    assert gpus.value == 4 and gpus.provenance.kind == "config" and "implied" in gpus.provenance.by
    assert "rf-effective-batch" not in [r.id for r in advice.red_flags]


def test_a_batch_deepspeed_cannot_split_is_a_conflict(kb):
    ds = ConfigFile("ds.json", '{"train_batch_size": 100, "train_micro_batch_size_per_gpu": 4, '
                               '"gradient_accumulation_steps": 8}')
    advice = consult("", configs=[ds], kb=kb)
    flag = next(r for r in advice.red_flags if r.id == "rf-config-conflict")
    assert "train_batch_size 100 (ds.json:1) is not a multiple of micro-batch 4 × accumulation 8 = 32" in flag.counter
    # with the GPU count, DeepSpeed derives the missing accumulation steps: 64 / (4 × 8 GPUs) = 2
    ds = ConfigFile("ds.json", '{"train_batch_size": 64, "train_micro_batch_size_per_gpu": 4}')
    assert advice_facts(consult("8 GPUs", configs=[ds], kb=kb))["grad_accum_steps"].value == 2


@pytest.mark.parametrize("gpu, flagged", [("V100", True), ("T4", True), ("RTX 2080 Ti", True), ("A100 80GB", False),
                                          ("RTX 4090", False)])
def test_bf16_on_a_card_without_it_is_a_red_flag(kb, gpu, flagged):
    advice = consult(f"fine-tuning on one {gpu}", configs=files("sft_full.yaml"), kb=kb)
    assert ("rf-bf16-unsupported" in [r.id for r in advice.red_flags]) == flagged


def test_fp16_on_a_card_without_tensor_cores_is_a_finding(kb):
    assert "finding-fp16-no-tensor-cores" in [f.id for f in consult(
        "training on a GTX 1080 Ti", configs=files("training_args_log.txt"), kb=kb).findings]
    assert "finding-fp16-no-tensor-cores" not in [f.id for f in consult(
        "training on a T4", configs=files("training_args_log.txt"), kb=kb).findings]


def test_files_win_over_the_message_and_give_way_to_stated_facts(kb):
    advice = consult("per-device batch 2 on 4 GPUs", facts={"num_gpus": 2}, configs=files("sft_full.yaml"), kb=kb)
    got = advice_facts(advice)
    assert got["micro_batch"].value == 16 and got["micro_batch"].provenance.kind == "config"
    assert got["num_gpus"].value == 2 and got["num_gpus"].provenance.kind == "given"
    counter = next(r for r in advice.red_flags if r.id == "rf-config-conflict").counter
    assert "your message says 'per-device batch 2' (micro_batch 2) but per_device_train_batch_size is 16 in " \
           "sft_full.yaml:36: I used the file" in counter


def test_explanations_name_the_file(kb):
    c = run_consultation("", configs=files("ds_zero3_offload.json"), kb=kb)
    text = explain(c, "effective_batch").text()
    assert "micro_batch = 4: from ds_zero3_offload.json line 3 (train_micro_batch_size_per_gpu: 4)" in text


def test_the_golden_scenario_reads_every_file(kb):
    from advisor.regress.checker import run_scenario
    from advisor.regress.scenario import load_scenario

    scenario = load_scenario(str(ROOT / "scenarios" / "x03-config-files.yaml"), kb)
    assert [f.name.rsplit("/", 1)[-1] for f in scenario.configs] == \
        ["ds_config.json", "train_args.yaml", "accelerate.yaml", "config.json"]
    assert run_scenario(scenario, kb).passed


# ---------------------------------------------------------------------------------------------- bad files

@pytest.mark.parametrize("content, message, line", [
    ('{\n  "train_batch_size": 64\n  "x": 1\n}', "not valid JSON: Expecting ',' delimiter", 3),
    ('{"a": 1,\n "a": 2}', "duplicate key 'a'", 2),
    ('{"train_batch_size": NaN}', "NaN is not a number JSON allows", None),
    ("[1, 2]", "a JSON list; expected a DeepSpeed config", 1),
    ("", "the file is empty", 1),
    ("foo: [1, 2\n", "YAML syntax error", 2),
    ("hello: world\n", "none of its keys (hello) is one I know", 1),
    ("just some words\n", "no settings found", 1),
    ('{\n "train_micro_batch_size_per_gpu": "four"\n}', 'train_micro_batch_size_per_gpu must be a whole number from 1 '
                                                      'to 10,000,000 or "auto", got \'four\'', 2),
    ('{"train_batch_size": 1e12}', "train_batch_size must be a whole number from 1 to 1,000,000,000", 1),
    ('{"zero_optimization": {"stage": 4}}', "zero_optimization.stage must be a whole number from 0 to 3", 1),
    ('{"zero_optimization": {"stage": 2, "offload_optimizer": {"device": "gpu"}}}',
     'zero_optimization.offload_optimizer.device must be "cpu", "nvme" or "none"', 1),
    ('{"bf16": {"enabled": "yes please"}}', 'bf16.enabled must be true or false or "auto"', 1),
    ("distributed_type: MULTI_GPU\nnum_processes: 0\n", "num_processes must be a whole number from 1 to 100,000", 2),
    ("distributed_type: MULTI_GPU\nmixed_precision: fp4\n", 'mixed_precision must be "no", "fp16", "bf16" or "fp8"', 2),
    ("TrainingArguments(\nlearning_rate=-1,\n)", "learning_rate must be a number above 0 to 100", 2),
    ("TrainingArguments(\nper_device_train_batch_size\n)", "expected name=value inside TrainingArguments(...)", 2),
    ("learning_rate: 1e-4\nwarmup_steps: 10.5\n", "warmup_steps must be a whole number of steps, or a ratio below 1", 2),
    ('{"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32}',
     "config lacks vocab", None),
])
def test_bad_files_are_one_line_with_file_line_and_what_was_expected(kb, content, message, line):
    with pytest.raises(InputError) as err:
        read_configs([ConfigFile("bad.cfg", content)], kb)
    assert message in err.value.message
    assert err.value.file == "bad.cfg" and err.value.line == line
    assert "\n" not in err.value.location_message()


def test_inputs_are_bounded(kb):
    with pytest.raises(InputError, match="larger than 1,048,576 characters"):
        read_configs([ConfigFile("big.json", " " * (MAX_FILE_CHARS + 1))], kb)
    with pytest.raises(InputError, match=f"at most {MAX_FILES} config files"):
        read_configs([ConfigFile(f"{i}.json", "{}") for i in range(MAX_FILES + 1)], kb)
    with pytest.raises(InputError, match="nested too deeply"):
        read_configs([ConfigFile("deep.json", "[" * 200_000 + "]" * 200_000)], kb)
    with pytest.raises(InputError, match="more than 2,000 settings"):
        read_configs([ConfigFile("many.txt", "\n".join(f"k{i}=1" for i in range(2_001)))], kb)
    with pytest.raises(InputError, match=r"configs\[0\] must be \{name, content\}"):
        read_configs(["ds.json"], kb)
    with pytest.raises(InputError, match="not valid Unicode"):
        read_configs([{"name": "ds.json", "content": '{"train_batch_size": "\ud800"}'}], kb)
    many_autos = json.dumps({"train_micro_batch_size_per_gpu": 1, **{f"k{i}": "auto" for i in range(20_000)}})
    reading = read_configs([ConfigFile("ds.json", many_autos)], kb)
    assert len(reading.autos) == 50 and reading.notes == ['19,950 more "auto" values in ds.json are not listed']


# ---------------------------------------------------------------------------------------------- the shells

def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_reads_config_files_alone_or_with_a_scenario(capsys, tmp_path):
    code, out, err = run(capsys, "answer", "--config", str(DATA / "ds_zero3_offload.json"),
                         "--config", str(DATA / "accelerate_kaggle.yaml"))
    assert code == 0 and err == "" and " ".join(out.split()).startswith(
        "I read: GPUs in data parallel 3; machines 1; optimizer AdamW; precision bf16 mixed precision")
    code, out, err = run(capsys, "answer", "--verbose", "--config", str(DATA / "ds_zero3_offload.json"),
                         "--config", str(DATA / "accelerate_kaggle.yaml"))
    flat = " ".join(out.split())  # the text is wrapped
    assert "WHAT I READ FROM YOUR FILES" in out and "train_micro_batch_size_per_gpu: 4" in flat
    assert "num_processes 3" in flat and "gpu_ids lists 2 GPU(s) (0,1): more processes than GPUs" in flat  # Kaggle's
    scenario = tmp_path / "case.yaml"
    scenario.write_text("message: I fine-tune on one V100\n")
    code, out, _ = run(capsys, "answer", str(scenario), "--config", str(DATA / "sft_full.yaml"), "--json")
    assert code == 0 and "rf-bf16-unsupported" in [r["id"] for r in json.loads(out)["red_flags"]]


def test_cli_bad_config_exits_2_with_one_line(capsys, tmp_path):
    bad = tmp_path / "ds.json"
    bad.write_text('{\n  "zero_optimization": {"stage": "three"}\n}\n')
    code, out, err = run(capsys, "answer", "--config", str(bad))
    assert code == 2 and out == ""
    assert err == f"advisor: {bad}:2: zero_optimization.stage must be a whole number from 0 to 3, got 'three'\n"
    pickle = tmp_path / "training_args.bin"
    pickle.write_bytes(b"\x80\x04\x95")
    code, _, err = run(capsys, "answer", "--config", str(pickle))
    assert code == 2 and "training_args.bin is a pickle" in err and err.count("\n") == 1
    code, _, err = run(capsys, "answer")
    assert code == 2 and "--config" in err


def test_cli_output_is_byte_identical_across_runs():
    argv = [sys.executable, "-m", "advisor", "answer", "--verbose", str(ROOT / "scenarios" / "x03-config-files.yaml")]
    outs = [subprocess.run(argv, capture_output=True, check=True, cwd=ROOT).stdout for _ in range(2)]
    assert outs[0] == outs[1] and b"WHAT I READ FROM YOUR FILES" in outs[0]


def test_scenario_configs_inline_and_missing(kb, tmp_path, capsys):
    inline = tmp_path / "inline.yaml"
    inline.write_text("message: ''\nconfigs:\n  - name: ds.json\n    content: '{\"train_micro_batch_size_per_gpu\": 2}'\n")
    code, out, _ = run(capsys, "answer", str(inline), "--json")
    assert code == 0 and {f["name"]: f["value"] for f in json.loads(out)["facts"]}["micro_batch"] == 2
    missing = tmp_path / "missing.yaml"
    missing.write_text("message: hi\nconfigs:\n  - nowhere/ds.json\n")
    code, _, err = run(capsys, "answer", str(missing))
    assert code == 2 and err == f"advisor: {missing}:3: config file 'nowhere/ds.json' not found (paths are relative " \
                                "to the scenario file)\n"


def test_the_chat_tool_takes_file_content():
    result = call_tool("consult", {"message": "on one V100", "configs": [
        {"name": "args.yaml", "content": (DATA / "sft_full.yaml").read_text()}]})
    assert "rf-bf16-unsupported" in [r["id"] for r in result["red_flags"]]
    micro = next(f for f in result["facts"] if f["name"] == "micro_batch")
    assert micro["provenance"] == {"kind": "config", "by": "from args.yaml line 36 (per_device_train_batch_size: 16)"}
    with pytest.raises(InputError, match="consult: configs.0.content"):
        call_tool("consult", {"configs": [{"name": "a.json"}]})


# ---------------------------------------------------------------------------------------------- fuzzing

def _fuzz_settings(n):
    from hypothesis import HealthCheck, settings
    return settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))


SEED_FILES = sorted(p for p in DATA.iterdir())


def _read_or_refuse(kb, files):
    """Reading config files ends with a result or an InputError with a one-line message, never anything else."""
    try:
        consult("", configs=files, kb=kb)
    except InputError as exc:
        assert "\n" not in exc.location_message()


def test_mutated_real_config_files_are_read_or_refused(kb):
    from hypothesis import given, strategies as st

    from . import fuzzing as fz

    @_fuzz_settings(300)
    @given(data=st.sampled_from([p.read_bytes() for p in SEED_FILES]).flatmap(fz.mutated))
    def run(data):
        _read_or_refuse(kb, [ConfigFile("f", data.decode("utf-8", "replace"))])

    run()


def test_random_settings_of_each_tool_are_read_or_refused(kb):
    from hypothesis import given, strategies as st

    from . import fuzzing as fz

    keys = st.sampled_from(["train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps",
                            "zero_optimization", "bf16", "fp16", "optimizer", "scheduler", "per_device_train_batch_size",
                            "learning_rate", "warmup_steps", "warmup_ratio", "optim", "fsdp", "deepspeed",
                            "num_processes", "num_machines", "mixed_precision", "distributed_type", "fsdp_config",
                            "deepspeed_config", "gpu_ids", "model_type", "hidden_size", "max_steps", "num_train_epochs"])
    leaves = st.one_of(fz.values(surrogates=False), st.just("auto"), st.none())
    trees = st.recursive(leaves, lambda inner: st.dictionaries(st.one_of(keys, st.text(max_size=8)), inner, max_size=4),
                         max_leaves=12)

    @_fuzz_settings(300)
    @given(data=st.dictionaries(keys, trees, min_size=1, max_size=6), as_yaml=st.booleans())
    def run(data, as_yaml):
        import yaml
        text = yaml.safe_dump(data) if as_yaml else json.dumps(data, default=str)
        _read_or_refuse(kb, [ConfigFile("f", text)])

    run()


def test_a_comment_line_inside_a_continued_command_is_found(kb):
    """Review 50 #26: "NPROC_PER_NODE=4 \\ … # VIDEO_TOTAL_PIXELS=14112000 \\ … swift sft \\": the comment ends the
    command, so the launch settings before it never reach `swift sft` - a finding names the part that runs alone."""
    from advisor.consultation import run_consultation

    command = ("CUDA_VISIBLE_DEVICES=0,1,2,3 \\\nNPROC_PER_NODE=4 \\\n# VIDEO_TOTAL_PIXELS=14112000 \\\nswift sft \\\n"
               "    --model Qwen/Qwen2.5-VL-7B-Instruct \\\n    --deepspeed zero3 \\\n")
    c = run_consultation("Full fine-tuning runs out of GPU memory on 4x A6000:\n" + command, kb=kb)
    finding = next(f for f in c.advice.findings if f.id == "finding-command-cut-by-comment")
    assert '"swift sft" runs without the lines before it' in finding.title
    # a command whose comments sit above it, and an ordinary continued command, break nothing
    fine = "# launch on 4 GPUs\nNPROC_PER_NODE=4 \\\nswift sft \\\n    --deepspeed zero3\n\nIt runs out of memory."
    assert "finding-command-cut-by-comment" not in [f.id for f in run_consultation(fine, kb=kb).advice.findings]


@pytest.mark.parametrize("message", ["deepspeed_config: zero3_bf16_cpuoffload_all.json",
                                     "--deepspeed deepspeed_configs/zero3_bf16_cpuoffload_all.json"])
def test_a_deepspeed_config_files_name_says_its_settings(kb, message):
    """Review 71 #10: axolotl's zero3_bf16_cpuoffload_all.json is ZeRO-3 in bf16 with the optimizer and the parameters
    offloaded - no precision or offload to ask."""
    from advisor.consultation import read_message

    found = read_message(kb, message)
    assert found["zero_stage"][0] == 3 and found["precision"][0] == "amp_bf16"
    assert found["offload"][0] == "cpu" and found["offload_params"][0] is True


def test_a_settings_own_name_is_no_precision(kb):
    from advisor.consultation import read_message

    assert "precision" not in read_message(kb, "bf16_accumulate_gradient: true")
