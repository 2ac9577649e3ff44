# lstmfc: the two set-up commands are `make demo` and `make test`.
GO      ?= go
BIN     ?= ./lstmfc
FUZZTIME ?= 5m
DEMO_CSV ?= testdata/natural-gas-daily.csv
# Pinned, and run with `go run pkg@version` rather than a go.mod tool
# directive so that its dependencies never enter lstmfc's module graph (a
# tool's requirements can raise the versions the binary is built with). It
# needs only the module proxy; the build is cached after the first run.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Packages that start goroutines, directly or through the engine: the
# batch-1 pipeline hand-rolls a spin-wait, which only the race detector
# checks; userfile and atomicfile wait on FIFOs and writes in goroutines;
# fleet runs series on a pool.
# Set RACE_PKGS= to skip on a machine without a C compiler.
RACE_PKGS ?= ./internal/lstm/ ./internal/forecast/ ./internal/userfile/ ./internal/atomicfile/ ./internal/fleet/
# Mutation testing (make mutation), pinned and run like staticcheck.
GREMLINS ?= $(GO) run github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
MUTATION_PKGS ?= ./internal/forecast ./internal/metrics ./internal/window ./internal/scale ./internal/features ./internal/fleet

.PHONY: build demo test race lint mutation bench bench-vs-pytorch fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/lstmfc

# Train on a bundled real series, predict, and draw chart.png.
demo: build
	$(BIN) train --model m.bin $(DEMO_CSV)
	$(BIN) predict --model m.bin --horizon 20 --out predictions.csv
	$(BIN) plot --predictions predictions.csv --last 1000 --out chart.png

# Lint, every test and every fuzz target's seed corpus (plain go test runs
# it), then the goroutine packages again under the race detector.
test: lint
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory race

# gofmt -l lists files without failing, so its output is the failure.
lint:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then \
		echo "gofmt -l: these files need gofmt -w:"; echo "$$unformatted"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

race:
ifneq ($(strip $(RACE_PKGS)),)
	@if [ "$$($(GO) env CGO_ENABLED)" != 1 ]; then \
		echo "go test -race needs cgo and a C compiler (apt-get install gcc), or run make test RACE_PKGS="; exit 1; fi
	$(GO) test -count=1 -race $(RACE_PKGS)
endif

# Mutation testing, too slow for CI: gremlins changes the code one operator
# at a time and reports the changes no test notices. One package at a time,
# as each run already uses every core. The generous timeout keeps a slow,
# shared machine from reporting mutants as "timed out" instead of judging
# them. gremlins reports a switch's case conditions as "not covered" (Go's
# coverage blocks leave them out) even when a test runs them.
mutation:
	for p in $(MUTATION_PKGS); do $(GREMLINS) unleash --timeout-coefficient 20 $$p || exit 1; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./internal/lstm/

bench-vs-pytorch:
	./scripts/bench-vs-pytorch.sh

# Each fuzz target for $(FUZZTIME); go test -fuzz takes one target at a time.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./internal/series/
	$(GO) test -run '^$$' -fuzz '^FuzzLoadTable$$' -fuzztime $(FUZZTIME) ./internal/series/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/features/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./internal/lstm/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./internal/forecast/

clean:
	rm -f $(BIN) m.bin m.partial.bin predictions.csv chart.png chart.svg chart.pdf
	$(GO) clean -testcache
