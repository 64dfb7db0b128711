// Package signpost holds the signposting pages: signposting without disclosure (casework.Signpost). A
// professional finds which partner organisation holds a record about a person and whom to contact there, and
// nothing of the record itself. The search is posted, so that the name searched for stays out of addresses,
// history and logs.
package signpost

import (
	"net/http"
	"net/url"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	// Casework searches the partnership's records and records the search.
	Casework *casework.Service
	Now      func() time.Time
	// CasePath is the address of a case's page (not in this package), which a result links to when the
	// searcher may already see the case.
	CasePath func(pid, id prevent.ID) string
}

// SearchPath is the search form; posted, it searches and shows the results.
var SearchPath = core.NewPath1("/partnerships/{pid}/signposting")

// Register adds the routes for signposting search: "known to organisation X, contact Y" without disclosure.
func Register(site core.Site, d Deps) {
	p := &pages{Pages: site, d: d}
	site.Handle(http.MethodGet, SearchPath.Pattern(), access.Signpost, p.handleForm)
	site.Handle(http.MethodPost, SearchPath.Pattern(), access.Signpost, p.handleSearch)
}

type pages struct {
	core.Pages
	d Deps
}

// view is the search form (with what was typed and any errors) and, once searched, the results.
type view struct {
	PartnershipID prevent.ID
	Form          core.Form
	Searched      bool
	Name          string
	Results       []casework.SignpostResult
	// CasePath links a result to its case.
	CasePath func(pid, id prevent.ID) string
}

func (p *pages) handleForm(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	if !p.May(r, pid, access.Signpost) {
		return access.NotFound("Page")
	}
	l := p.Layout(r, "Find who holds information about a person")
	return p.Page(w, r, l, formPage(l, view{PartnershipID: pid, Form: core.Form{Values: url.Values{}}, CasePath: p.d.CasePath}))
}

func (p *pages) handleSearch(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	if !p.May(r, pid, access.Signpost) {
		return access.NotFound("Page")
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	q := casework.SignpostQuery{Name: f.Get("name"), Reason: f.Get("reason"), Purpose: f.Get("purpose")}
	dob, given, derr := core.CaseDate(f.Values, "date-of-birth")
	if given && derr == nil {
		q.DateOfBirth = dob
	}
	v := view{PartnershipID: pid, Form: f, CasePath: p.d.CasePath}
	var results []casework.SignpostResult
	if derr != nil {
		// A date of birth that is not a date: no search is made (it would be broader than the one meant), and
		// every other problem is named too.
		err = dateProblem(q.Validate(p.d.Now()))
	} else {
		results, err = p.d.Casework.Signpost(r.Context(), prevent.PrincipalFrom(r.Context()), pid, q)
	}
	if err != nil {
		if prevent.ErrorKind(err) != prevent.Invalid {
			return err
		}
		v.Form = f.WithErr(err)
		l := p.Layout(r, "Find who holds information about a person")
		l.Errors = v.Form.Errors
		return p.Page(w, r, l, formPage(l, v))
	}
	v.Searched, v.Name, v.Results = true, q.Name, results
	l := p.Layout(r, "Search results")
	l.Marking = casework.DefaultMarking
	return p.Page(w, r, l, resultsPage(l, v))
}

// dateProblem adds the date of birth's error to err's field errors, in the order of the form (after the name).
func dateProblem(err error) error {
	date := prevent.FieldError{Field: "date-of-birth", Message: "Date of birth must be a real date, for example 27 3 2003"}
	var out []prevent.FieldError
	added := false
	for _, e := range prevent.FieldErrors(err) {
		if !added && e.Field != "name" {
			out, added = append(out, date), true
		}
		out = append(out, e)
	}
	if !added {
		out = append(out, date)
	}
	return prevent.Validation(out)
}
