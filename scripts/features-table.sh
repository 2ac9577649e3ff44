#!/usr/bin/env bash
# features-table.sh: walk-forward backtests of the shared OHLCV files with
# and without --features, printed as a markdown table (the README's
# evidence for the default feature set).
#
# Budget, to run in minutes on two cores: 2 folds over the last half of
# each file, at most $EPOCHS epochs (default 10, with train's early
# stopping), the default network and lookback otherwise, one seed. Enough
# to see whether a feature set moves the error off the naive forecast's,
# not to rank sets that differ by a few tenths of a percent.
#
# Usage: scripts/features-table.sh [lstmfc binary]   (default: built here)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-}
if [[ -z $bin ]]; then
	bin=$(mktemp -d)/lstmfc
	go build -o "$bin" ./cmd/lstmfc
fi
data=../shared/data
epochs=${EPOCHS:-10}
ohlcv="none;range,gap;logvolume,volchange;dow,month;range,gap,logvolume,dow"
ohlc="none;range,gap;dow,month;range,gap,dow"
# Each file with the feature sets its columns allow: VIX has no volume.
runs=("YHOO.csv|$ohlcv" "sp500-2000.csv|$ohlcv" "tesla-stock-price.csv|$ohlcv" "vix-daily.csv|$ohlc")
echo "| file | features | RMSE / naive | MASE (naive's) | verdict |"
echo "|---|---|---:|---:|---|"
for run in "${runs[@]}"; do
	file=${run%%|*}
	IFS=';' read -ra sets <<<"${run#*|}"
	for fs in "${sets[@]}"; do
		args=(backtest --quiet --json --folds 2 --epochs "$epochs")
		[[ $fs != none ]] && args+=(--features "$fs")
		"$bin" "${args[@]}" "$data/$file" | jq -r --arg file "$file" --arg fs "$fs" '
			.overall as $o | ($o.lstm.rmse / $o.naive.rmse) as $r |
			def r3: . * 1000 | round / 1000;
			"| \($file) | \($fs) | \($r | r3) | \($o.lstm.mase | r3) (\($o.naive.mase | r3)) | \(
				if $r < 0.995 then "beats naive" elif $r <= 1.005 then "ties naive" else "worse than naive" end) |"'
	done
done
