package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// form is what the user typed and the errors found in it, so a page can be shown again with both.
type form struct {
	Values url.Values
	Errors []prevent.FieldError
}

// readForm parses a posted form, limited to 64 KiB.
func readForm(w http.ResponseWriter, r *http.Request) (form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return form{}, prevent.Errorf(prevent.Invalid, "The form could not be read. Try again")
	}
	return form{Values: r.PostForm}, nil
}

func (f form) get(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

func (f form) list(name string) []string { return f.Values[name] }

// withErr keeps err's field errors (or a page-level error) on the form.
func (f form) withErr(err error) form {
	if fe := prevent.FieldErrors(err); len(fe) > 0 {
		f.Errors = fe
	} else {
		f.Errors = []prevent.FieldError{{Message: prevent.PublicMessage(err)}}
	}
	return f
}

// errorFor returns the GOV.UK error message params for a field, or nil.
func (f form) errorFor(field string) *govuk.ErrorMessageParams {
	for _, e := range f.Errors {
		if e.Field == field {
			return &govuk.ErrorMessageParams{Text: e.Message}
		}
	}
	return nil
}

// input is a text input bound to the form.
func (f form) input(name, label, hint string, opts ...func(*govuk.InputParams)) govuk.InputParams {
	p := govuk.InputParams{Name: name, Value: f.Values.Get(name), Label: govuk.LabelParams{Text: label, Classes: "govuk-label--s"},
		ErrorMessage: f.errorFor(name)}
	if hint != "" {
		p.Hint = &govuk.HintParams{Text: hint}
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

func withType(t string) func(*govuk.InputParams) { return func(p *govuk.InputParams) { p.Type = t } }
func withAutocomplete(a string) func(*govuk.InputParams) {
	return func(p *govuk.InputParams) { p.Autocomplete = a }
}
func withClasses(c string) func(*govuk.InputParams) {
	return func(p *govuk.InputParams) { p.Classes = c }
}
func noSpellcheck(p *govuk.InputParams) { p.Spellcheck = govuk.Bool(false) }
func asHeading(p *govuk.InputParams) {
	p.Label.IsPageHeading = true
	p.Label.Classes = "govuk-label--l"
}
