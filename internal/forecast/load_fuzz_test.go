package forecast

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/series"
	"github.com/lstmfc/lstmfc/internal/window"
)

// smallModelFile trains a model on a short dated series with few units and
// returns the bytes Save writes for it: a file of a few kilobytes holding
// every metadata key lstmfc writes.
func smallModelFile(t testing.TB, target window.Target) []byte {
	t.Helper()
	cfg := Config{
		Lookback: 6, Units: []int{3}, Target: target, Epochs: 2, BatchSize: 8, LR: 1e-2,
		Patience: 2, Seed: 1, ValSplit: 0.2, TestSplit: 0.2, Levels: []float64{0.8},
	}
	prices := noisySine(40, 3)
	fit, err := Train(context.Background(), prices, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := fit.meta(&series.Series{Source: "s.csv", Column: "Close", Values: prices,
		Dates: series.BusinessDays(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), len(prices))})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := lstm.Encode(&b, fit.Net, meta); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// checksumEntry matches the checksum key and value lstm.Encode writes.
var checksumEntry = regexp.MustCompile(`"checksum":"sha256:[0-9a-f]{64}",?`)

// withoutChecksum returns the model file b with its checksum key removed,
// as a file exported before lstmfc wrote checksums would be: its metadata
// is then read for meaning with no digest standing in the way, which is
// where a fuzzer's changes must reach.
func withoutChecksum(t testing.TB, b []byte) []byte {
	t.Helper()
	n := binary.LittleEndian.Uint64(b)
	h := checksumEntry.ReplaceAll(b[8:8+n], nil)
	h = bytes.Replace(h, []byte(",}"), []byte("}"), 1) // when it was the last key
	if len(h) == int(n) {
		t.Fatal("no checksum in the model file")
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	return append(out, b[8+n:]...)
}

// predictCSV does what predict does with a model file's bytes and no
// --data: decode them and write the table of the stored series with a
// short forecast as CSV.
func predictCSV(b []byte) ([]byte, error) {
	sv, err := decode(b, "m.bin")
	if err != nil {
		return nil, err
	}
	return sv.predictCSV()
}

// predictCSV writes the table of the stored series, as predict does.
func (sv *Saved) predictCSV() ([]byte, error) {
	t, err := sv.Table(context.Background(), sv.Series.Values, sv.Series.Dates, &sv.Split, 3)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := t.WriteCSV(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// FuzzLoad runs the whole model loader, bytes to a forecaster, on any
// input: it must never panic, its errors must be one line naming the file,
// and whatever it accepts must hold only meanings the rest of lstmfc can
// use, down to the predict table of the stored series.
func FuzzLoad(f *testing.F) {
	for _, target := range []window.Target{window.Return, window.Price, window.Delta} {
		b := smallModelFile(f, target)
		f.Add(b)
		f.Add(withoutChecksum(f, b))
	}
	net, err := lstm.New(1, []int{2})
	if err != nil {
		f.Fatal(err)
	}
	net.InitKeras(1)
	var pytorch bytes.Buffer
	if err := lstm.Encode(&pytorch, net, map[string]string{keyLookback: "3", keyScalerMin: "1", keyScalerMax: "2"}); err != nil {
		f.Fatal(err)
	}
	f.Add(pytorch.Bytes())
	f.Add(withoutChecksum(f, pytorch.Bytes()))
	f.Fuzz(func(t *testing.T, b []byte) {
		sv, err := decode(b, "m.bin")
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "m.bin: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line starting with the file's name", msg)
			}
			return
		}
		checkSaved(t, sv)
		if _, err := sv.CheckFinished(); err != nil && sv.BestEpoch != 0 {
			t.Fatalf("CheckFinished refused a model of epoch %d: %v", sv.BestEpoch, err)
		}
		if sv.Series == nil {
			return
		}
		if sv.Spans(sv.Series) == nil && len(sv.Series.Values) > 0 {
			t.Fatal("no spans for the stored series")
		}
		sv.RangeWarning(sv.Series.Values)
		// Prediction may fail (weights that overflow), but with an error.
		if _, err := sv.predictCSV(); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("predict error %q is not one line", err)
		}
	})
}

// checkSaved fails t unless every field of a loaded model has a meaning
// predict can use.
func checkSaved(t *testing.T, sv *Saved) {
	t.Helper()
	if sv.Lookback < 1 || sv.Lookback > MaxLookback {
		t.Fatalf("lookback %d accepted", sv.Lookback)
	}
	if _, err := window.ParseTarget(string(sv.Enc.Target)); err != nil {
		t.Fatalf("target %q accepted", sv.Enc.Target)
	}
	for _, iv := range sv.Intervals {
		if !(iv.Level > 0 && iv.Level < 1) || !(iv.Radius > 0) || math.IsInf(iv.Radius, 0) {
			t.Fatalf("interval %+v accepted", iv)
		}
	}
	if sv.Series == nil {
		return
	}
	s, sp := sv.Series, sv.Split
	if sp.N != len(s.Values) || !(sp.Lookback < sp.TrainEnd && sp.TrainEnd <= sp.ValEnd && sp.ValEnd <= sp.N) {
		t.Fatalf("split %+v of %d values accepted", sp, len(s.Values))
	}
	for i := 1; i < len(s.Dates); i++ {
		if !s.Dates[i].After(s.Dates[i-1]) {
			t.Fatalf("date %d, %v, does not follow %v", i, s.Dates[i], s.Dates[i-1])
		}
	}
}

// TestLoadEveryBitFlip flips each bit of a small model file lstmfc wrote,
// one at a time: every result must be refused, or load and predict exactly
// what the file as written does. A file with a checksum leaves no room
// for a flip that silently changes a forecast.
func TestLoadEveryBitFlip(t *testing.T) {
	b := smallModelFile(t, window.Return)
	want, err := predictCSV(b)
	if err != nil {
		t.Fatal(err)
	}
	// The fuzzer's seeds without a checksum must be the same model, or its
	// changes would not reach the metadata checks of a real file.
	if got, err := predictCSV(withoutChecksum(t, b)); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the file without its checksum: error %v, or another table", err)
	}
	refused := 0
	for bit := range 8 * len(b) {
		b[bit/8] ^= 1 << (bit % 8)
		got, err := predictCSV(b)
		b[bit/8] ^= 1 << (bit % 8)
		switch {
		case err != nil:
			refused++
		case !bytes.Equal(got, want):
			t.Errorf("bit %d of %d (byte %d, %q) flipped: accepted, and predict writes another table", bit, 8*len(b), bit/8, b[bit/8])
		}
	}
	t.Logf("%d of %d single-bit flips of a %d-byte model refused, the rest predict the same", refused, 8*len(b), len(b))
}
