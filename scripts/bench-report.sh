#!/usr/bin/env bash
# Times the whole `crm report` (read, parse, compute, print) on a generated
# pipeline of N leads (default 100,000), with its peak memory.
#
#   bash scripts/bench-report.sh [N]
set -euo pipefail
n=${1:-100000}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/crm" .
bash scripts/gen-pipeline.sh "$n" "$work/p" "$work/crm"
export TZ=UTC CRM_NOW=2026-11-22T00:00:00Z
echo "pipeline of $n leads, $(nproc) cores; wall time and peak RSS of 3 runs each"
for args in "report" "report --format json" "report --by month" "report --by owner --period 2026"; do
  for i in 1 2 3; do
    /usr/bin/time -f "crm $args: %e s, %M KiB" "$work/crm" -C "$work/p" $args >/dev/null
  done
done
