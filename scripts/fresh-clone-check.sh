#!/usr/bin/env bash
# Fresh-clone check (issue 5): what a newcomer meets first.
#
#  1. Clones this repository's committed HEAD into a temp dir and runs the README's demo
#     command verbatim (the first line of README.md's first ```sh block, `npm ci && npm run demo`)
#     with no database server, no SMTP server and no Segment token in the environment.
#     Times it (npm ci and the demo apart) and fails if the demo takes DEMO_MAX_SECONDS or more.
#  2. Checks what the demo left: a workbook with the six sheets and an .eml in reports/outbox/
#     with that workbook attached, byte-equal (scripts/check-demo-output.mjs).
#  3. The Docker image without an engine: lays out the Dockerfile's build stage (package files,
#     tsconfigs, src/) and builds dist there, then its runtime stage (package files, migrations/,
#     dist/) with `npm ci --omit=dev` only, and runs `node dist/cli.js --help` (every command of
#     the README listed) and `node dist/cli.js demo` with production dependencies alone.
#
# usage: scripts/fresh-clone-check.sh        (KEEP=1 keeps the temp dir; DEMO_MAX_SECONDS=60)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
CHECKER="$REPO/scripts/check-demo-output.mjs"
DEMO_MAX_SECONDS="${DEMO_MAX_SECONDS:-60}"
COMMANDS=(run schedule serve report review remediate snapshots migrate roster demo simulate)
# Nothing the newcomer would not have: no database, SMTP server, token or directories set.
CLEAN_ENV=(env -u DATABASE_URL -u TEST_DATABASE_URL -u SMTP_URL -u SEGMENT_API_TOKEN -u SEGMENT_API_URL
  -u MAIL_TO -u MAIL_FROM -u DATA_DIR -u REPORTS_DIR -u AUDIT_NOW -u PORT -u REPORTS_TOKEN
  -u AUDIT_SCHEDULE -u AUDIT_TIMEZONE -u STALE_INVITE_DAYS -u NODE_ENV)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fresh-clone.XXXXXX")"
cleanup() {
  if [[ "${KEEP:-}" == 1 ]]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() {
  echo "error: $*" >&2
  exit 1
}
# Seconds since the epoch with microseconds (bash 5), and a difference of two of them.
now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

CLONE="$WORK/clone"
HEAD="$(git -C "$REPO" rev-parse HEAD)"
git clone --quiet "$REPO" "$CLONE"
git -C "$CLONE" checkout --quiet --detach "$HEAD"
echo "== fresh clone of $(git -C "$CLONE" log -1 --format='%h %s') in $CLONE"

# --- 1. the README's demo command, verbatim -------------------------------------------------
# The first line of the first ```sh block, without its trailing comment.
DEMO_CMD="$(awk '
  /^```sh[[:space:]]*$/ && !seen { inblock = 1; seen = 1; next }
  inblock && /^```/ { exit }
  inblock && NF { sub(/[[:space:]]+#.*$/, ""); print; exit }
' "$CLONE/README.md")"
[[ -n "$DEMO_CMD" ]] || fail "README.md has no \`\`\`sh block with a command in it"
[[ "$DEMO_CMD" == *"npm run demo"* ]] || fail "the first command of README.md's first sh block is not the demo: $DEMO_CMD"
echo "== README's command: $DEMO_CMD"

# Each output line is stamped with the time it arrived, so the moment `npm run demo` starts
# (npm prints "> segment-access-audit@… demo") splits npm ci from the demo.
LOG="$WORK/demo.log"
STAMPS="$WORK/demo.stamps"
t0="$(now)"
set +e
(cd "$CLONE" && "${CLEAN_ENV[@]}" bash -c "$DEMO_CMD" 2>&1 </dev/null) |
  while IFS= read -r line; do
    printf '%s\t%s\n' "$EPOCHREALTIME" "$line" >>"$STAMPS"
    printf '%s\n' "$line" >>"$LOG"
    printf '%s\n' "$line"
  done
status="${PIPESTATUS[0]}"
set -e
t1="$(now)"
[[ "$status" == 0 ]] || fail "\`$DEMO_CMD\` exited with status $status"

demo_start="$(awk -F'\t' '$2 ~ /^> [^ ]+ demo$/ { print $1; exit }' "$STAMPS")"
[[ -n "$demo_start" ]] || fail "could not find where \`npm run demo\` started in its output"
total="$(secs "$t0" "$t1")"
npm_ci="$(secs "$t0" "$demo_start")"
demo="$(secs "$demo_start" "$t1")"
echo "== durations: npm ci ${npm_ci} s, npm run demo (build + demo) ${demo} s, total ${total} s"
awk -v d="$demo" -v max="$DEMO_MAX_SECONDS" 'BEGIN { exit !(d < max) }' ||
  fail "the demo took ${demo} s (limit ${DEMO_MAX_SECONDS} s)"

# --- 2. what the demo left ------------------------------------------------------------------
echo "== checking the demo's report and email"
node "$CHECKER" --root "$CLONE" --log "$LOG"

# --- 3. the Docker image's two stages, without an engine ----------------------------------
# Build stage: COPY package.json package-lock.json, tsconfig.json tsconfig.build.json, src; npm ci;
# npm run build. node_modules is hard-linked from the clone (the same lockfile, already installed).
echo "== Docker build stage: build dist from package files, tsconfigs and src/ only"
BUILD="$WORK/image-build"
mkdir -p "$BUILD"
cp "$CLONE/package.json" "$CLONE/package-lock.json" "$CLONE/tsconfig.json" "$CLONE/tsconfig.build.json" "$BUILD/"
cp -R "$CLONE/src" "$BUILD/src"
cp -al "$CLONE/node_modules" "$BUILD/node_modules"
(cd "$BUILD" && npm run build --silent)

# Runtime stage: COPY package.json package-lock.json; npm ci --omit=dev; dist from the build
# stage; migrations.
echo "== Docker runtime stage: npm ci --omit=dev, then the CLI with production dependencies only"
APP="$WORK/image-app"
mkdir -p "$APP"
cp "$CLONE/package.json" "$CLONE/package-lock.json" "$APP/"
t2="$(now)"
(cd "$APP" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
echo "   npm ci --omit=dev: $(secs "$t2" "$(now)") s"
cp -R "$BUILD/dist" "$APP/dist"
cp -R "$CLONE/migrations" "$APP/migrations"
for dev in typescript vitest mailparser; do
  [[ ! -e "$APP/node_modules/$dev" ]] || fail "--omit=dev installed the dev dependency $dev"
done

HELP="$(cd "$APP" && "${CLEAN_ENV[@]}" node dist/cli.js --help)" || fail "node dist/cli.js --help failed"
missing=()
for cmd in "${COMMANDS[@]}"; do
  grep -Eq "^  ${cmd}( |$)" <<<"$HELP" || missing+=("$cmd")
done
((${#missing[@]} == 0)) || fail "node dist/cli.js --help does not list: ${missing[*]}"
echo "   --help lists every command: ${COMMANDS[*]}"

t3="$(now)"
(cd "$APP" && "${CLEAN_ENV[@]}" NODE_ENV=production REPORTS_DIR="$WORK/app-reports" DATA_DIR="$WORK/app-data" \
  node dist/cli.js demo >"$WORK/app-demo.log" 2>&1 </dev/null) ||
  { cat "$WORK/app-demo.log" >&2; fail "node dist/cli.js demo failed with production dependencies only"; }
ls "$WORK"/app-reports/*.xlsx >/dev/null 2>&1 || fail "the production-only demo wrote no report"
echo "   node dist/cli.js demo with production dependencies only: ok ($(secs "$t3" "$(now)") s)"

echo "== fresh-clone check passed: npm ci ${npm_ci} s, demo ${demo} s, total ${total} s"
