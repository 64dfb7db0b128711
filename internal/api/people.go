package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// personFields maps the partnership package's form field names to JSON member names.
var personFields = map[string]string{"job-title": "job_title", "organisation": "organisation_id"}

// vettingFields maps the vetting form's field names to JSON member names.
var vettingFields = map[string]string{"granted": "granted_on", "expires": "expires_on"}

// SetupPath is the path of the account set-up page; a new person's link is SetupPath + token.
const SetupPath = "/account/set-up/"

// The page sizes of the people list.
const (
	defaultLimit = 50
	maxLimit     = 200
)

func itoa(id prevent.ID) string { return strconv.FormatInt(id, 10) }

func (in PersonInput) domain() partnership.PersonInput {
	return partnership.PersonInput{Name: in.Name, Email: in.Email, JobTitle: in.JobTitle,
		OrganisationID: in.OrganisationID, Roles: in.Roles}
}

// cursor is the keyset position after which the next page starts: the last person's name and id.
type cursor struct {
	Name string     `json:"n"`
	ID   prevent.ID `json:"i"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID <= 0 {
		return c, false
	}
	return c, true
}

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f prevent.Fields
	filter := partnership.PeopleFilter{Limit: defaultLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			f.Add("limit", "limit must be a whole number from 1 to "+strconv.Itoa(maxLimit))
		}
		filter.Limit = n
	}
	if v := q.Get("after"); v != "" {
		c, ok := decodeCursor(v)
		if !ok {
			f.Add("after", "after must be the next cursor of a previous page")
		}
		filter.AfterName, filter.AfterID = c.Name, c.ID
	}
	if v := q.Get("organisation_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			f.Add("organisation_id", "organisation_id must be an organisation’s id")
		}
		filter.OrganisationID = n
	}
	if err := f.Err(); err != nil {
		return err
	}
	people, err := s.deps.Partnership.People(r.Context(), prevent.PrincipalFrom(r.Context()), pid, filter)
	if err != nil {
		return err
	}
	out := PersonList{Items: []Person{}}
	for _, p := range people {
		out.Items = append(out.Items, personOut(p))
	}
	if len(people) == filter.Limit {
		last := people[len(people)-1]
		next := encodeCursor(cursor{Name: strings.ToLower(last.Name), ID: last.ID})
		out.Next = &next
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) writePerson(w http.ResponseWriter, r *http.Request, status int, pid, id prevent.ID) error {
	p, err := s.deps.Partnership.Person(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return encode(w, status, personOut(p))
}

func pidAndID(r *http.Request) (prevent.ID, prevent.ID, error) {
	pid, err := pathID(r, "pid")
	if err != nil {
		return 0, 0, err
	}
	id, err := pathID(r, "id")
	return pid, id, err
}

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[PersonInput](r)
	if err != nil {
		return err
	}
	pr := prevent.PrincipalFrom(r.Context())
	id, token, err := s.deps.Partnership.CreatePerson(r.Context(), pr, pid, in.domain())
	if err != nil {
		return rename(err, personFields)
	}
	p, err := s.deps.Partnership.Person(r.Context(), pr, pid, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", r.URL.Path+"/"+itoa(id))
	return encode(w, http.StatusCreated, PersonCreated{Person: personOut(p), SetupURL: SetupPath + token})
}

func (s *Server) putPerson(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[PersonInput](r)
	if err != nil {
		return err
	}
	if err := s.deps.Partnership.UpdatePerson(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, in.domain()); err != nil {
		return rename(err, personFields)
	}
	return s.writePerson(w, r, http.StatusOK, pid, id)
}

func (s *Server) setDisabled(disabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := pidAndID(r)
		if err != nil {
			return err
		}
		if err := s.deps.Partnership.SetDisabled(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, disabled); err != nil {
			return err
		}
		return s.writePerson(w, r, http.StatusOK, pid, id)
	}
}

func (s *Server) recordVetting(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[VettingInput](r)
	if err != nil {
		return err
	}
	var f prevent.Fields
	v := partnership.VettingInput{Level: strings.TrimSpace(in.Level), Sponsor: in.Sponsor}
	if in.GrantedOn != "" {
		if v.GrantedOn, err = time.Parse(time.DateOnly, in.GrantedOn); err != nil {
			f.Add("granted_on", "granted_on must be a real date written YYYY-MM-DD")
		}
	}
	if in.ExpiresOn != "" {
		if v.ExpiresOn, err = time.Parse(time.DateOnly, in.ExpiresOn); err != nil {
			f.Add("expires_on", "expires_on must be a real date written YYYY-MM-DD")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := s.deps.Partnership.RecordVetting(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, v); err != nil {
		return rename(err, vettingFields)
	}
	return s.writePerson(w, r, http.StatusCreated, pid, id)
}

// SetupLink is a person's new one-time account set-up link; earlier links stop working.
type SetupLink struct {
	SetupURL string `json:"setup_url"`
}

// newSetupLink makes a new set-up link for a person (one who lost theirs, or whose link expired).
func (s *Server) newSetupLink(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	token, err := s.deps.Partnership.NewSetupLink(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, SetupLink{SetupURL: SetupPath + token})
}

// personSecurity unlocks an account after repeated failed sign-ins, or removes a person's second factors so
// that they set one up again at their next sign-in, as the person's page does: the partnership service decides
// whether the caller may manage the person, then the auth service acts and audits.
func (s *Server) personSecurity(reset bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := pidAndID(r)
		if err != nil {
			return err
		}
		pr := prevent.PrincipalFrom(r.Context())
		if _, err := s.deps.Partnership.PersonToManage(r.Context(), pr, pid, id); err != nil {
			return err
		}
		if reset {
			if id == pr.PersonID {
				return prevent.Errorf(prevent.Invalid, "You cannot reset your own second factor; ask another administrator")
			}
			err = s.deps.Auth.ResetSecondFactors(r.Context(), id)
		} else {
			err = s.deps.Auth.Unlock(r.Context(), id)
		}
		if err != nil {
			return err
		}
		return s.writePerson(w, r, http.StatusOK, pid, id)
	}
}
