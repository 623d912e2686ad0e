#!/usr/bin/env bash
# Regenerates the report sample of the README: docs/report-summary.png and
# docs/report-permission-changes.png, the `Summary` and `Permission Changes` sheets of a demo
# report as LibreOffice renders them. A developer tool, not run by CI.
#
# Needs Debian's LibreOffice Calc and poppler:
#   apt-get update && apt-get install -y libreoffice-calc poppler-utils fonts-crosextra-carlito
# (Carlito is metric-compatible with Calibri, the workbook's font.)
#
# usage: scripts/render-report-screenshots.sh [REPORT.xlsx]
#   Without REPORT, builds the CLI and runs `access-audit demo` in a temp dir for a fresh one.
#   RESOLUTION=96 (dpi), OUT_DIR=docs, KEEP=1 keeps the temp dir.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
RESOLUTION="${RESOLUTION:-96}"
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
for tool in soffice pdftoppm pdftotext; do
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
render() { # page, a word the sheet must show, output name
  local page="$1" expect="$2" name="$3"
  pdftotext -f "$page" -l "$page" "$WORK/report.pdf" - | grep -q "$expect" ||
    fail "page $page of the PDF is not the sheet showing '$expect'"
  pdftoppm -f "$page" -l "$page" -r "$RESOLUTION" -singlefile "$WORK/report.pdf" "$WORK/page-$page"
  node "$REPO/scripts/trim-to-png.mjs" "$WORK/page-$page.ppm" "$OUT_DIR/$name"
}
render 1 'Segment access audit' report-summary.png
render 2 'Cause' report-permission-changes.png
