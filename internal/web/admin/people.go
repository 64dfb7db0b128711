package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/core"
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

func (p *pages) handlePeople(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	pr := principalOf(r)
	q := r.URL.Query()
	f := partnership.PeopleFilter{AfterName: q.Get("after-name"), Limit: peoplePageSize}
	f.OrganisationID, _ = strconv.ParseInt(q.Get("organisation"), 10, 64)
	f.AfterID, _ = strconv.ParseInt(q.Get("after-id"), 10, 64)
	orgs, err := p.d.Partnership.Organisations(r.Context(), pr, pid)
	if err != nil {
		return err
	}
	people, err := p.d.Partnership.People(r.Context(), pr, pid, f)
	if err != nil {
		return err
	}
	v := peopleView{PartnershipID: pid, People: people, Organisations: orgs, OrganisationID: f.OrganisationID,
		CanManage: p.May(r, pid, access.PersonManage), Now: p.d.Now()}
	if len(people) == peoplePageSize {
		last := people[len(people)-1]
		next := url.Values{"after-name": {last.Name}, "after-id": {core.IDText(last.ID)}}
		if f.OrganisationID != 0 {
			next.Set("organisation", core.IDText(f.OrganisationID))
		}
		v.Next = PeoplePath.Link(pid) + "?" + next.Encode()
	}
	l := p.Layout(r, "People")
	l.Back = PartnershipPath.Link(pid)
	return p.Page(w, r, l, peoplePage(l, v))
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
	Form          core.Form
}

func (v personForm) action() string {
	if v.ID == 0 {
		return NewPersonPath.Link(v.PartnershipID)
	}
	return PersonEditPath.Link(v.PartnershipID, v.ID)
}

func (v personForm) title() string {
	if v.ID == 0 {
		return "Add a person"
	}
	return "Change a person’s details"
}

func (p *pages) renderPersonForm(w http.ResponseWriter, r *http.Request, v personForm) error {
	orgs, err := p.d.Partnership.Organisations(r.Context(), principalOf(r), v.PartnershipID)
	if err != nil {
		return err
	}
	v.Organisations = orgs
	l := p.Layout(r, v.title())
	l.Errors = v.Form.Errors
	l.Back = PeoplePath.Link(v.PartnershipID)
	if v.ID != 0 {
		l.Back = PersonPath.Link(v.PartnershipID, v.ID)
	}
	return p.Page(w, r, l, personFormPage(l, v))
}

func personInput(f core.Form) partnership.PersonInput {
	org := f.ID("organisation")
	return partnership.PersonInput{Name: f.Get("name"), Email: f.Get("email"), JobTitle: f.Get("job-title"),
		OrganisationID: org, Roles: f.List("roles")}
}

func (p *pages) handlePersonNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return p.renderPersonForm(w, r, personForm{PartnershipID: pid, Form: core.Form{Values: url.Values{}}})
}

func (p *pages) handlePersonNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	id, token, err := p.d.Partnership.CreatePerson(r.Context(), principalOf(r), pid, personInput(f))
	if prevent.ErrorKind(err) == prevent.Invalid {
		return p.renderPersonForm(w, r, personForm{PartnershipID: pid, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return p.showSetupLink(w, r, pid, id, f.Get("name"), token, "Account created")
}

// showSetupLink shows a one-time set-up link. It is rendered in the response to the POST, never stored or
// redirected to, so that it is shown once.
func (p *pages) showSetupLink(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, name, token, title string) error {
	scheme := "http"
	if p.d.HTTPS || r.TLS != nil {
		scheme = "https"
	}
	link := scheme + "://" + r.Host + account.SetUpLink(token)
	l := p.Layout(r, title)
	return p.Page(w, r, l, setupLinkPage(l, title, name, link, PersonPath.Link(pid, id)))
}

// personView is the person page's data.
type personView struct {
	PartnershipID prevent.ID
	Person        partnership.Person
	Current       prevent.Clearance
	CanManage     bool
	Self          bool
}

func (p *pages) handlePerson(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	pr := principalOf(r)
	person, err := p.d.Partnership.Person(r.Context(), pr, pid, id)
	if err != nil {
		return err
	}
	l := p.Layout(r, person.Name)
	l.Back = PeoplePath.Link(pid)
	v := personView{PartnershipID: pid, Person: person, Current: person.CurrentVetting(p.d.Now()),
		CanManage: p.May(r, pid, access.PersonManage), Self: pr.PersonID == id}
	return p.Page(w, r, l, personPage(l, v))
}

func (p *pages) handlePersonEdit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	person, err := p.d.Partnership.Person(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"name": {person.Name}, "email": {person.Email}, "job-title": {person.JobTitle},
		"organisation": {core.IDText(person.OrganisationID)}}}
	for _, role := range person.Roles {
		f.Values.Add("roles", string(role))
	}
	return p.renderPersonForm(w, r, personForm{PartnershipID: pid, ID: id, Form: f})
}

func (p *pages) handlePersonEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = p.d.Partnership.UpdatePerson(r.Context(), principalOf(r), pid, id, personInput(f))
	if prevent.ErrorKind(err) == prevent.Invalid {
		return p.renderPersonForm(w, r, personForm{PartnershipID: pid, ID: id, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, PersonPath.Link(pid, id), "Details updated")
}

func (p *pages) handlePersonDisable(disabled bool) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := core.PathIDs(r)
		if err != nil {
			return err
		}
		if _, err := core.ReadForm(w, r); err != nil {
			return err
		}
		if err := p.d.Partnership.SetDisabled(r.Context(), principalOf(r), pid, id, disabled); err != nil {
			return err
		}
		msg := "Account enabled"
		if disabled {
			msg = "Account disabled. They have been signed out"
		}
		return p.Flash(w, r, PersonPath.Link(pid, id), msg)
	}
}

func (p *pages) handlePersonSetupLink(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	if _, err := core.ReadForm(w, r); err != nil {
		return err
	}
	pr := principalOf(r)
	token, err := p.d.Partnership.NewSetupLink(r.Context(), pr, pid, id)
	if err != nil {
		return err
	}
	person, err := p.d.Partnership.Person(r.Context(), pr, pid, id)
	if err != nil {
		return err
	}
	return p.showSetupLink(w, r, pid, id, person.Name, token, "New set-up link created")
}
