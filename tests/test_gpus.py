"""The GPU catalogue: data validation, every alias, memory variants, families, platforms, unknown names."""

import os
import subprocess
import sys

import pytest
import yaml

from advisor.domain.gpus import ARCH_WITH_BF16, GPUS, GiB, aliases, families, find_gpu, gpu, gpus, platforms
from advisor.errors import InputError
from advisor.consultation import read_message

DATA = yaml.safe_load(GPUS.read_text(encoding="utf-8"))
FIELDS = {"names", "memory_gb", "memory_bytes_reported", "reported", "bf16", "fp16_tflops_dense", "bf16_tflops_dense", "arch",
          "vendor", "family", "tflops_source", "note", "source", "tensor_cores", "brand_needed", "nvlink"}
ARCHES = {"maxwell", "kepler", "pascal", "volta", "turing", "ampere", "ada", "hopper", "blackwell", "cdna", "cdna2", "cdna3",
          "rdna2", "rdna3", "davinci", "alchemist", "battlemage", "gcn"}


def test_catalogue_size_and_ids():
    table = gpus()
    assert len(table) >= 100
    for gid in table:
        assert gid == gid.lower() and " " not in gid and "_" not in gid, gid
    for gid in ("a100-40gb", "a100-80gb", "v100-16gb", "v100-32gb", "rtx-3090", "rtx-4060-ti-16gb", "t4", "h100-80gb",
                "h100-nvl", "mi300x", "h200", "l40s", "l4", "a10g", "rtx-5090", "mi250x", "a800-80gb"):
        assert gid in table, gid


@pytest.mark.parametrize("gid", sorted(DATA["gpus"]))
def test_every_entry_is_valid_and_sourced(gid):
    e = DATA["gpus"][gid]
    assert e["source"] and all(s.startswith("https://") for s in e["source"]), gid
    assert e["memory_gb"] > 0 and e["arch"] in ARCHES and e["names"]
    assert e["bf16"] == (e["arch"] in ARCH_WITH_BF16), gid  # hardware bf16: Ampere and later, CDNA2/3
    if e["bf16_tflops_dense"] is not None:
        assert e["bf16"] and e["bf16_tflops_dense"] > 0 and e["tflops_source"]
    if e["fp16_tflops_dense"] is not None:
        assert e["fp16_tflops_dense"] > 0 and e["tflops_source"]
    assert set(e) <= FIELDS, (gid, set(e) - FIELDS)  # a misspelt field would be silently ignored
    reported = e["memory_bytes_reported"]
    if reported is None:
        assert e["reported"] == "nominal"
    else:
        # what the runtime reports is a little less than the nominal GiB (driver and ECC reservations)
        assert e["reported"] != "nominal" and 0.9 * e["memory_gb"] * GiB < reported <= e["memory_gb"] * GiB, gid


def test_memory_bytes_reported_or_nominal():
    assert gpu("t4").memory_bytes == 15_828_320_256 and gpu("t4").memory_bytes / GiB == pytest.approx(14.74, abs=0.01)
    assert gpu("a100-80gb").memory_bytes == 80 * GiB and gpu("a100-80gb").reported == "nominal"
    assert gpu("rtx-3090").memory_bytes == 24268 * 2**20


def test_every_alias_resolves():
    table, fams, plats = gpus(), families(), platforms()
    pairs = aliases()
    assert len(pairs) > 3 * len(table)
    for alias, target in pairs:
        m = find_gpu(alias)
        assert m is not None, alias
        if target in table:
            assert m.gpu is not None and m.gpu.id == target, (alias, m)
        elif target in fams:
            assert m.ambiguous and m.id == target and m.candidates == fams[target], alias
        else:
            assert target in plats and m.platform == target, alias


@pytest.mark.parametrize("text, gid", [
    ("3090", "rtx-3090"), ("RTX 3090", "rtx-3090"), ("rtx3090", "rtx-3090"), ("GeForce RTX 3090", "rtx-3090"),
    ("NVIDIA GeForce RTX 3090", "rtx-3090"), ("A100-SXM4-80GB", "a100-80gb"), ("Tesla T4", "t4"), ("A100 80G", "a100-80gb"),
    ("A100 40GB", "a100-40gb"), ("A100-80G", "a100-80gb"), ("80GB A100", "a100-80gb"), ("a100 80gb pcie", "a100-80gb"),
    ("NVIDIA A100-SXM4-40GB", "a100-40gb"), ("V100 32GB", "v100-32gb"), ("V100-SXM2-16GB", "v100-16gb"),
    ("32GB V100", "v100-32gb"), ("3080 10GB", "rtx-3080-10gb"), ("RTX 3080 12 GB", "rtx-3080-12gb"),
    ("4060 Ti 16GB", "rtx-4060-ti-16gb"), ("rtx 4060ti 8gb", "rtx-4060-ti-8gb"), ("H100 NVL", "h100-nvl"),
    ("H100 PCIe", "h100-pcie"), ("H200", "h200"), ("AMD Instinct MI300X", "mi300x"), ("RTX 6000 Ada", "rtx-6000-ada"),
    ("RTX A6000", "rtx-a6000"), ("2080 Ti", "rtx-2080-ti"), ("rtx 2080ti", "rtx-2080-ti"), ("L40S", "l40s"), ("A10G", "a10g"),
])
def test_names_and_memory_variants(text, gid):
    m = find_gpu(text)
    assert m is not None and m.gpu is not None and m.gpu.id == gid, (text, m)


# Names that share a number or a prefix with another card: each must come back as its own card.
@pytest.mark.parametrize("text, gid", [
    # Quadro RTX (Turing) vs RTX Ada, RTX A-series (Ampere) and RTX PRO Blackwell
    ("Quadro RTX 6000", "quadro-rtx-6000"), ("NVIDIA Quadro RTX 6000", "quadro-rtx-6000"),
    ("RTX 6000 Ada", "rtx-6000-ada"), ("NVIDIA RTX 6000 Ada Generation", "rtx-6000-ada"), ("A6000 Ada", "rtx-6000-ada"),
    ("RTX A6000", "rtx-a6000"), ("A6000", "rtx-a6000"), ("RTX PRO 6000 Blackwell", "rtx-pro-6000-blackwell"),
    ("RTX 6000 24GB", "quadro-rtx-6000"), ("RTX 6000 48GB", "rtx-6000-ada"), ("RTX 6000 96GB", "rtx-pro-6000-blackwell"),
    ("Quadro RTX 8000", "quadro-rtx-8000"), ("RTX 8000", "quadro-rtx-8000"), ("RTX8000", "quadro-rtx-8000"),
    ("Quadro RTX 4000", "quadro-rtx-4000"), ("RTX 4000 Ada", "rtx-4000-ada"), ("RTX 4000 SFF Ada", "rtx-4000-ada"),
    ("RTX A4000", "rtx-a4000"), ("Quadro P4000", "quadro-p4000"), ("Quadro RTX 5000", "quadro-rtx-5000"),
    ("RTX 5000 Ada", "rtx-5000-ada"), ("RTX A5000", "rtx-a5000"), ("Quadro P5000", "quadro-p5000"),
    ("RTX 4500 Ada", "rtx-4500-ada"), ("RTX A4500", "rtx-a4500"), ("RTX A2000 12GB", "rtx-a2000-12gb"),
    # Super / Ti / Ti Super variants vs the plain card
    ("RTX 4070 Super", "rtx-4070-super"), ("4070S", "rtx-4070-super"), ("4070 super", "rtx-4070-super"),
    ("RTX 4070", "rtx-4070"), ("4070 Ti", "rtx-4070-ti"), ("RTX 4070 Ti Super", "rtx-4070-ti-super"),
    ("4070 Ti Super 16GB", "rtx-4070-ti-super"), ("2080 Super", "rtx-2080-super"), ("RTX 2080", "rtx-2080"),
    ("2080 Ti", "rtx-2080-ti"), ("2070 Super", "rtx-2070-super"), ("2070", "rtx-2070"), ("3060ti", "rtx-3060-ti"),
    ("3060 Ti", "rtx-3060-ti"), ("3070 Ti", "rtx-3070-ti"), ("3070", "rtx-3070"), ("4080 Super", "rtx-4080-super"),
    ("4080", "rtx-4080"), ("RTX 4060", "rtx-4060"), ("GTX 1660 Ti", "gtx-1660-ti"), ("GTX 1660 Super", "gtx-1660-super"),
    ("GTX 1660", "gtx-1660"), ("1660S", "gtx-1660-super"), ("RTX 5070", "rtx-5070"), ("RTX 5070 Ti", "rtx-5070-ti"),
    ("RTX 5060 Ti 16GB", "rtx-5060-ti-16gb"), ("7900 XT", "rx-7900-xt"), ("7900 XTX", "rx-7900-xtx"),
    ("GTX 980 Ti", "gtx-980-ti"), ("GTX 970", "gtx-970"), ("Titan V", "titan-v"), ("Titan X", "titan-x"),
    ("GTX 1070 Ti", "gtx-1070-ti"), ("1070Ti", "gtx-1070-ti"), ("GTX 1070", "gtx-1070"), ("GTX 960 2GB", "gtx-960-2gb"),
    # data-centre cards, with the names torch and the vendors print
    ("P40", "tesla-p40"), ("Tesla P40", "tesla-p40"), ("P4000", "quadro-p4000"), ("Tesla M40 24GB", "tesla-m40-24gb"),
    ("A30 24GB", "a30"), ("A30", "a30"), ("H20", "h20"), ("H200", "h200"), ("H100", "h100-80gb"), ("L20", "l20"),
    ("L40", "l40"), ("GH200 144GB", "gh200-144gb"), ("B200", "b200"), ("MI210", "mi210"), ("MI250X", "mi250x"),
    ("AMD Instinct MI100", "mi100"), ("MI325X", "mi325x"), ("MI300X", "mi300x"), ("Radeon PRO W7900", "radeon-pro-w7900"),
])
def test_names_that_share_a_number_pick_their_own_card(text, gid):
    m = find_gpu(text)
    assert m is not None and m.gpu is not None and m.gpu.id == gid, (text, m)


@pytest.mark.parametrize("text, family, members", [
    ("RTX 6000", "rtx-6000", {"quadro-rtx-6000", "rtx-6000-ada", "rtx-pro-6000-blackwell"}),
    ("8 RTX6000", "rtx-6000", {"quadro-rtx-6000", "rtx-6000-ada", "rtx-pro-6000-blackwell"}),
    ("RTX 4000", "rtx-4000", {"quadro-rtx-4000", "rtx-4000-ada"}), ("GH200", "gh200", {"gh200-96gb", "gh200-144gb"}),
    ("M40", "m40", {"tesla-m40-12gb", "tesla-m40-24gb"}), ("RTX 3050", "rtx-3050", {"rtx-3050-8gb", "rtx-3050-6gb"}),
])
def test_numbers_shared_by_several_generations_are_asked(text, family, members):
    m = find_gpu(text)
    assert m.ambiguous and m.id == family and {c.id for c in m.candidates} == members


@pytest.mark.parametrize("text", [
    "a sequence length of 8000", "8000 tokens per batch", "6000 steps", "4000 images at 5000 px", "Quadro 4000",
    "the RTX 4000 series", "w4a16 quantization",
])
def test_plain_numbers_and_product_lines_name_no_card(text):
    assert find_gpu(text) is None, text


def test_a_product_line_does_not_hide_the_card_after_it():
    assert find_gpu("RTX 4000 series cards such as the 4090").gpu.id == "rtx-4090"


def test_gtx_16_series_has_no_tensor_cores():
    from advisor.domain.gpus import precision_support
    assert not gpu("gtx-1660-ti").has_tensor_cores and not gpu("gtx-1650").has_tensor_cores
    assert gpu("rtx-2060-6gb").has_tensor_cores and gpu("mi100").has_tensor_cores
    support = precision_support("gtx-1660-super")
    assert support.arch == "turing" and not support.tensor_cores and not support.bf16


@pytest.mark.parametrize("phrase, gid", [
    ("I'm fine-tuning on a single RTX 4090 with 24GB", "rtx-4090"),
    ("we have 8x A100 80GB nodes", "a100-80gb"),
    ("OOM on my 3060 12GB", "rtx-3060-12gb"),
    ("training on an H100 today", "h100-80gb"),
])
def test_names_inside_phrases(phrase, gid):
    assert find_gpu(phrase).gpu.id == gid


@pytest.mark.parametrize("text, family, members", [
    ("A100", "a100", {"a100-40gb", "a100-80gb"}), ("an NVIDIA A100", "a100", {"a100-40gb", "a100-80gb"}),
    ("V100", "v100", {"v100-16gb", "v100-32gb"}), ("3080", "rtx-3080", {"rtx-3080-10gb", "rtx-3080-12gb"}),
    ("RTX 4060 Ti", "rtx-4060-ti", {"rtx-4060-ti-8gb", "rtx-4060-ti-16gb"}), ("A100 32GB", "a100", {"a100-40gb", "a100-80gb"}),
])
def test_ambiguous_names_come_back_as_a_family_with_candidates(text, family, members):
    m = find_gpu(text)
    assert m.ambiguous and m.id == family and {c.id for c in m.candidates} == members


@pytest.mark.parametrize("message, want", [
    ("Getting an out of memory error on a p3.2xlarge, single 16gb gpu machine", {"gpu_model": "v100-16gb", "num_gpus": 1}),
    ("on a g5.12xlarge with batch 8", {"gpu_model": "a10g", "gpu_memory_gb": 24, "num_gpus": 4}),
    ("p4d.24xlarge instance OOM", {"gpu_model": "a100-40gb", "num_gpus": 8}),
    ("OOM with Llama 3.1 8B on 8* MI350", {"gpu_model": "mi350x", "gpu_memory_gb": 288, "num_gpus": 8}),
    ("Nvidia A10 on a g5.2xlarge", {"gpu_model": "a10"}),  # the card named wins over the instance's
    ("RTX 3060, 12GB, 11.34gb free - out of memory error", {"gpu_model": "rtx-3060-12gb", "gpu_memory_gb": 12}),
])
def test_cloud_instances_name_their_cards(message, want):
    from advisor.reading.reader import read
    from advisor.reading.situation import labels_of

    got = labels_of(read(message))
    assert {k: got.get(k) for k in want} == want


def test_platform_defaults():
    colab = find_gpu("free Colab notebook")
    assert colab.platform == "colab" and colab.gpu.id == "t4" and colab.count == 1
    kaggle = find_gpu("on Kaggle")
    assert kaggle.platform == "kaggle" and kaggle.ambiguous
    assert [(c.id, n) for c, n in zip(kaggle.candidates, kaggle.counts)] == [("t4", 2), ("p100-16gb", 1)]
    for p in DATA["platforms"].values():
        assert p["source"] and p["note"]


@pytest.mark.parametrize("text", ["a 7B model", "my GPU", "", "nvidia", "24GB", "an M2 Max", "gb 80", "T-shirt size 4",
                                  "at 4 GPUs", "A1000000"])
def test_unknown_names_are_none(text):
    assert find_gpu(text) is None


def test_gpu_lookup_by_id_or_name():
    assert gpu("rtx-3090").memory_gb == 24 and gpu("Tesla T4").id == "t4"
    with pytest.raises(InputError, match="unknown GPU"):
        gpu("A100")  # a family: ambiguous, so not one GPU
    with pytest.raises(InputError, match="unknown GPU"):
        gpu("voodoo 2")


def test_families_and_platforms_name_existing_gpus():
    table = gpus()
    for fid, f in DATA["families"].items():
        assert len(f["members"]) >= 2 and all(table[m].family == fid for m in f["members"])
        sizes = [table[m].memory_gb for m in f["members"]]
        assert len(set(sizes)) == len(sizes), fid  # a size picks one member
    for gid, spec in table.items():
        if spec.family:
            assert gid in DATA["families"][spec.family]["members"]


def test_long_hostile_input_is_read_only_up_to_its_bound():
    """The finder's work is bounded by the characters it looks at (MAX_TEXT), not the input's length: a name past
    the bound is not seen, and repeated names or prefixes give an answer (no wall-clock assertion: CI is busy)."""
    from advisor.domain.catalogue import MAX_TEXT

    hostile = ("a100 " * 50_000) + ("80 " * 50_000) + "!"
    assert find_gpu(hostile) is not None
    assert find_gpu("rtx-" * 200_000) is None
    assert find_gpu("x " * MAX_TEXT + "A100 80GB") is None  # past the bound: never read


def test_importing_reads_no_yaml():
    root = str(GPUS.parents[3])
    code = ("import sys, advisor.domain.catalogue, advisor.domain.gpus; "
            "assert 'yaml' not in sys.modules, 'yaml imported at import time'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env={**os.environ, "PYTHONPATH": root})


@pytest.mark.parametrize("message, want", [
    ("I train on 2x Quadro RTX 8000, OOM at batch 8", {"gpu_model": "quadro-rtx-8000", "gpu_memory_gb": 48, "num_gpus": 2}),
    ("Qwen3-VL 2B LoRA finetune on 8 RTX6000 leads to OOM", {"gpu_model": "rtx-6000", "num_gpus": 8}),
    ("my RTX 4070 Super runs out of memory", {"gpu_model": "rtx-4070-super", "gpu_memory_gb": 12, "num_gpus": 1}),
    ("GH200 144GB, full fine-tune of a 7B model", {"gpu_model": "gh200-144gb", "gpu_memory_gb": 144}),
    ("Fine-tuning Llama 7B 200 steps with a sequence length of 8000", {}),
    # Huawei's NPUs: "910b" is a card, not 910B parameters (review 50)
    ("910b 280t, 8 machines / 64 cards, running qwen2 7b with cutoff_len: 8192 keeps going OOM",
     {"gpu_model": "ascend-910b", "gpu_memory_gb": 64, "num_gpus": 64}),
    ("NPU: ascend 910b*8", {"gpu_model": "ascend-910b", "gpu_memory_gb": 64, "num_gpus": 8}),
])
def test_the_reader_names_the_new_cards_and_not_plain_numbers(message, want):
    from advisor.reading.reader import read
    from advisor.reading.situation import labels_of

    got = labels_of(read(message))
    assert {k: got[k] for k in ("gpu_model", "gpu_memory_gb", "num_gpus") if k in got} == want


def test_the_docs_table_lists_every_gpu_and_family():
    docs = (GPUS.parents[3] / "docs" / "catalogues.md").read_text(encoding="utf-8")
    section = docs[docs.index("## GPUs\n"):]
    rows = {line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ") and "---" not in line}
    assert rows - {"id"} == set(gpus())
    assert f"{len(gpus())} cards" in section
    for fid in DATA["families"]:
        assert f"`{fid}`" in section, fid


@pytest.mark.parametrize("message, gpu, count", [("fine-tuning on an a2-highgpu-8g", "a100-40gb", 8),
                                                 ("I rented a g2-standard-24 on GCP", "l4", 2),
                                                 ("a2-ultragpu-1g, batch 8", "a100-80gb", 1),
                                                 ("our a3-highgpu-8g node", "h100-80gb", 8)])
def test_google_cloud_machine_types_name_their_gpus(kb, message, gpu, count):
    from advisor.consultation import read_message

    found = read_message(kb, message)
    assert found["gpu_model"][0] == gpu and found["num_gpus"][0] == count


@pytest.mark.parametrize("message, card", [
    ("I have a 6800XT with 16GB of VRAM", "rx-6800-xt"), ("training on my 7900XTX", "rx-7900-xtx"),
    ("8xT4 machine", "t4"),
])
def test_radeon_names_glued_to_their_number(kb, message, card):
    """"6800XT", "7900XTX": Radeon's XT glued to the number is the card's name, not a count's 'x' ("8xT4")."""
    assert read_message(kb, message)["gpu_model"][0] == card


def test_a_computer_called_by_another_card(kb):
    """"I'm using a second-hand MI100 I got off eBay in my 7900XT PC": the PC is called by its other card; and the MI100
    said first in a heading, then of the user's own run, stays theirs when a third card is spoken of."""
    found = read_message(kb, "(Comment in the \"MI100 performance\" issue.) I'm using a second-hand MI100 I got off eBay "
                             "in my 7900XT PC. I'm trying to figure out how fast the 7900XTX will eventually become, "
                             "comparing it to the MI100.")
    assert found["gpu_model"][0] == "mi100" and found["gpu_memory"][0] == 32 * 2**30


@pytest.mark.parametrize("message, gpu, gb", [("The Arc A770 runs out of memory", "arc-a770", None),
                                              ("Intel Arc B570 10GB, batch 8", "arc-b570", 10.0),
                                              ("an A770 16GB with ipex", "arc-a770-16gb", 16.0),
                                              ("training on a B580", "arc-b580", 12.0)])
def test_intel_arc_cards(message, gpu, gb):
    """Review 76: Intel Arc cards (PyTorch's xpu device) are read by name; the A770, sold with 8 or 16 GB, is a
    family whose size is asked."""
    from advisor.reading.reader import read
    from advisor.reading.situation import labels_of
    got = labels_of(read(message))
    assert (got.get("gpu_model"), got.get("gpu_memory_gb")) == (gpu, gb)
