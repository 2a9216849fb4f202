#!/usr/bin/env bash
# Times crm beside its floors at each pipeline size given (default 1,000,
# 10,000, 100,000 and 300,000 leads) and prints one markdown table: every
# row with its time, its peak memory, its floor and the ratio, and the
# change from the last table (docs/bench-scale.tsv), flagged when a row is
# more than 15 % slower or 15 % larger.
#
#   bash scripts/bench-scale.sh [N ...]          # print the table
#   SAVE=1 bash scripts/bench-scale.sh [N ...]   # and keep it as the last
#
# Floors: scripts/floor (list leads/ and stat, or read, every file, one
# after the other) and scripts/startfloor (a Go program built the same way
# that prints one line). Times are hyperfine's mean of RUNS runs (default
# 3; 10 below 0.1 s), a process each, start-up included; "cold" drops the
# page cache before each run (drop_caches as root, else posix_fadvise on
# every lead file). Peak memory is /usr/bin/time's %M of one more run.
set -euo pipefail
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000 300000)
runs=${RUNS:-3}
cd "$(dirname "$0")/.."
repo=$PWD
last=$repo/docs/bench-scale.tsv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# crm is built static, as README says to install it (nothing in crm needs
# cgo; pflag links package net, whose cgo resolver would start every
# command through the dynamic loader), and the floors the same way.
export CGO_ENABLED=0
go build -o "$work/crm" .
go build -o "$work/floor" ./scripts/floor
go build -o "$work/startfloor" ./scripts/startfloor
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
export TZ=UTC CRM_NOW=2026-11-22T00:00:00Z CRM_BY=bench
unset CRM_NO_CACHE
crm="$work/crm"

drop() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then
    echo 3 >/proc/sys/vm/drop_caches
  else
    "$work/floor" evict "$1" >/dev/null
  fi
}
export -f drop
export work

# time NAME PREP CMD: hyperfine's mean (seconds) of CMD, each run after
# the shell command PREP; sets t. CMD runs in a shell when it uses $RANDOM.
time_of() {
  local prep=$2 cmd=$3 shell=(-N) n=$runs
  [[ $cmd == *RANDOM* ]] && shell=()
  hyperfine "${shell[@]}" -r 2 -w 1 --export-json "$work/probe.json" "$cmd" >/dev/null 2>&1 || true
  if awk -v m="$(jq -r '.results[0].mean' "$work/probe.json" 2>/dev/null || echo 1)" 'BEGIN { exit !(m < 0.1) }'; then n=10; fi
  local prepare=()
  [ "$prep" = : ] || prepare=(--prepare "bash -c '$prep'")
  hyperfine "${shell[@]}" -r "$n" -w 1 "${prepare[@]}" --export-json "$work/t.json" "$cmd" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  t=$(jq -r '.results[0].mean' "$work/t.json")
}
# rss CMD: peak RSS (MB) of one run of CMD.
rss_of() {
  bash -c "/usr/bin/time -f %M -o $work/rss $1" >/dev/null 2>&1 || true
  m=$(( $(tail -1 "$work/rss") / 1024 ))
}

printf '%s cores, %s, %s, load %s, %s\n\n' "$(nproc)" "$(uname -sr)" "$(go version | cut -d' ' -f3)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%Y-%m-%d)"
echo "| leads | work | time | peak RSS | floor | ratio | last time, RSS |"
echo "|---|---|---|---|---|---|---|"
: >"$work/now.tsv"
row() { # N NAME PREP CMD FLOORNAME FLOOR
  local n=$1 name=$2 prep=$3 cmd=$4 fname=$5 floor=$6
  time_of "$name" "$prep" "$cmd"
  eval "$prep" >/dev/null 2>&1 || true
  rss_of "$cmd"
  local ratio="" prev="" flag=""
  [ -n "$floor" ] && ratio=$(awk -v a="$t" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')
  if [ -f "$last" ]; then
    prev=$(awk -F'\t' -v n="$n" -v w="$name" '$1 == n && $2 == w { printf "%.3f s, %d MB", $3, $4; if ($3 > 0 && '"$t"' > $3 * 1.15) printf " (slower)"; if ($4 > 0 && '"$m"' > $4 * 1.15) printf " (larger)" }' "$last")
  fi
  printf '| %s | %s | %.3f s | %d MB | %s | %s | %s |\n' "$n" "$name" "$t" "$m" "${fname:+$fname $(printf '%.3f s' "$floor")}" "$ratio" "$prev"
  printf '%s\t%s\t%s\t%s\n' "$n" "$name" "$t" "$m" >>"$work/now.tsv"
}

time_of startfloor : "$work/startfloor"; start=$t
row - "crm --version" : "$crm --version" "start-up floor" "$start"
for n in "${sizes[@]}"; do
  p="$work/p$n"
  bash scripts/gen-pipeline.sh "$n" "$p" "$crm"
  time_of stat : "$work/floor stat $p"; stat=$t
  time_of read : "$work/floor read $p"; read=$t
  time_of cold "drop $p" "$work/floor stat $p"; coldstat=$t
  "$crm" -C "$p" report >/dev/null # writes the cache
  "$crm" -C "$p" lead show lead-000000 >/dev/null # and the names file
  row "$n" "lead show FULL-ID" : "$crm -C $p lead show lead-000500" "start-up floor" "$start"
  "$crm" -C "$p" lead add Zebra --quiet >/dev/null
  row "$n" "lead show PREFIX (zebra)" : "$crm -C $p lead show zebra" "start-up floor" "$start"
  row "$n" "lead add" : "$crm -C $p lead add \"Added \$RANDOM\$RANDOM\" --quiet" "start-up floor" "$start"
  row "$n" "lead log" : "$crm -C $p lead log lead-000501 'a call'" "start-up floor" "$start"
  "$crm" -C "$p" report >/dev/null
  row "$n" "report, warm" : "$crm -C $p report" "stat" "$stat"
  row "$n" "report, cold page cache" "drop $p" "$crm -C $p report" "stat, cold" "$coldstat"
  row "$n" "report --no-cache" : "$crm -C $p report --no-cache" "read" "$read"
  row "$n" "report, a fresh clone (no cache)" "rm -rf $p/.crm/cache" "$crm -C $p report" "read" "$read"
  "$crm" -C "$p" report >/dev/null
  row "$n" "lead list" : "$crm -C $p lead list" "read" "$read"
  row "$n" "lead list --format csv" : "$crm -C $p lead list --format csv" "read" "$read"
  row "$n" "today" : "$crm -C $p today" "stat" "$stat"
  row "$n" "activity" : "$crm -C $p activity" "read" "$read"
  rm -rf "$p"
done
if [ -n "${SAVE:-}" ]; then
  cp "$work/now.tsv" "$last"
  echo
  echo "kept as the last table: $last"
fi
