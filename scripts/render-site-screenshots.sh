#!/usr/bin/env bash
# Regenerates docs/download-site.png and docs/email.png: the download site as the browser
# test leaves it (test/artifacts/download-site.png), and the HTML body of the demo's second
# email, both as Debian's headless Chromium renders them. A developer tool, not run by CI.
#
# Needs Debian's Chromium (apt-get install -y chromium) and a PostgreSQL-free machine is
# fine: the browser test and the demo run embedded.
#
# usage: scripts/render-site-screenshots.sh     (OUT_DIR=docs, KEEP=1 keeps the temp dir)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT_DIR="${OUT_DIR:-$REPO/docs}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/site-shots.XXXXXX")"
cleanup() {
  if [[ "${KEEP:-}" == 1 ]]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
command -v chromium >/dev/null || { echo "error: chromium is missing: apt-get install -y chromium" >&2; exit 1; }

cd "$REPO"
# The site: the browser test drives it over two audit cycles and leaves the screenshot.
npm run --silent test:browser >/dev/null
cp test/artifacts/download-site.png "$OUT_DIR/download-site.png"

# The email: the demo's second message (the one with changes), its HTML part, down to
# its changes by person.
npm run --silent build
(cd "$WORK" && env -u DATABASE_URL -u SMTP_URL -u MAIL_TO node "$REPO/dist/cli.js" demo >"$WORK/demo.log")
# The demo runs three cycles; its `Email:` line names the second one's message.
eml="$(sed -n 's/^Email:[[:space:]]*//p' "$WORK/demo.log")"
[[ -f "$eml" ]] || { echo "error: the demo named no email ('$eml')" >&2; exit 1; }
node --input-type=module -e '
  import { readFile, writeFile } from "node:fs/promises";
  import { simpleParser } from "mailparser";
  const mail = await simpleParser(await readFile(process.argv[1]));
  const head = `<p style="font:13px system-ui;color:#555">Subject: ${mail.subject.replace(/[<&]/g, "")}</p>`;
  await writeFile(process.argv[2], head + mail.html);
' "$eml" "$WORK/email.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,1000 \
  --screenshot="$OUT_DIR/email.png" "file://$WORK/email.html" 2>/dev/null
echo "wrote $OUT_DIR/download-site.png and $OUT_DIR/email.png"
