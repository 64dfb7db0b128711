package web

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
// name-year), built by dateInput and read by readDateInput, under one rule: all three parts, numbers, a real
// day, a year of four figures from 1900. Every date shown goes through dayText (or timelineWhen with the time
// of day).

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
	t, fe := readDate(f, prefix, label, required)
	return t, fe.Message
}

// readDate is parseDate with the error's Field set to the part of the date input the error summary links to:
// the first part left blank, the year when it lacks four figures, else the day. There is no error when Message
// is empty.
func readDate(f form, prefix, label string, required bool) (time.Time, prevent.FieldError) {
	t, given, p := readDateInput(f.Values, prefix)
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

// dateErrorsToDay points the errors of the date inputs called names, as a service words them, at their day
// field, the first field of the date, which the error summary links to.
func dateErrorsToDay(f form, names ...string) form {
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

// dateInput is the GOV.UK date input called name (fields name-day, name-month and name-year), under legend
// and with hint, showing the day, month and year the form holds. Its error is the form's error for the date,
// kept under name or under one of its parts; while some parts are blank, or the year alone is wrong, only those
// parts are marked, else the whole date is.
func dateInput(f form, name, legend, hint string) govuk.DateInputParams {
	p := govuk.DateInputParams{ID: name, NamePrefix: name,
		Values:   govuk.DateValues{Day: f.get(name + "-day"), Month: f.get(name + "-month"), Year: f.get(name + "-year")},
		Fieldset: &govuk.FieldsetParams{Legend: &govuk.LegendParams{Text: legend, Classes: "govuk-fieldset__legend--s"}}}
	if hint != "" {
		p.Hint = &govuk.HintParams{Text: hint}
	}
	for _, field := range []string{name, name + "-day", name + "-month", name + "-year"} {
		if m := f.errorFor(field); m != nil {
			p.ErrorMessage = m
			break
		}
	}
	if p.ErrorMessage == nil {
		return p
	}
	_, given, issue := readDateInput(f.Values, name)
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

// setDateInput puts t into the date input called name, as a person would type it (27, 3, 2027).
func setDateInput(v url.Values, name string, t time.Time) {
	v.Set(name+"-day", strconv.Itoa(t.Day()))
	v.Set(name+"-month", strconv.Itoa(int(t.Month())))
	v.Set(name+"-year", strconv.Itoa(t.Year()))
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
