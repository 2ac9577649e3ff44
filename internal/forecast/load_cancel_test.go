package forecast

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lstmfc/lstmfc/internal/lstm"
	"github.com/lstmfc/lstmfc/internal/window"
)

// TestLoadAnswersCancelDuringDecode checks that Load's decoding of a model
// with a long stored series, which takes seconds of JSON parsing, returns
// the cancellation's cause within a second of it, and well before the
// decoding would have ended.
func TestLoadAnswersCancelDuringDecode(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 60 MB model")
	}
	fit, _, meta := meaningFit(t, window.Return)
	prices := noisySine(3_000_000, 1)
	b, err := json.Marshal(prices)
	if err != nil {
		t.Fatal(err)
	}
	meta[keySeries] = string(b)
	delete(meta, keyDates) // which would no longer match in number
	var file bytes.Buffer
	if err := lstm.Encode(&file, fit.Net, meta); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := decode(file.Bytes(), "m.bin"); err != nil {
		t.Fatal(err)
	}
	whole := time.Since(start)

	cause := errors.New("interrupted by SIGINT")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(10*time.Millisecond, func() { cancel(cause) })
	start = time.Now()
	_, err = decodeCtx(ctx, file.Bytes(), "m.bin")
	if waited := time.Since(start); !errors.Is(err, cause) || waited > min(time.Second, whole/2) {
		t.Errorf("cancelled 10ms in: returned %v after %v (the whole decoding takes %v), want the cause at once", err, waited, whole)
	}
}
