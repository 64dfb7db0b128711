package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// peoplePageSize is how many people the list shows at once.
const peoplePageSize = 50

// peopleView is the people list's data.
type peopleView struct {
	PartnershipID  prevent.ID
	People         []partnership.Person
	Organisations  []partnership.Organisation
	OrganisationID prevent.ID
	// Next is the link to the next page, empty on the last page.
	Next      string
	CanManage bool
	Now       time.Time
}

func (s *Server) handlePeople(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	q := r.URL.Query()
	f := partnership.PeopleFilter{AfterName: q.Get("after-name"), Limit: peoplePageSize}
	f.OrganisationID, _ = strconv.ParseInt(q.Get("organisation"), 10, 64)
	f.AfterID, _ = strconv.ParseInt(q.Get("after-id"), 10, 64)
	orgs, err := s.deps.Partnership.Organisations(r.Context(), p, pid)
	if err != nil {
		return err
	}
	people, err := s.deps.Partnership.People(r.Context(), p, pid, f)
	if err != nil {
		return err
	}
	v := peopleView{PartnershipID: pid, People: people, Organisations: orgs, OrganisationID: f.OrganisationID,
		CanManage: s.may(r, pid, access.PersonManage), Now: s.deps.Now()}
	if len(people) == peoplePageSize {
		last := people[len(people)-1]
		next := url.Values{"after-name": {last.Name}, "after-id": {itoa64(last.ID)}}
		if f.OrganisationID != 0 {
			next.Set("organisation", itoa64(f.OrganisationID))
		}
		v.Next = partnershipPath(pid, "people") + "?" + next.Encode()
	}
	l := s.layout(r, "People")
	l.Back = partnershipPath(pid)
	return s.page(w, r, l, peoplePage(l, v))
}

// personStatus is the account status shown as a tag: its text and colour class.
func personStatus(p partnership.Person) (string, string) {
	switch {
	case p.Disabled:
		return "Disabled", "govuk-tag--grey"
	case p.Locked:
		return "Locked", "govuk-tag--red"
	case !p.HasPassword:
		return "Not set up", "govuk-tag--yellow"
	}
	return "Active", "govuk-tag--green"
}

func roleNames(roles []prevent.Role) string {
	names := make([]string, 0, len(roles))
	for _, r := range roles {
		names = append(names, r.String())
	}
	if len(names) == 0 {
		return "None"
	}
	return strings.Join(names, ", ")
}

// personForm describes the person form: new when ID is 0.
type personForm struct {
	PartnershipID prevent.ID
	ID            prevent.ID
	Organisations []partnership.Organisation
	Form          form
}

func (v personForm) action() string {
	if v.ID == 0 {
		return partnershipPath(v.PartnershipID, "people", "new")
	}
	return partnershipPath(v.PartnershipID, "people", v.ID, "edit")
}

func (v personForm) title() string {
	if v.ID == 0 {
		return "Add a person"
	}
	return "Change a person’s details"
}

func (s *Server) renderPersonForm(w http.ResponseWriter, r *http.Request, v personForm) error {
	orgs, err := s.deps.Partnership.Organisations(r.Context(), prevent.PrincipalFrom(r.Context()), v.PartnershipID)
	if err != nil {
		return err
	}
	v.Organisations = orgs
	l := s.layout(r, v.title())
	l.Errors = v.Form.Errors
	l.Back = partnershipPath(v.PartnershipID, "people")
	if v.ID != 0 {
		l.Back = partnershipPath(v.PartnershipID, "people", v.ID)
	}
	return s.page(w, r, l, personFormPage(l, v))
}

func personInput(f form) partnership.PersonInput {
	org, _ := strconv.ParseInt(f.Get("organisation"), 10, 64)
	return partnership.PersonInput{Name: f.Get("name"), Email: f.Get("email"), JobTitle: f.Get("job-title"),
		OrganisationID: org, Roles: f.List("roles")}
}

func (s *Server) handlePersonNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return s.renderPersonForm(w, r, personForm{PartnershipID: pid, Form: form{Values: url.Values{}}})
}

func (s *Server) handlePersonNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	id, token, err := s.deps.Partnership.CreatePerson(r.Context(), prevent.PrincipalFrom(r.Context()), pid, personInput(f))
	if prevent.ErrorKind(err) == prevent.Invalid {
		return s.renderPersonForm(w, r, personForm{PartnershipID: pid, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return s.showSetupLink(w, r, pid, id, f.Get("name"), token, "Account created")
}

// showSetupLink shows a one-time set-up link. It is rendered in the response to the POST, never stored or
// redirected to, so that it is shown once.
func (s *Server) showSetupLink(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, name, token, title string) error {
	scheme := "http"
	if s.deps.SecureCookies || r.TLS != nil {
		scheme = "https"
	}
	link := scheme + "://" + r.Host + "/account/set-up/" + token
	l := s.layout(r, title)
	return s.page(w, r, l, setupLinkPage(l, title, name, link, partnershipPath(pid, "people", id)))
}

// personView is the person page's data.
type personView struct {
	PartnershipID prevent.ID
	Person        partnership.Person
	Current       prevent.Clearance
	CanManage     bool
	Self          bool
}

func (s *Server) handlePerson(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	person, err := s.deps.Partnership.Person(r.Context(), p, pid, id)
	if err != nil {
		return err
	}
	l := s.layout(r, person.Name)
	l.Back = partnershipPath(pid, "people")
	v := personView{PartnershipID: pid, Person: person, Current: person.CurrentVetting(s.deps.Now()),
		CanManage: s.may(r, pid, access.PersonManage), Self: p.PersonID == id}
	return s.page(w, r, l, personPage(l, v))
}

func (s *Server) handlePersonEdit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	person, err := s.deps.Partnership.Person(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"name": {person.Name}, "email": {person.Email}, "job-title": {person.JobTitle},
		"organisation": {itoa64(person.OrganisationID)}}}
	for _, role := range person.Roles {
		f.Values.Add("roles", string(role))
	}
	return s.renderPersonForm(w, r, personForm{PartnershipID: pid, ID: id, Form: f})
}

func (s *Server) handlePersonEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = s.deps.Partnership.UpdatePerson(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, personInput(f))
	if prevent.ErrorKind(err) == prevent.Invalid {
		return s.renderPersonForm(w, r, personForm{PartnershipID: pid, ID: id, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return s.flash(w, r, partnershipPath(pid, "people", id), "Details updated")
}

func (s *Server) handlePersonDisable(disabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := pathIDs(r)
		if err != nil {
			return err
		}
		if _, err := readForm(w, r); err != nil {
			return err
		}
		if err := s.deps.Partnership.SetDisabled(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, disabled); err != nil {
			return err
		}
		msg := "Account enabled"
		if disabled {
			msg = "Account disabled. They have been signed out"
		}
		return s.flash(w, r, partnershipPath(pid, "people", id), msg)
	}
}

func (s *Server) handlePersonSetupLink(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	if _, err := readForm(w, r); err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	token, err := s.deps.Partnership.NewSetupLink(r.Context(), p, pid, id)
	if err != nil {
		return err
	}
	person, err := s.deps.Partnership.Person(r.Context(), p, pid, id)
	if err != nil {
		return err
	}
	return s.showSetupLink(w, r, pid, id, person.Name, token, "New set-up link created")
}
