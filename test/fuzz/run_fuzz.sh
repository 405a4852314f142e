#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run a libFuzzer target for a bounded time over a fresh copy of its seed
# corpus (the source tree is never written to).
# usage: run_fuzz.sh FUZZER SEED_CORPUS_DIR WORK_DIR SECONDS
set -eu
fuzzer=$1
seeds=$2
work=$3
secs=$4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$seeds" ]; then
	cp -R "$seeds"/. "$work/corpus/"
fi
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
	"$work/corpus"
