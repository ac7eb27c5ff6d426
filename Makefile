# Casebook: build, run and test. GNU make; `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Steps run in the order written, even under make -j: deps must come first.
.NOTPARALLEL:

GO       ?= go
GOFMT    ?= $(shell $(GO) env GOROOT)/bin/gofmt
BIN      := bin/casebook
# How long `make fuzz` runs each fuzz target.
FUZZTIME ?= 5m
# Arguments for `make run`, e.g. ARGS="--vault /tmp/testvault".
ARGS     ?=

# staticcheck 2026.2.2. The proxy does not resolve 2025.1.1 by that name, and
# this release, the newest, builds with and understands Go 1.26.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Debian/Ubuntu packages: a C compiler and the OpenGL, X11 and GTK headers
# that Fyne's cgo driver builds against; then what the tests use.
BUILD_PKGS := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libgtk-3-dev
TEST_PKGS  := xvfb xauth xdotool poppler-utils imagemagick
DEB_PKGS   := $(BUILD_PKGS) $(TEST_PKGS)

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# A virtual screen for tests when there is no display: 24-bit colour, so that
# screenshots look as they would on a real screen.
XVFB_RUN := xvfb-run -a -s "-screen 0 1920x1080x24"

.PHONY: help deps build run test bench faults fuzz screenshots clean
.PHONY: display-check fmt-check vet staticcheck go-test

help: ## list the targets
	@echo "Usage: make TARGET"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z-]*:.*## / { printf "  %-7s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: FUZZTIME (default 5m) for fuzz; ARGS for run, e.g. ARGS=\"--vault DIR\"."

deps: ## install the Debian/Ubuntu packages needed to build and test
	@if ! command -v apt-get >/dev/null 2>&1; then \
		if [ "$$(uname -s)" = Darwin ]; then \
			echo "deps: on macOS, building needs Go and the Xcode command line tools (xcode-select --install)."; \
		else \
			echo "deps: no apt-get here, so nothing was installed. Building needs a C compiler,"; \
			echo "deps: pkg-config and the OpenGL, X11 and GTK 3 development headers; the tests also"; \
			echo "deps: use Xvfb, xauth, xdotool, poppler's pdftotext and ImageMagick."; \
			echo "deps: Debian names: $(DEB_PKGS)"; \
		fi; \
		exit 0; \
	fi; \
	missing=""; \
	for p in $(DEB_PKGS); do \
		if ! dpkg-query -W -f='$${db:Status-Abbrev}' "$$p" 2>/dev/null | grep -q '^ii'; then \
			missing="$$missing $$p"; \
		fi; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "deps: installing$$missing"; \
	$(SUDO) apt-get update; \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing

build: ## build bin/casebook
	$(GO) build -o $(BIN) .

run: display-check deps build ## build and open the desktop app on the default vault
	./$(BIN) $(ARGS)

screenshots: deps build ## run the app under Xvfb on a demo vault; write docs/screenshots/*.png
	scripts/screenshots.sh $(BIN)

# On Linux and the BSDs the desktop app needs an X11 or Wayland display.
display-check:
	@case "$$(uname -s)" in Darwin|MINGW*|MSYS*|CYGWIN*) exit 0;; esac; \
	if [ -z "$${DISPLAY:-}" ] && [ -z "$${WAYLAND_DISPLAY:-}" ]; then \
		echo "run: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the" >&2; \
		echo "run: desktop app cannot open. Run make run in a desktop session, or use the" >&2; \
		echo "run: commands instead: make build && $(BIN) --help" >&2; \
		exit 1; \
	fi

test: deps fmt-check vet staticcheck go-test ## check formatting, vet, staticcheck, then go test -race

fmt-check:
	@echo "gofmt -l ."
	@files=$$($(GOFMT) -l .); \
	if [ -n "$$files" ]; then \
		echo "gofmt: these files are not formatted (run gofmt -w on them):"; \
		echo "$$files"; \
		exit 1; \
	fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

# Fyne's test driver needs no display, but screenshot tests do: without one,
# run the tests on a virtual X server.
go-test:
	@if [ -z "$${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then \
		echo "No DISPLAY: running the tests under xvfb-run."; \
		echo "$(GO) test -race -timeout 20m ./..."; \
		$(XVFB_RUN) $(GO) test -race -timeout 20m ./...; \
	else \
		echo "$(GO) test -race -timeout 20m ./..."; \
		$(GO) test -race -timeout 20m ./...; \
	fi

# How many times `make bench` runs each benchmark, and for how long.
BENCHCOUNT ?= 6
BENCHTIME  ?= 1s

bench: deps build ## run every benchmark and the idle-memory measure; write docs/BENCHMARKS.md
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -benchtime $(BENCHTIME) -timeout 180m \
		$$($(GO) list ./... | grep -v '/ui/desktop$$') | tee bench.txt
	# Each desktop benchmark in a process of its own: Fyne's test driver
	# keeps the renderers of every widget it ever drew, which the real app
	# drops a minute after they leave the screen, so a benchmark run after
	# another measured a process holding every screen built before it.
	set -o pipefail; for b in $$($(GO) test -list '^BenchmarkDesktop' ./ui/desktop 2>/dev/null | grep '^Benchmark'); do \
		$(GO) test -run '^$$' -bench "^$$b$$" -benchmem -count $(BENCHCOUNT) -benchtime $(BENCHTIME) -timeout 60m ./ui/desktop | tee -a bench.txt || exit 1; \
	done
	echo "pkg: casebook/ui/desktop" >> bench.txt
	GO=$(GO) scripts/idle-rss.sh $(BIN) 1000 10000 | tee -a bench.txt
	$(GO) run ./internal/cmd/benchdoc -in bench.txt -out docs/BENCHMARKS.md -count $(BENCHCOUNT)
	@echo "bench: wrote docs/BENCHMARKS.md; the raw results are in bench.txt (benchstat bench.txt summarizes them)"

# The fault suite: every test named TestFault…, with its full number of
# rounds, each appending its tally to FAULTS_JSON; then the table.
FAULTS_JSON := $(CURDIR)/faults.jsonl

faults: deps ## run the fault suite in full; write docs/RELIABILITY.md
	rm -f $(FAULTS_JSON)
	@echo "CASEBOOK_FAULTS_FULL=1 $(GO) test -count 1 -timeout 90m -run '^TestFault' ./..."
	@export CASEBOOK_FAULTS_FULL=1 CASEBOOK_FAULTS_REPORT=$(FAULTS_JSON); status=0; \
	if [ -z "$${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then \
		$(XVFB_RUN) $(GO) test -count 1 -timeout 90m -run '^TestFault' ./... || status=$$?; \
	else \
		$(GO) test -count 1 -timeout 90m -run '^TestFault' ./... || status=$$?; \
	fi; \
	$(GO) run ./internal/cmd/reliability -in $(FAULTS_JSON) -out docs/RELIABILITY.md; \
	echo "faults: wrote docs/RELIABILITY.md"; \
	exit $$status

# make fuzz: FUZZPARALLEL is how many processes fuzz at once (go test
# -parallel); FUZZ picks the targets by a regular expression on their names.
# After each target, the corpus the fuzzer found in Go's cache
# ($(go env GOCACHE)/fuzz/IMPORT-PATH/NAME) is copied into the package's
# testdata/fuzz/NAME, to be committed: every go test then runs it. To keep
# go test fast and the repository small, a target's copy is at most
# FUZZKEEPFILES files and FUZZKEEPBYTES bytes, the smallest ones (by size,
# then name), so the subset is the same for the same cache. A crasher is
# written into testdata/fuzz by go test itself, and always kept.
FUZZPARALLEL  ?= 2
FUZZ          ?= .
# How long the fuzzer may spend making each new input smaller (go test
# -fuzzminimizetime). Its default, 60s, is a fifth of a 5m run spent on one
# input when a target runs tens of inputs a second (the vault-backed ones).
FUZZMINIMIZE  ?= 10s
FUZZKEEPFILES ?= 300
FUZZKEEPBYTES ?= 1000000

fuzz: ## run each fuzz target for FUZZTIME (default 5m) and keep its corpus in testdata/fuzz
	@targets=$$($(GO) test -list '^Fuzz' ./... | awk ' \
		/^Fuzz/ { names = names " " $$1; next } \
		/^ok/   { n = split(names, a, " "); for (i = 1; i <= n; i++) print $$2, a[i]; names = "" }'); \
	if [ -z "$$targets" ]; then echo "fuzz: no fuzz targets"; exit 0; fi; \
	cache="$$($(GO) env GOCACHE)/fuzz"; failed=""; \
	while read -r pkg name; do \
		if ! [[ "$$name" =~ $(FUZZ) ]]; then continue; fi; \
		echo "$(GO) test -run '^$$' -fuzz '^$$name\$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel $(FUZZPARALLEL) $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel $(FUZZPARALLEL) "$$pkg" </dev/null || failed="$$failed $$name"; \
		scripts/fuzz-corpus.sh "$$cache/$$pkg/$$name" "$$($(GO) list -f '{{.Dir}}' "$$pkg")/testdata/fuzz/$$name" \
			$(FUZZKEEPFILES) $(FUZZKEEPBYTES); \
	done <<< "$$targets"; \
	if [ -n "$$failed" ]; then echo "fuzz: these targets failed:$$failed (their inputs are in testdata/fuzz)"; exit 1; fi

clean: ## remove the binary, bench.txt and failed snapshot files
	rm -rf bin bench.txt faults.jsonl
	find . -type d -path '*/testdata/failed' -prune -exec rm -rf {} +
