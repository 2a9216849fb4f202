#!/usr/bin/env bash
# Renders the sample pipeline's HTML report and takes a screenshot of it in
# headless Chromium, for docs/report.md:
#
#   bash scripts/screenshot-report.sh [OUT.png]   (default docs/report.png)
#
# Needs Debian's chromium (apt-get install chromium). The clock is fixed, so
# the picture changes only when the report or the sample does.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/report.png}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go run . report -C examples/northwind --now 2026-11-20T18:00:00Z --by owner --format html -O "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$work/profile" --window-size=1100,2500 \
  --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "wrote $out"
