package core

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Dates in pages. Every date a person types goes through one GOV.UK date input (name-day, name-month,
// name-year), built by DateInput and read by ReadDateInput, under one rule: all three parts, numbers, a real
// day, a year of four figures from 1900. Every date shown goes through DayText (or WhenText with the time
// of day).

// DateIssue is what is wrong with a date input: nothing, some parts missing, or not a real date.
type DateIssue struct {
	missing []string // the parts left blank when some were given
	notReal bool
	year    bool // the year does not have four figures
}

func (p DateIssue) OK() bool { return len(p.missing) == 0 && !p.notReal && !p.year }

// ReadDateInput reads the date input called name; given is false when all three parts are blank.
func ReadDateInput(v url.Values, name string) (t time.Time, given bool, p DateIssue) {
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
		return time.Time{}, false, DateIssue{}
	}
	if len(p.missing) > 0 {
		return time.Time{}, true, p
	}
	d, errD := strconv.Atoi(parts[0].value)
	m, errM := strconv.Atoi(parts[1].value)
	y, errY := strconv.Atoi(parts[2].value)
	if errD != nil || errM != nil || errY != nil {
		return time.Time{}, true, DateIssue{notReal: true}
	}
	if len(parts[2].value) != 4 {
		return time.Time{}, true, DateIssue{year: true}
	}
	t = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return time.Time{}, true, DateIssue{notReal: true}
	}
	return t, true, DateIssue{}
}

// ParseDate reads the date input called prefix and returns the GOV.UK error message for a date that is
// missing (when required), incomplete or not real; an optional date left blank is the zero time.
func ParseDate(f Form, prefix, label string, required bool) (time.Time, string) {
	t, fe := ReadDate(f, prefix, label, required)
	return t, fe.Message
}

// ReadDate is ParseDate with the error's Field set to the part of the date input the error summary links to:
// the first part left blank, the year when it lacks four figures, else the day. There is no error when Message
// is empty.
func ReadDate(f Form, prefix, label string, required bool) (time.Time, prevent.FieldError) {
	t, given, p := ReadDateInput(f.Values, prefix)
	fe := prevent.FieldError{Field: prefix + "-day"}
	switch {
	case !given && required:
		fe.Message = "Enter the " + strings.ToLower(label[:1]) + label[1:]
	case !given:
	case len(p.missing) > 0:
		fe.Field, fe.Message = prefix+"-"+p.missing[0], label+" must include a "+strings.Join(p.missing, " and ")
	case p.year:
		fe.Field, fe.Message = prefix+"-year", "Year must include 4 numbers"
	case p.notReal:
		fe.Message = label + " must be a real date"
	default:
		return t, prevent.FieldError{}
	}
	return time.Time{}, fe
}

// DateErrorsToDay points the errors of the date inputs called names, as a service words them, at their day
// field, the first field of the date, which the error summary links to.
func DateErrorsToDay(f Form, names ...string) Form {
	errs := make([]prevent.FieldError, len(f.Errors))
	copy(errs, f.Errors)
	for i, e := range errs {
		if slices.Contains(names, e.Field) {
			errs[i].Field = e.Field + "-day"
		}
	}
	f.Errors = errs
	return f
}

// DateInput is the GOV.UK date input called name (fields name-day, name-month and name-year), under legend
// and with hint, showing the day, month and year the form holds. Its error is the form's error for the date,
// kept under name or under one of its parts; while some parts are blank, or the year alone is wrong, only those
// parts are marked, else the whole date is.
func DateInput(f Form, name, legend, hint string) govuk.DateInputParams {
	p := govuk.DateInputParams{ID: name, NamePrefix: name,
		Values:   govuk.DateValues{Day: f.Get(name + "-day"), Month: f.Get(name + "-month"), Year: f.Get(name + "-year")},
		Fieldset: &govuk.FieldsetParams{Legend: &govuk.LegendParams{Text: legend, Classes: "govuk-fieldset__legend--s"}}}
	if hint != "" {
		p.Hint = &govuk.HintParams{Text: hint}
	}
	for _, field := range []string{name, name + "-day", name + "-month", name + "-year"} {
		if m := f.ErrorFor(field); m != nil {
			p.ErrorMessage = m
			break
		}
	}
	if p.ErrorMessage == nil {
		return p
	}
	_, given, issue := ReadDateInput(f.Values, name)
	wrong := issue.missing
	if issue.year {
		wrong = []string{"year"}
	}
	if given && len(wrong) > 0 {
		for _, part := range []string{"day", "month", "year"} {
			p.Items = append(p.Items, govuk.DateInputItem{Name: part, Error: slices.Contains(wrong, part)})
		}
	}
	return p
}

// SetDateInput puts t into the date input called name, as a person would type it (27, 3, 2027).
func SetDateInput(v url.Values, name string, t time.Time) {
	v.Set(name+"-day", strconv.Itoa(t.Day()))
	v.Set(name+"-month", strconv.Itoa(int(t.Month())))
	v.Set(name+"-year", strconv.Itoa(t.Year()))
}

// ErrNotADate is CaseDate's error for a date input that is incomplete or not a real date.
var ErrNotADate = errors.New("not a date")

// CaseDate reads the date input called name for a page that words its own message: ok is false when it is
// blank, and err is ErrNotADate when it is incomplete or not real.
func CaseDate(v url.Values, name string) (t time.Time, ok bool, err error) {
	t, given, p := ReadDateInput(v, name)
	if !given {
		return time.Time{}, false, nil
	}
	if !p.OK() {
		return time.Time{}, true, ErrNotADate
	}
	return t, true, nil
}

// DayText is a date as GOV.UK writes it: 2 November 2026; empty for the zero time.
func DayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

// DateValue is DayText, or "Not recorded" for the zero time.
func DateValue(t time.Time) string {
	if t.IsZero() {
		return "Not recorded"
	}
	return DayText(t)
}

// WhenText is when something happened, as GOV.UK writes it: 2 November 2026 at 3:04pm.
func WhenText(t time.Time) string { return t.UTC().Format("2 January 2006 at 3:04pm") }
