package core

import (
	"strings"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Pieces of GOV.UK components that the pages of several areas build the same way.

// OrDash is s, or "Not given" when s is blank.
func OrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "Not given"
	}
	return s
}

// Row is a summary list row: key, and value or "Not given".
func Row(key, value string) govuk.SummaryListRow {
	return govuk.SummaryListRow{Key: govuk.SummaryListCell{Text: key}, Value: govuk.SummaryListCell{Text: OrDash(value)}}
}

// YesNo is b in words: Yes or No.
func YesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// Legend is a fieldset with a small legend, for radios, checkboxes and date inputs.
func Legend(text string) *govuk.FieldsetParams {
	return &govuk.FieldsetParams{Legend: &govuk.LegendParams{Text: text, Classes: "govuk-fieldset__legend--s"}}
}

// WithClasses sets the classes of a text input (Form.Input).
func WithClasses(c string) func(*govuk.InputParams) {
	return func(p *govuk.InputParams) { p.Classes = c }
}

// WithType sets the type of a text input (Form.Input): email, password.
func WithType(t string) func(*govuk.InputParams) {
	return func(p *govuk.InputParams) { p.Type = t }
}

// WithAutocomplete sets the autocomplete attribute of a text input (Form.Input).
func WithAutocomplete(a string) func(*govuk.InputParams) {
	return func(p *govuk.InputParams) { p.Autocomplete = a }
}

// NoSpellcheck turns the browser's spelling check off on a text input (Form.Input), for names and codes.
func NoSpellcheck(p *govuk.InputParams) { p.Spellcheck = govuk.Bool(false) }

// Option is a value and its text, for selects.
type Option struct{ Value, Text string }

// Options are the options of a select: first, with no value, then opts.
func Options(first string, opts []Option) []govuk.SelectItem {
	out := []govuk.SelectItem{{Value: "", Text: first}}
	for _, o := range opts {
		out = append(out, govuk.SelectItem{Value: o.Value, Text: o.Text})
	}
	return out
}

// ItemOptions are the options of a select of a reference list: empty, with no value, then each item by its
// label, valued by its code.
func ItemOptions(items []casework.Item, empty string) []govuk.SelectItem {
	out := []govuk.SelectItem{{Value: "", Text: empty}}
	for _, it := range items {
		out = append(out, govuk.SelectItem{Value: it.Code, Text: it.Label})
	}
	return out
}

// CaseTitle is the title of a page of a case: "Case <reference>", after the page's name when it has one
// ("Timeline: Case PRV-2026-000123"). A case page's title never names the person: titles are kept in browser
// history and shown on screen to others.
func CaseTitle(page, reference string) string {
	if page == "" {
		return "Case " + reference
	}
	return page + ": Case " + reference
}
