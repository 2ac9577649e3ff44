package plot

import (
	"fmt"
	"image/color"
	"io"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Line is one named curve of a line chart: Y[i] is its value at x = i+1.
type Line struct {
	Name string
	Y    []float64
}

// lineColors tell up to six lines apart; more cycle with dashes.
var lineColors = []color.RGBA{
	{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // blue
	{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // red
	{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, // green
	{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}, // orange
	{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, // purple
	{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff}, // brown
}

// powerTicks are gonum's ticks of a logarithmic axis labelled as powers of
// ten, 1e-05 rather than the 9.999999999999999e-06 its labels round to.
type powerTicks struct{}

func (powerTicks) Ticks(lo, hi float64) []gplot.Tick {
	ticks := gplot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = fmt.Sprintf("1e%d", int(math.Round(math.Log10(t.Value))))
		}
	}
	return ticks
}

// WriteLogLines draws lines over x = 1, 2, ... on a logarithmic y axis,
// which shows a quantity that falls by orders of magnitude, such as a
// vanishing gradient, as a straight slope, and writes the chart in format
// ("png", "svg" or "pdf") to w, sized width × height inches. Values that
// are not positive have no logarithm and leave gaps; a chart with no
// positive value at all is an error.
func WriteLogLines(w io.Writer, format string, lines []Line, title, xLabel, yLabel string, width, height float64) error {
	switch format {
	case "png", "svg", "pdf":
	default:
		return fmt.Errorf("plot: unknown image format %q (want png, svg or pdf)", format)
	}
	if len(lines) == 0 {
		return fmt.Errorf("plot: no lines to draw")
	}
	p := gplot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xLabel, yLabel
	p.Y.Scale, p.Y.Tick.Marker = gplot.LogScale{}, powerTicks{}
	p.Add(plotter.NewGrid())
	// Curves start together at the top left and fall to the right, so the
	// bottom left is where the legend hides the least.
	p.Legend.Left = true
	drawn := false
	for i, l := range lines {
		// Each run of positive values is a segment; the others are gaps.
		var segments []plotter.XYs
		var cur plotter.XYs
		for j, y := range l.Y {
			if y > 0 && !math.IsInf(y, 1) {
				cur = append(cur, plotter.XY{X: float64(j + 1), Y: y})
				continue
			}
			if len(cur) > 0 {
				segments = append(segments, cur)
			}
			cur = nil
		}
		if len(cur) > 0 {
			segments = append(segments, cur)
		}
		style := draw.LineStyle{Color: lineColors[i%len(lineColors)], Width: vg.Points(1.5)}
		if i >= len(lineColors) {
			style.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		for k, seg := range segments {
			line, err := plotter.NewLine(seg)
			if err != nil {
				return fmt.Errorf("plot: line %q: %v", l.Name, err)
			}
			line.LineStyle = style
			p.Add(line)
			if k == 0 {
				p.Legend.Add(l.Name, line)
			}
			drawn = true
		}
	}
	if !drawn {
		return fmt.Errorf("plot: no positive value to draw on a logarithmic axis")
	}
	wt, err := p.WriterTo(vg.Length(width)*vg.Inch, vg.Length(height)*vg.Inch, format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
