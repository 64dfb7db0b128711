package web

import "github.com/preventplatform/prevent/internal/web/govuk"

func withType(t string) func(*govuk.InputParams) { return func(p *govuk.InputParams) { p.Type = t } }
func asHeading(p *govuk.InputParams) {
	p.Label.IsPageHeading = true
	p.Label.Classes = "govuk-label--l"
}
