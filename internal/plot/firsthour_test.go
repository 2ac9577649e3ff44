package plot

import (
	"bytes"
	"image"
	"math"
	"regexp"
	"slices"
	"testing"
)

// TestLegendListsWhatIsDrawn draws the last row of a series and its
// forecast, as plot --last 1 does: the one actual value and the one
// prediction draw no line, so the legend must not list them.
func TestLegendListsWhatIsDrawn(t *testing.T) {
	d := halves(5)
	last := d.tail(1)
	if len(last.Split) != 6 || last.Split[0] != "test" || last.First != 200 {
		t.Fatalf("tail(1) = %d rows from %d starting %q; want the last test row and 5 forecast rows", len(last.Split), last.First, last.Split[0])
	}
	for _, tc := range []struct {
		name string
		d    Data
		want []string
	}{
		{"whole", d, []string{"Actual", "Predicted", "Forecast", "Forecast 95%", "Forecast 80%"}},
		{"last 1", last, []string{"Forecast", "Forecast 95%", "Forecast 80%"}},
		{"no forecast", halves(0), []string{"Actual", "Predicted"}},
	} {
		o := Options{}.withDefaults(false)
		var names []string
		for _, e := range newChart(tc.d, o).legendEntries() {
			names = append(names, e.name)
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("%s: legend %q, want %q", tc.name, names, tc.want)
		}
	}
}

func TestDrawsLine(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		ys   []float64
		want bool
	}{
		{nil, false}, {[]float64{1}, false}, {[]float64{1, nan, 2}, false}, {[]float64{nan, 1, 2}, true},
	} {
		if got := drawsLine(tc.ys); got != tc.want {
			t.Errorf("drawsLine(%v) = %v", tc.ys, got)
		}
	}
}

// TestSVGFontFallbacks checks that every font family in an SVG names
// fallbacks, Simplified Chinese faces first for Chinese text.
func TestSVGFontFallbacks(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "svg", halves(5), Options{}); err != nil {
		t.Fatal(err)
	}
	fams := regexp.MustCompile(`font-family:[^;"]*`).FindAllString(buf.String(), -1)
	if len(fams) == 0 {
		t.Fatal("no font-family in the SVG")
	}
	for _, f := range fams {
		if f != "font-family:'Liberation Sans',Arial,Helvetica,'DejaVu Sans',sans-serif" {
			t.Errorf("SVG has %q, want Liberation Sans with fallbacks", f)
		}
	}
	svg := []byte(`<text style="font-family:Noto Sans CJK JP;font-size:9pt">`)
	got := string(withFallbackFonts(svg, "股票价格预测"))
	want := `<text style="font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei','Noto Sans CJK JP',sans-serif;font-size:9pt">`
	if got != want {
		t.Errorf("Chinese text: %s, want %s", got, want)
	}
}

// TestZoomPanel checks that Options.Zoom draws a second panel below the
// whole chart, with the forecast, and nothing when it covers the series.
func TestZoomPanel(t *testing.T) {
	d := halves(20)
	plain := render(t, d, Options{})
	zoomed := render(t, d, Options{Zoom: 30})
	at := layout(t, d, Options{})
	// The lower part of the plain chart's data area holds the value 0
	// (the actual line, right half); in the zoomed chart the lower panel
	// holds the last 30 values, 0, and the forecast at 6 in green.
	lower := image.Rect(at.data.Min.X, at.data.Max.Y-at.data.Dy()*zoomShareTest/100, at.data.Max.X, at.data.Max.Y)
	// Without zoom the forecast takes the last 20 of 220 rows, right of
	// 90% of the width; zoomed, the last 20 of 50, right of 60%.
	mid := image.Rect(at.data.Min.X+at.data.Dx()*65/100, lower.Min.Y, at.data.Min.X+at.data.Dx()*85/100, lower.Max.Y)
	if n, m := count(zoomed, mid, forecastColor, 8), count(plain, mid, forecastColor, 8); n < 20 || m != 0 {
		t.Errorf("%d forecast pixels at 65%% to 85%% of the width of the lower panel, %d without zoom; want a forecast there only with zoom", n, m)
	}
	same := render(t, d, Options{Zoom: 200})
	if !bytes.Equal(same.(*image.RGBA).Pix, plain.(*image.RGBA).Pix) {
		t.Error("Zoom covering the whole series drew a different chart")
	}
	if got := d.tail(30); got.First != 171 || len(got.Actual) != 50 || got.Bands[0].Lo[30] != 5 {
		t.Errorf("tail(30): first %d, %d rows, band %v; want rows 171 to 220", got.First, len(got.Actual), got.Bands[0].Lo[30])
	}
}

// zoomShareTest is the lower panel's share of the plot area, in percent,
// rounded down.
const zoomShareTest = 40

// TestThinning checks that lines thin on dense charts, and not on sparse
// ones, within bounds.
func TestThinning(t *testing.T) {
	for _, tc := range []struct {
		rows int
		want float64
	}{{100, 1}, {600, 1}, {2400, 0.5}, {100000, 0.45}} {
		ch := &chart{xs: make([]float64, tc.rows), opts: Options{Width: 10}}
		if got := ch.thinning(); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%d rows on 10 inches: thinning %g, want %g", tc.rows, got, tc.want)
		}
	}
}
