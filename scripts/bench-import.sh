#!/usr/bin/env bash
# Times crm import: the maven data set (8,800 rows) and a generated file of
# N rows (default 100,000) in the data set's shape, each into a fresh
# pipeline, with peak memory.
#
#   bash scripts/bench-import.sh [N]
set -euo pipefail
n=${1:-100000}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/crm" .
export TZ=UTC CRM_NOW=2026-11-22T00:00:00Z CRM_BY=bench
"$work/crm" init "$work/maven" --steps Prospecting,Engaging --currency USD --optional-lost-reason >/dev/null
/usr/bin/time -f "maven data set (8,800 rows): %e s, %M KiB" "$work/crm" -C "$work/maven" import "$PWD/../shared/data/maven-crm/sales_pipeline.csv" --preset maven
awk -v n="$n" 'BEGIN {
  srand(7)
  split("Prospecting,Engaging,Won,Lost", stages, ",")
  print "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
  for (i = 0; i < n; i++) {
    s = stages[1 + int(rand() * 4)]; m = 1 + int(rand() * 12); d = 1 + int(rand() * 28)
    eng = (s == "Prospecting") ? "" : sprintf("%d/%d/2017", m, d)
    cl = (s == "Won" || s == "Lost") ? sprintf("%d/%d/2018", m, d) : ""
    v = (s == "Won") ? int(rand() * 5000) : ((s == "Lost") ? 0 : "")
    printf "G%07d,Agent %d,Product %d,Account %d,%s,%s,%s,%s\n", i, i % 35, i % 7, i % 85, s, eng, cl, v
  }
}' > "$work/big.csv"
"$work/crm" init "$work/big" --steps Prospecting,Engaging --currency USD --optional-lost-reason >/dev/null
/usr/bin/time -f "generated file ($n rows): %e s, %M KiB" "$work/crm" -C "$work/big" import "$work/big.csv" --preset maven
/usr/bin/time -f "the same file again (all unchanged): %e s, %M KiB" "$work/crm" -C "$work/big" import "$work/big.csv" --preset maven
