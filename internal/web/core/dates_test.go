package core

import (
	"net/url"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d, m, y  string
		required bool
		want     string
	}{
		{"", "", "", true, "Enter the date vetting was granted"},
		{"", "", "", false, ""},
		{"1", "", "2024", true, "Date vetting was granted must include a month"},
		{"29", "2", "2023", true, "Date vetting was granted must be a real date"},
		{"1", "13", "2024", true, "Date vetting was granted must be a real date"},
		{"x", "1", "2024", true, "Date vetting was granted must be a real date"},
		{"1", "1", "24", true, "Year must include 4 numbers"},
		{"29", "2", "2024", true, ""},
		{"1", "1", "1899", true, "Date vetting was granted must be a real date"},
		{" 3 ", "4", "2025", true, ""},
	} {
		f := Form{Values: url.Values{"d-day": {c.d}, "d-month": {c.m}, "d-year": {c.y}}}
		_, got := ParseDate(f, "d", "Date vetting was granted", c.required)
		if got != c.want {
			t.Errorf("%s/%s/%s: %q, want %q", c.d, c.m, c.y, got, c.want)
		}
	}
}

// TestCaseDateFollowsTheSameRule: the pages that word their own message read dates by the same rule.
func TestCaseDateFollowsTheSameRule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d, m, y   string
		ok, valid bool
	}{
		{"", "", "", false, true}, {"1", "", "2024", true, false}, {"29", "2", "2023", true, false},
		{"1", "1", "24", true, false}, {"1", "1", "1899", true, false}, {"29", "2", "2024", true, true},
	} {
		_, ok, err := CaseDate(url.Values{"x-day": {c.d}, "x-month": {c.m}, "x-year": {c.y}}, "x")
		if ok != c.ok || (err == nil) != c.valid {
			t.Errorf("%s/%s/%s: given %v, err %v", c.d, c.m, c.y, ok, err)
		}
		_, msg := ParseDate(Form{Values: url.Values{"x-day": {c.d}, "x-month": {c.m}, "x-year": {c.y}}}, "x", "Date", false)
		if (msg == "") != c.valid {
			t.Errorf("%s/%s/%s: parseDate says %q where caseDate says %v", c.d, c.m, c.y, msg, err)
		}
	}
}

// TestDateInputError: the one date input helper finds the date's error whether a page keeps it under the
// date's name or under one of its parts, and marks only the parts left blank.
func TestDateInputError(t *testing.T) {
	t.Parallel()
	v := url.Values{"d-day": {"3"}, "d-month": {""}, "d-year": {"2027"}}
	for _, field := range []string{"d", "d-day", "d-month"} {
		p := DateInput(Form{Values: v, Errors: []prevent.FieldError{{Field: field, Message: "Date must include a month"}}}, "d", "Date", "")
		if p.ErrorMessage == nil || p.ErrorMessage.Text != "Date must include a month" {
			t.Fatalf("error under %s not found: %+v", field, p.ErrorMessage)
		}
		if len(p.Items) != 3 || p.Items[0].Error || !p.Items[1].Error || p.Items[2].Error {
			t.Errorf("error under %s marks %+v", field, p.Items)
		}
	}
	if p := DateInput(Form{Values: v}, "d", "Date", ""); p.ErrorMessage != nil || p.Items != nil || p.Hint != nil || p.Values.Day != "3" {
		t.Errorf("no error: %+v", p)
	}
}
