package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// rightsAPI serves notices, rectification and the subject access bundle. The services decide access and audit.
type rightsAPI struct {
	s      *Server
	sh     *sharing.Service
	rights *rights.Service
}

// NoticeView is a notice sent to an organisation that received a record's data: a task until completed.
type NoticeView struct {
	ID            prevent.ID   `json:"id"`
	Kind          string       `json:"kind"`
	RecordKind    string       `json:"record_kind"`
	RecordID      prevent.ID   `json:"record_id"`
	Reference     string       `json:"reference"`
	From          string       `json:"from"`
	To            string       `json:"to"`
	Disclosures   []prevent.ID `json:"disclosures"`
	Message       string       `json:"message"`
	SentAt        time.Time    `json:"sent_at"`
	Due           Date         `json:"due"`
	Status        string       `json:"status"`
	Overdue       bool         `json:"overdue"`
	CompletedNote string       `json:"completed_note,omitempty"`
	CompletedBy   string       `json:"completed_by,omitempty"`
	CompletedAt   *time.Time   `json:"completed_at"`
}

// NoticeList is a list of notices, newest first.
type NoticeList struct {
	Items []NoticeView `json:"items"`
}

// NoticeCompletion is what the receiving organisation did.
type NoticeCompletion struct {
	Note string `json:"note"`
}

// Rectification corrects one detail: field is one of given_names, family_name, aliases (comma-separated),
// date_of_birth (YYYY-MM-DD), gender, address_line1, address_line2, town, postcode, local_authority.
type Rectification struct {
	Field  string `json:"field"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

// SubjectMatch is a person referred who may be the subject of a request.
type SubjectMatch struct {
	SubjectID   prevent.ID `json:"subject_id"`
	Name        string     `json:"name"`
	DateOfBirth *Date      `json:"date_of_birth"`
	Postcode    string     `json:"postcode"`
	References  []string   `json:"references"`
}

// SubjectMatches are the people found.
type SubjectMatches struct {
	Items []SubjectMatch `json:"items"`
}

// RequestSubject names the person a request is about.
type RequestSubject struct {
	SubjectID prevent.ID `json:"subject_id"`
}

// Redaction withholds items of a bundle under an exemption: third_party, crime, law_enforcement,
// national_security or legal_privilege.
type Redaction struct {
	Items     []string `json:"items"`
	Exemption string   `json:"exemption"`
	Note      string   `json:"note"`
}

// Release shows a withheld item again.
type Release struct {
	Item string `json:"item"`
}

func noticeOut(n sharing.Notice, now time.Time) NoticeView {
	out := NoticeView{ID: n.ID, Kind: string(n.Kind), RecordKind: n.RecordKind, RecordID: n.RecordID, Reference: n.RecordLabel,
		From: n.FromOrgName, To: n.ToOrgName, Disclosures: n.Disclosures, Message: n.Message, SentAt: n.SentAt, Due: Date(n.Due),
		Status: string(n.Status), Overdue: n.Overdue(now), CompletedNote: n.CompletedNote, CompletedBy: n.CompletedByName,
		CompletedAt: optTime(n.CompletedAt)}
	if out.Disclosures == nil {
		out.Disclosures = []prevent.ID{}
	}
	return out
}

func (a *rightsAPI) notices(w http.ResponseWriter, r *http.Request, all bool) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	org := p.OrganisationID
	if all {
		org = 0
	}
	open := false
	switch v := r.URL.Query().Get("open"); v {
	case "", "false":
	case "true":
		open = true
	default:
		return prevent.Validation([]prevent.FieldError{{Field: "open", Message: "open must be true or false"}})
	}
	ns, err := a.sh.Notices(r.Context(), p, pid, org, open)
	if err != nil {
		return err
	}
	out := NoticeList{Items: make([]NoticeView, 0, len(ns))}
	for _, n := range ns {
		out.Items = append(out.Items, noticeOut(n, a.s.now()))
	}
	return encode(w, http.StatusOK, out)
}

func (a *rightsAPI) listNotices(w http.ResponseWriter, r *http.Request) error {
	return a.notices(w, r, false)
}

func (a *rightsAPI) listAllNotices(w http.ResponseWriter, r *http.Request) error {
	return a.notices(w, r, true)
}

func (a *rightsAPI) completeNotice(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[NoticeCompletion](r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	n, err := a.sh.Notice(r.Context(), p, id)
	if err != nil {
		return err
	}
	if n.PartnershipID != pid {
		return access.NotFound("Notice")
	}
	if err := a.sh.CompleteNotice(r.Context(), p, id, in.Note); err != nil {
		return err
	}
	if n, err = a.sh.Notice(r.Context(), p, id); err != nil {
		return err
	}
	return encode(w, http.StatusOK, noticeOut(n, a.s.now()))
}

func (a *rightsAPI) rectify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[Rectification](r)
	if err != nil {
		return err
	}
	if err := a.rights.Rectify(r.Context(), prevent.PrincipalFrom(r.Context()), id, rights.RectifyInput{Field: in.Field, Value: in.Value, Reason: in.Reason}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// request checks that the request of the path is in the path's partnership (reading it is audited).
func (a *rightsAPI) request(r *http.Request) (rights.SubjectAccessRequest, error) {
	pid, err := pathID(r, "pid")
	if err != nil {
		return rights.SubjectAccessRequest{}, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return rights.SubjectAccessRequest{}, err
	}
	req, err := a.rights.Request(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return req, err
	}
	if req.PartnershipID != pid {
		return req, access.NotFound("Request")
	}
	return req, nil
}

func (a *rightsAPI) findSubjects(w http.ResponseWriter, r *http.Request) error {
	req, err := a.request(r)
	if err != nil {
		return err
	}
	var dob time.Time
	if v := strings.TrimSpace(r.URL.Query().Get("date_of_birth")); v != "" {
		if dob, err = time.Parse(time.DateOnly, v); err != nil {
			return prevent.Validation([]prevent.FieldError{{Field: "date_of_birth", Message: "date_of_birth must be a date, YYYY-MM-DD"}})
		}
	}
	ms, err := a.rights.FindSubjects(r.Context(), prevent.PrincipalFrom(r.Context()), req.PartnershipID, r.URL.Query().Get("name"), dob)
	if err != nil {
		return err
	}
	out := SubjectMatches{Items: make([]SubjectMatch, 0, len(ms))}
	for _, m := range ms {
		sm := SubjectMatch{SubjectID: m.SubjectID, Name: m.Name, Postcode: m.Postcode, References: m.References}
		if !m.DateOfBirth.IsZero() {
			d := Date(m.DateOfBirth)
			sm.DateOfBirth = &d
		}
		if sm.References == nil {
			sm.References = []string{}
		}
		out.Items = append(out.Items, sm)
	}
	return encode(w, http.StatusOK, out)
}

func (a *rightsAPI) linkSubject(w http.ResponseWriter, r *http.Request) error {
	req, err := a.request(r)
	if err != nil {
		return err
	}
	in, err := decode[RequestSubject](r)
	if err != nil {
		return err
	}
	if err := a.rights.LinkRequestSubject(r.Context(), prevent.PrincipalFrom(r.Context()), req.ID, in.SubjectID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *rightsAPI) redact(w http.ResponseWriter, r *http.Request) error {
	req, err := a.request(r)
	if err != nil {
		return err
	}
	in, err := decode[Redaction](r)
	if err != nil {
		return err
	}
	if err := a.rights.Redact(r.Context(), prevent.PrincipalFrom(r.Context()), req.ID, in.Items, rights.Exemption(in.Exemption), in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *rightsAPI) release(w http.ResponseWriter, r *http.Request) error {
	req, err := a.request(r)
	if err != nil {
		return err
	}
	in, err := decode[Release](r)
	if err != nil {
		return err
	}
	if err := a.rights.Unredact(r.Context(), prevent.PrincipalFrom(r.Context()), req.ID, in.Item); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *rightsAPI) bundle(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	draft := false
	switch v := r.URL.Query().Get("draft"); v {
	case "", "false":
	case "true":
		draft = true
	default:
		return prevent.Validation([]prevent.FieldError{{Field: "draft", Message: "draft must be true or false"}})
	}
	b, err := a.rights.SubjectAccessBundle(r.Context(), prevent.PrincipalFrom(r.Context()), id, draft)
	if err != nil {
		return err
	}
	if b.PartnershipID != pid {
		// The bundle decides access by the request's own partnership; a path naming another one names nothing.
		return access.NotFound("Request")
	}
	return encode(w, http.StatusOK, b)
}
