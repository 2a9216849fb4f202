#!/usr/bin/env bash
# Generates a pipeline of N leads in DIR for benchmarks: a default-template
# pipeline.yaml and N canonical lead files with history and activities,
# spread over 2025-2026 across every step and status. Deterministic.
#
#   bash scripts/gen-pipeline.sh N DIR CRM_BINARY
set -euo pipefail
n=$1 dir=$2 crm=$3
"$crm" init "$dir" >/dev/null
awk -v n="$n" -v dir="$dir/leads" 'BEGIN {
  split("New opportunity,Contacting,Engaging,Qualified,Closing", steps, ",")
  split("todo,todo,standby,won,lost,cancelled", statuses, ",")
  srand(42)
  for (i = 0; i < n; i++) {
    f = sprintf("%s/lead-%06d.yaml", dir, i)
    d = int(rand() * 600); m = 1 + int(d / 31) % 12; y = 2025 + int(d / 372); dd = 1 + d % 28
    created = sprintf("%04d-%02d-%02dT09:00:00Z", y, m, dd)
    reach = 1 + int(rand() * 5); st = statuses[1 + int(rand() * 6)]
    printf "id: lead-%06d\ntitle: Lead %d\ncompany: Company %d\nvalue: %d\ncurrency: EUR\nowner: owner%d\nsource: source%d\n", i, i, i % 5000, 500 + int(rand() * 50000), i % 7, i % 5 > f
    printf "step: %s\nstatus: %s\n", steps[reach], st > f
    if (st == "lost") printf "reason: Price\n" > f
    printf "created: %s\n", created > f
    h = 9 + reach
    if (st == "won" || st == "lost" || st == "cancelled") printf "closed: %04d-%02d-%02dT%02d:00:00Z\n", y, m, dd, h > f
    if (st == "standby") printf "standby_until: 2027-01-15\n" > f
    printf "history:\n  - {at: \"%s\", step: %s, status: todo, by: bench}\n", created, steps[1] > f
    for (s = 2; s <= reach; s++) printf "  - {at: \"%04d-%02d-%02dT%02d:00:00Z\", step: %s, by: bench}\n", y, m, dd, 8 + s, steps[s] > f
    if (st != "todo") printf "  - {at: \"%04d-%02d-%02dT%02d:00:00Z\", status: %s, by: bench}\n", y, m, dd, h, st > f
    printf "activities:\n  - {at: \"%04d-%02d-%02dT09:30:00Z\", type: call, by: bench, text: first call}\n", y, m, dd > f
    close(f)
  }
}'
