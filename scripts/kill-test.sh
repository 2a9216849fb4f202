#!/usr/bin/env bash
# kill -9 against crm's writes, N rounds (default 50): each round starts an
# import of a 500-row CSV, a crm intake of 5 new submissions in a drop
# folder and a burst of lead commands (log, move, remind, set) on a few
# leads, kills all of them at a random moment, then runs the same import
# and intake again to the end. Afterwards it counts, against what the
# files must hold:
#   lost       rows of the CSV with no lead, submissions with no lead or
#              not in done/, leads with fewer activities than the logs
#              that reported success
#   duplicated leads of one CSV row (its import_id) or of one submission
#              (its intake hash) beyond the first
#   corrupt    files crm check rejects
#   temp files left in .crm/tmp or beside the leads after a final write
# Every count must be 0; the script exits 1 otherwise.
#
#   bash scripts/kill-test.sh [N]
set -euo pipefail
rounds=${1:-50}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/crm" .
crm() { "$work/crm" -C "$work/p" "$@"; }
export CRM_BY=killer TZ=UTC
"$work/crm" init "$work/p" --steps New,Demo,Proposal >/dev/null
{
  echo "id,title,company,value"
  for i in $(seq 1 500); do echo "K$i,Deal $i,Company $((i % 37)),$((i * 10))"; done
} >"$work/in.csv"
for i in 1 2 3; do crm lead add "Target $i" >/dev/null; done
targets=$(crm lead list --format csv | tail -n +2 | cut -d, -f1)
: >"$work/logged"

mkdir -p "$work/inbox"
exec 3>&2 2>/dev/null # the shell's "Killed" notices
for r in $(seq 1 "$rounds"); do
  pids=()
  for k in 1 2 3 4 5; do
    printf '{"title": "Form %d-%d", "value": %d, "contact": "p%d-%d@form.example"}\n' "$r" "$k" "$k" "$r" "$k" >"$work/inbox/.s$r-$k.json"
    mv "$work/inbox/.s$r-$k.json" "$work/inbox/s$r-$k.json"
  done
  crm import "$work/in.csv" >/dev/null 2>&1 & pids+=($!)
  crm intake "$work/inbox" >/dev/null 2>&1 & pids+=($!)
  for id in $targets; do
    ( if crm lead log "$id" "call $r" >/dev/null 2>&1; then echo "$id" >>"$work/logged"; fi ) & pids+=($!)
    crm lead move "$id" "$( [ $((r % 2)) = 0 ] && echo Demo || echo Proposal )" >/dev/null 2>&1 & pids+=($!)
    crm lead remind "$id" 2026-12-0$((r % 9 + 1)) "round $r" >/dev/null 2>&1 & pids+=($!)
    crm lead set "$id" value=$((r * 100)) >/dev/null 2>&1 & pids+=($!)
  done
  # Kill at a random moment between 0 and 150 ms.
  sleep "0.$(printf '%03d' $((RANDOM % 150)))"
  for p in "${pids[@]}"; do pkill -9 -P "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  crm import "$work/in.csv" >/dev/null
  crm intake "$work/inbox" >/dev/null
done

exec 2>&3
before=$(find "$work/p/.crm/tmp" -type f 2>/dev/null | wc -l)
# A final write clears the temporary files of killed processes.
crm lead log "$(echo "$targets" | head -1)" "final" >/dev/null

corrupt=$(crm check 2>/dev/null | grep -c ': error:' || true)
rows=$(crm lead list --format csv | tail -n +2 | wc -l)
ids=$(grep -h '^import_id:' "$work"/p/leads/*.yaml | sort | uniq -c)
imported=$(echo "$ids" | grep -c . || true)
duplicated=$(echo "$ids" | awk '$1 > 1 { n += $1 - 1 } END { print n + 0 }')
lost=$((500 - imported))
# Every submission made one lead, and its file is in done/.
hashes=$(grep -h '^intake: ' "$work"/p/leads/*.yaml | sort | uniq -c)
taken=$(echo "$hashes" | grep -c . || true)
duplicated=$((duplicated + $(echo "$hashes" | awk '$1 > 1 { n += $1 - 1 } END { print n + 0 }')))
done=$(find "$work/inbox/done" -name 's*.json' | wc -l)
waiting=$(find "$work/inbox" -maxdepth 1 -name '*.json' | wc -l)
rejected=$( (find "$work/inbox/rejected" -name "*.json" 2>/dev/null || true) | wc -l)
lost=$((lost + rounds * 5 - taken))
if [ "$done" != $((rounds * 5)) ] || [ "$waiting" != 0 ] || [ "$rejected" != 0 ]; then
  echo "submissions: $done in done/, $waiting waiting, $rejected rejected; want $((rounds * 5)), 0, 0" >&2
  lost=$((lost + rounds * 5 - done))
fi
for id in $targets; do
  want=$(grep -c "^$id\$" "$work/logged" || true)
  have=$(grep -c 'type: call\|call [0-9]' "$work/p/leads/$id.yaml" || true)
  if [ "$have" -lt "$want" ]; then lost=$((lost + want - have)); fi
done
for f in "$work"/p/.crm/tmp/*; do
  [ -e "$f" ] || continue
  pid=${f##*/}; pid=${pid%%-*}
  echo "left: $f" >&2; ps -o pid,stat,comm -p "$pid" >&2 || echo "pid $pid gone" >&2
done
temps=$(( $(find "$work/p/.crm/tmp" -type f 2>/dev/null | wc -l) + $(find "$work/p/leads" -name '.*.tmp*' | wc -l) ))
echo "$rounds rounds of kill -9, $(nproc) cores: $rows leads, $taken of them from $((rounds * 5)) submissions"
echo "temporary files of killed writes before the final write: $before"
echo "lost $lost, duplicated $duplicated, corrupt $corrupt, temp files left $temps"
[ "$lost" = 0 ] && [ "$duplicated" = 0 ] && [ "$corrupt" = 0 ] && [ "$temps" = 0 ]
