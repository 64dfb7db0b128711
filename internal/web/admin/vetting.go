package admin

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// vettingForm is the record-vetting page's data.
type vettingForm struct {
	PartnershipID prevent.ID
	Person        partnership.Person
	Form          core.Form
}

func (p *pages) renderVettingForm(w http.ResponseWriter, r *http.Request, v vettingForm) error {
	l := p.Layout(r, "Record vetting")
	l.Errors = v.Form.Errors
	l.Back = PersonPath.Link(v.PartnershipID, v.Person.ID)
	return p.Page(w, r, l, vettingFormPage(l, v))
}

func (p *pages) handleVetting(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	person, err := p.d.Partnership.Person(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	return p.renderVettingForm(w, r, vettingForm{PartnershipID: pid, Person: person, Form: core.Form{Values: url.Values{}}})
}

func (p *pages) handleVettingPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	pr := principalOf(r)
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	person, err := p.d.Partnership.Person(r.Context(), pr, pid, id)
	if err != nil {
		return err
	}
	var fields prevent.Fields
	if _, err := prevent.ParseVetting(f.Get("level")); err != nil || f.Get("level") == "none" {
		fields.Add("level", "Select the vetting level granted")
	}
	granted, fe := core.ReadDate(f, "granted", "Date vetting was granted", true)
	if fe.Message != "" {
		fields = append(fields, fe)
	}
	expires, fe := core.ReadDate(f, "expires", "Expiry date", false)
	if fe.Message != "" {
		fields = append(fields, fe)
	}
	if len(fields) == 0 {
		err = p.d.Partnership.RecordVetting(r.Context(), pr, pid, id, partnership.VettingInput{
			Level: f.Get("level"), GrantedOn: granted, ExpiresOn: expires, Sponsor: f.Get("sponsor")})
	} else {
		err = fields.Err()
	}
	if prevent.ErrorKind(err) == prevent.Invalid {
		return p.renderVettingForm(w, r, vettingForm{PartnershipID: pid, Person: person, Form: core.DateErrorsToDay(f.WithErr(err), "granted", "expires")})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, PersonPath.Link(pid, id), "Vetting recorded")
}
