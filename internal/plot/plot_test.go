package plot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// halves returns 200 rows in which the actual value is 10 in the first
// half and 0 in the second, and the prediction the reverse; rows 121-160
// (numbered from First = 1) are validation and rows 161-200 test. Then
// come forecast rows, all 6, with an 80% band [5, 7] and a 95% band [4, 8].
func halves(forecast int) Data {
	const n = 200
	d := Data{First: 1}
	b80 := Band{Level: 0.8}
	b95 := Band{Level: 0.95}
	for i := range n + forecast {
		actual, predicted, split := 10.0, 0.0, "train"
		if i >= n/2 {
			actual, predicted = 0, 10
		}
		switch {
		case i >= n:
			actual, predicted, split = math.NaN(), 6, "forecast"
		case i >= 160:
			split = "test"
		case i >= 120:
			split = "validation"
		}
		d.Actual = append(d.Actual, actual)
		d.Predicted = append(d.Predicted, predicted)
		d.Split = append(d.Split, split)
		lo80, hi80, lo95, hi95 := math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if split == "forecast" {
			lo80, hi80, lo95, hi95 = 5, 7, 4, 8
		}
		b80.Lo, b80.Hi = append(b80.Lo, lo80), append(b80.Hi, hi80)
		b95.Lo, b95.Hi = append(b95.Lo, lo95), append(b95.Hi, hi95)
	}
	if forecast > 0 {
		d.Bands = []Band{b80, b95}
	}
	return d
}

// render writes d as a PNG and decodes it.
func render(t testing.TB, d Data, o Options) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, "png", d, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decoding the PNG: %v", err)
	}
	return img
}

// pixels maps data coordinates to the pixels of the PNG that Write draws
// for the same data and options, using the plot's own coordinate system.
type pixels struct {
	x, y func(float64) int
	// data is the area of the image holding the plotted data.
	data image.Rectangle
}

func layout(t *testing.T, d Data, o Options) pixels {
	t.Helper()
	o = o.withDefaults(d.Dates != nil)
	ch := newChart(d, o)
	fc, err := chooseFont(o.Font, ch.text(), systemFonts())
	if err != nil {
		t.Fatal(err)
	}
	ch.font = fc
	w, h := vg.Length(o.Width)*vg.Inch, vg.Length(o.Height)*vg.Inch
	area := ch.frame(draw.New(vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(o.DPI))))
	p := ch.plot(area)
	dc := p.DataCanvas(area)
	trX, trY := p.Transforms(&dc)
	dpi := float64(o.DPI)
	height := o.Height * dpi
	px := func(l vg.Length) int { return int(math.Floor(l.Dots(dpi))) }
	py := func(l vg.Length) int { return int(math.Floor(height - l.Dots(dpi))) }
	return pixels{
		x:    func(v float64) int { return px(trX(v)) },
		y:    func(v float64) int { return py(trY(v)) },
		data: image.Rect(px(dc.Min.X), py(dc.Max.Y), px(dc.Max.X), py(dc.Min.Y)),
	}
}

// near reports whether c is want to within tol in each channel.
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(v uint32, w uint8) bool { return math.Abs(float64(v>>8)-float64(w)) <= float64(tol) }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// count returns how many pixels of img in r are want to within tol.
func count(img image.Image, r image.Rectangle, want color.RGBA, tol int) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if near(img.At(x, y), want, tol) {
				n++
			}
		}
	}
	return n
}

// around returns the square of pixels within 3 of (x, y).
func around(x, y int) image.Rectangle { return image.Rect(x-3, y-3, x+4, y+4) }

func TestWriteSize(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		w, h int
	}{
		{Options{}, 1440, 864},
		{Options{Width: 4, Height: 3, DPI: 50}, 200, 150},
		{Options{Width: 8, Height: 4.5, DPI: 96}, 768, 432},
	} {
		b := render(t, halves(0), tc.o).Bounds()
		if b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("%+v: got %dx%d pixels, want %dx%d", tc.o, b.Dx(), b.Dy(), tc.w, tc.h)
		}
	}
}

func TestLinesWhereDataPutsThem(t *testing.T) {
	d := halves(0)
	img := render(t, d, Options{})
	at := layout(t, d, Options{})
	for _, tc := range []struct {
		row           float64
		blueAt, redAt float64
		where         string
	}{
		{row: 50, blueAt: 10, redAt: 0, where: "left half"},
		{row: 150, blueAt: 0, redAt: 10, where: "right half"},
	} {
		x := at.x(tc.row)
		if count(img, around(x, at.y(tc.blueAt)), actualColor, 8) == 0 {
			t.Errorf("%s: no blue (actual) pixel at value %g", tc.where, tc.blueAt)
		}
		if count(img, around(x, at.y(tc.redAt)), predictedColor, 8) == 0 {
			t.Errorf("%s: no red (predicted) pixel at value %g", tc.where, tc.redAt)
		}
		if count(img, around(x, at.y(tc.redAt)), actualColor, 40) != 0 {
			t.Errorf("%s: blue (actual) pixel at value %g, where only the prediction is", tc.where, tc.redAt)
		}
		if count(img, around(x, at.y(tc.blueAt)), predictedColor, 40) != 0 {
			t.Errorf("%s: red (predicted) pixel at value %g, where only the actual value is", tc.where, tc.blueAt)
		}
	}
}

func TestSplitShading(t *testing.T) {
	d := halves(0)
	img := render(t, d, Options{})
	at := layout(t, d, Options{})
	// Rows are numbered from First = 1: validation starts on row 121, test on 161.
	valStart, testStart, testEnd := at.x(121), at.x(161), at.x(200)
	y := at.y(3.3) // between the lines and off the grid
	row := func(x0, x1 int) image.Rectangle { return image.Rect(x0, y, x1, y+1) }

	if n, w := count(img, row(testStart+3, testEnd-2), testShade, 2), testEnd-testStart-5; n < w*9/10 {
		t.Errorf("test span: %d of %d pixels have the test shade", n, w)
	}
	if n := count(img, row(at.data.Min.X, testStart-2), testShade, 2); n != 0 {
		t.Errorf("%d pixels left of the test span have the test shade", n)
	}
	if n, w := count(img, row(valStart+3, testStart-2), validationShade, 2), testStart-valStart-5; n < w*9/10 {
		t.Errorf("validation span: %d of %d pixels have the validation shade", n, w)
	}
	if n := count(img, row(at.data.Min.X, valStart-2), validationShade, 2); n != 0 {
		t.Errorf("%d pixels left of the validation span have its shade", n)
	}
	if n := count(img, row(testStart+2, at.data.Max.X), validationShade, 2); n != 0 {
		t.Errorf("%d pixels right of the validation span have its shade", n)
	}

	// The markers: a line down the start of each span, labelled in the
	// band above the data.
	for _, m := range []struct {
		name string
		x    int
	}{{"validation", valStart}, {"test", testStart}} {
		mid := image.Rect(m.x-1, y-20, m.x+2, y+20)
		if n := countDark(img, mid); n < mid.Dy() {
			t.Errorf("%s marker: %d dark pixels in %d rows at its start, want a line", m.name, n, mid.Dy())
		}
		label := image.Rect(m.x+2, at.data.Min.Y, m.x+60, at.y(10)-3)
		if n := countDark(img, label); n < 15 {
			t.Errorf("%s marker: %d dark pixels where its label belongs", m.name, n)
		}
	}
}

// countDark returns how many pixels of img in r are darker than mid grey.
func countDark(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 128 {
				n++
			}
		}
	}
	return n
}

func TestForecastAndBands(t *testing.T) {
	d := halves(20)
	img := render(t, d, Options{})
	at := layout(t, d, Options{})
	lastActual := at.x(200)
	right := image.Rect(lastActual, at.data.Min.Y, at.data.Max.X, at.data.Max.Y)
	left := image.Rect(at.data.Min.X, at.data.Min.Y, lastActual-2, at.data.Max.Y)
	if n := count(img, right, forecastColor, 8); n < 20 {
		t.Errorf("%d forecast-coloured pixels right of the last actual value, want a dashed line", n)
	}
	if n := count(img, left, forecastColor, 40); n != 0 {
		t.Errorf("%d forecast-coloured pixels left of the last actual value", n)
	}
	// The forecast is flat at 6, so the dashes lie along y(6), with gaps.
	cols := 0
	for x := at.x(202); x < at.x(219); x++ {
		if count(img, image.Rect(x, at.y(6)-2, x+1, at.y(6)+3), forecastColor, 8) > 0 {
			cols++
		}
	}
	if w := at.x(219) - at.x(202); cols < w/3 || cols > w*85/100 {
		t.Errorf("forecast line: %d of %d columns in its colour, want dashes", cols, w)
	}
	x := at.x(213)
	if c := img.At(x, at.y(7.5)); !near(c, bandShade(0), 3) {
		t.Errorf("inside the 95%% band only: got %v, want %v", c, bandShade(0))
	}
	if c := img.At(x, at.y(5.5)); !near(c, bandShade(1), 3) {
		t.Errorf("inside the 80%% band: got %v, want %v", c, bandShade(1))
	}
	if c := img.At(x, at.y(8.7)); near(c, bandShade(0), 3) || near(c, bandShade(1), 3) {
		t.Errorf("outside the bands: got band colour %v", c)
	}
}

func TestVectorFormats(t *testing.T) {
	zh, err := Preset("zh")
	if err != nil {
		t.Fatal(err)
	}
	_, haveCJK := systemFonts().find(zh.Title)
	for _, tc := range []struct {
		format, lang     string
		prefix           string
		contains, absent string
	}{
		{"svg", "en", "<?xml", "<svg", "股"},
		// Vector graphics with the built-in font embedded.
		{"pdf", "en", "%PDF", "/FontFile2", "/Subtype /Image"},
		{"svg", "zh", "<?xml", "股票价格预测", "Price"},
		// Text beyond the PDF backend's code page: the chart as an image.
		{"pdf", "zh", "%PDF", "/Subtype /Image", "/FontFile2"},
	} {
		if tc.lang == "zh" && !haveCJK {
			t.Logf("%s in %s: skipped, no CJK font installed (apt-get install fonts-noto-cjk)", tc.format, tc.lang)
			continue
		}
		o, err := Preset(tc.lang)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, tc.format, halves(20), o); err != nil {
			t.Errorf("%s in %s: %v", tc.format, tc.lang, err)
			continue
		}
		out := buf.String()
		if !strings.HasPrefix(out, tc.prefix) || !strings.Contains(out, tc.contains) || strings.Contains(out, tc.absent) {
			t.Errorf("%s in %s: want output starting %q holding %q and not %q; got %d bytes starting %q",
				tc.format, tc.lang, tc.prefix, tc.contains, tc.absent, len(out), out[:min(len(out), 20)])
		}
	}
}

func TestCJKTitle(t *testing.T) {
	if _, ok := systemFonts().find("股票价格预测"); !ok {
		t.Skip("no CJK font lstmfc reads installed (apt-get install fonts-noto-cjk)")
	}
	// Missing glyphs are drawn as identical boxes, so two different
	// titles of the same length differ in their pixels only when their
	// glyphs are real.
	title := func(s string) image.Image {
		o, err := Preset("zh")
		if err != nil {
			t.Fatal(err)
		}
		o.Title = s
		img := render(t, halves(0), o)
		return img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(0, 0, img.Bounds().Dx(), 50))
	}
	a, b := title("股票价格"), title("实际数据")
	if n := countDark(a, a.Bounds()); n < 200 {
		t.Errorf("title area has %d dark pixels, want drawn glyphs", n)
	}
	differ := 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				differ++
			}
		}
	}
	if differ < 100 {
		t.Errorf("two different CJK titles differ in %d pixels: glyphs are not drawn", differ)
	}
}

func TestDates(t *testing.T) {
	d := halves(20)
	start := time.Date(2020, time.March, 2, 0, 0, 0, 0, time.UTC)
	for i := range d.Split {
		d.Dates = append(d.Dates, start.AddDate(0, 0, i))
	}
	img := render(t, d, Options{})
	at := layout(t, d, Options{})
	if count(img, around(at.x(float64(d.Dates[50].Unix())), at.y(10)), actualColor, 8) == 0 {
		t.Error("no blue (actual) pixel at the 51st date's value")
	}
}

func TestWriteErrors(t *testing.T) {
	good := halves(0)
	for _, tc := range []struct {
		name   string
		format string
		edit   func(*Data, *Options)
		want   string
	}{
		{"format", "jpg", nil, `unknown image format "jpg"`},
		{"no rows", "png", func(d *Data, _ *Options) { *d = Data{} }, "no rows"},
		{"short actual", "png", func(d *Data, _ *Options) { d.Actual = d.Actual[1:] }, "Actual has 199 values for 200 rows"},
		{"short dates", "png", func(d *Data, _ *Options) { d.Dates = []time.Time{{}} }, "Dates has 1 values"},
		{"split", "png", func(d *Data, _ *Options) { d.Split[7] = "holdout" }, `row 8: unknown split "holdout"`},
		{"order", "png", func(d *Data, _ *Options) { d.Split[170] = "train" }, `row 171: split "train" comes after "test"`},
		{"inf", "png", func(d *Data, _ *Options) { d.Predicted[3] = math.Inf(1) }, "row 4: a value is infinite"},
		{"level", "png", func(d *Data, _ *Options) { *d = halves(2); d.Bands[0].Level = 80 }, "band level 80"},
		{"band", "png", func(d *Data, _ *Options) { *d = halves(2); d.Bands[0].Lo[201] = 9 }, "row 202: the 0.8 band [9, 7]"},
		{"dates", "png", func(d *Data, _ *Options) {
			d.Dates = make([]time.Time, len(d.Split))
			for i := range d.Dates {
				d.Dates[i] = time.Date(2021, 1, 1+i, 0, 0, 0, 0, time.UTC)
			}
			d.Dates[9] = d.Dates[8]
		}, "row 10: date 2021-01-09 is not after"},
		{"size", "png", func(_ *Data, o *Options) { o.Width = -2 }, "not positive"},
		{"dpi", "png", func(_ *Data, o *Options) { o.DPI = 100000 }, "pixels; each side must be"},
	} {
		d, o := good, Options{}
		d.Split = append([]string(nil), good.Split...)
		d.Predicted = append([]float64(nil), good.Predicted...)
		if tc.edit != nil {
			tc.edit(&d, &o)
		}
		err := Write(&bytes.Buffer{}, tc.format, d, o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

func TestPreset(t *testing.T) {
	zh, err := Preset("zh")
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Title: "股票价格预测", XLabel: "时间", YLabel: "价格", ActualLabel: "实际价格",
		PredictedLabel: "预测价格", ForecastLabel: "预测", ValidationLabel: "验证", TestLabel: "测试"}
	if zh != want {
		t.Errorf("zh: got %+v, want %+v", zh, want)
	}
	en, err := Preset("en")
	if err != nil || en.Title != "Price forecast" || en.ActualLabel != "Actual" || en.XLabel != "" {
		t.Errorf("en: got %+v, %v", en, err)
	}
	if _, err := Preset("fr"); err == nil || !strings.Contains(err.Error(), "en, zh") {
		t.Errorf("fr: got error %v, want one listing en, zh", err)
	}
}

func TestFormatFor(t *testing.T) {
	for path, want := range map[string]string{"a/chart.png": "png", "chart.SVG": "svg", "x.y.pdf": "pdf"} {
		if got, err := FormatFor(path); got != want || err != nil {
			t.Errorf("FormatFor(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	for _, path := range []string{"chart.jpg", "chart", "png"} {
		if _, err := FormatFor(path); err == nil || !strings.Contains(err.Error(), ".png, .svg or .pdf") {
			t.Errorf("FormatFor(%q): got error %v", path, err)
		}
	}
}

// BenchmarkWrite draws a chart of 10,000 daily rows and 30 forecast steps.
func BenchmarkWrite(b *testing.B) {
	const n, steps = 10000, 30
	var d Data
	start := time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC)
	v := 100.0
	for i := range n + steps {
		d.Dates = append(d.Dates, start.AddDate(0, 0, i))
		v *= 1 + 0.02*math.Sin(float64(i)*0.37)*math.Cos(float64(i)*0.011)
		split := [...]string{"train", "validation", "test"}[min(2, max(0, (i*10/n)-6))]
		actual, predicted := v, v*(1+0.005*math.Sin(float64(i)))
		if i >= n {
			actual, split = math.NaN(), "forecast"
		}
		d.Actual = append(d.Actual, actual)
		d.Predicted = append(d.Predicted, predicted)
		d.Split = append(d.Split, split)
	}
	for _, format := range []string{"png", "svg"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				if err := Write(&bytes.Buffer{}, format, d, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLineInPieces checks that stroking a long line in pieces looks like
// stroking it whole.
func TestLineInPieces(t *testing.T) {
	const n = 5000
	l := line{style: draw.LineStyle{Color: actualColor, Width: vg.Points(1.2)}}
	for i := range n {
		l.xs = append(l.xs, float64(i))
		l.ys = append(l.ys, math.Sin(float64(i)/40)+0.3*math.Sin(float64(i)))
	}
	p := gplot.New()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, n-1, -1.5, 1.5
	newCanvas := func() (*vgimg.Canvas, draw.Canvas) {
		img := vgimg.NewWith(vgimg.UseWH(6*vg.Inch, 3*vg.Inch), vgimg.UseDPI(100))
		return img, draw.New(img)
	}
	pieces, c := newCanvas()
	l.Plot(c, p)
	whole, c := newCanvas()
	trX, trY := p.Transforms(&c)
	var pts []vg.Point
	for i := range l.xs {
		pts = append(pts, vg.Point{X: trX(l.xs[i]), Y: trY(l.ys[i])})
	}
	c.StrokeLines(l.style, pts)

	a, b := pieces.Image(), whole.Image()
	differ, drawn := 0, 0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if !near(b.At(x, y), color.RGBA{R: 255, G: 255, B: 255}, 0) {
				drawn++
			}
			r, g, bl, _ := b.At(x, y).RGBA()
			if !near(a.At(x, y), color.RGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8)}, 32) {
				differ++
			}
		}
	}
	if drawn < 10000 || differ > drawn/200 {
		t.Errorf("%d of the %d pixels drawn differ between the line stroked in pieces and whole", differ, drawn)
	}
}

func TestEdgeCasesDraw(t *testing.T) {
	nan := math.NaN()
	day := time.Date(2024, time.May, 6, 0, 0, 0, 0, time.UTC)
	for name, d := range map[string]Data{
		"one row":         {Actual: []float64{3}, Predicted: []float64{nan}, Split: []string{"data"}},
		"one dated row":   {Dates: []time.Time{day}, Actual: []float64{3}, Predicted: []float64{3.1}, Split: []string{"test"}},
		"nothing known":   {Actual: []float64{nan, nan}, Predicted: []float64{nan, nan}, Split: []string{"train", "forecast"}},
		"forecast only":   {Actual: []float64{nan, nan}, Predicted: []float64{1, 2}, Split: []string{"forecast", "forecast"}},
		"validation last": {Actual: []float64{1, 2, 3}, Predicted: []float64{nan, 2, 3}, Split: []string{"train", "validation", "validation"}},
	} {
		for _, format := range []string{"png", "svg", "pdf"} {
			if err := Write(&bytes.Buffer{}, format, d, Options{}); err != nil {
				t.Errorf("%s as %s: %v", name, format, err)
			}
		}
	}
}
