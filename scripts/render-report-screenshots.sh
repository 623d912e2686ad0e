#!/usr/bin/env bash
# Regenerates the report pictures in docs/: report-summary.png and
# report-permission-changes.png (the README shows them), report-exceptions.png and
# report-access-review.png (its first rows), the sheets of a demo report as LibreOffice
# renders them; and prints how many pages the report prints on, per sheet, with the
# workbook's own print setup. A developer tool, not run by CI.
#
# Needs Debian's LibreOffice Calc and poppler:
#   apt-get update && apt-get install -y libreoffice-calc poppler-utils fonts-crosextra-carlito
# (Carlito is metric-compatible with Calibri, the workbook's font.)
#
# usage: scripts/render-report-screenshots.sh [REPORT.xlsx]
#   Without REPORT, builds the CLI and runs `access-audit demo` in a temp dir for a fresh one.
#   RESOLUTION=72 (dpi), OUT_DIR=docs, KEEP=1 keeps the temp dir.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
RESOLUTION="${RESOLUTION:-72}"
OUT_DIR="${OUT_DIR:-$REPO/docs}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/report-shots.XXXXXX")"
cleanup() {
  if [[ "${KEEP:-}" == 1 ]]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() {
  echo "error: $*" >&2
  exit 1
}
for tool in soffice pdftoppm pdftotext pdfinfo; do
  command -v "$tool" >/dev/null ||
    fail "$tool is missing: apt-get install -y libreoffice-calc poppler-utils fonts-crosextra-carlito"
done
fc-list : family 2>/dev/null | grep -i carlito >/dev/null ||
  echo "warning: no Carlito font (fonts-crosextra-carlito): Calibri text will render in a fallback font" >&2

if [[ $# -ge 1 ]]; then
  REPORT="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
  echo "== a demo report"
  (cd "$REPO" && npm run build --silent)
  (cd "$WORK" && env -u DATABASE_URL -u SMTP_URL -u REPORTS_DIR -u DATA_DIR -u MAIL_TO -u AUDIT_NOW \
    -u AUDIT_TIMEZONE -u STALE_INVITE_DAYS node "$REPO/dist/cli.js" demo >demo.log 2>&1) ||
    { cat "$WORK/demo.log" >&2; fail "the demo failed"; }
  REPORT="$(sed -n 's/^Report:[[:space:]]*//p' "$WORK/demo.log")"
fi
[[ -f "$REPORT" ]] || fail "no report at '$REPORT'"
echo "== rendering $REPORT"

# One PDF page per sheet, each sheet whole on its page, in the workbook's sheet order.
cp "$REPORT" "$WORK/report.xlsx"
soffice --headless --norestore -env:UserInstallation="file://$WORK/lo-profile" \
  --convert-to 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}' \
  --outdir "$WORK" "$WORK/report.xlsx" >"$WORK/soffice.log" 2>&1 ||
  { cat "$WORK/soffice.log" >&2; fail "LibreOffice could not convert the report"; }
[[ -f "$WORK/report.pdf" ]] || { cat "$WORK/soffice.log" >&2; fail "LibreOffice wrote no PDF"; }

mkdir -p "$OUT_DIR"
render() { # page, a word the sheet must show, output name, [trim-to-png's crop options]
  local page="$1" expect="$2" name="$3"
  shift 3
  # Into a file first: grep -q stops reading early, and pipefail would count that as a failure.
  pdftotext -f "$page" -l "$page" "$WORK/report.pdf" "$WORK/page-$page.txt"
  grep -q "$expect" "$WORK/page-$page.txt" ||
    fail "page $page of the PDF is not the sheet showing '$expect'"
  pdftoppm -f "$page" -l "$page" -r "$RESOLUTION" -singlefile "$WORK/report.pdf" "$WORK/page-$page"
  node "$REPO/scripts/trim-to-png.mjs" "$WORK/page-$page.ppm" "$OUT_DIR/$name" "$@"
}
render 1 'Segment access audit' report-summary.png
render 2 'Access held' report-exceptions.png
# Pictures at most 1600 px wide (≤ 200 KB): the ids at the right are left out.
render 3 'Cause' report-permission-changes.png --max-width 1600
render 6 'Suggested decision' report-access-review.png --max-height 320 --max-width 1600

# As it prints: the workbook's own page setup, each page's footer naming its sheet.
mkdir -p "$WORK/print"
soffice --headless --norestore -env:UserInstallation="file://$WORK/lo-profile" \
  --convert-to pdf --outdir "$WORK/print" "$WORK/report.xlsx" >"$WORK/soffice.log" 2>&1 ||
  { cat "$WORK/soffice.log" >&2; fail "LibreOffice could not print the report"; }
pages="$(pdfinfo "$WORK/print/report.pdf" | sed -n 's/^Pages:[[:space:]]*//p')"
echo "== printed: $pages pages"
for page in $(seq 1 "$pages"); do
  pdftotext -layout -f "$page" -l "$page" "$WORK/print/report.pdf" - |
    sed -n 's/^[[:space:]]*\(.*[^[:space:]]\)[[:space:]]\{2,\}Page [0-9]* of [0-9]*.*/\1/p' | tail -n 1
done | uniq -c
