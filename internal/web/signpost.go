package web

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// signpostPages serve signposting without disclosure (casework.Signpost): a professional finds which partner
// organisation holds a record about a person and whom to contact there, and nothing of the record itself.
type signpostPages struct {
	*Server
	svc *casework.Service
}

// signpostView is the search form (with what was typed and any errors) and, once searched, the results.
type signpostView struct {
	PartnershipID prevent.ID
	Form          form
	Searched      bool
	Name          string
	Results       []casework.SignpostResult
}

func (sp *signpostPages) handleForm(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	if !sp.may(r, pid, access.Signpost) {
		return access.NotFound("Page")
	}
	l := sp.layout(r, "Find who holds information about a person")
	return sp.page(w, r, l, signpostFormPage(l, signpostView{PartnershipID: pid, Form: form{Values: url.Values{}}}))
}

func (sp *signpostPages) handleSearch(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	if !sp.may(r, pid, access.Signpost) {
		return access.NotFound("Page")
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	q := casework.SignpostQuery{Name: f.Get("name"), Reason: f.Get("reason"), Purpose: f.Get("purpose")}
	dob, given, derr := caseDate(f.Values, "date-of-birth")
	if given && derr == nil {
		q.DateOfBirth = dob
	}
	v := signpostView{PartnershipID: pid, Form: f}
	var results []casework.SignpostResult
	if derr != nil {
		// A date of birth that is not a date: no search is made (it would be broader than the one meant), and
		// every other problem is named too.
		err = dateProblem(q.Validate(sp.deps.Now()))
	} else {
		results, err = sp.svc.Signpost(r.Context(), principalOf(r), pid, q)
	}
	if err != nil {
		if prevent.ErrorKind(err) != prevent.Invalid {
			return err
		}
		v.Form = f.WithErr(err)
		l := sp.layout(r, "Find who holds information about a person")
		l.Errors = v.Form.Errors
		return sp.page(w, r, l, signpostFormPage(l, v))
	}
	v.Searched, v.Name, v.Results = true, q.Name, results
	l := sp.layout(r, "Search results")
	l.Marking = casework.DefaultMarking
	return sp.page(w, r, l, signpostResultsPage(l, v))
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
