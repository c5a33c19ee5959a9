#!/usr/bin/env bash
# Render the example model's Dashboard sheet to docs/dashboard.png.
#
# LibreOffice (headless) recalculates the workbook's plain formulas and prints
# it to PDF; the page holding the dashboard is found by its title and turned
# into a PNG with pdftoppm (poppler-utils).
#
# Usage: docs/render_dashboard.sh [MODEL.xlsx] [OUT.png]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
model="${1:-$here/../workbooks/examples/cambridgeshire.xlsx}"
out="${2:-$here/dashboard.png}"
for tool in soffice pdftoppm pdftotext; do
  command -v "$tool" >/dev/null || { echo "render_dashboard: $tool is not installed (apt-get install libreoffice-calc-nogui poppler-utils)" >&2; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
soffice --headless -env:UserInstallation="file://$work/profile" \
  --convert-to pdf --outdir "$work" "$model" >/dev/null 2>&1
pdf="$work/$(basename "${model%.*}").pdf"
[ -s "$pdf" ] || { echo "render_dashboard: LibreOffice wrote no PDF for $model" >&2; exit 1; }
pages="$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')"
page=""
for ((i = 1; i <= ${pages:-0}; i++)); do
  if pdftotext -f "$i" -l "$i" "$pdf" - | grep -q "^Dashboard: DSG High Needs position"; then page="$i"; break; fi
done
[ -n "$page" ] || { echo "render_dashboard: no Dashboard page in $pdf" >&2; exit 1; }
pdftoppm -f "$page" -l "$page" -r 110 -png -singlefile "$pdf" "$work/dashboard"
mv "$work/dashboard.png" "$out.tmp" && mv "$out.tmp" "$out"
echo "$out"
