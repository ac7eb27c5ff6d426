#!/usr/bin/env bash
# Measures the desktop app's resident memory while idle on a large vault:
# makes a vault of N demo cases (with the real, calibrated key derivation),
# runs the real app under Xvfb, unlocks it by typing the passphrase,
# waits until it has stopped working and a minute more, then samples VmRSS
# from /proc/PID/status for a while on This week, and again on Cases.
#
# First it measures a bare Fyne window (internal/cmd/barewindow: one text
# field) the same way: the floor any Fyne app stands on under Xvfb.
#
# Prints the figures as Go benchmark lines, so that `make bench` puts them
# beside the others. Needs Go, Xvfb and xdotool (make deps).
# Usage: scripts/idle-rss.sh BIN [CASES...]   (default: 1000 10000)
set -euo pipefail

bin=$(realpath "${1:-bin/casebook}")
shift || true
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
work=$(mktemp -d)
display=":$((190 + RANDOM % 100))"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# A synthetic passphrase for throw-away vaults; never a real one.
pass="idle measure lantern harbor meadow"
export LANG=C.UTF-8

# shellcheck source=scripts/xvfb.sh
. scripts/xvfb.sh
start_xvfb

# window waits for the app's visible window and prints its ID.
window() { casebook_window 150 idle-rss; }

# cpu prints the process's user+system time in clock ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# settle waits until the process used less than a quarter of a CPU (25
# ticks) in each of three seconds running, or 120 s have passed: the work
# of unlocking is done. (An idle window with a blinking cursor still draws,
# in software under Xvfb: 3 to 8 ticks a second on This week, 10 to 20 on
# Cases at 10,000 cases.) IDLE_DEBUG=1 prints the ticks.
settle() {
	[ -n "${IDLE_DEBUG:-}" ] && echo "settle $(date +%T)" >&2
	local quiet=0 last now
	last=$(cpu "$1")
	for _ in $(seq 120); do
		sleep 1
		now=$(cpu "$1")
		[ -n "${IDLE_DEBUG:-}" ] && echo "ticks $((now - last))" >&2
		if [ $((now - last)) -lt 25 ]; then quiet=$((quiet + 1)); else quiet=0; fi
		last=$now
		if [ $quiet -ge 3 ]; then return 0; fi
	done
	echo "idle-rss: the app was still busy after 120 s" >&2
}

# sample prints the highest VmRSS, in bytes, over 10 s of idling.
sample() {
	local high=0 kb
	for _ in $(seq 20); do
		kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status")
		if [ "$kb" -gt "$high" ]; then high=$kb; fi
		sleep 0.5
	done
	echo $((high * 1024))
}

"${GO:-go}" build -o "$work/barewindow" ./internal/cmd/barewindow
"$work/barewindow" >/dev/null 2>&1 &
bare=$!
pids+=($bare)
window >/dev/null
settle "$bare"
echo "BenchmarkDesktopIdleRSS/floor=bare-fyne-window 1 $(sample "$bare") rss-bytes"
kill "$bare"
wait "$bare" 2>/dev/null || true

for n in "${sizes[@]}"; do
	vault="$work/vault-$n"
	CASEBOOK_NEW_PASSPHRASE="$pass" CASEBOOK_PASSPHRASE="$pass" "$bin" --vault "$vault" init >/dev/null 2>&1
	CASEBOOK_PASSPHRASE="$pass" "$bin" --vault "$vault" demo --cases "$n" >/dev/null 2>&1

	"$bin" --vault "$vault" >/dev/null 2>&1 &
	app=$!
	pids+=($app)
	win=$(window)
	settle "$app"
	locked=$(sample "$app")
	# A click gives the window the keyboard (there is no window manager)
	# and the passphrase field the focus.
	xdotool mousemove --window "$win" 480 400 click 1
	xdotool type --delay 10 "$pass"
	xdotool key Return
	sleep 2
	settle "$app"
	# Idle a minute: Badger may still be compacting after the unlock, and
	# the app hands back what that frees within a minute (ui/desktop's
	# memory trim). The figure is the app idle, not just unlocked.
	sleep 60
	week=$(sample "$app")
	xdotool key ctrl+f
	sleep 1
	settle "$app"
	cases=$(sample "$app")
	echo "BenchmarkDesktopIdleRSS/cases=$n/screen=locked 1 $locked rss-bytes"
	echo "BenchmarkDesktopIdleRSS/cases=$n/screen=week 1 $week rss-bytes"
	echo "BenchmarkDesktopIdleRSS/cases=$n/screen=cases 1 $cases rss-bytes"
	grep -E '^(RssAnon|RssFile|RssShmem):' "/proc/$app/status" | sed "s/^/# cases=$n on Cases: /"
	kill "$app"
	wait "$app" 2>/dev/null || true
done
