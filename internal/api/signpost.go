package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// signpostAPI serves signposting without disclosure (casework.Signpost).
type signpostAPI struct {
	cw *casework.Service
}

// SignpostSearch is the body of a signposting search: the person's full name and, optionally, date of birth,
// and why the search is made (reason, a code, and purpose, in the caller's words).
type SignpostSearch struct {
	Name        string `json:"name"`
	DateOfBirth *Date  `json:"date_of_birth,omitempty"`
	Reason      string `json:"reason"`
	Purpose     string `json:"purpose"`
}

// SignpostResults are the answers to a signposting search, ordered by organisation and contact (never by
// closeness of match). message is the "not known" wording when there are none, null otherwise.
type SignpostResults struct {
	Items   []SignpostItem `json:"items"`
	Message *string        `json:"message"`
}

// SignpostItem is one organisation that holds a record about a person matching the search, and whom to contact
// there. case is null unless the caller may already see the case.
type SignpostItem struct {
	Organisation string        `json:"organisation"`
	ContactName  *string       `json:"contact_name"`
	ContactEmail *string       `json:"contact_email"`
	Case         *SignpostCase `json:"case"`
}

// SignpostCase links a result to a case the caller may already see.
type SignpostCase struct {
	ID        prevent.ID `json:"id"`
	Reference string     `json:"reference"`
}

// signpostFields maps the service's field names to the body's members.
var signpostFields = map[string]string{"date-of-birth": "date_of_birth"}

func signpostReasonCodes() string {
	codes := make([]string, len(casework.SignpostReasons))
	for i, r := range casework.SignpostReasons {
		codes[i] = r.Code
	}
	return strings.Join(codes, ", ")
}

func (a *signpostAPI) search(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[SignpostSearch](r)
	if err != nil {
		return err
	}
	q := casework.SignpostQuery{Name: in.Name, Reason: in.Reason, Purpose: in.Purpose}
	if in.DateOfBirth != nil {
		q.DateOfBirth = time.Time(*in.DateOfBirth).UTC()
	}
	results, err := a.cw.Signpost(r.Context(), prevent.PrincipalFrom(r.Context()), pid, q)
	if err != nil {
		return rename(err, signpostFields)
	}
	out := SignpostResults{Items: make([]SignpostItem, 0, len(results))}
	for _, res := range results {
		it := SignpostItem{Organisation: res.Organisation, ContactName: optString(res.Contact), ContactEmail: optString(res.ContactEmail)}
		if res.Linked() {
			it.Case = &SignpostCase{ID: res.ReferralID, Reference: res.Reference}
		}
		out.Items = append(out.Items, it)
	}
	if len(out.Items) == 0 {
		msg := casework.SignpostNotKnown
		out.Message = &msg
	}
	return encode(w, http.StatusOK, out)
}
