#!/usr/bin/env bash
# Times crm's lead commands in a generated pipeline of N leads (default
# 100,000): add (must not depend on N), move and show (list file names to
# resolve the id), and list (reads and parses every file).
#
#   bash scripts/bench-store.sh [N]
set -euo pipefail
n=${1:-100000}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/crm" .
crm() { "$work/crm" -C "$work/p" "$@"; }
"$work/crm" init "$work/p" >/dev/null
export CRM_BY=bench TZ=UTC
# Generate N lead files directly (crm lead add would take as long as N
# processes); they are in canonical style.
awk -v n="$n" -v dir="$work/p/leads" 'BEGIN {
  for (i = 0; i < n; i++) {
    f = sprintf("%s/lead-%06d.yaml", dir, i)
    printf "id: lead-%06d\ntitle: Lead %d\nvalue: %d\nowner: owner%d\nstep: Contacting\nstatus: todo\ncreated: 2026-01-01T09:00:00Z\nhistory:\n  - {at: \"2026-01-01T09:00:00Z\", step: New opportunity, status: todo, by: bench}\n  - {at: \"2026-01-02T09:00:00Z\", step: Contacting, by: bench}\n", i, i, 1000 + i % 50000, i % 7 > f
    close(f)
  }
}'
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); printf '%-40s %6.3f s\n' "$*" "$(echo "$e - $s" | bc)"; }
echo "pipeline of $n leads, $(nproc) cores"
t crm lead add "New lead"
t crm lead add "Another lead"
t crm lead move lead-050000 engaging
t crm lead show lead-050000
t crm lead log lead-050000 "called"
t crm lead show new-lead
/usr/bin/time -f "%e s, %M KiB max RSS" "$work/crm" -C "$work/p" lead list --format csv >/dev/null
