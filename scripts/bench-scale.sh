#!/usr/bin/env bash
# Times crm against the floor at each pipeline size given (default 1,000,
# 10,000, 100,000 and 300,000 leads), in one run, and prints the ratios the
# targets of docs/performance.md are set in. The floor is scripts/floor, a
# small Go program that lists leads/ and stats (or reads) every lead file.
#
#   bash scripts/bench-scale.sh [N ...]
#
# Each figure is the best wall time of 3 runs (a process each, start-up
# included) with the largest peak RSS of the 3. "cold" runs drop the page
# cache first (drop_caches as root, else posix_fadvise on every lead file).
set -euo pipefail
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000 300000)
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/crm" .
go build -o "$work/floor" ./scripts/floor
export TZ=UTC CRM_NOW=2026-11-22T00:00:00Z CRM_BY=bench
unset CRM_NO_CACHE

drop() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then
    echo 3 >/proc/sys/vm/drop_caches
  else
    "$work/floor" evict "$1" >/dev/null
  fi
}

# measure NAME RUNS PREP CMD...: best wall time and largest RSS of RUNS
# runs of CMD, each after the shell command PREP; sets t and m.
measure() {
  local name=$1 runs=$2 prep=$3
  shift 3
  t= m=0
  for _ in $(seq "$runs"); do
    eval "$prep"
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    read -r s k <"$work/time"
    if [ -z "$t" ] || awk -v a="$s" -v b="$t" 'BEGIN { exit !(a < b) }'; then t=$s; fi
    [ "$k" -gt "$m" ] && m=$k
  done
  printf '  %-44s %7.2f s %6d MB\n' "$name" "$t" $((m / 1024))
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

echo "$(nproc) cores, $(uname -sr), $(go version | cut -d' ' -f3)"
for n in "${sizes[@]}"; do
  p="$work/p$n"
  bash scripts/gen-pipeline.sh "$n" "$p" "$work/crm"
  crm() { "$work/crm" -C "$p" "$@"; }
  echo
  echo "== $n leads ($(du -sm "$p/leads" | cut -f1) MB of lead files)"
  measure "floor: list and stat every file" 3 : "$work/floor" stat "$p"; stat=$t
  measure "floor: list and read every file" 3 : "$work/floor" read "$p"; read=$t
  measure "floor: stat, cold page cache" 3 "drop $p" "$work/floor" stat "$p"; coldstat=$t
  crm report >/dev/null # writes the cache
  measure "report (cache)" 3 : "$work/crm" -C "$p" report; warm=$t
  measure "report (cache), cold page cache" 3 "drop $p" "$work/crm" -C "$p" report; cold=$t
  measure "report --no-cache" 3 : "$work/crm" -C "$p" report --no-cache; nocache=$t
  measure "report, no cache yet (a fresh clone)" 3 "rm -rf $p/.crm/cache" "$work/crm" -C "$p" report; fresh=$t
  crm report >/dev/null
  measure "report --by month (cache)" 3 : "$work/crm" -C "$p" report --by month
  measure "lead list (table)" 3 : "$work/crm" -C "$p" lead list; ltable=$t
  measure "lead list --format csv" 3 : "$work/crm" -C "$p" lead list --format csv; lcsv=$t
  measure "lead list --format json" 3 : "$work/crm" -C "$p" lead list --format json; ljson=$t
  measure "lead list --format yaml" 3 : "$work/crm" -C "$p" lead list --format yaml; lyaml=$t
  measure "export --format csv" 3 : "$work/crm" -C "$p" export --format csv
  measure "lead add" 5 : "$work/crm" -C "$p" lead add "Added lead" --quiet
  crm lead add "Zebra" --quiet >/dev/null
  crm report >/dev/null
  measure "lead show FULL-ID" 3 : "$work/crm" -C "$p" lead show lead-000000
  measure "lead show PREFIX (zebra)" 3 : "$work/crm" -C "$p" lead show zebra
  measure "lead show PREFIX, just after a lead add" 3 "\"$work/crm\" -C $p lead add \"Other \$RANDOM\" --quiet >/dev/null" "$work/crm" -C "$p" lead show zebra
  measure "lead show PREFIX, just after an outside change" 3 "touch $p/leads/.outside-\$RANDOM\$RANDOM" "$work/crm" -C "$p" lead show zebra
  measure "today (cache)" 3 : "$work/crm" -C "$p" today
  measure "activity (cache)" 3 : "$work/crm" -C "$p" activity
  echo "  ratios:"
  echo "    report (cache) / floor stat:            $(ratio "$warm" "$stat")   (target <= 1.5 at 100,000)"
  echo "    report --no-cache / floor read:         $(ratio "$nocache" "$read")"
  echo "    report, fresh clone / floor read:       $(ratio "$fresh" "$read")   (target <= 1.3)"
  echo "    report (cache), cold / floor stat cold: $(ratio "$cold" "$coldstat")"
  echo "    lead list table / csv / json / yaml / floor read: $(ratio "$ltable" "$read") / $(ratio "$lcsv" "$read") / $(ratio "$ljson" "$read") / $(ratio "$lyaml" "$read")   (target <= 2)"
  rm -rf "$p"
done
