"""Reference models for the accuracy of the analytic memory model (tests/test_memory_accuracy.py), in plain torch:
the architectures the catalogue's presets name, at small sizes. Each factory follows the tracing protocol
(`factory(**options) -> (model, make_batch, loss_fn)`) and has a `spec_*` twin giving the ModelSpec the analytic
model is asked about.

* gpt_like      - minGPT/nanoGPT style: pre-LN, fused qkv nn.Linear, nn.GELU, learned positions, untied head
* hf_gpt2_like  - Hugging Face GPT2LMHeadModel style: Conv1D (addmm), gelu_new written out, dropout 0.1 (embd,
                  attn, resid), torch.where causal mask, tied head
* bert_like     - BertModel style: post-LN, separate q/k/v, exact GELU, embedding LayerNorm, token types, pooler
                  on [CLS] with a classifier
* llama_like    - LlamaForCausalLM style: HF RMSNorm written out, RoPE, SwiGLU, no biases, untied head
* resnet_like   - torchvision ResNet style: basic (18) or bottleneck (50) blocks, in-place ReLU, max pool
* vit_like      - torchvision ViT style: conv patch embedding, class token, nn.MultiheadAttention, GELU MLP
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from advisor.domain.catalogue import ModelSpec


def _lm_batch(vocab, seq_len):
    def make_batch(batch_size):
        return torch.randint(0, vocab, (batch_size, seq_len)), torch.randint(0, vocab, (batch_size, seq_len))
    return make_batch


def _lm_loss(logits, targets):
    return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


# ---------------------------------------------------------------------------------------------- GPT (minGPT)

class _GPTBlock(nn.Module):
    def __init__(self, d, heads, attention):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.act, self.out = nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d)
        self.heads, self.attention = heads, attention

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = (t.view(b, s, self.heads, d // self.heads).transpose(1, 2) for t in self.qkv(self.ln1(x)).split(d, dim=2))
        if self.attention == "sdpa":
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // self.heads))
            att = att.masked_fill(~torch.ones(s, s, dtype=torch.bool).tril(), float("-inf")).softmax(-1)
            y = att @ v
        x = x + self.proj(y.transpose(1, 2).contiguous().view(b, s, d))
        return x + self.out(self.act(self.fc(self.ln2(x))))


class GPTLike(nn.Module):
    def __init__(self, vocab, seq_len, d, layers, heads, attention):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(seq_len, d)
        self.blocks = nn.ModuleList(_GPTBlock(d, heads, attention) for _ in range(layers))
        self.ln_f, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


GPT = dict(vocab=2048, seq_len=128, d=128, layers=2, heads=4)


def gpt_like(attention="eager", **sizes):
    c = {**GPT, **{k: v for k, v in sizes.items() if k in GPT and v is not None}}
    return GPTLike(c["vocab"], c["seq_len"], c["d"], c["layers"], c["heads"], attention), _lm_batch(c["vocab"], c["seq_len"]), _lm_loss


def spec_gpt_like(attention="eager", **sizes):
    c = {**GPT, **sizes}
    dims = dict(vocab=c["vocab"], n_positions=c["seq_len"], d_model=c["d"], n_layers=c["layers"], n_heads=c["heads"],
                d_ff=4 * c["d"], tied=False, activation="gelu", embedding_dropout=False)
    return ModelSpec("gpt-like", "gpt2", 0, c["d"], c["layers"], c["heads"], c["heads"], 4 * c["d"], c["vocab"], c["seq_len"],
                     "gelu", "layernorm", "test", dims)


# ---------------------------------------------------------------------------------------------- HF GPT-2

class Conv1D(nn.Module):
    """transformers.pytorch_utils.Conv1D: y = addmm(bias, x, W) with W of shape (in, out)."""

    def __init__(self, nf, nx):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(nx, nf) * 0.02)
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.weight.size(-1),)
        return torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight).view(size_out)


def gelu_new(x):
    """transformers.activations.NewGELUActivation (the tanh approximation written out)."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class _HFGPT2Block(nn.Module):
    def __init__(self, d, heads, seq_len, p):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.c_attn, self.c_proj = Conv1D(3 * d, d), Conv1D(d, d)
        self.c_fc, self.mlp_proj = Conv1D(4 * d, d), Conv1D(d, 4 * d)
        self.attn_dropout, self.resid_dropout, self.mlp_dropout = nn.Dropout(p), nn.Dropout(p), nn.Dropout(p)
        self.register_buffer("bias", torch.tril(torch.ones(seq_len, seq_len, dtype=torch.bool)).view(1, 1, seq_len, seq_len),
                             persistent=False)
        self.heads = heads

    def forward(self, x):
        b, s, d = x.shape
        hd = d // self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (t.view(b, s, self.heads, hd).permute(0, 2, 1, 3) for t in (q, k, v))
        w = torch.matmul(q, k.transpose(-1, -2))
        w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype, device=w.device)
        mask = self.bias[:, :, :s, :s]
        w = torch.where(mask, w, torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype, device=w.device))
        w = self.attn_dropout(F.softmax(w, dim=-1).type(v.dtype))
        y = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous().view(b, s, d)
        x = x + self.resid_dropout(self.c_proj(y))
        return x + self.mlp_dropout(self.mlp_proj(gelu_new(self.c_fc(self.ln_2(x)))))


class HFGPT2Like(nn.Module):
    def __init__(self, vocab, seq_len, d, layers, heads, p):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(seq_len, d)
        self.drop = nn.Dropout(p)
        self.h = nn.ModuleList(_HFGPT2Block(d, heads, seq_len, p) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)

    def forward(self, idx):
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(idx.shape[1]).unsqueeze(0)))
        for block in self.h:
            x = block(x)
        return F.linear(self.ln_f(x), self.wte.weight)  # lm_head tied to wte


def hf_gpt2_like(dropout=0.0, **_):
    c = GPT
    model = HFGPT2Like(c["vocab"], c["seq_len"], c["d"], c["layers"], c["heads"], dropout)
    return model, _lm_batch(c["vocab"], c["seq_len"]), _lm_loss


def spec_hf_gpt2_like():
    c = GPT
    dims = dict(vocab=c["vocab"], n_positions=c["seq_len"], d_model=c["d"], n_layers=c["layers"], n_heads=c["heads"],
                d_ff=4 * c["d"], tied=True, activation="gelu_new")
    return ModelSpec("hf-gpt2-like", "gpt2", 0, c["d"], c["layers"], c["heads"], c["heads"], 4 * c["d"], c["vocab"], c["seq_len"],
                     "gelu", "layernorm", "test", dims)


# ---------------------------------------------------------------------------------------------- BERT

class _BertLayer(nn.Module):
    def __init__(self, d, heads, p):
        super().__init__()
        self.q, self.k, self.v, self.o = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.attn_drop, self.drop1, self.drop2 = nn.Dropout(p), nn.Dropout(p), nn.Dropout(p)
        self.heads = heads

    def forward(self, x, mask):
        b, s, d = x.shape
        hd = d // self.heads
        q, k, v = (t(x).view(b, s, self.heads, hd).permute(0, 2, 1, 3) for t in (self.q, self.k, self.v))
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + mask
        w = self.attn_drop(F.softmax(w, dim=-1))
        y = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous().view(b, s, d)
        x = self.ln1(self.drop1(self.o(y)) + x)
        return self.ln2(self.drop2(self.out(F.gelu(self.fc(x)))) + x)


class BertLike(nn.Module):
    def __init__(self, vocab, seq_len, d, layers, heads, p, classes=4):
        super().__init__()
        self.word, self.pos, self.token_type = nn.Embedding(vocab, d), nn.Embedding(seq_len, d), nn.Embedding(2, d)
        self.ln, self.drop = nn.LayerNorm(d), nn.Dropout(p)
        self.layers = nn.ModuleList(_BertLayer(d, heads, p) for _ in range(layers))
        self.pooler, self.classifier = nn.Linear(d, d), nn.Linear(d, classes)

    def forward(self, idx):
        b, s = idx.shape
        x = self.word(idx) + self.pos(torch.arange(s).unsqueeze(0)) + self.token_type(torch.zeros_like(idx))
        x = self.drop(self.ln(x))
        mask = torch.zeros(b, 1, 1, s)  # an all-ones attention mask, extended as BertModel does
        for layer in self.layers:
            x = layer(x, mask)
        return self.classifier(torch.tanh(self.pooler(x[:, 0])))


BERT = dict(vocab=2048, seq_len=128, d=128, layers=2, heads=4, classes=4)


def bert_like(dropout=0.0, **sizes):
    c = {**BERT, **{k: v for k, v in sizes.items() if k in BERT and v is not None}}
    model = BertLike(c["vocab"], c["seq_len"], c["d"], c["layers"], c["heads"], dropout, c["classes"])

    def make_batch(batch_size):
        return torch.randint(0, c["vocab"], (batch_size, c["seq_len"])), torch.randint(0, c["classes"], (batch_size,))

    return model, make_batch, F.cross_entropy


def spec_bert_like(**sizes):
    c = {**BERT, **sizes}
    dims = dict(vocab=c["vocab"], n_positions=c["seq_len"], d_model=c["d"], n_layers=c["layers"], n_heads=c["heads"],
                d_ff=4 * c["d"], type_vocab=2, activation="gelu", num_classes=c["classes"])
    return ModelSpec("bert-like", "bert", 0, c["d"], c["layers"], c["heads"], c["heads"], 4 * c["d"], 0, c["seq_len"],
                     "gelu", "layernorm", "test", dims)


# ---------------------------------------------------------------------------------------------- LLaMA

class RMSNorm(nn.Module):
    """transformers LlamaRMSNorm, written out."""

    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        dtype = x.dtype
        x = x.to(torch.float32)
        variance = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + self.eps)
        return self.weight * x.to(dtype)


def _rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


class _LlamaLayer(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.gate, self.up, self.down = nn.Linear(d, ff, bias=False), nn.Linear(d, ff, bias=False), nn.Linear(ff, d, bias=False)
        self.n1, self.n2 = RMSNorm(d), RMSNorm(d)
        self.heads = heads

    def forward(self, x, cos, sin, mask):
        b, s, d = x.shape
        hd = d // self.heads
        h = self.n1(x)
        q, k, v = (t(h).view(b, s, self.heads, hd).transpose(1, 2) for t in (self.q, self.k, self.v))
        q, k = q * cos + _rotate_half(q) * sin, k * cos + _rotate_half(k) * sin
        w = torch.matmul(q, k.transpose(2, 3)) * hd ** -0.5 + mask
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        y = torch.matmul(w, v).transpose(1, 2).reshape(b, s, d)
        x = x + self.o(y)
        h = self.n2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class LlamaLike(nn.Module):
    def __init__(self, vocab, seq_len, d, layers, heads, ff):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(_LlamaLayer(d, heads, ff) for _ in range(layers))
        self.norm, self.head = RMSNorm(d), nn.Linear(d, vocab, bias=False)
        hd = d // heads
        inv = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        freqs = torch.outer(torch.arange(seq_len).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)
        self.register_buffer("mask", torch.full((seq_len, seq_len), float("-inf")).triu(1), persistent=False)

    def forward(self, idx):
        x = self.embed(idx)
        for layer in self.layers:
            x = layer(x, self.cos, self.sin, self.mask)
        return self.head(self.norm(x))


LLAMA = dict(vocab=2048, seq_len=128, d=128, layers=2, heads=4, ff=344)


def llama_like(**_):
    c = LLAMA
    return LlamaLike(c["vocab"], c["seq_len"], c["d"], c["layers"], c["heads"], c["ff"]), _lm_batch(c["vocab"], c["seq_len"]), _lm_loss


def spec_llama_like():
    c = LLAMA
    dims = dict(vocab=c["vocab"], d_model=c["d"], n_layers=c["layers"], n_heads=c["heads"], n_kv_heads=c["heads"],
                d_ff=c["ff"], n_positions=c["seq_len"], tied=False)
    return ModelSpec("llama-like", "llama", 0, c["d"], c["layers"], c["heads"], c["heads"], c["ff"], c["vocab"], c["seq_len"],
                     "swiglu", "rmsnorm", "test", dims)


# ---------------------------------------------------------------------------------------------- ResNet

class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin, width, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, width, 1, stride, bias=False), nn.BatchNorm2d(width))
                           if stride != 1 or cin != width else None)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, width * 4, 1, bias=False), nn.BatchNorm2d(width * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, width * 4, 1, stride, bias=False), nn.BatchNorm2d(width * 4))
                           if stride != 1 or cin != width * 4 else None)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)


class ResNetLike(nn.Module):
    def __init__(self, block, layers, classes=1000, base=64):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, base, 7, 2, 3, bias=False), nn.BatchNorm2d(base)
        self.relu, self.maxpool = nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)
        stages, cin = [], base
        for i, n in enumerate(layers):
            width = base * 2**i
            blocks = []
            for j in range(n):
                blocks.append(block(cin, width, 2 if (j == 0 and i > 0) else 1))
                cin = width * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(cin, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


RESNET = {"resnet18": (BasicBlock, [2, 2, 2, 2]), "resnet50": (Bottleneck, [3, 4, 6, 3])}


def resnet_like(depth="resnet18", image_size=64, classes=100, width=64, **_):
    block, layers = RESNET[depth]

    def make_batch(batch_size):
        return torch.randn(batch_size, 3, image_size, image_size), torch.randint(0, classes, (batch_size,))

    return ResNetLike(block, layers, classes, width), make_batch, F.cross_entropy


def spec_resnet_like(depth="resnet18", image_size=64, classes=100, width=64):
    blocks = RESNET[depth][1]
    dims = dict(blocks=blocks, block="basic" if depth == "resnet18" else "bottleneck", num_classes=classes, image_size=image_size,
                width=width)
    return ModelSpec(depth + "-like", "resnet", 0, source="test", dims=dims)


# ---------------------------------------------------------------------------------------------- ViT

class _ViTBlock(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attention = nn.MultiheadAttention(d, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Dropout(0.0), nn.Linear(ff, d), nn.Dropout(0.0))

    def forward(self, x):
        y = self.ln_1(x)
        y, _ = self.self_attention(y, y, y, need_weights=False)
        x = x + y
        return x + self.mlp(self.ln_2(x))


class ViTLike(nn.Module):
    def __init__(self, image_size, patch, d, layers, heads, ff, classes):
        super().__init__()
        self.conv_proj = nn.Conv2d(3, d, patch, patch)
        tokens = (image_size // patch) ** 2 + 1
        self.class_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embedding = nn.Parameter(torch.randn(1, tokens, d) * 0.02)
        self.layers = nn.ModuleList(_ViTBlock(d, heads, ff) for _ in range(layers))
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, classes)

    def forward(self, x):
        x = self.conv_proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embedding
        for layer in self.layers:
            x = layer(x)
        return self.head(self.ln(x)[:, 0])


VIT = dict(image_size=64, patch=8, d=128, layers=2, heads=4, ff=512, classes=100)


def vit_like(**_):
    c = VIT

    def make_batch(batch_size):
        return torch.randn(batch_size, 3, c["image_size"], c["image_size"]), torch.randint(0, c["classes"], (batch_size,))

    return ViTLike(c["image_size"], c["patch"], c["d"], c["layers"], c["heads"], c["ff"], c["classes"]), make_batch, F.cross_entropy


def spec_vit_like():
    c = VIT
    dims = dict(image_size=c["image_size"], patch=c["patch"], d_model=c["d"], n_layers=c["layers"], n_heads=c["heads"],
                d_ff=c["ff"], num_classes=c["classes"])
    tokens = (c["image_size"] // c["patch"]) ** 2 + 1
    return ModelSpec("vit-like", "vit", 0, c["d"], c["layers"], c["heads"], c["heads"], c["ff"], 0, tokens, "gelu", "layernorm", "test", dims)
