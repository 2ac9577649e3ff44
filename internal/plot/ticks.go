package plot

import (
	"math"
	"strconv"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// calendarStep is a distance between date ticks: n days, months or years.
type calendarStep struct {
	unit   calendarUnit
	n      int
	layout string // time layout of the labels
}

// calendarUnit is the unit of a calendarStep.
type calendarUnit int

const (
	days calendarUnit = iota
	months
	years
)

// approx returns the step's typical length, used only to estimate how
// many ticks a span holds.
func (s calendarStep) approx() time.Duration {
	day := 24 * time.Hour
	switch s.unit {
	case days:
		return time.Duration(s.n) * day
	case months:
		return time.Duration(s.n) * 30 * day
	default:
		return time.Duration(s.n) * 365 * day
	}
}

// calendarSteps lists the steps a date axis may use, finest first.
func calendarSteps() []calendarStep {
	const (
		day   = "2006-01-02"
		month = "2006-01"
		year  = "2006"
	)
	return []calendarStep{
		{days, 1, day}, {days, 2, day}, {days, 7, day}, {days, 14, day},
		{months, 1, month}, {months, 2, month}, {months, 3, month}, {months, 6, month},
		{years, 1, year}, {years, 2, year}, {years, 5, year}, {years, 10, year},
		{years, 20, year}, {years, 50, year}, {years, 100, year},
	}
}

// dateTicks marks an axis of Unix seconds at calendar boundaries: days,
// months or years, with the finest step whose labels fit side by side in
// the axis length.
type dateTicks struct {
	loc *time.Location
	// length is the drawn length of the axis.
	length vg.Length
	// labelWidth measures a tick label as the axis will draw it.
	labelWidth func(string) vg.Length
}

// Ticks implements gonum.org/v1/plot.Ticker.
func (t dateTicks) Ticks(min, max float64) []gplot.Tick {
	lo := time.Unix(int64(math.Ceil(min)), 0).In(t.loc)
	hi := time.Unix(int64(math.Floor(max)), 0).In(t.loc)
	steps := calendarSteps()
	step := steps[len(steps)-1]
	for _, s := range steps {
		count := float64(hi.Sub(lo))/float64(s.approx()) + 1
		// Leave a label's width of space between labels.
		need := vg.Length(count) * 2 * t.labelWidth(lo.Format(s.layout))
		if need <= t.length {
			step = s
			break
		}
	}
	var ticks []gplot.Tick
	for _, at := range calendarTimes(lo, hi, step) {
		ticks = append(ticks, gplot.Tick{Value: float64(at.Unix()), Label: at.Format(step.layout)})
	}
	if minor, ok := minorStep(step); ok {
		for _, at := range calendarTimes(lo, hi, minor) {
			ticks = append(ticks, gplot.Tick{Value: float64(at.Unix())})
		}
	}
	return ticks
}

// minorStep returns the unlabelled step drawn between the ticks of major.
func minorStep(major calendarStep) (calendarStep, bool) {
	switch {
	case major.unit == years && major.n == 1:
		return calendarStep{unit: months, n: 3}, true
	case major.n > 1 && major.n <= 20:
		return calendarStep{unit: major.unit, n: 1}, true
	}
	return calendarStep{}, false
}

// calendarTimes returns the times in [lo, hi] that fall on multiples of
// step: day numbers, month numbers or years divisible by step.n, with
// weeks starting on Monday.
func calendarTimes(lo, hi time.Time, step calendarStep) []time.Time {
	loc := lo.Location()
	var at []time.Time
	switch step.unit {
	case days:
		d := time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, loc)
		for ; !d.After(hi); d = d.AddDate(0, 0, 1) {
			// Day 0 of the Unix epoch was a Thursday; day 4 a Monday.
			num := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Unix()/86400 - 4
			if num%int64(step.n) == 0 && !d.Before(lo) {
				at = append(at, d)
			}
		}
	case months:
		for m := time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, loc); !m.After(hi); m = m.AddDate(0, 1, 0) {
			if (int(m.Month())-1)%step.n == 0 && !m.Before(lo) {
				at = append(at, m)
			}
		}
	default:
		for y := lo.Year(); ; y++ {
			t := time.Date(y, time.January, 1, 0, 0, 0, 0, loc)
			if t.After(hi) {
				break
			}
			if y%step.n == 0 && !t.Before(lo) {
				at = append(at, t)
			}
		}
	}
	return at
}

// numberTicks marks a numeric axis at multiples of 1, 2 or 5 times a
// power of ten: the finest such step whose labels fit in the axis length
// with room between them.
type numberTicks struct {
	// length is the drawn length of the axis.
	length vg.Length
	// labelSize measures a tick label along the axis.
	labelSize func(string) vg.Length
	// spacing is the room each label needs along the axis, in label
	// sizes.
	spacing vg.Length
	// least is the finest step; 1 for row numbers.
	least float64
}

// Ticks implements gonum.org/v1/plot.Ticker.
func (t numberTicks) Ticks(lo, hi float64) []gplot.Tick {
	span := hi - lo
	pow := math.Pow(10, math.Floor(math.Log10(span))-3)
	if t.least > 0 {
		pow = math.Max(pow, t.least)
	}
	for ; ; pow *= 10 {
		// Each step with the number of parts its minor ticks split it in.
		for _, m := range []struct{ mult, parts float64 }{{1, 5}, {2, 4}, {5, 5}} {
			step := m.mult * pow
			label := func(v float64) string {
				return strconv.FormatFloat(v, 'f', max(0, int(-math.Floor(math.Log10(step)))), 64)
			}
			count := math.Floor(hi/step) - math.Ceil(lo/step) + 1
			need := vg.Length(count) * t.spacing * max(t.labelSize(label(lo)), t.labelSize(label(hi)))
			if need <= t.length || step > span {
				parts := m.parts
				if step/parts < t.least {
					parts = 1
				}
				return stepTicks(lo, hi, step, int(parts), label)
			}
		}
	}
}

// stepTicks returns labelled ticks at the multiples of step in [lo, hi]
// and unlabelled ones between them, parts to a step.
func stepTicks(lo, hi, step float64, parts int, label func(float64) string) []gplot.Tick {
	minor := step / float64(parts)
	var ticks []gplot.Tick
	for k := int(math.Ceil(lo / minor)); float64(k)*minor <= hi; k++ {
		v := float64(k) * minor
		tick := gplot.Tick{Value: v}
		if k%parts == 0 {
			tick.Label = label(v)
		}
		ticks = append(ticks, tick)
	}
	return ticks
}
