#!/usr/bin/env bash
# Regenerates every picture in docs/: the report's sheets (LibreOffice, poppler) with the
# page count of the printed report per sheet, then the download site and the email
# (headless Chromium). Each picture is cropped to stay under 200 KB. A developer tool, not
# run by CI; the README shows report-summary.png and report-permission-changes.png.
#
# Needs: apt-get install -y chromium libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito
#
# usage: scripts/render-docs-pictures.sh     (OUT_DIR=docs, KEEP=1 keeps the temp dirs)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
"$HERE/render-report-screenshots.sh"
"$HERE/render-site-screenshots.sh"

OUT_DIR="${OUT_DIR:-$HERE/../docs}"
too_big="$(find "$OUT_DIR" -maxdepth 1 -name '*.png' -size +200k)"
[[ -z "$too_big" ]] || { echo "error: pictures over 200 KB: $too_big" >&2; exit 1; }
