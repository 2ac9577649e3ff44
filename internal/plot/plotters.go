package plot

import (
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// line draws a polyline through (xs[i], ys[i]), broken where ys is NaN.
type line struct {
	xs, ys []float64
	style  draw.LineStyle
}

// Plot implements gonum.org/v1/plot.Plotter.
func (l line) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	var runs [][]vg.Point
	var run []vg.Point
	for i, y := range l.ys {
		if math.IsNaN(y) {
			if len(run) > 0 {
				runs = append(runs, run)
				run = nil
			}
			continue
		}
		run = append(run, vg.Point{X: trX(l.xs[i]), Y: trY(y)})
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	// The raster backend's cost grows with the square of a stroke's
	// length, so long runs are stroked in short pieces that share their
	// ends: 10,000 points draw about seven times faster, and look the same.
	// Dashed lines are stroked whole to keep their dashes regular.
	var pieces [][]vg.Point
	for _, r := range c.ClipLinesXY(runs...) {
		for len(l.style.Dashes) == 0 && len(r) > strokePiece {
			pieces = append(pieces, r[:strokePiece])
			r = r[strokePiece-1:]
		}
		pieces = append(pieces, r)
	}
	c.StrokeLines(l.style, pieces...)
}

// strokePiece is the number of points stroked at once.
const strokePiece = 64

// Thumbnail implements gonum.org/v1/plot.Thumbnailer.
func (l line) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}

// band fills the area between lo and hi, broken where either is NaN.
type band struct {
	xs, lo, hi []float64
	color      color.Color
}

// Plot implements gonum.org/v1/plot.Plotter.
func (b band) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	start := -1
	fill := func(end int) {
		if start < 0 {
			return
		}
		var poly []vg.Point
		for i := start; i < end; i++ {
			poly = append(poly, vg.Point{X: trX(b.xs[i]), Y: trY(b.hi[i])})
		}
		for i := end - 1; i >= start; i-- {
			poly = append(poly, vg.Point{X: trX(b.xs[i]), Y: trY(b.lo[i])})
		}
		c.FillPolygon(b.color, c.ClipPolygonXY(poly))
		start = -1
	}
	for i := range b.xs {
		if math.IsNaN(b.lo[i]) || math.IsNaN(b.hi[i]) {
			fill(i)
			continue
		}
		if start < 0 {
			start = i
		}
	}
	fill(len(b.xs))
}

// Thumbnail implements gonum.org/v1/plot.Thumbnailer.
func (b band) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(b.color, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
}

// span shades the full height of the plot between two x values.
type span struct {
	x0, x1 float64
	color  color.Color
}

// Plot implements gonum.org/v1/plot.Plotter.
func (s span) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, _ := p.Transforms(&c)
	x0, x1 := trX(s.x0), trX(s.x1)
	c.FillPolygon(s.color, c.ClipPolygonX([]vg.Point{
		{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y},
	}))
}

// marker is a labelled vertical line at the start of a split.
type marker struct {
	x     float64
	label string
	// row is the line of the headroom above the data the label sits on,
	// counted from the top, so that labels of close markers do not overlap.
	row   int
	style draw.LineStyle
	text  draw.TextStyle
}

// Plot implements gonum.org/v1/plot.Plotter.
func (m marker) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(m.x)
	c.StrokeLine2(m.style, x, c.Min.Y, x, c.Max.Y)
	sty := m.text
	size := sty.Font.Size
	pad := size / 3
	at := vg.Point{X: x + pad, Y: c.Max.Y - pad - ascent*size - vg.Length(m.row)*lineHeight*size}
	if at.X+sty.Width(m.label) > c.Max.X {
		// No room right of the line: set the label on its left.
		sty.XAlign = draw.XRight
		at.X = x - pad
	}
	fillOnBaseline(c, sty, at, m.label)
}

// legendEntry is one item of the legend: a sample of what is drawn and
// its name.
type legendEntry struct {
	name  string
	thumb gplot.Thumbnailer
}

// legendRows lays out entries left to right in rows no wider than width,
// returning the entries of each row.
func legendRows(entries []legendEntry, sty draw.TextStyle, width vg.Length) [][]legendEntry {
	var rows [][]legendEntry
	var used vg.Length
	for _, e := range entries {
		w := legendEntryWidth(e, sty)
		if len(rows) == 0 || used+w > width {
			rows = append(rows, nil)
			used = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		used += w
	}
	return rows
}

// legendEntryWidth returns the width an entry takes in a legend row,
// including the gap after it.
func legendEntryWidth(e legendEntry, sty draw.TextStyle) vg.Length {
	em := sty.Font.Size
	return 2*em + em/2 + sty.Width(e.name) + 1.5*em
}

// drawLegend draws the rows of entries centred in c, from its top, and
// returns the height used.
func drawLegend(c draw.Canvas, rows [][]legendEntry, sty draw.TextStyle) vg.Length {
	em := sty.Font.Size
	rowHeight := lineHeight * em
	y := c.Max.Y - rowHeight/2
	for _, row := range rows {
		var w vg.Length
		for _, e := range row {
			w += legendEntryWidth(e, sty)
		}
		w -= 1.5 * em
		x := c.Center().X - w/2
		for _, e := range row {
			thumb := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - em/2},
				Max: vg.Point{X: x + 2*em, Y: y + em/2},
			}}
			e.thumb.Thumbnail(&thumb)
			fillOnBaseline(c, sty, vg.Point{X: x + 2*em + em/2, Y: y - middle*em}, e.name)
			x += legendEntryWidth(e, sty)
		}
		y -= rowHeight
	}
	return rowHeight * vg.Length(len(rows))
}

// Text metrics in ems, the same for every font so that text sits alike
// whatever font the chart is drawn with: fonts' own ascents differ widely,
// CJK fonts' being large.
const (
	ascent     = 0.9  // top of capitals and ideographs above the baseline
	descent    = 0.25 // bottom of descenders below the baseline
	middle     = 0.36 // visual middle of capitals and ideographs
	lineHeight = 1.4  // distance between baselines of stacked lines
)

// fillOnBaseline draws txt with its baseline at pt.Y, aligned
// horizontally as sty says.
func fillOnBaseline(c draw.Canvas, sty draw.TextStyle, pt vg.Point, txt string) {
	// gonum/plot's plain text handler puts the baseline of bottom-aligned
	// text at pt.Y - ascent + size.
	sty.YAlign = draw.YBottom
	pt.Y += sty.FontExtents().Ascent - sty.Font.Size
	c.FillText(sty, pt, txt)
}
