package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/work"
)

// TaskList is a page of the caller's tasks: their own first, then the unassigned tasks of their organisation or
// role, each soonest due first.
type TaskList struct {
	Items  []Task     `json:"items"`
	Next   *string    `json:"next"`
	Counts TaskCounts `json:"counts"`
}

// TaskCounts says how much work there is; each count stops at 1000 (meaning 1000 or more).
type TaskCounts struct {
	Mine       int `json:"mine"`
	Unassigned int `json:"unassigned"`
	Overdue    int `json:"overdue"`
}

// Task is one step the caller (or their organisation or role) has to take. It carries a case reference and no
// personal data; href is the page that takes the step.
type Task struct {
	ID            prevent.ID  `json:"id"`
	Kind          string      `json:"kind"`
	Title         string      `json:"title"`
	PartnershipID prevent.ID  `json:"partnership_id"`
	CaseID        *prevent.ID `json:"case_id"`
	Reference     string      `json:"reference"`
	Mine          bool        `json:"mine"`
	Due           time.Time   `json:"due"`
	Overdue       bool        `json:"overdue"`
	Created       time.Time   `json:"created"`
	Href          string      `json:"href"`
}

// OfficerInput chooses a case's officer.
type OfficerInput struct {
	PersonID prevent.ID `json:"person_id"`
}

// Caseload is the coordinator's team view: open cases by stage and by case officer, with those that have an
// overdue step.
type Caseload struct {
	Open     int               `json:"open"`
	ByStage  []CaseloadStage   `json:"by_stage"`
	Officers []CaseloadOfficer `json:"officers"`
}

// CaseloadStage is one stage of the team view.
type CaseloadStage struct {
	Stage   string `json:"stage"`
	Open    int    `json:"open"`
	Overdue int    `json:"overdue"`
}

// CaseloadOfficer is one case officer's open cases (person_id null for cases with no officer yet).
type CaseloadOfficer struct {
	PersonID *prevent.ID    `json:"person_id"`
	Name     string         `json:"name"`
	ByStage  map[string]int `json:"by_stage"`
	Open     int            `json:"open"`
	Overdue  int            `json:"overdue"`
}

type taskAPI struct {
	s    *Server
	work *work.Service
	cw   *casework.Service
}

func (s *Server) registerTasks() {
	a := &taskAPI{s: s, work: s.deps.Work,
		cw: s.deps.Casework}
	var types []any
	for _, g := range work.Groups {
		types = append(types, string(g.Group))
	}
	s.handle(http.MethodGet, "/tasks", access.CaseStatusView, operation{id: "listTasks",
		summary: "The caller's tasks: their own first, then their organisation's or role's unassigned ones, soonest due first, " +
			"a page at a time, with counts (audited; references only, no personal data)", response: TaskList{},
		query: []param{
			{name: "type", description: "Only tasks of this type", schema: map[string]any{"type": "string", "enum": types}},
			{name: "case", description: "Only tasks of the case with this reference", schema: map[string]any{"type": "string", "maxLength": 64}},
			{name: "due", description: "overdue: past their due date; week: overdue or due within 7 days",
				schema: map[string]any{"type": "string", "enum": []any{"overdue", "week"}}},
			{name: "limit", description: "Page size, 1 to 200 (default 50)", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit}},
			{name: "after", description: "The next cursor of the previous page", schema: map[string]any{"type": "string"}},
		}}, a.list)
	s.handle(http.MethodPut, "/partnerships/{pid}/cases/{id}/officer", access.CaseScreen, operation{id: "setCaseOfficer",
		summary: "Choose (or change) the case officer of a Channel case: someone of the partnership whose role permits screening",
		request: OfficerInput{}, status: http.StatusNoContent}, a.setOfficer)
	s.handle(http.MethodGet, "/partnerships/{pid}/caseload", access.CaseScreen, operation{id: "getCaseload",
		summary:  "The team view: open cases by stage and by case officer, with those that have an overdue step (audited)",
		response: Caseload{}}, a.caseload)
}

func (a *taskAPI) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := work.Filter{Group: work.Group(q.Get("type")), Reference: q.Get("case"), Due: work.Due(q.Get("due")), After: q.Get("after"),
		Limit: defaultLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return prevent.Validation([]prevent.FieldError{{Field: "limit", Message: "limit must be a whole number from 1 to " + strconv.Itoa(maxLimit)}})
		}
		f.Limit = n
	}
	pg, err := a.work.Mine(r.Context(), prevent.PrincipalFrom(r.Context()), f)
	if err != nil {
		return err
	}
	now := a.s.deps.Now()
	out := TaskList{Items: []Task{}, Counts: TaskCounts{Mine: pg.Counts.Mine, Unassigned: pg.Counts.Unassigned, Overdue: pg.Counts.Overdue}}
	for _, t := range pg.Tasks {
		x := Task{ID: t.ID, Kind: string(t.Kind), Title: t.Title(), PartnershipID: t.PartnershipID, Reference: t.Reference,
			Mine: t.Mine, Due: t.Due, Overdue: t.Overdue(now), Created: t.Created, Href: t.Path()}
		if t.ReferralID != 0 {
			id := t.ReferralID
			x.CaseID = &id
		}
		out.Items = append(out.Items, x)
	}
	if pg.Next != "" {
		out.Next = &pg.Next
	}
	return encode(w, http.StatusOK, out)
}

func (a *taskAPI) setOfficer(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[OfficerInput](r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	ref, err := a.cw.Referral(r.Context(), p, id)
	if err != nil {
		return err
	}
	if ref.PartnershipID != pid {
		return access.NotFound("Referral")
	}
	if err := a.cw.AssignOfficer(r.Context(), p, id, in.PersonID); err != nil {
		return rename(err, map[string]string{"officer": "person_id"})
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *taskAPI) caseload(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	cl, err := a.cw.Caseload(r.Context(), prevent.PrincipalFrom(r.Context()), pid, a.s.deps.Now())
	if err != nil {
		return err
	}
	out := Caseload{Open: cl.Open, ByStage: []CaseloadStage{}, Officers: []CaseloadOfficer{}}
	for _, st := range cl.Stages {
		out.ByStage = append(out.ByStage, CaseloadStage{Stage: string(st), Open: cl.ByStage[st], Overdue: cl.Overdue[st]})
	}
	for _, o := range cl.Officers {
		x := CaseloadOfficer{Name: o.Officer, ByStage: map[string]int{}, Open: o.Open, Overdue: o.Overdue}
		if o.OfficerID != 0 {
			id := o.OfficerID
			x.PersonID = &id
		}
		for st, n := range o.ByStage {
			x.ByStage[string(st)] = n
		}
		out.Officers = append(out.Officers, x)
	}
	return encode(w, http.StatusOK, out)
}
