"""Model factories for `advisor estimate --model` (and the tests): the factory protocol in two small examples.

    advisor estimate --model tests.factories:tiny_gpt --batch 8
    advisor estimate --model tests.factories:small_cnn --batch 16 --format json

A factory returns (model, make_batch, loss_fn); keyword options (seq_len, ...) are passed through.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class _Block(nn.Module):
    def __init__(self, d: int, heads: int, attention: str):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.heads, self.attention = heads, attention

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = (t.view(b, s, self.heads, d // self.heads).transpose(1, 2) for t in self.qkv(self.ln1(x)).split(d, dim=2))
        if self.attention == "sdpa":
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) / (d // self.heads) ** 0.5
            att = att.masked_fill(~torch.ones(s, s, dtype=torch.bool).tril(), float("-inf")).softmax(-1)
            y = att @ v
        x = x + self.proj(y.transpose(1, 2).reshape(b, s, d))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab=1000, seq_len=64, d=128, layers=2, heads=4, attention="eager"):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(seq_len, d)
        self.blocks = nn.ModuleList(_Block(d, heads, attention) for _ in range(layers))
        self.ln_f, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def tiny_gpt(seq_len: int = 64, vocab: int = 1000, d: int = 128, layers: int = 2, heads: int = 4, attention: str = "eager"):
    model = TinyGPT(vocab, seq_len, d, layers, heads, attention)

    def make_batch(batch_size):
        idx = torch.randint(0, vocab, (batch_size, seq_len))
        return idx, torch.randint(0, vocab, (batch_size, seq_len))

    def loss_fn(logits, targets):
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))

    return model, make_batch, loss_fn


def gpt_25m(seq_len: int = 256, attention: str = "eager"):
    """About the size of the knowledge note's experiment (~23M parameters): for the tracing benchmark."""
    return tiny_gpt(seq_len=seq_len, vocab=10000, d=512, layers=4, heads=8, attention=attention)


def small_cnn(image_size: int = 64, classes: int = 10):
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Linear(64, classes))

    def make_batch(batch_size):
        return torch.randn(batch_size, 3, image_size, image_size), torch.randint(0, classes, (batch_size,))

    return model, make_batch, F.cross_entropy


def data_dependent():
    """A model FakeTensorMode cannot trace (its forward depends on tensor values)."""
    class Gate(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(8, 8)

        def forward(self, x):
            n = int((x > 0).sum().item())  # data-dependent
            return self.lin(x)[:, : max(n, 1)].sum(dim=1)

    return Gate(), lambda b: (torch.randn(b, 8), torch.randn(b)), F.mse_loss


def wrong_shape():
    return nn.Linear(2, 2)


def fails_at_large_batch():
    """Trains normally up to batch 4, then raises an error that is not an OOM."""
    model, make_batch, loss_fn = tiny_gpt()

    def checked(idx):
        if idx.shape[0] > 4:
            raise ValueError("this model only accepts batches up to 4")
        return TinyGPT.forward(model, idx)

    model.forward = checked
    return model, make_batch, loss_fn


class FakeClock:
    """A clock the test controls: `ticking_loader` advances it by `tick` seconds per batch it yields."""

    def __init__(self):
        self.now = 0.0
        self.tick = 0.0

    def __call__(self):
        return self.now


CLOCK = FakeClock()


def ticking_loader(batch_size):
    """A data loader whose fetch time is whatever the test says (CLOCK.tick per batch), not the machine's speed."""
    def batches():
        while True:
            CLOCK.now += CLOCK.tick
            yield torch.randint(0, 1000, (batch_size, 64)), torch.randint(0, 1000, (batch_size, 64))

    return batches()


def broken_loader(batch_size):
    def batches():
        yield torch.zeros(batch_size, 64, dtype=torch.long), torch.zeros(batch_size, 64, dtype=torch.long)
        raise OSError("the dataset shard is missing")

    return batches()


def not_iterable_loader(batch_size):
    return 42


def make_batch_fails_after_search():
    """tiny_gpt whose make_batch raises once the search is over (FAIL_MAKE_BATCH set by the test)."""
    model, make_batch, loss_fn = tiny_gpt()

    def flaky(batch):
        if FAIL_MAKE_BATCH:
            raise KeyError("sample 1234 is missing")
        return make_batch(batch)

    return model, flaky, loss_fn


FAIL_MAKE_BATCH = False


def noisy_factory():
    """Prints to stdout (Python and file-descriptor level) before failing: stdout must stay clean."""
    import os

    print("noise from the factory")
    os.write(1, b"fd-level noise\n")
    raise RuntimeError("no GPU weights here")
