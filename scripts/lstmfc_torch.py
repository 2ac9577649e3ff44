#!/usr/bin/env python3
"""Reproduce `lstmfc predict` in PyTorch from an lstmfc model file.

The model file is read by hand (a safetensors file: 8 bytes of little-endian
header length, a JSON header, then the tensors), so nothing beyond torch and
numpy is needed. The README's section "The model file" documents every key
used here.

    python3 lstmfc_torch.py m.bin                    # the series stored in the model
    python3 lstmfc_torch.py m.bin --prices p.txt     # one price a line
    python3 lstmfc_torch.py m.bin --horizon 20

It prints `row,predicted,split` for every value of the series (row counted
from 0; predicted empty for the first `lookback` rows, which have no full
window; output 1 of a head of several) and then the forecast, one row per
step with split `forecast`: the `predicted` column of `lstmfc predict`. A
direct model of O outputs (the rows of `dense.weight`) forecasts O steps
from one window, each a cumulative move from the last known price, and
chains further blocks of O from the window that ends with them; a
recursive model (`strategy` `recursive`, or one output) feeds output 1 back.
A file with `skill_t` and `drift` adjusts every forecast it reports (the
network's own are fed back): at or below a t of 2.5 each is the last known
price, otherwise the mean validation move of its step is taken out.
"""

import argparse
import json
import math
import struct
import sys

import numpy as np
import torch

DTYPES = {"F64": "<f8", "F32": "<f4"}
CELLS = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


def read_safetensors(path):
    """Return the tensors (float64) and the metadata strings of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors = {}
    for name, h in header.items():
        begin, end = h["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=DTYPES[h["dtype"]]).reshape(h["shape"])
        tensors[name] = torch.from_numpy(arr.astype(np.float64))
    return tensors, meta


class Network(torch.nn.Module):
    """The stacked recurrent network: K layers of one cell, then a dense head
    on the last step's hidden state. Module names match the file's tensors,
    so load_state_dict takes them as they are."""

    def __init__(self, tensors):
        super().__init__()
        cell = next(c for c in CELLS if f"{c}1.weight_ih_l0" in tensors)
        gates = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
        self.names = []
        k = 1
        while f"{cell}{k}.weight_ih_l0" in tensors:
            w = tensors[f"{cell}{k}.weight_ih_l0"]
            name = f"{cell}{k}"
            setattr(self, name, CELLS[cell](w.shape[1], w.shape[0] // gates, batch_first=True, dtype=torch.float64))
            self.names.append(name)
            k += 1
        out, hidden = tensors["dense.weight"].shape
        self.dense = torch.nn.Linear(hidden, out, dtype=torch.float64)
        self.load_state_dict(tensors)

    def forward(self, x):  # x: batch × lookback × 1; returns batch × outputs
        for name in self.names:
            x, _ = getattr(self, name)(x)
        return self.dense(x[:, -1, :])


class Encoding:
    """How prices become the network's inputs and its output a price, from
    the metadata keys target, scaler_min, scaler_max and target_scale."""

    def __init__(self, meta):
        self.target = meta.get("target", "price")
        self.lo = float(meta["scaler_min"])
        self.hi = float(meta["scaler_max"])
        self.step = float(meta.get("target_scale", "nan"))

    def transform(self, p):
        return (p - self.lo) / (self.hi - self.lo)

    def inverse(self, z):
        return z * (self.hi - self.lo) + self.lo

    def encode(self, prices):
        """The model-space series z: scaled prices for price and delta; for
        return, each log return over the previous price in units of
        target_scale, with z[0] = 0 (no price before it)."""
        if self.target == "return":
            return [0.0] + [math.log(prices[i] / prices[i - 1]) / self.step for i in range(1, len(prices))]
        return [self.transform(p) for p in prices]

    def window(self, z, t, lookback):
        """The input predicting z[t]: z[t-lookback:t], for delta relative to
        its last value z[t-1]."""
        x = z[t - lookback : t]
        if self.target == "delta":
            x = [v - z[t - 1] for v in x]
        return x

    def price(self, prev, y):
        """The price that output y stands for, the last known price being prev."""
        if self.target == "return":
            return prev * math.exp(y * self.step)
        if self.target == "delta":
            return self.inverse(self.transform(prev) + y)
        return self.inverse(y)


class Moves:
    """The adjustment of the network's forecasts, from the metadata keys
    skill_t and drift; none when the file has neither."""

    def __init__(self, meta, target):
        self.target = target
        self.skill = float(meta["skill_t"]) if "skill_t" in meta else None
        self.drift = [float(d) for d in meta["drift"].split(":")] if "drift" in meta else []

    def adjust(self, last, raw, k):
        """The forecast reported for the network's forecast raw, k+1 steps past
        the last known price last."""
        if self.skill is None:
            return raw
        if not self.skill > 2.5:  # NaN included
            return last
        n = len(self.drift)
        d = self.drift[k] if k < n else self.drift[-1] * (k + 1) / n
        if self.target == "return":
            return last * math.exp(math.log(raw / last) - d)
        return last + ((raw - last) - d)


def predict(net, enc, moves, lookback, prices, horizon, block):
    """One-step predictions of every value (None for the first lookback rows),
    from output 1, and the forecast of horizon steps, block steps (outputs
    1..block) from each window."""
    z = enc.encode(prices)
    xs = [enc.window(z, t, lookback) for t in range(lookback, len(prices))]
    with torch.no_grad():
        ys = net(torch.tensor(xs, dtype=torch.float64).unsqueeze(-1))[:, 0].tolist() if xs else []
    one = [None] * lookback + [moves.adjust(prices[t - 1], enc.price(prices[t - 1], y), 0) for t, y in zip(range(lookback, len(prices)), ys)]
    # Each block is forecast from the window ending with the blocks before
    # it: only the last lookback + 1 prices matter (the window and, for
    # return, the price before it).
    ext = list(prices[-lookback - 1 :])
    origin = ext[-1]
    raw = []  # the network's own forecasts, fed back
    while len(raw) < horizon:
        zt = enc.encode(ext[-lookback - 1 :])
        x = enc.window(zt + [math.nan], len(zt), lookback)
        with torch.no_grad():
            y = net(torch.tensor([x], dtype=torch.float64).unsqueeze(-1))[0].tolist()
        last = ext[-1]  # every output is a cumulative move from it
        step = [enc.price(last, yk) for yk in y[: min(block, horizon - len(raw))]]
        raw += step
        ext += step
    return one, [moves.adjust(origin, v, k) for k, v in enumerate(raw)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--prices", help="file of prices, one a line; default: the series stored in the model")
    ap.add_argument("--horizon", type=int, default=10)
    args = ap.parse_args()
    tensors, meta = read_safetensors(args.model)
    if args.prices:
        with open(args.prices) as f:
            prices = [float(line) for line in f if line.strip()]
    elif "series" in meta:
        prices = json.loads(meta["series"])
    else:
        sys.exit(f"{args.model} holds no series; give --prices FILE")
    lookback = int(meta["lookback"])
    torch.set_num_threads(1)
    net = Network(tensors)
    block = 1 if meta.get("strategy") == "recursive" else net.dense.out_features
    enc = Encoding(meta)
    one, forecast = predict(net, enc, Moves(meta, enc.target), lookback, prices, args.horizon, block)
    out = ["row,predicted,split"]
    out += [f"{i},{'' if p is None else repr(p)},data" for i, p in enumerate(one)]
    out += [f"{len(prices) + h},{p!r},forecast" for h, p in enumerate(forecast)]
    print("\n".join(out))


if __name__ == "__main__":
    main()
