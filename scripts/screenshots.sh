#!/usr/bin/env bash
# Takes the README's screenshots: runs the real app under a virtual X
# screen on a demo vault and writes PNGs to docs/screenshots/. Needs Xvfb,
# xdotool and ImageMagick (make deps). Usage: scripts/screenshots.sh BIN
set -euo pipefail

bin=$(realpath "${1:-bin/casebook}")
out=docs/screenshots
work=$(mktemp -d)
display=":$((90 + RANDOM % 100))"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# A synthetic demo passphrase for a throw-away vault; never a real one.
pass="demo lantern harbor meadow violet"
export CASEBOOK_NEW_PASSPHRASE="$pass" CASEBOOK_PASSPHRASE="$pass" LANG=C.UTF-8
"$bin" --vault "$work/vault" init >/dev/null
"$bin" --vault "$work/vault" demo --cases 60 >/dev/null
# A case at each of three stages, for the workspace.
first_code() {
	"$bin" --vault "$work/vault" case list --stage "$1" --json |
		grep -o '"code": *"[a-z0-9-]*"' | head -n1 | sed 's/.*"\([a-z0-9-]*\)"$/\1/'
}
case_triage=$(first_code acknowledged)
case_gathering=$(first_code gathering)
case_resolution=$(first_code resolution)
unset CASEBOOK_NEW_PASSPHRASE CASEBOOK_PASSPHRASE

# shellcheck source=scripts/xvfb.sh
. "$(dirname "$0")/xvfb.sh"
start_xvfb

# window waits for the app's visible window and prints its ID.
window() { casebook_window 100 screenshots; }

# shot saves the window as $out/$1.png, after the app has drawn.
shot() {
	sleep 1.5
	import -window "$win" "$out/$1.png"
	echo "wrote $out/$1.png"
}

mkdir -p "$out"

# First run: an empty directory shows the create screen.
"$bin" --vault "$work/empty" >/dev/null 2>&1 &
app=$!
pids+=($app)
win=$(window)
shot create
kill "$app"; wait "$app" 2>/dev/null || true

# A demo vault: unlock, then the week, the cases, a new report, settings.
"$bin" --vault "$work/vault" >/dev/null 2>&1 &
app=$!
pids+=($app)
win=$(window)
# A click into the passphrase field gives the window the keyboard (there is
# no window manager) and the field the focus.
xdotool mousemove --window "$win" 480 400 click 1
shot unlock
xdotool type --delay 20 "$pass"
xdotool key Return
sleep 8
shot week
xdotool key ctrl+f
shot cases
xdotool key ctrl+n
shot new-report

# The case workspace at three stages: search for the code, open the row.
n=1
for code in "$case_triage" "$case_gathering" "$case_resolution"; do
	[ -n "$code" ] || continue
	xdotool key ctrl+f ctrl+a
	xdotool type --delay 20 "$code"
	sleep 1
	xdotool mousemove --window "$win" 80 254 click 1
	shot "case-$n"
	n=$((n + 1))
done
kill "$app"; wait "$app" 2>/dev/null || true
