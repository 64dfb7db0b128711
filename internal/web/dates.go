package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Dates in pages. Every date a person types goes through one GOV.UK date input (name-day, name-month,
// name-year) read by readDateInput, under one rule: all three parts, numbers, a real day, a year of four
// figures from 1900. Every date shown goes through dayText (or timelineWhen with the time of day).

// dateInputIssue is what is wrong with a date input: nothing, some parts missing, or not a real date.
type dateInputIssue struct {
	missing []string // the parts left blank when some were given
	notReal bool
	year    bool // the year does not have four figures
}

func (p dateInputIssue) ok() bool { return len(p.missing) == 0 && !p.notReal && !p.year }

// readDateInput reads the date input called name; given is false when all three parts are blank.
func readDateInput(v url.Values, name string) (t time.Time, given bool, p dateInputIssue) {
	parts := []struct{ part, value string }{
		{"day", strings.TrimSpace(v.Get(name + "-day"))},
		{"month", strings.TrimSpace(v.Get(name + "-month"))},
		{"year", strings.TrimSpace(v.Get(name + "-year"))},
	}
	for _, x := range parts {
		if x.value == "" {
			p.missing = append(p.missing, x.part)
		}
	}
	if len(p.missing) == 3 {
		return time.Time{}, false, dateInputIssue{}
	}
	if len(p.missing) > 0 {
		return time.Time{}, true, p
	}
	d, errD := strconv.Atoi(parts[0].value)
	m, errM := strconv.Atoi(parts[1].value)
	y, errY := strconv.Atoi(parts[2].value)
	if errD != nil || errM != nil || errY != nil {
		return time.Time{}, true, dateInputIssue{notReal: true}
	}
	if len(parts[2].value) != 4 {
		return time.Time{}, true, dateInputIssue{year: true}
	}
	t = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return time.Time{}, true, dateInputIssue{notReal: true}
	}
	return t, true, dateInputIssue{}
}

// parseDate reads the date input called prefix and returns the GOV.UK error message for a date that is
// missing (when required), incomplete or not real; an optional date left blank is the zero time.
func parseDate(f form, prefix, label string, required bool) (time.Time, string) {
	t, given, p := readDateInput(f.Values, prefix)
	switch {
	case !given && required:
		return time.Time{}, "Enter the " + strings.ToLower(label[:1]) + label[1:]
	case !given:
		return time.Time{}, ""
	case len(p.missing) > 0:
		return time.Time{}, label + " must include a " + strings.Join(p.missing, " and ")
	case p.year:
		return time.Time{}, "Year must include 4 numbers"
	case p.notReal:
		return time.Time{}, label + " must be a real date"
	}
	return t, ""
}

// errNotADate is caseDate's error for a date input that is incomplete or not a real date.
var errNotADate = errors.New("not a date")

// caseDate reads the date input called name for a page that words its own message: ok is false when it is
// blank, and err is errNotADate when it is incomplete or not real.
func caseDate(v url.Values, name string) (t time.Time, ok bool, err error) {
	t, given, p := readDateInput(v, name)
	if !given {
		return time.Time{}, false, nil
	}
	if !p.ok() {
		return time.Time{}, true, errNotADate
	}
	return t, true, nil
}

// dayText is a date as GOV.UK writes it: 2 November 2026; empty for the zero time.
func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

// dateValue is dayText, or "Not recorded" for the zero time.
func dateValue(t time.Time) string {
	if t.IsZero() {
		return "Not recorded"
	}
	return dayText(t)
}
