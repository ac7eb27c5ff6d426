# Sourced by the scripts that run the real app under Xvfb (screenshots.sh,
# idle-rss.sh). The caller sets `display` and the array `pids` (processes
# to kill on exit) before sourcing it; start_xvfb starts the server and
# exports DISPLAY, and casebook_window prints the app's window ID.

# start_xvfb starts Xvfb on $display (1280×800, 24-bit) and waits until it
# answers.
start_xvfb() {
	Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
	pids+=($!)
	export DISPLAY=$display
	for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
}

# casebook_window waits for the app's visible window, trying $1 times 0.2 s
# apart, and prints its ID; $2 names the script in the error. GLFW also
# makes a hidden window of the same name, hence --onlyvisible.
casebook_window() {
	for _ in $(seq "$1"); do
		if w=$(xdotool search --onlyvisible --name '^Casebook$' 2>/dev/null | head -n1) && [ -n "$w" ]; then
			echo "$w"
			return
		fi
		sleep 0.2
	done
	echo "$2: the Casebook window did not appear" >&2
	exit 1
}
