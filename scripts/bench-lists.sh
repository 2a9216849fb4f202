#!/usr/bin/env bash
# Times the targets of issues 26 and 28 on N rows and leads (default
# 100,000): a prospect list's import, list and mark of one row (target:
# list and mark under 0.3 s, import under 5 s), and crm board beside
# crm lead list --format csv (target: under 1.5 times). Needs hyperfine.
#
#   bash scripts/bench-lists.sh [N]
set -euo pipefail
n=${1:-100000}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/crm" .
export TZ=UTC CRM_NOW=2026-12-01T10:00:00Z CRM_BY=bench
crm() { "$work/crm" "$@"; }

# A fair's list: 8 columns of its own, a quoted note with a comma.
mkdir -p "$work/lists/leads"
printf 'name: lists\ncurrency: EUR\nsteps: [New, Engaging]\n' >"$work/lists/pipeline.yaml"
awk -v n="$n" 'BEGIN {
  print "Company,First name,Last name,E-mail,Phone,Job title,Stand,Notes"
  for (i = 0; i < n; i++)
    printf "Firm %d,Person%d,Name%d,p%d@firm%d.example,+33 1 %08d,CTO,S%d,\"met on day %d, wants a call\"\n", i, i % 997, i % 1009, i, i, i, i % 300, i % 3
}' >"$work/fair.csv"
/usr/bin/time -f "prospects import ($n rows): %e s, %M KiB" "$work/crm" -C "$work/lists" prospects import "$work/fair.csv" --list big >/dev/null
hyperfine -N -w 2 -r 15 \
  "$work/crm -C $work/lists prospects list big --limit 20" \
  "$work/crm -C $work/lists prospects mark big @$((n / 2)) contacted"

# The board beside the listing it reads as.
bash scripts/gen-pipeline.sh "$n" "$work/board" "$work/crm"
crm -C "$work/board" lead list --format csv >/dev/null # the cache
hyperfine -N -w 2 -r 8 \
  "$work/crm -C $work/board lead list --format csv" \
  "$work/crm -C $work/board board --width 200"
uptime
