#!/usr/bin/env python3
"""Which epoch does `lstmfc train` keep, and is it right to?

Trains one model per configuration on each CSV in the shared data folder
(and, as controls, on train's synthetic long-memory series, which has a
dependency to learn, and its geometric random walk, which has none), and
prints per run: the epoch kept and the epochs run, the training loss of
epoch 1 and of the last epoch (scaled units: always predicting no change
scores about 1), how much the validation loss moved from epoch 1 to the best
epoch against how much it wandered from epoch to epoch, and the model's RMSE
over the naive forecast's on the validation and test spans (below 1 beats
naive).

    go build -o /tmp/lstmfc ./cmd/lstmfc
    scripts/best-epochs.py [--binary /tmp/lstmfc] [--data ../shared/data] [--jobs 2] [CONFIG ...]

A CONFIG is a quoted set of train flags, e.g. "--patience 0" or "--lr 3e-3";
the empty string is the defaults.
"""
import argparse
import concurrent.futures as cf
import glob
import json
import os
import re
import statistics
import subprocess
import tempfile

CANDIDATES = ["", "--patience 0", "--val-split 0.2", "--lr 3e-4", "--lr 3e-3", "--seed 2", "--seed 3"]
EPOCH = re.compile(r"^epoch (\d+)/\d+\s+loss (\S+)\s+val (\S+)")


def train(binary, source, flags, tmp):
    model = os.path.join(tmp, f"{abs(hash((source, flags)))}.bin")
    args = [binary, "train", "--json", "--model", model, *flags.split()]
    if source in ("longmemory", "geometric"):
        args += ["--synthetic", source, "--length", "5000"]
    else:
        args.append(source)
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        return source, flags, None, out.stderr.strip().splitlines()[-1:]
    curve = [(int(m[1]), float(m[2]), float(m[3]))
             for m in (EPOCH.match(line) for line in out.stderr.splitlines()) if m]
    return source, flags, json.loads(out.stdout), curve


def ratio(span):
    return span["lstm"]["rmse"] / span["naive"]["rmse"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--binary", default=os.path.join(here, "..", "lstmfc"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("configs", nargs="*", default=CANDIDATES)
    a = ap.parse_args()
    sources = sorted(glob.glob(os.path.join(a.data, "*.csv"))) + ["longmemory", "geometric"]
    with tempfile.TemporaryDirectory() as tmp, cf.ThreadPoolExecutor(a.jobs) as pool:
        runs = [pool.submit(train, a.binary, s, c, tmp) for c in a.configs for s in sources]
        print("| config | series | kept / run | train loss 1 → last | val gain to best | val wander | val RMSE/naive | test RMSE/naive |")
        print("|---|---|---|---|---|---|---|---|")
        for r in runs:
            source, flags, rep, curve = r.result()
            name = os.path.basename(source).removesuffix(".csv")
            if rep is None:
                print(f"| {flags or 'defaults'} | {name} | failed: {curve} |")
                continue
            val = [v for _, _, v in curve]
            # The gain is how far the kept epoch's validation loss fell below
            # epoch 1's; the wander is the median step between consecutive
            # epochs, the noise any gain has to stand out from.
            gain = (val[0] - min(val)) / val[0]
            wander = statistics.median(abs(b - c) for b, c in zip(val, val[1:])) / val[0] if len(val) > 1 else 0
            print(f"| {flags or 'defaults'} | {name} | {rep['best_epoch']} / {len(curve)} "
                  f"| {curve[0][1]:.3f} → {curve[-1][1]:.3f} | {gain:.1%} | {wander:.1%} "
                  f"| {ratio(rep['validation']):.4f} | {ratio(rep['test']):.4f} |", flush=True)


if __name__ == "__main__":
    main()
