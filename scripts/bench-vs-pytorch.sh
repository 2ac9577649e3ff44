#!/usr/bin/env bash
# Throughput of lstmfc's engine against PyTorch on the tutorial's model, for
# each cell (LSTM, GRU, plain RNN).
#
# Runs the Go benchmarks BenchmarkTrain{,GRU,RNN}/batch=1, .../batch=32 and
# BenchmarkPredict{,GRU,RNN}/batch=256 and, when PyTorch is installed, the
# same workloads in ../shared/bench/bench.py --cell lstm|gru|rnn (float32 and
# float64, one thread, OpenBLAS), alternating the two ROUNDS times so that
# both see the same load on a shared machine. Prints the median samples/s of
# each, the ratio to PyTorch's best configuration of the same cell against
# the goal (20x at training batch 1, 3x at batch 32), and the fraction of the
# machine's float64 matrix-multiply peak each reaches. The whole run (load,
# train one epoch, predict) is the LSTM's, as seed_model.py runs the LSTM.
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
# LSTM FLOPs per sample; a GRU has 3 of the LSTM's 4 gate blocks and a
# plain RNN 1, and the matrix products scale with them.
train_mflop=10.81
infer_mflop=3.62
# cells lists "name go-suffix gate-blocks" for each cell.
cells="lstm - 4
gru GRU 3
rnn RNN 1"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

have_torch=0
if [ -n "$bench_dir" ] && [ -f "$bench_dir/bench.py" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	have_torch=1
	if [ ! -d /usr/lib/x86_64-linux-gnu/openblas-openmp ]; then
		# Without it PyTorch's products fall to the reference BLAS, 3-4x
		# slower, and every ratio below would flatter lstmfc.
		echo "bench-vs-pytorch: warning: /usr/lib/x86_64-linux-gnu/openblas-openmp missing (apt-get install libopenblas0-openmp): PyTorch runs on the reference BLAS and the ratios are not comparable" >&2
	fi
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
		-test.bench '^Benchmark(Train|Predict)' \
		-test.benchtime "$benchtime" -test.count 1) |
		awk '/samples\/s/ { n = $1; sub(/-[0-9]+$/, "", n); for (i = 2; i < NF; i++) if ($(i+1) == "samples/s") print n, $i }' \
			>>"$work/go.txt"
}

# py_run appends "cell mode batch dtype samples/s" for one bench.py
# measurement.
py_run() {
	local cell=$1 mode=$2 batch=$3 dtype=$4 out
	out=$(cd "$bench_dir" && LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=1 \
		/usr/bin/python3 bench.py "$mode" --cell "$cell" --batch "$batch" --dtype "$dtype" --threads 1 \
		--min-time "$py_min_time" --repeats 1 2>/dev/null)
	echo "$cell $mode $batch $dtype $(echo "$out" | grep -o '"median_samples_per_s": [0-9.e+-]*' | awk '{print $2}')" >>"$work/py.txt"
}

touch "$work/go.txt" "$work/py.txt" "$work/whole.txt"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq "$rounds"); do
	echo "round $r of $rounds: lstmfc" >&2
	go_round
	whole_run
	if [ "$have_torch" = 1 ]; then
		echo "round $r of $rounds: PyTorch" >&2
		while read -r cell _ _; do
			for dtype in f32 f64; do
				py_run "$cell" train 1 "$dtype"
				py_run "$cell" train 32 "$dtype"
				py_run "$cell" infer 256 "$dtype"
			done
		done <<<"$cells"
	fi
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2] + v[NR/2+1]) / 2 }'; }

printf '%-22s %10s %10s %10s %8s %6s %5s %10s %9s\n' workload lstmfc torch-f32 torch-f64 ratio goal met "lstmfc/pk" "torch/pk"
while read -r cell suffix gates; do
	[ "$suffix" != - ] || suffix=
	for spec in "Train$suffix/batch=1 train 1 $train_mflop 20" "Train$suffix/batch=32 train 32 $train_mflop 3" "Predict$suffix/batch=256 infer 256 $infer_mflop -"; do
		read -r name mode batch mflop goal <<<"$spec"
		go_med=$(awk -v n="Benchmark$name" '$1 == n { print $2 }' "$work/go.txt" | median)
		f32=$(awk -v c="$cell" -v m="$mode" -v b="$batch" '$1 == c && $2 == m && $3 == b && $4 == "f32" { print $5 }' "$work/py.txt" | median)
		f64=$(awk -v c="$cell" -v m="$mode" -v b="$batch" '$1 == c && $2 == m && $3 == b && $4 == "f64" { print $5 }' "$work/py.txt" | median)
		awk -v name="$cell $mode/b=$batch" -v g="$go_med" -v f32="$f32" -v f64="$f64" -v mf="$mflop" -v gates="$gates" \
			-v goal="$goal" -v p1="$peak1" -v p2="$peak2" 'BEGIN {
			mf = mf * gates / 4
			best = (f32 == "nan") ? "nan" : (f64 != "nan" && f64 + 0 > f32 + 0 ? f64 : f32)
			ratio = (best == "nan") ? "-" : sprintf("%.2fx", g / best)
			met = (best == "nan" || goal == "-") ? "-" : (g / best >= goal ? "yes" : "no")
			tpk = (best == "nan") ? "-" : sprintf("%.1f%%", 100 * best * mf / 1000 / p1)
			printf "%-22s %10.0f %10.0f %10.0f %8s %6s %5s %9.1f%% %9s\n", name, g, f32, f64, ratio, (goal == "-" ? "-" : goal "x"), met, 100 * g * mf / 1000 / p2, tpk
		}'
	done
done <<<"$cells"
echo
printf '%-18s %12s %12s\n' "whole run" "seconds" "peak RSS MiB"
for who in lstmfc torch; do
	secs=$(awk -v w="$who" '$1 == w { print $2 }' "$work/whole.txt" | median)
	kib=$(awk -v w="$who" '$1 == w { print $3 }' "$work/whole.txt" | median)
	[ "$secs" = nan ] || awk -v w="$who" -v s="$secs" -v k="$kib" 'BEGIN { printf "%-18s %12.2f %12.1f\n", w, s, k / 1024 }'
done
lw=$(awk '$1 == "lstmfc" { print $2 }' "$work/whole.txt" | median)
tw=$(awk '$1 == "torch" { print $2 }' "$work/whole.txt" | median)
[ "$lw" = nan ] || [ "$tw" = nan ] || awk -v l="$lw" -v t="$tw" 'BEGIN { r = t / l; printf "%-18s %11.2fx goal 4x, met: %s\n", "ratio", r, (r >= 4 ? "yes" : "no") }'
cat <<EOF

samples/s and whole runs are medians of $rounds alternating rounds. ratio = lstmfc (float64, both cores) /
PyTorch's best of float32 and float64 on the same cell (one thread, OpenBLAS). pk = fraction of the float64
matrix-multiply peak: $peak2 GFLOP/s on two cores for lstmfc, $peak1 on one core for PyTorch
(two threads never helped it here), at $train_mflop MFLOP per training sample and $infer_mflop
per inference sample for the LSTM, 3/4 of that for the GRU and 1/4 for the RNN. A whole run
loads randomwalk_2000.csv, trains one epoch at batch 32 and predicts every window (lstmfc
train; seed_model.py run for PyTorch), both with the LSTM. The goals are 20x at training batch 1,
3x at batch 32 and 4x for the whole run. Load average (1, 5, 15 min) at the start:
$load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg).
EOF
