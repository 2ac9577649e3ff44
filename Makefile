# lstmfc: the two set-up commands are `make demo` and `make test`.
GO      ?= go
BIN     ?= ./lstmfc
FUZZTIME ?= 5m
DEMO_CSV ?= testdata/natural-gas-daily.csv

.PHONY: build demo test bench bench-vs-pytorch fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/lstmfc

# Train on a bundled real series, predict, and draw chart.png.
demo: build
	$(BIN) train --model m.bin $(DEMO_CSV)
	$(BIN) predict --model m.bin --horizon 20 --out predictions.csv
	$(BIN) plot --predictions predictions.csv --last 1000 --out chart.png

# vet, every test, and every fuzz target's seed corpus (plain go test runs it).
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./internal/lstm/

bench-vs-pytorch:
	./scripts/bench-vs-pytorch.sh

# Each fuzz target for $(FUZZTIME); go test -fuzz takes one target at a time.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./internal/series/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./internal/lstm/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./internal/forecast/

clean:
	rm -f $(BIN) m.bin m.partial.bin predictions.csv chart.png chart.svg chart.pdf
	$(GO) clean -testcache
