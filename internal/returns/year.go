package returns

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FinancialYear is the year of the statistics, 1 April to 31 March, named by the calendar year it starts in:
// FinancialYear(2024) is 2024/25.
type FinancialYear int

// String is the year as the statistics write it: "2024/25".
func (y FinancialYear) String() string { return fmt.Sprintf("%d/%02d", int(y), (int(y)+1)%100) }

// ParseFinancialYear reads "2024/25" (or "2024-25"). The second part must be the year after the first.
func ParseFinancialYear(s string) (FinancialYear, error) {
	s = strings.TrimSpace(s)
	a, b, ok := strings.Cut(strings.ReplaceAll(s, "-", "/"), "/")
	start, err1 := strconv.Atoi(a)
	end, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || len(a) != 4 || len(b) != 2 || (start+1)%100 != end {
		return 0, invalidf("Enter a financial year like 2024/25")
	}
	return FinancialYear(start), nil
}

// MarshalJSON writes the year as "2024/25".
func (y FinancialYear) MarshalJSON() ([]byte, error) { return json.Marshal(y.String()) }

// UnmarshalJSON reads a year written as "2024/25".
func (y *FinancialYear) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseFinancialYear(s)
	if err != nil {
		return fmt.Errorf("financial year %q: %w", s, err)
	}
	*y = v
	return nil
}

// The statistics' year and quarters begin at midnight in the UK. The service stores instants in UTC, and the
// boundaries fall at known offsets without a time zone database: 1 April, 1 July and 1 October are always in
// British Summer Time (it begins on the last Sunday of March and ends on the last Sunday of October), so they
// begin at 23:00 UTC the day before; 1 January is in Greenwich Mean Time.

// quarterStart is when quarter q (1 to 4: April to June, July to September, October to December, January to
// March) of the year begins.
func (y FinancialYear) quarterStart(q int) time.Time {
	switch q {
	case 1:
		return time.Date(int(y), time.March, 31, 23, 0, 0, 0, time.UTC)
	case 2:
		return time.Date(int(y), time.June, 30, 23, 0, 0, 0, time.UTC)
	case 3:
		return time.Date(int(y), time.September, 30, 23, 0, 0, 0, time.UTC)
	case 4:
		return time.Date(int(y)+1, time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	return (y + 1).quarterStart(1)
}

// Start is the first instant of the year.
func (y FinancialYear) Start() time.Time { return y.quarterStart(1) }

// End is the first instant after the year.
func (y FinancialYear) End() time.Time { return (y + 1).Start() }

// Quarter returns the quarter of the year (1 to 4) that t falls in, and false if t is outside the year.
func (y FinancialYear) Quarter(t time.Time) (int, bool) {
	if t.Before(y.Start()) || !t.Before(y.End()) {
		return 0, false
	}
	q := 1
	for q < 4 && !t.Before(y.quarterStart(q+1)) {
		q++
	}
	return q, true
}

// YearOf returns the financial year that t falls in.
func YearOf(t time.Time) FinancialYear {
	y := FinancialYear(t.UTC().Year())
	if t.Before(y.Start()) {
		return y - 1
	}
	return y
}

// fromCalendarQuarter converts a calendar year and quarter (January to March is 1) to the financial year and
// its quarter: January to March is the fourth quarter of the year that began the April before.
func fromCalendarQuarter(year, quarter int) (FinancialYear, int) {
	if quarter == 1 {
		return FinancialYear(year - 1), 4
	}
	return FinancialYear(year), quarter - 1
}

// QuarterLabel names a quarter of the year as the tables show it.
func QuarterLabel(q int) string {
	switch q {
	case 1:
		return "April to June"
	case 2:
		return "July to September"
	case 3:
		return "October to December"
	case 4:
		return "January to March"
	}
	return ""
}
