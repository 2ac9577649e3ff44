package plot_test

import (
	"bufio"
	"bytes"
	"fmt"
	"log"
	"math"
	"time"

	"github.com/lstmfc/lstmfc/internal/plot"
)

func ExampleWrite() {
	// Five days of prices, the last two held out for testing, then a
	// two-day forecast with an 80% interval.
	nan := math.NaN()
	start := time.Date(2024, time.March, 4, 0, 0, 0, 0, time.UTC)
	d := plot.Data{
		Actual:    []float64{10, 11, 10.5, 11.2, 11.8, nan, nan},
		Predicted: []float64{nan, 10.8, 10.9, 10.9, 11.5, 12, 12.3},
		Split:     []string{"train", "train", "train", "test", "test", "forecast", "forecast"},
		Bands: []plot.Band{{
			Level: 0.8,
			Lo:    []float64{nan, nan, nan, nan, nan, 11.4, 11.5},
			Hi:    []float64{nan, nan, nan, nan, nan, 12.6, 13.1},
		}},
	}
	for i := range d.Split {
		d.Dates = append(d.Dates, start.AddDate(0, 0, i))
	}
	format, err := plot.FormatFor("chart.svg")
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := plot.Write(&buf, format, d, plot.Options{Title: "Example"}); err != nil {
		log.Fatal(err)
	}
	first, _ := bufio.NewReader(&buf).ReadString('\n')
	fmt.Print(first)
	// Output:
	// <?xml version="1.0"?>
}

func ExamplePreset() {
	o, err := plot.Preset("zh")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.Title, o.ActualLabel, o.PredictedLabel)
	_, err = plot.Preset("fr")
	fmt.Println(err)
	// Output:
	// 股票价格预测 实际价格 预测价格
	// plot: unknown language "fr" (known: en, zh)
}

func ExampleFormatFor() {
	for _, path := range []string{"out/chart.png", "chart.PDF", "chart.jpg"} {
		format, err := plot.FormatFor(path)
		fmt.Printf("%q %v\n", format, err)
	}
	// Output:
	// "png" <nil>
	// "pdf" <nil>
	// "" plot: cannot tell the image format of "chart.jpg": the name must end in .png, .svg or .pdf
}
