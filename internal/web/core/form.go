package core

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Form is what the user typed and the errors found in it, so a page can be shown again with both.
type Form struct {
	Values url.Values
	Errors []prevent.FieldError
}

// ReadForm parses a posted form, limited to 64 KiB. A value that is not UTF-8 text, or that holds a control
// character other than tab, line feed and carriage return (a NUL, for example, which PostgreSQL cannot store
// in text), is refused: no browser sends one from what a person typed, and nothing is stored with it.
func ReadForm(w http.ResponseWriter, r *http.Request) (Form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return Form{}, prevent.Errorf(prevent.Invalid, "The form could not be read. Try again")
	}
	var fields prevent.Fields
	for name, vs := range r.PostForm {
		for _, v := range vs {
			if !plainText(v) {
				fields.Add(name, "Remove the characters that cannot be stored, such as control characters, and try again")
				break
			}
		}
	}
	if err := fields.Err(); err != nil {
		return Form{}, err
	}
	return Form{Values: r.PostForm}, nil
}

// plainText reports whether s is UTF-8 with no control characters other than tab, line feed and carriage return.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f) {
			return false
		}
	}
	return true
}

// Get is the value of the field called name, without surrounding spaces.
func (f Form) Get(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// ID is the value of the field called name as a record id, read by FormID: 0 when it is absent, not a number
// or negative.
func (f Form) ID(name string) prevent.ID { return FormID(f.Get(name)) }

// List is every value of the field called name (checkboxes).
func (f Form) List(name string) []string { return f.Values[name] }

// WithErr keeps err's field errors (or a page-level error) on the form.
func (f Form) WithErr(err error) Form {
	if fe := prevent.FieldErrors(err); len(fe) > 0 {
		f.Errors = fe
	} else {
		f.Errors = []prevent.FieldError{{Message: prevent.PublicMessage(err)}}
	}
	return f
}

// ErrorFor returns the GOV.UK error message params for a field, or nil.
func (f Form) ErrorFor(field string) *govuk.ErrorMessageParams {
	for _, e := range f.Errors {
		if e.Field == field {
			return &govuk.ErrorMessageParams{Text: e.Message}
		}
	}
	return nil
}

// Input is a text input bound to the form.
func (f Form) Input(name, label, hint string, opts ...func(*govuk.InputParams)) govuk.InputParams {
	p := govuk.InputParams{Name: name, Value: f.Values.Get(name), Label: govuk.LabelParams{Text: label, Classes: "govuk-label--s"},
		ErrorMessage: f.ErrorFor(name)}
	if hint != "" {
		p.Hint = &govuk.HintParams{Text: hint}
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// Textarea is a textarea bound to the form.
func (f Form) Textarea(name, label, hint string) govuk.TextareaParams {
	p := govuk.TextareaParams{Name: name, Value: f.Values.Get(name), Label: govuk.LabelParams{Text: label, Classes: "govuk-label--s"},
		ErrorMessage: f.ErrorFor(name)}
	if hint != "" {
		p.Hint = &govuk.HintParams{Text: hint}
	}
	return p
}

// Select is a select of items bound to the form.
func (f Form) Select(name, label string, items []govuk.SelectItem) govuk.SelectParams {
	return govuk.SelectParams{Name: name, Value: f.Get(name), Items: items, Label: govuk.LabelParams{Text: label, Classes: "govuk-label--s"},
		ErrorMessage: f.ErrorFor(name)}
}
