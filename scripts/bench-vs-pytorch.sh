#!/usr/bin/env bash
# Throughput of lstmfc's LSTM engine against PyTorch on the tutorial's model.
#
# Runs the Go benchmarks BenchmarkTrain/batch=1, BenchmarkTrain/batch=32 and
# BenchmarkPredict/batch=256 and, when PyTorch is installed, the same
# workloads in ../shared/bench/bench.py (float32 and float64, one thread,
# OpenBLAS), alternating the two ROUNDS times so that both see the same load
# on a shared machine. Prints the median samples/s of each, their ratio and
# the fraction of the machine's float64 matrix-multiply peak each reaches.
#
# It needs the shared bench directory (randomwalk_2000.csv, bench.py,
# seed_model.py): BENCH_DIR when set, else ../shared/bench next to the
# project, else ../../shared/bench (a git worktree one level down). Without
# it, it says so and measures the Go benchmarks alone.
#
# Environment: BENCH_DIR, ROUNDS (default 3), GO_BENCHTIME (default 2s),
# PY_MIN_TIME seconds per PyTorch run (default 5).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=
for d in ${BENCH_DIR:+"$BENCH_DIR"} "$root/../shared/bench" "$root/../../shared/bench"; do
	if [ -f "$d/randomwalk_2000.csv" ]; then
		bench_dir=$(cd "$d" && pwd)
		break
	fi
done
if [ -z "$bench_dir" ]; then
	echo "bench-vs-pytorch: no bench directory with randomwalk_2000.csv (looked in ${BENCH_DIR:+BENCH_DIR=$BENCH_DIR, }$root/../shared/bench and $root/../../shared/bench);" >&2
	echo "bench-vs-pytorch: set BENCH_DIR to the shared bench directory (randomwalk_2000.csv, bench.py, seed_model.py) to compare with PyTorch; measuring the Go benchmarks only" >&2
elif [ -n "${BENCH_DIR:-}" ] && [ "$bench_dir" != "$(cd "$BENCH_DIR" 2>/dev/null && pwd)" ]; then
	echo "bench-vs-pytorch: BENCH_DIR=$BENCH_DIR has no randomwalk_2000.csv; using $bench_dir" >&2
fi
rounds=${ROUNDS:-3}
benchtime=${GO_BENCHTIME:-2s}
py_min_time=${PY_MIN_TIME:-5}
# Machine constants from ../shared/bench/README.md.
peak1=40 # float64 GFLOP/s, one core
peak2=69 # float64 GFLOP/s, two cores
train_mflop=10.81
infer_mflop=3.62

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have_torch=0
if [ -n "$bench_dir" ] && [ -f "$bench_dir/bench.py" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	have_torch=1
elif [ -n "$bench_dir" ]; then
	echo "bench-vs-pytorch: PyTorch (apt-get install python3-torch) or $bench_dir/bench.py not found: measuring lstmfc only" >&2
fi

(cd "$root" && go test -c -o "$work/lstm.test" ./internal/lstm/)
(cd "$root" && go build -o "$work/lstmfc" ./cmd/lstmfc)

# whole_run appends "who seconds KiB" for one whole run of each on the
# workload's series: load the CSV, train one epoch at batch 32, predict
# every window.
whole_run() {
	[ -n "$bench_dir" ] || return 0
	/usr/bin/time -f "lstmfc %e %M" -a -o "$work/whole.txt" "$work/lstmfc" train --quiet \
		--epochs 1 --batch-size 32 --val-split 0 --test-split 0 --patience 0 --target price \
		--model "$work/m.bin" "$bench_dir/randomwalk_2000.csv" >/dev/null
	if [ "$have_torch" = 1 ]; then
		(cd "$bench_dir" && LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=1 \
			/usr/bin/time -f "torch %e %M" -a -o "$work/whole.txt" \
			/usr/bin/python3 seed_model.py run --csv randomwalk_2000.csv >/dev/null)
	fi
}

# go_round appends "name samples/s" lines for one run of each benchmark.
go_round() {
	(cd "$root/internal/lstm" && "$work/lstm.test" -test.run '^$' \
		-test.bench 'Train|Predict' \
		-test.benchtime "$benchtime" -test.count 1) |
		awk '/samples\/s/ { n = $1; sub(/-[0-9]+$/, "", n); for (i = 2; i < NF; i++) if ($(i+1) == "samples/s") print n, $i }' \
			>>"$work/go.txt"
}

# py_run appends "mode batch dtype samples/s" for one bench.py measurement.
py_run() {
	local mode=$1 batch=$2 dtype=$3 out
	out=$(cd "$bench_dir" && LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=1 \
		/usr/bin/python3 bench.py "$mode" --batch "$batch" --dtype "$dtype" --threads 1 \
		--min-time "$py_min_time" --repeats 1 2>/dev/null)
	echo "$mode $batch $dtype $(echo "$out" | grep -o '"median_samples_per_s": [0-9.e+-]*' | awk '{print $2}')" >>"$work/py.txt"
}

touch "$work/go.txt" "$work/py.txt" "$work/whole.txt"
for r in $(seq "$rounds"); do
	echo "round $r of $rounds: lstmfc" >&2
	go_round
	whole_run
	if [ "$have_torch" = 1 ]; then
		echo "round $r of $rounds: PyTorch" >&2
		for dtype in f32 f64; do
			py_run train 1 "$dtype"
			py_run train 32 "$dtype"
			py_run infer 256 "$dtype"
		done
	fi
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2] + v[NR/2+1]) / 2 }'; }

printf '%-18s %12s %12s %12s %7s %10s %10s\n' workload lstmfc torch-f32 torch-f64 ratio "lstmfc/pk" "torch/pk"
for spec in "Train/batch=1 train 1 $train_mflop" "Train/batch=32 train 32 $train_mflop" "Predict/batch=256 infer 256 $infer_mflop"; do
	read -r name mode batch mflop <<<"$spec"
	go_med=$(awk -v n="Benchmark$name" '$1 == n { print $2 }' "$work/go.txt" | median)
	f32=$(awk -v m="$mode" -v b="$batch" '$1 == m && $2 == b && $3 == "f32" { print $4 }' "$work/py.txt" | median)
	f64=$(awk -v m="$mode" -v b="$batch" '$1 == m && $2 == b && $3 == "f64" { print $4 }' "$work/py.txt" | median)
	awk -v name="$name" -v g="$go_med" -v f32="$f32" -v f64="$f64" -v mf="$mflop" -v p1="$peak1" -v p2="$peak2" 'BEGIN {
		best = (f32 == "nan") ? "nan" : (f64 != "nan" && f64 + 0 > f32 + 0 ? f64 : f32)
		ratio = (best == "nan") ? "-" : sprintf("%.2fx", g / best)
		tpk = (best == "nan") ? "-" : sprintf("%.1f%%", 100 * best * mf / 1000 / p1)
		printf "%-18s %12.0f %12.0f %12.0f %7s %9.1f%% %10s\n", name, g, f32, f64, ratio, 100 * g * mf / 1000 / p2, tpk
	}'
done
echo
printf '%-18s %12s %12s\n' "whole run" "seconds" "peak RSS MiB"
for who in lstmfc torch; do
	secs=$(awk -v w="$who" '$1 == w { print $2 }' "$work/whole.txt" | median)
	kib=$(awk -v w="$who" '$1 == w { print $3 }' "$work/whole.txt" | median)
	[ "$secs" = nan ] || awk -v w="$who" -v s="$secs" -v k="$kib" 'BEGIN { printf "%-18s %12.2f %12.1f\n", w, s, k / 1024 }'
done
cat <<EOF

samples/s and whole runs are medians of $rounds alternating rounds. ratio = lstmfc (float64, both cores) /
PyTorch's best of float32 and float64 (one thread, OpenBLAS). pk = fraction of the float64
matrix-multiply peak: $peak2 GFLOP/s on two cores for lstmfc, $peak1 on one core for PyTorch
(two threads never helped it here), at $train_mflop MFLOP per training sample and $infer_mflop
per inference sample. A whole run loads randomwalk_2000.csv, trains one epoch at batch 32
and predicts every window (lstmfc train; seed_model.py run for PyTorch).
EOF
