package web

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// vettingForm is the record-vetting page's data.
type vettingForm struct {
	PartnershipID prevent.ID
	Person        partnership.Person
	Form          form
}

func (s *Server) renderVettingForm(w http.ResponseWriter, r *http.Request, v vettingForm) error {
	l := s.layout(r, "Record vetting")
	l.Errors = v.Form.Errors
	l.Back = partnershipPath(v.PartnershipID, "people", v.Person.ID)
	return s.page(w, r, l, vettingFormPage(l, v))
}

func (s *Server) handleVetting(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	person, err := s.deps.Partnership.Person(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return s.renderVettingForm(w, r, vettingForm{PartnershipID: pid, Person: person, Form: form{Values: url.Values{}}})
}

func (s *Server) handleVettingPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	person, err := s.deps.Partnership.Person(r.Context(), p, pid, id)
	if err != nil {
		return err
	}
	var fields prevent.Fields
	if _, err := prevent.ParseVetting(f.Get("level")); err != nil || f.Get("level") == "none" {
		fields.Add("level", "Select the vetting level granted")
	}
	granted, fe := readDate(f, "granted", "Date vetting was granted", true)
	if fe.Message != "" {
		fields = append(fields, fe)
	}
	expires, fe := readDate(f, "expires", "Expiry date", false)
	if fe.Message != "" {
		fields = append(fields, fe)
	}
	if len(fields) == 0 {
		err = s.deps.Partnership.RecordVetting(r.Context(), p, pid, id, partnership.VettingInput{
			Level: f.Get("level"), GrantedOn: granted, ExpiresOn: expires, Sponsor: f.Get("sponsor")})
	} else {
		err = fields.Err()
	}
	if prevent.ErrorKind(err) == prevent.Invalid {
		return s.renderVettingForm(w, r, vettingForm{PartnershipID: pid, Person: person, Form: dateErrorsToDay(f.WithErr(err), "granted", "expires")})
	}
	if err != nil {
		return err
	}
	return s.flash(w, r, partnershipPath(pid, "people", id), "Vetting recorded")
}
