package web

import "github.com/preventplatform/prevent/internal/web/govuk"

func withType(t string) func(*govuk.InputParams) { return func(p *govuk.InputParams) { p.Type = t } }
func withAutocomplete(a string) func(*govuk.InputParams) {
	return func(p *govuk.InputParams) { p.Autocomplete = a }
}
func noSpellcheck(p *govuk.InputParams) { p.Spellcheck = govuk.Bool(false) }
func asHeading(p *govuk.InputParams) {
	p.Label.IsPageHeading = true
	p.Label.Classes = "govuk-label--l"
}
