// Package plot draws the chart lstmfc is run for: actual prices against
// the model's one-step predictions, with the validation and test spans
// shaded and the forecast continued past the last actual value.
//
// Charts are written as PNG, SVG or PDF. Text is drawn with gonum/plot's
// Liberation Sans unless it needs glyphs that font lacks, such as Chinese,
// in which case a font file is taken from Options.Font or looked for among
// the system's CJK fonts.
package plot

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Data is what the chart shows: one row per value of the series, then one
// per forecast step, like lstmfc's predictions.csv.
type Data struct {
	// Dates holds one date per row, increasing; nil numbers the rows
	// on the x axis instead, from First.
	Dates []time.Time
	// First is the number of the first row when Dates is nil: its
	// position in the whole series, so a chart of a series' tail keeps the
	// positions of the predictions file.
	First int
	// Actual holds the series' values, NaN where absent (forecast rows).
	Actual []float64
	// Predicted holds the one-step predictions and, on forecast rows,
	// the forecast; NaN where absent.
	Predicted []float64
	// Split names each row's part of the series: "train", "validation",
	// "test", "data" (a series not split) or "forecast", in that order
	// with "train" and "data" interchangeable.
	Split []string
	// Bands are optional prediction intervals, in any order.
	Bands []Band
}

// Band is a prediction interval.
type Band struct {
	// Level is the interval's nominal coverage in (0, 1), such as 0.8.
	Level float64
	// Lo and Hi bound the interval on each row, NaN where absent.
	Lo, Hi []float64
}

// Options say how the chart is labelled and sized. Zero fields take the
// English defaults given with each field.
type Options struct {
	Title           string // "Price forecast"
	XLabel          string // "Date", or "Step" when Data has no dates
	YLabel          string // "Price"
	ActualLabel     string // "Actual"
	PredictedLabel  string // "Predicted"
	ForecastLabel   string // "Forecast"; bands add their level, as in "Forecast 80%"
	ValidationLabel string // "validation"
	TestLabel       string // "test"

	// Width and Height are the chart's size in inches: 10 by 6 when 0.
	Width, Height float64
	// DPI is the PNG resolution in pixels per inch: 144 when 0.
	DPI int
	// Font is the path of a .ttf, .otf or .ttc file to draw all text
	// with. When empty, gonum/plot's Liberation Sans is used, or a
	// system CJK font when the text has runes Liberation Sans lacks.
	Font string

	// Zoom, when positive, draws a second panel below the whole chart:
	// the last Zoom values of the series and the forecast, so that a short
	// forecast after years of history reads at a glance. It is ignored
	// when the series has no more than Zoom values.
	Zoom int

	// fonts is where to look for a CJK font when Font is empty; nil
	// means the system's usual places.
	fonts *fontLocator
}

// Preset returns the labels of a language: "en" (English) or "zh"
// (Simplified Chinese). XLabel is left empty in "en" so that it follows
// whether Data has dates.
func Preset(lang string) (Options, error) {
	switch lang {
	case "en":
		return Options{
			Title:           "Price forecast",
			YLabel:          "Price",
			ActualLabel:     "Actual",
			PredictedLabel:  "Predicted",
			ForecastLabel:   "Forecast",
			ValidationLabel: "validation",
			TestLabel:       "test",
		}, nil
	case "zh":
		return Options{
			Title:           "股票价格预测",
			XLabel:          "时间",
			YLabel:          "价格",
			ActualLabel:     "实际价格",
			PredictedLabel:  "预测价格",
			ForecastLabel:   "预测",
			ValidationLabel: "验证",
			TestLabel:       "测试",
		}, nil
	}
	return Options{}, fmt.Errorf("plot: unknown language %q (known: en, zh)", lang)
}

// withDefaults returns o with its zero fields set to their defaults.
func (o Options) withDefaults(hasDates bool) Options {
	en, _ := Preset("en")
	set := func(field *string, def string) {
		if *field == "" {
			*field = def
		}
	}
	set(&o.Title, en.Title)
	set(&o.YLabel, en.YLabel)
	set(&o.ActualLabel, en.ActualLabel)
	set(&o.PredictedLabel, en.PredictedLabel)
	set(&o.ForecastLabel, en.ForecastLabel)
	set(&o.ValidationLabel, en.ValidationLabel)
	set(&o.TestLabel, en.TestLabel)
	if hasDates {
		set(&o.XLabel, "Date")
	} else {
		set(&o.XLabel, "Step")
	}
	if o.Width == 0 {
		o.Width = 10
	}
	if o.Height == 0 {
		o.Height = 6
	}
	if o.DPI == 0 {
		o.DPI = 144
	}
	return o
}

// maxPixels bounds each side of a PNG so that a mistyped size or DPI fails
// clearly instead of exhausting memory.
const maxPixels = 20000

// checkSize reports whether o's size and resolution are usable.
func (o Options) checkSize() error {
	if !(o.Width > 0 && o.Height > 0) {
		return fmt.Errorf("plot: size %gx%g inches is not positive", o.Width, o.Height)
	}
	if o.DPI < 0 {
		return fmt.Errorf("plot: DPI %d is not positive", o.DPI)
	}
	w, h := o.Width*float64(o.DPI), o.Height*float64(o.DPI)
	if !(w >= 1 && h >= 1 && w <= maxPixels && h <= maxPixels) {
		return fmt.Errorf("plot: %gx%g inches at %d DPI gives %.0fx%.0f pixels; each side must be from 1 to %d", o.Width, o.Height, o.DPI, w, h, maxPixels)
	}
	return nil
}

// FormatFor returns the image format that the extension of path names:
// "png", "svg" or "pdf".
func FormatFor(path string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".png", ".svg", ".pdf":
		return ext[1:], nil
	}
	return "", fmt.Errorf("plot: cannot tell the image format of %q: the name must end in .png, .svg or .pdf", path)
}

// splitRank orders the splits along the series; ok is false for an
// unknown split.
func splitRank(split string) (rank int, ok bool) {
	switch split {
	case "train", "data":
		return 0, true
	case "validation":
		return 1, true
	case "test":
		return 2, true
	case "forecast":
		return 3, true
	}
	return 0, false
}

// check reports the first way in which d cannot be drawn.
func (d Data) check() error {
	n := len(d.Split)
	if n == 0 {
		return fmt.Errorf("plot: no rows to draw")
	}
	type field struct {
		name string
		len  int
	}
	fields := []field{{"Actual", len(d.Actual)}, {"Predicted", len(d.Predicted)}}
	if d.Dates != nil {
		fields = append(fields, field{"Dates", len(d.Dates)})
	}
	for _, b := range d.Bands {
		fields = append(fields,
			field{fmt.Sprintf("the %g band's Lo", b.Level), len(b.Lo)},
			field{fmt.Sprintf("the %g band's Hi", b.Level), len(b.Hi)})
	}
	for _, f := range fields {
		if f.len != n {
			return fmt.Errorf("plot: %s has %d values for %d rows", f.name, f.len, n)
		}
	}
	prev := 0
	for i, s := range d.Split {
		rank, ok := splitRank(s)
		if !ok {
			return fmt.Errorf("plot: row %d: unknown split %q (want train, validation, test, data or forecast)", i+1, s)
		}
		if rank < prev {
			return fmt.Errorf("plot: row %d: split %q comes after %q; rows must run train (or data), validation, test, forecast", i+1, s, d.Split[i-1])
		}
		prev = rank
		if i > 0 && d.Dates != nil && !d.Dates[i].After(d.Dates[i-1]) {
			return fmt.Errorf("plot: row %d: date %s is not after the previous row's %s", i+1, d.Dates[i].Format(time.DateOnly), d.Dates[i-1].Format(time.DateOnly))
		}
		if math.IsInf(d.Actual[i], 0) || math.IsInf(d.Predicted[i], 0) {
			return fmt.Errorf("plot: row %d: a value is infinite", i+1)
		}
	}
	for _, b := range d.Bands {
		if !(b.Level > 0 && b.Level < 1) {
			return fmt.Errorf("plot: band level %g is not in (0, 1)", b.Level)
		}
		for i := range b.Lo {
			if math.IsInf(b.Lo[i], 0) || math.IsInf(b.Hi[i], 0) || b.Lo[i] > b.Hi[i] {
				return fmt.Errorf("plot: row %d: the %g band [%g, %g] is not a finite interval", i+1, b.Level, b.Lo[i], b.Hi[i])
			}
		}
	}
	return nil
}

// seriesLen is the number of rows before the forecast.
func (d Data) seriesLen() int {
	n := len(d.Split)
	for n > 0 && d.Split[n-1] == "forecast" {
		n--
	}
	return n
}

// tail returns the last n rows of the series before the forecast, and the
// forecast, sharing d's rows.
func (d Data) tail(n int) Data {
	from := d.seriesLen() - n
	t := Data{First: d.First + from, Actual: d.Actual[from:], Predicted: d.Predicted[from:], Split: d.Split[from:]}
	if d.Dates != nil {
		t.Dates = d.Dates[from:]
	}
	for _, b := range d.Bands {
		t.Bands = append(t.Bands, Band{Level: b.Level, Lo: b.Lo[from:], Hi: b.Hi[from:]})
	}
	return t
}

// bandsWidestFirst returns the bands ordered so that narrower ones are
// drawn over wider ones.
func bandsWidestFirst(bands []Band) []Band {
	sorted := append([]Band(nil), bands...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Level > sorted[j].Level })
	return sorted
}

// Write draws d as a chart in format "png", "svg" or "pdf" and writes it
// to w.
//
// PDF text is limited by gonum/plot to the built-in font and a Western
// code page, so a PDF whose text needs more holds the chart as a PNG image
// at DPI instead of as vector graphics.
func Write(w io.Writer, format string, d Data, o Options) error {
	switch format {
	case "png", "svg", "pdf":
	default:
		return fmt.Errorf("plot: unknown image format %q (want png, svg or pdf)", format)
	}
	if err := d.check(); err != nil {
		return err
	}
	o = o.withDefaults(d.Dates != nil)
	if err := o.checkSize(); err != nil {
		return err
	}
	loc := systemFonts()
	if o.fonts != nil {
		loc = *o.fonts
	}
	ch := newChart(d, o)
	fc, err := chooseFont(o.Font, ch.text(), loc)
	if err != nil {
		return err
	}
	ch.font = fc
	if o.Zoom > 0 && o.Zoom < d.seriesLen() {
		ch.zoom = newChart(d.tail(o.Zoom), o)
		ch.zoom.font = fc
	}
	return ch.write(w, format)
}
