package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"

	gplot "gonum.org/v1/plot"
	plotfont "gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The chart's colours: saturated for lines, pale for shaded spans so that
// lines stay legible over them.
var (
	actualColor     = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff} // blue
	predictedColor  = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff} // red
	forecastColor   = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff} // green, dashed
	validationShade = color.RGBA{R: 0xfd, G: 0xf0, B: 0xd2, A: 0xff} // pale amber
	testShade       = color.RGBA{R: 0xe9, G: 0xe4, B: 0xf5, A: 0xff} // pale lavender
	markerColor     = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	gridColor       = color.RGBA{R: 0xe0, G: 0xe0, B: 0xe0, A: 0xff}
)

// bandShade returns the colour of the i'th band drawn, widest first: the
// forecast's colour on white, stronger for narrower bands. Bands are
// opaque because vgpdf draws translucent colours too dark.
func bandShade(i int) color.RGBA {
	strength := math.Min(0.18*float64(i+1), 0.6)
	mix := func(v uint8) uint8 { return uint8(math.Round(255 - strength*(255-float64(v)))) }
	return color.RGBA{R: mix(forecastColor.R), G: mix(forecastColor.G), B: mix(forecastColor.B), A: 0xff}
}

// Font sizes, in points, for a chart of the default size.
const (
	titleSize  = 15
	labelSize  = 11
	tickSize   = 9.5
	legendSize = 10
	markerSize = 9
)

// chart is a Data and its Options made ready to draw.
type chart struct {
	opts Options
	font fontChoice

	// xs is each row's position on the x axis.
	xs       []float64
	dates    bool
	actual   []float64
	predicts []float64 // one-step predictions, NaN on forecast rows
	forecast []float64 // the forecast, joined to the last actual value
	bands    []Band    // widest first, joined to the last actual value
	// loc is the time zone of the dates, for placing date ticks.
	loc *time.Location
	// The first and last rows of the validation and test splits; -1 for
	// a split absent.
	validation, validationEnd, test, testEnd int
	// zoom, when not nil, is the panel drawn below with the series' last
	// values and the forecast.
	zoom *chart
}

// newChart arranges d for drawing with o, which has its defaults set.
func newChart(d Data, o Options) *chart {
	n := len(d.Split)
	ch := &chart{
		opts:       o,
		xs:         make([]float64, n),
		dates:      d.Dates != nil,
		actual:     d.Actual,
		predicts:   make([]float64, n),
		forecast:   make([]float64, n),
		validation: -1, validationEnd: -1,
		test: -1, testEnd: -1,
	}
	if ch.dates {
		ch.loc = d.Dates[0].Location()
	}
	for i := range ch.xs {
		if ch.dates {
			ch.xs[i] = float64(d.Dates[i].Unix())
		} else {
			ch.xs[i] = float64(d.First + i)
		}
	}
	firstForecast := n
	for i, s := range d.Split {
		ch.predicts[i], ch.forecast[i] = d.Predicted[i], math.NaN()
		switch s {
		case "validation":
			if ch.validation < 0 {
				ch.validation = i
			}
			ch.validationEnd = i
		case "test":
			if ch.test < 0 {
				ch.test = i
			}
			ch.testEnd = i
		case "forecast":
			if firstForecast == n {
				firstForecast = i
			}
			ch.predicts[i], ch.forecast[i] = math.NaN(), d.Predicted[i]
		}
	}
	// Join the forecast and its bands to the last actual value before
	// it, so that they read as its continuation.
	lastActual := -1
	for i := firstForecast - 1; i >= 0; i-- {
		if !math.IsNaN(d.Actual[i]) {
			lastActual = i
			break
		}
	}
	ch.bands = bandsWidestFirst(d.Bands)
	if lastActual < 0 || firstForecast == n {
		return ch
	}
	ch.forecast[lastActual] = d.Actual[lastActual]
	for k, b := range ch.bands {
		if math.IsNaN(b.Lo[firstForecast]) || !math.IsNaN(b.Lo[lastActual]) {
			continue
		}
		lo := append([]float64(nil), b.Lo...)
		hi := append([]float64(nil), b.Hi...)
		lo[lastActual], hi[lastActual] = d.Actual[lastActual], d.Actual[lastActual]
		ch.bands[k] = Band{Level: b.Level, Lo: lo, Hi: hi}
	}
	return ch
}

// bandName returns the legend text of b.
func (ch *chart) bandName(b Band) string {
	return fmt.Sprintf("%s %g%%", ch.opts.ForecastLabel, 100*b.Level)
}

// text returns all the text the chart may draw, for choosing a font that
// has its glyphs.
func (ch *chart) text() string {
	o := ch.opts
	parts := []string{o.Title, o.XLabel, o.YLabel, o.ActualLabel, o.PredictedLabel, o.ForecastLabel,
		o.ValidationLabel, o.TestLabel, "0123456789.,-%"}
	return strings.Join(parts, " ")
}

// textScale returns the factor by which text is smaller on a chart
// smaller than the default, so that the text leaves room for the data.
func (ch *chart) textScale() vg.Length {
	return vg.Length(max(0.7, min(1, ch.opts.Width/10, ch.opts.Height/6)))
}

// textStyle returns the style of text of the given size in points on a
// chart of the default size.
func (ch *chart) textStyle(size vg.Length) draw.TextStyle {
	return draw.TextStyle{
		Color:   color.Black,
		Font:    plotfont.From(ch.font.typeface, size*ch.textScale()),
		Handler: text.Plain{Fonts: ch.font.cache},
	}
}

// write draws the chart in format and writes it to w.
func (ch *chart) write(w io.Writer, format string) error {
	width, height := vg.Length(ch.opts.Width)*vg.Inch, vg.Length(ch.opts.Height)*vg.Inch
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		img := ch.raster()
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	case "svg":
		svg := vgsvg.New(width, height)
		ch.draw(draw.New(svg))
		var b bytes.Buffer
		if _, err := svg.WriteTo(&b); err != nil {
			return err
		}
		_, err := w.Write(withFallbackFonts(b.Bytes(), ch.text()))
		return err
	case "pdf":
		pdf := vgpdf.New(width, height)
		if ch.font.builtin && isASCII(ch.text()) {
			ch.draw(draw.New(pdf))
		} else {
			// vgpdf places images upside down in its y-up coordinates;
			// flipping the page's axis first sets them upright.
			pdf.Push()
			pdf.Translate(vg.Point{Y: height})
			pdf.Scale(1, -1)
			pdf.DrawImage(vg.Rectangle{Max: vg.Point{X: width, Y: height}}, ch.raster().Image())
			pdf.Pop()
		}
		c = pdf
	}
	_, err := c.WriteTo(w)
	return err
}

// raster draws the chart as an image at the chart's DPI.
func (ch *chart) raster() *vgimg.Canvas {
	width, height := vg.Length(ch.opts.Width)*vg.Inch, vg.Length(ch.opts.Height)*vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(ch.opts.DPI))
	ch.draw(draw.New(img))
	return img
}

// isASCII reports whether s is plain ASCII, the text the PDF backend's
// code page draws faithfully.
func isASCII(s string) bool {
	for _, r := range s {
		if r > 0x7f {
			return false
		}
	}
	return true
}

// svgFamily matches the font family of each SVG text element gonum writes:
// a single name, which a viewer without that font replaces with its own
// default, often a serif face or one without Chinese glyphs.
var svgFamily = regexp.MustCompile(`font-family:([^;"]+);`)

// withFallbackFonts gives each font family of svg a fallback list: for
// Chinese text the Simplified Chinese faces first, since a CJK font found
// on the system may be its Japanese variant, whose glyph shapes differ;
// otherwise the usual metric-compatible sans-serif faces.
func withFallbackFonts(svg []byte, text string) []byte {
	fallbacks := "Arial,Helvetica,'DejaVu Sans',sans-serif"
	chinese := strings.IndexFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
	return svgFamily.ReplaceAllFunc(svg, func(m []byte) []byte {
		name := "'" + string(svgFamily.FindSubmatch(m)[1]) + "'"
		if chinese {
			return []byte("font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei'," + name + ",sans-serif;")
		}
		return []byte("font-family:" + name + "," + fallbacks + ";")
	})
}

// zoomShare is the part of the plot area the zoomed panel takes.
const zoomShare = 0.42

// draw draws the chart on c: the title, the legend below it and the plot
// below that, so that the legend never covers data; then the zoomed panel
// below, when there is one.
func (ch *chart) draw(c draw.Canvas) {
	area := ch.frame(c)
	if ch.zoom == nil {
		ch.plot(area).Draw(area)
		return
	}
	split := area.Min.Y + (area.Max.Y-area.Min.Y)*zoomShare
	gap := vg.Points(6)
	whole := draw.Crop(area, 0, 0, split-area.Min.Y+gap, 0)
	zoomed := draw.Crop(area, 0, 0, 0, split-area.Max.Y)
	ch.plot(whole).Draw(whole)
	ch.zoom.plot(zoomed).Draw(zoomed)
}

// frame draws the title and the legend at the top of c and returns the
// part of c left for the plot.
func (ch *chart) frame(c draw.Canvas) draw.Canvas {
	margin := vg.Points(8)
	c = draw.Crop(c, margin, -margin, margin/2, -margin)

	title := ch.textStyle(titleSize)
	title.XAlign = draw.XCenter
	size := title.Font.Size
	fillOnBaseline(c, title, vg.Point{X: c.Center().X, Y: c.Max.Y - ascent*size}, ch.opts.Title)
	top := (ascent+descent)*size + vg.Points(6)

	legend := ch.textStyle(legendSize)
	rows := legendRows(ch.legendEntries(), legend, c.Max.X-c.Min.X)
	top += drawLegend(draw.Crop(c, 0, 0, 0, -top), rows, legend) + vg.Points(4)

	return draw.Crop(c, 0, 0, 0, -top)
}

// actualStyle is the line style of the actual values: drawn over the
// predictions and narrower than them, so that where the two agree, as a
// good one-step model's mostly do, the blue line runs inside a red edge
// and both read.
func (ch *chart) actualStyle() draw.LineStyle {
	return draw.LineStyle{Color: actualColor, Width: vg.Points(1.0 * ch.thinning())}
}

// predictedStyle is the line style of the one-step predictions, drawn
// under the actual values.
func (ch *chart) predictedStyle() draw.LineStyle {
	return draw.LineStyle{Color: predictedColor, Width: vg.Points(1.7 * ch.thinning())}
}

// thinning is the factor by which the lines of a dense chart are thinner:
// past about 60 values an inch, lines of the default widths merge into a
// solid ribbon that hides the other line.
func (ch *chart) thinning() float64 {
	perInch := float64(len(ch.xs)) / ch.opts.Width
	return max(0.45, min(1, math.Sqrt(60/perInch)))
}

// forecastStyle is the line style of the forecast.
func (ch *chart) forecastStyle() draw.LineStyle {
	return draw.LineStyle{Color: forecastColor, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
}

// legendEntries returns an entry for each series that is drawn: a line
// needs two values in a row, a band one.
func (ch *chart) legendEntries() []legendEntry {
	var entries []legendEntry
	if drawsLine(ch.actual) {
		entries = append(entries, legendEntry{ch.opts.ActualLabel, line{style: ch.actualStyle()}})
	}
	if drawsLine(ch.predicts) {
		entries = append(entries, legendEntry{ch.opts.PredictedLabel, line{style: ch.predictedStyle()}})
	}
	if drawsLine(ch.forecast) {
		entries = append(entries, legendEntry{ch.opts.ForecastLabel, line{style: ch.forecastStyle()}})
	}
	for i, b := range ch.bands {
		if drawsLine(b.Lo) {
			entries = append(entries, legendEntry{ch.bandName(b), band{color: bandShade(i)}})
		}
	}
	return entries
}

// drawsLine reports whether a line through ys draws anything: whether two
// neighbouring values are numbers.
func drawsLine(ys []float64) bool {
	for i := 1; i < len(ys); i++ {
		if !math.IsNaN(ys[i-1]) && !math.IsNaN(ys[i]) {
			return true
		}
	}
	return false
}

// plot returns the gonum plot of the data, laid out for the canvas area.
func (ch *chart) plot(area draw.Canvas) *gplot.Plot {
	p := gplot.New()
	p.BackgroundColor = nil
	hdlr := text.Plain{Fonts: ch.font.cache}
	p.TextHandler = hdlr
	for _, ax := range []*gplot.Axis{&p.X, &p.Y} {
		// Keep gonum's alignments; change only the font.
		for _, sty := range []*draw.TextStyle{&ax.Label.TextStyle, &ax.Tick.Label} {
			sty.Handler = hdlr
		}
		ax.Label.TextStyle.Font = ch.textStyle(labelSize).Font
		ax.Tick.Label.Font = ch.textStyle(tickSize).Font
		ax.Padding = vg.Points(2)
	}
	p.X.Label.Text, p.Y.Label.Text = ch.opts.XLabel, ch.opts.YLabel

	n := len(ch.xs)
	p.X.Min, p.X.Max = ch.xs[0], ch.xs[n-1]
	if p.X.Min == p.X.Max {
		halfDay := 43200.0
		if !ch.dates {
			halfDay = 0.5
		}
		p.X.Min -= halfDay
		p.X.Max += halfDay
	}
	// The x axis takes most of the area's width; the y axis's labels
	// the rest.
	length := (area.Max.X - area.Min.X) * 0.9
	p.X.Tick.Marker = numberTicks{length: length, labelSize: p.X.Tick.Label.Width, spacing: 2, least: 1}
	if ch.dates {
		p.X.Tick.Marker = dateTicks{loc: ch.loc, length: length, labelWidth: p.X.Tick.Label.Width}
	}

	if ch.validation >= 0 {
		// Shade up to the test split's start, leaving no gap between.
		end := ch.validationEnd
		if ch.test >= 0 {
			end = ch.test
		}
		p.Add(span{x0: ch.xs[ch.validation], x1: ch.xs[end], color: validationShade})
	}
	if ch.test >= 0 {
		p.Add(span{x0: ch.xs[ch.test], x1: ch.xs[ch.testEnd], color: testShade})
	}
	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}
	grid.Horizontal = grid.Vertical
	p.Add(grid)
	for i, b := range ch.bands {
		p.Add(band{xs: ch.xs, lo: b.Lo, hi: b.Hi, color: bandShade(i)})
	}
	p.Add(
		line{xs: ch.xs, ys: ch.predicts, style: ch.predictedStyle()},
		line{xs: ch.xs, ys: ch.actual, style: ch.actualStyle()},
		line{xs: ch.xs, ys: ch.forecast, style: ch.forecastStyle()},
	)

	// Labels on the y axis are set further apart than their height so
	// that the axis is not crowded.
	p.Y.Tick.Marker = numberTicks{length: (area.Max.Y - area.Min.Y) * 0.8, labelSize: p.Y.Tick.Label.Height, spacing: 3}

	markers := ch.markers(p)
	ymin, ymax := ch.yRange()
	pad := (ymax - ymin) * 0.04
	p.Y.Min, p.Y.Max = ymin-pad, ymax+pad
	if len(markers) > 0 {
		// Raise the top of the y axis so that the markers' labels sit
		// in a band above the data.
		rows := 0
		for _, m := range markers {
			rows = max(rows, m.row+1)
		}
		dc := p.DataCanvas(area)
		size := markers[0].text.Font.Size
		text := (vg.Length(rows-1)*lineHeight+ascent+descent)*size + size/3
		frac := float64(text / (dc.Max.Y - dc.Min.Y))
		if frac < 0.5 {
			p.Y.Max += (p.Y.Max - p.Y.Min) * frac / (1 - frac)
		}
		for _, m := range markers {
			p.Add(m)
		}
	}
	return p
}

// yRange returns the least and greatest values drawn.
func (ch *chart) yRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	series := [][]float64{ch.actual, ch.predicts, ch.forecast}
	for _, b := range ch.bands {
		series = append(series, b.Lo, b.Hi)
	}
	for _, s := range series {
		for _, v := range s {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	switch {
	case math.IsInf(lo, 1):
		return 0, 1
	case lo == hi:
		d := math.Max(math.Abs(lo)*0.05, 1)
		return lo - d, hi + d
	}
	return lo, hi
}

// markers returns the labelled lines at the starts of the validation and
// test splits, with labels that would overlap moved to a lower row.
func (ch *chart) markers(p *gplot.Plot) []marker {
	var ms []marker
	sty := ch.textStyle(markerSize)
	sty.Color = markerColor
	line := draw.LineStyle{Color: markerColor, Width: vg.Points(0.8)}
	if ch.validation >= 0 {
		ms = append(ms, marker{x: ch.xs[ch.validation], label: ch.opts.ValidationLabel, style: line, text: sty})
	}
	if ch.test >= 0 {
		ms = append(ms, marker{x: ch.xs[ch.test], label: ch.opts.TestLabel, style: line, text: sty})
	}
	if len(ms) == 2 {
		// The first label runs right from its line; if the second line
		// starts before it ends, the second label takes the next row.
		span := p.X.Max - p.X.Min
		gap := (ms[1].x - ms[0].x) / span
		need := float64(sty.Width(ms[0].label)+sty.Font.Size) / (ch.opts.Width * 0.85 * float64(vg.Inch))
		if gap < need {
			ms[1].row = 1
		}
	}
	return ms
}
