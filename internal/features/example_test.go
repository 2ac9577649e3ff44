package features_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/lstmfc/lstmfc/internal/features"
	"github.com/lstmfc/lstmfc/internal/series"
)

func Example() {
	const csv = `Date,Open,High,Low,Close,Volume
2024-01-02,100,102,99,101,1000
2024-01-03,101,103,100,102,1500
2024-01-04,102,102,98,99,
2024-01-05,99,101,97,100,900
`
	tab, err := series.LoadTable(strings.NewReader(csv), "prices.csv", series.Options{})
	if err != nil {
		log.Fatal(err)
	}
	set, err := features.Parse("range,volchange,dow")
	if err != nil {
		log.Fatal(err)
	}
	m, err := set.Compute(tab)
	if err != nil {
		log.Fatal(err)
	}
	// Fit on the first three days only, then scale every row.
	sc, err := features.FitScaling(m, 0, 3)
	if err != nil {
		log.Fatal(err)
	}
	if err := sc.Apply(m); err != nil {
		log.Fatal(err)
	}
	fmt.Println(set, m.Names)
	for t := range m.Rows {
		fmt.Printf("%s %5.2f\n", m.Dates[t].Format("Mon"), m.Row(t))
	}
	fmt.Println(tab.Notes[len(tab.Notes)-1])
	// Output:
	// return,range,volchange,dow [return range volchange dow_sin dow_cos]
	// Tue [ 0.00 -0.68  0.00  1.12  1.41]
	// Wed [ 1.00 -0.74  1.00  0.19 -0.71]
	// Thu [-1.00  1.41 -1.00 -1.31 -0.71]
	// Fri [ 1.01  1.50 -3.52 -2.24  1.41]
	// carried 1 missing value(s) of column "Volume" forward from the day before
}
