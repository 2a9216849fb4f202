#!/usr/bin/env bash
# Times crm import: the maven data set (8,800 rows, three times, beside the
# floor of creating as many files) and a generated file of N rows (default
# 100,000) in the data set's shape, each into a fresh pipeline, with peak
# memory.
#
#   bash scripts/bench-import.sh [N]
set -euo pipefail
n=${1:-100000}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/crm" .
export TZ=UTC CRM_NOW=2026-11-22T00:00:00Z CRM_BY=bench
go build -o "$work/floor" ./scripts/floor
# The maven data set three times, each into a new pipeline, beside the
# floor: creating as many files of the same mean size, flushed once. No
# file is deleted until the end: on this machine's ext4 (mounted with
# discard), creating files just after deleting thousands takes ten times
# the kernel time (openat 45 us a call becomes 526 us), which a first run
# would otherwise hand on to the next.
for i in 1 2 3; do
  "$work/floor" create "$work/floor$i" 8800 456
  "$work/crm" init "$work/maven$i" --steps Prospecting,Engaging --currency USD --optional-lost-reason >/dev/null
  /usr/bin/time -f "maven data set (8,800 rows): %e s, %M KiB" "$work/crm" -C "$work/maven$i" import "$PWD/../shared/data/maven-crm/sales_pipeline.csv" --preset maven >/dev/null
done
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
# Wide rows: N rows of 2 KB (200 MB at 100,000), a note column of 1,950
# bytes kept as a custom key: the file is streamed, never held.
awk -v n="$n" 'BEGIN {
  pad = ""; for (i = 0; i < 1950; i++) pad = pad "x"
  print "id,title,company,contact_email,value,notes"
  for (i = 0; i < n; i++) printf "R%06d,Deal %d,Company %d,p%d@c%d.example,%d,%s\n", i, i, i % 500, i, i % 500, 1000 + i % 9000, pad
}' > "$work/wide.csv"
ls -l "$work/wide.csv" | awk '{ printf "wide file: %d bytes\n", $5 }'
"$work/crm" init "$work/wide" --steps A,B >/dev/null
/usr/bin/time -f "wide file ($n rows of 2 KB): %e s, %M KiB" "$work/crm" -C "$work/wide" import "$work/wide.csv"
/usr/bin/time -f "the wide file again (all unchanged): %e s, %M KiB" "$work/crm" -C "$work/wide" import "$work/wide.csv"
