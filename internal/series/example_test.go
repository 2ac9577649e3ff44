package series_test

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/lstmfc/lstmfc/internal/series"
)

func ExampleLoad() {
	// A newest-first export with a missing close.
	const csv = `Date,Open,Close,Adj Close,Volume
2024-01-05,10.2,10.4,10.3,1200
2024-01-04,10.0,null,null,900
2024-01-03,9.8,10.0,9.9,1500
`
	s, err := series.Load(strings.NewReader(csv), "prices.csv", series.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for i, d := range s.Dates {
		fmt.Println(d.Format("2006-01-02"), s.Values[i])
	}
	for _, note := range s.Notes {
		fmt.Println("note:", note)
	}
	// Output:
	// 2024-01-03 9.9
	// 2024-01-05 10.3
	// note: using column "Adj Close": the adjusted close
	// note: the rows were newest first; reversed into date order
	// note: dropped 1 row(s) with a missing value, the first on line 3
}

func ExampleLoad_error() {
	const csv = "Date,Close\n2024-01-03,10.0\n2024-01-04,ten\n"
	_, err := series.Load(strings.NewReader(csv), "prices.csv", series.Options{})
	fmt.Println(err)
	// Output:
	// prices.csv:3:2: column "Close": "ten" is not a number
}

func ExampleBusinessDays() {
	friday := time.Date(2015, time.January, 2, 0, 0, 0, 0, time.UTC)
	for _, d := range series.BusinessDays(friday, 3) {
		fmt.Println(d.Format("Mon 2006-01-02"))
	}
	// Output:
	// Mon 2015-01-05
	// Tue 2015-01-06
	// Wed 2015-01-07
}
