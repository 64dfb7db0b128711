package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// caseAPI serves referrals and cases. The casework service decides access and audits; the routes add only the
// coarse role check.
type caseAPI struct {
	s  *Server
	cw *casework.Service
}

// CaseList is a page of cases, newest first. next is the cursor of the following page, null on the last.
type CaseList struct {
	Items []CaseSummary `json:"items"`
	Next  *string       `json:"next"`
}

// CaseSummary is one row of a work list. state and triage_due_at are null for someone who may see only the
// status of the referral.
type CaseSummary struct {
	ID          prevent.ID `json:"id"`
	Reference   string     `json:"reference"`
	Name        string     `json:"name"`
	State       *string    `json:"state"`
	Status      string     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at"`
	TriageDueAt *time.Time `json:"triage_due_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// CaseOfficer is the name of the person who holds the case; null when there is none or the caller sees only
	// the status.
	CaseOfficer *string `json:"case_officer"`
}

// registerCasework adds the referral and case routes.
func (s *Server) registerCasework() {
	a := &caseAPI{s: s, cw: s.deps.Casework}
	s.handle(http.MethodPost, "/referrals", access.CaseCreate, operation{id: "createReferral",
		summary: "Create and submit a referral (it gets a PRV reference), or save a draft with \"submit\": false; draft_id resumes a draft",
		request: ReferralCreate{}, response: ReferralView{}, status: http.StatusCreated}, a.createReferral)
	s.handle(http.MethodGet, "/referrals/{id}", access.CaseStatusView, operation{id: "getReferral",
		summary:  "A referral: its status for the referrer, the whole case for those who may see it (audited)",
		response: ReferralView{}}, a.getReferral)
	s.handle(http.MethodGet, "/referrals/{id}/sent", access.CaseStatusView, operation{id: "getSentReferral",
		summary:  "The referrer's own answers as they sent them, and nothing since; for anyone else 404 (audited)",
		response: SentReferral{}}, a.sentReferral)
	s.handle(http.MethodPost, "/referrals/{id}/triage", access.CaseTriage, operation{id: "triageReferral",
		summary: "Police triage: record the deconfliction result (restricted note) and the decision", request: TriageRequest{},
		response: ReferralView{}}, a.triage)
	s.handle(http.MethodGet, "/referrals/{id}/timeline", access.CaseView, operation{id: "getReferralTimeline",
		summary: "Every event of a case, oldest first (audited)", response: Timeline{}}, a.timeline)
	s.handle(http.MethodGet, "/partnerships/{pid}/cases", access.CaseStatusView, operation{id: "listCases",
		summary: "The cases the token's owner may see, newest first, by stage, a page at a time (audited)", response: CaseList{},
		query: []param{
			{name: "stage", description: "Only cases at this stage", schema: map[string]any{"type": "string",
				"enum": []any{"triage", "screening", "panel", "support", "review", "closed"}}},
			{name: "limit", description: "Page size, 1 to 200 (default 50)", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit}},
			{name: "after", description: "The next cursor of the previous page", schema: map[string]any{"type": "string"}},
		}}, a.listCases)
	s.handle(http.MethodGet, "/partnerships/{pid}/cases/search", access.CaseStatusView, operation{id: "searchCases",
		summary: "Find cases the token's owner may see by reference or name (audited)", response: CaseList{},
		query: []param{{name: "q", description: "A reference (PRV-2026-000123) or name words", schema: map[string]any{"type": "string"}}}},
		a.searchCases)
	s.handle(http.MethodPost, "/partnerships/{pid}/cases/{id}/shares", access.Disclose, operation{id: "shareCase",
		summary: "Share a case with another organisation of the partnership (and some of its people, who are assigned to it); " +
			"the coordinator shares any case, otherwise only the organisation that holds it: " +
			"the disclosure must fall under an agreement in force, else 422 naming each missing element; recorded in the ledger and audited",
		request: ShareRequest{}, response: Share{}, status: http.StatusCreated}, a.shareCase)
	s.handle(http.MethodPost, "/partnerships/{pid}/cases/{id}/information-requests", access.CaseScreen, operation{id: "requestInformation",
		summary: "Ask a partner organisation for information during Channel screening; asking another organisation shares the case " +
			"with it, so the disclosure must fall under an agreement in force, else 422 naming each missing element",
		request: InformationRequestCreate{}, response: InformationRequestCreated{}, status: http.StatusCreated}, a.requestInformation)
}

// caseIn reads the case in the path, NotFound unless it is of the partnership in the path.
func (a *caseAPI) caseIn(r *http.Request) (prevent.ID, error) {
	pid, err := pathID(r, "pid")
	if err != nil {
		return 0, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	ref, err := a.cw.Referral(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return 0, err
	}
	if ref.PartnershipID != pid {
		return 0, access.NotFound("Resource")
	}
	return id, nil
}

func (a *caseAPI) requestInformation(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[InformationRequestCreate](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	rid, err := a.cw.RequestInformation(r.Context(), prevent.PrincipalFrom(r.Context()), id, casework.InformationRequestInput{
		OrganisationID: in.OrganisationID, Asked: in.Asked, Why: in.Why, Due: time.Time(in.Due).UTC().Add(17 * time.Hour),
		Share: in.Disclosure.domain()})
	if err != nil {
		return rename(err, withDisclosureFields(map[string]string{"organisation": "organisation_id"}))
	}
	return encode(w, http.StatusCreated, InformationRequestCreated{ID: rid, CaseID: id, OrganisationID: in.OrganisationID})
}

func (a *caseAPI) shareCase(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ShareRequest](r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	share := in.Disclosure.domain()
	share.ToOrg, share.Recipients = in.OrganisationID, in.Recipients
	did, err := a.cw.Share(ctx, p, id, share)
	if err != nil {
		return rename(err, disclosureFields)
	}
	recipients := append([]prevent.ID{}, in.Recipients...)
	return encode(w, http.StatusCreated, Share{DisclosureID: did, CaseID: id, OrganisationID: in.OrganisationID, Recipients: recipients})
}

func summariesOut(in []casework.Summary) []CaseSummary {
	out := make([]CaseSummary, 0, len(in))
	for _, c := range in {
		out = append(out, CaseSummary{ID: c.ID, Reference: c.Reference, Name: c.Name, State: optString(string(c.State)),
			Status: c.Status, SubmittedAt: optTime(c.SubmittedAt), TriageDueAt: optTime(c.TriageDueAt), UpdatedAt: c.UpdatedAt,
			CaseOfficer: optString(c.Officer)})
	}
	return out
}

func (a *caseAPI) listCases(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f prevent.Fields
	filter := casework.ListFilter{PartnershipID: pid, Stage: casework.Stage(q.Get("stage")), Limit: defaultLimit}
	if filter.Stage != casework.StageAll && casework.StageStates[filter.Stage] == nil {
		f.Add("stage", "stage must be one of triage, screening, panel, support, review or closed")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			f.Add("limit", "limit must be a whole number from 1 to "+strconv.Itoa(maxLimit))
		}
		filter.Limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			f.Add("after", "after must be the next cursor of a previous page")
		}
		filter.After = n
	}
	if err := f.Err(); err != nil {
		return err
	}
	items, next, err := a.cw.List(r.Context(), prevent.PrincipalFrom(r.Context()), filter)
	if err != nil {
		return err
	}
	out := CaseList{Items: summariesOut(items)}
	if next != 0 {
		n := itoa(next)
		out.Next = &n
	}
	return encode(w, http.StatusOK, out)
}

func (a *caseAPI) searchCases(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	items, err := a.cw.Search(r.Context(), prevent.PrincipalFrom(r.Context()), pid, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, CaseList{Items: summariesOut(items)})
}
