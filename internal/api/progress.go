package api

import (
	"fmt"
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// NextActionView is something the caller may do on the case now: key names it, label says it in plain
// words, page is the path of the page that does it, and events are the workflow events it can lead to.
type NextActionView struct {
	Key    string   `json:"key"`
	Label  string   `json:"label"`
	Page   string   `json:"page"`
	Events []string `json:"events"`
}

// ProgressView is one step of the Channel pathway and how far the case has gone with it: status is
// "Not yet started", "In progress" or "Completed".
type ProgressView struct {
	Key    string `json:"key"`
	Title  string `json:"title"`
	Status string `json:"status"`
}

// CaseProgress is where a case stands for the caller: its state (masked as for the caller), its stage in
// words, the Channel progress (empty outside Channel) and what the caller may do now, derived from the
// workflow as the case page does.
type CaseProgress struct {
	CaseID      prevent.ID       `json:"case_id"`
	Reference   string           `json:"reference"`
	State       string           `json:"state"`
	Stage       string           `json:"stage"`
	Progress    []ProgressView   `json:"progress"`
	NextActions []NextActionView `json:"next_actions"`
}

// registerProgress adds the route that says where a case stands.
func (s *Server) registerProgress() {
	a := &caseAPI{s: s, cw: s.deps.Casework}
	s.handle(http.MethodGet, "/partnerships/{pid}/cases/{id}/progress", access.CaseView, operation{id: "getCaseProgress",
		summary: "Where a case stands: its stage, its Channel progress, and the actions the caller may take on it now (the same as the " +
			"case page offers) (audited)", response: CaseProgress{}}, func(w http.ResponseWriter, r *http.Request) error {
		pid, err := pathID(r, "pid")
		if err != nil {
			return err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
		ref, err := a.cw.Referral(ctx, p, id)
		if err != nil {
			return err
		}
		if ref.PartnershipID != pid || ref.State == casework.Draft {
			return access.NotFound("Resource")
		}
		items, err := a.cw.Progress(ctx, p, ref)
		if err != nil {
			return err
		}
		out := CaseProgress{CaseID: id, Reference: ref.Reference, State: string(ref.State), Stage: ref.State.String(),
			Progress: []ProgressView{}, NextActions: []NextActionView{}}
		for _, it := range items {
			out.Progress = append(out.Progress, ProgressView{Key: it.Key, Title: it.Title, Status: string(it.Status)})
		}
		for _, na := range casework.NextActions(ref, p, s.deps.Now()) {
			v := NextActionView{Key: na.Key, Label: na.Label, Page: casePagePath(pid, id, na.Slug), Events: []string{}}
			for _, e := range na.Events {
				v.Events = append(v.Events, string(e))
			}
			out.NextActions = append(out.NextActions, v)
		}
		return encode(w, http.StatusOK, out)
	})
}

// casePagePath is the path of a case's page in the service (not the API).
func casePagePath(pid, id prevent.ID, slug string) string {
	p := fmt.Sprintf("/partnerships/%d/cases/%d", pid, id)
	if slug != "" {
		p += "/" + slug
	}
	return p
}
