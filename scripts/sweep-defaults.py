#!/usr/bin/env python3
"""Walk-forward backtests of candidate defaults over every price file.

Runs `lstmfc backtest --json` for each configuration on each CSV in the
shared data folder and prints, per configuration, the overall MASE of each
file, their median, and the median LSTM/naive RMSE ratio. The defaults of
`lstmfc train` are the configuration with the lowest median MASE whose
training fits in about a minute per file.

    go build -o lstmfc ./cmd/lstmfc
    scripts/sweep-defaults.py [--data ../shared/data] [--folds 3] [--jobs 2] [CONFIG ...]

A CONFIG is a quoted set of flags, e.g. "--target return --lookback 20".
"""
import argparse
import concurrent.futures as cf
import glob
import json
import os
import statistics
import subprocess
import sys
import time

CANDIDATES = [
    "--target price",
    "--target return",
    "--target delta",
]


def backtest(binary, csv, flags, folds):
    t0 = time.time()
    out = subprocess.run(
        [binary, "backtest", "--json", "--quiet", "--folds", str(folds), *flags.split(), csv],
        capture_output=True, text=True)
    if out.returncode != 0:
        return csv, flags, None, out.stderr.strip(), time.time() - t0
    return csv, flags, json.loads(out.stdout), "", time.time() - t0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--binary", default=os.path.join(here, "..", "lstmfc"))
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("configs", nargs="*", default=CANDIDATES)
    a = ap.parse_args()
    files = sorted(glob.glob(os.path.join(a.data, "*.csv")))
    if not files:
        sys.exit(f"no CSV files in {a.data}")
    results = {}
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        jobs = [ex.submit(backtest, a.binary, f, c, a.folds) for c in a.configs for f in files]
        for j in cf.as_completed(jobs):
            csv, flags, bt, err, secs = j.result()
            name = os.path.basename(csv)
            if bt is None:
                print(f"{flags:40s} {name:26s} FAILED: {err}", flush=True)
                continue
            o = bt["overall"]
            mase, ratio = o["lstm"]["mase"], o["lstm"]["rmse"] / o["naive"]["rmse"]
            cov = o.get("coverage", {})
            results.setdefault(flags, {})[name] = (mase, ratio, cov, secs)
            print(f"{flags:40s} {name:26s} MASE {mase:.3f} (naive {o['naive']['mase']:.3f}) "
                  f"RMSE/naive {ratio:.3f} coverage {cov} {secs:.0f}s", flush=True)
    print()
    print(f"{'configuration':40s} {'median MASE':>11s} {'median RMSE/naive':>17s} {'max s/fold':>10s}")
    for flags in a.configs:
        r = results.get(flags, {})
        if len(r) != len(files):
            print(f"{flags:40s} incomplete ({len(r)} of {len(files)} files)")
            continue
        m = statistics.median(v[0] for v in r.values())
        q = statistics.median(v[1] for v in r.values())
        s = max(v[3] for v in r.values()) / a.folds
        print(f"{flags:40s} {m:11.3f} {q:17.3f} {s:10.0f}")


if __name__ == "__main__":
    main()
