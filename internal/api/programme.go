package api

import (
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// programmeAPI serves the programme of action's main records (internal/programme). The service decides
// access again on every call; library documents above the token owner's clearance are not found.
type programmeAPI struct {
	*Server
	svc *programme.Service
}

// registerProgramme adds the programme routes.
func (s *Server) registerProgramme() {
	pa := &programmeAPI{Server: s, svc: s.deps.Programme}
	const P = "/partnerships/{pid}/programme"
	s.handle(http.MethodGet, P+"/plans", access.PlanView, operation{id: "listPlans",
		summary: "The partnership's delivery plans, without their sections", response: PlanList{}}, listOf[PlanList](pa.svc.Plans, planOut))
	s.handle(http.MethodGet, P+"/plans/{id}", access.PlanView, operation{id: "getPlan",
		summary: "One delivery plan with its sections", response: Plan{}}, getOf(pa.svc.Plan, planOut))
	s.handle(http.MethodGet, P+"/projects", access.PlanView, operation{id: "listProjects",
		summary: "The partnership's projects and activities", response: ProjectList{}}, listOf[ProjectList](pa.svc.Projects, projectOut))
	s.handle(http.MethodGet, P+"/projects/{id}", access.PlanView, operation{id: "getProject",
		summary: "One project with milestones, impacts and evaluation plan", response: Project{}}, getOf(pa.svc.Project, projectOut))
	s.handle(http.MethodGet, P+"/funding/streams", access.FundingView, operation{id: "listFundingStreams",
		summary: "The partnership's funding streams", response: StreamList{}}, listOf[StreamList](pa.svc.Streams, streamOut))
	s.handle(http.MethodGet, P+"/funding/allocations", access.FundingView, operation{id: "listAllocations",
		summary: "Allocations to projects with spend by quarter", response: AllocationList{}}, listOf[AllocationList](pa.svc.Allocations, allocationOut))
	s.handle(http.MethodPost, P+"/funding/allocations", access.FundingEdit, operation{id: "createAllocation",
		summary: "Allocate funding to a project; refused (409) while a partner's shared-values review is missing, overdue or negative",
		request: AllocationInput{}, response: Allocation{}, status: http.StatusCreated}, pa.createAllocation)
	s.handle(http.MethodGet, P+"/funding/report", access.FundingView, operation{id: "getFundingReport",
		summary: "Budget against spend with variance by stream, objective and organisation", response: FundingReport{},
		query: []param{{name: "framework", description: "Group objectives by contest-2023 (default) or prevent-2009",
			schema: map[string]any{"type": "string", "enum": []any{string(programme.Contest2023), string(programme.Prevent2009)}}}}}, pa.getReport)
	s.handle(http.MethodGet, P+"/due-diligence", access.DueDiligenceView, operation{id: "listDueDiligenceStandings",
		summary: "Each member organisation's shared-values due-diligence standing today", response: StandingList{}}, listOf[StandingList](pa.svc.Standings, standingOut))
	s.handle(http.MethodGet, P+"/library", access.LibraryView, operation{id: "listDocuments",
		summary: "Library documents the token owner's clearance covers (details only)", response: DocumentList{}}, listOf[DocumentList](pa.svc.Documents, documentOut))
	s.handle(http.MethodGet, P+"/library/{id}", access.LibraryView, operation{id: "getDocument",
		summary: "One library document's details and versions", response: Document{}}, getOf(pa.svc.Document, documentOut))
	s.handle(http.MethodGet, P+"/library/{id}/content", access.LibraryView, operation{id: "getDocumentContent",
		summary: "The current version's file (audited); X-Protective-Marking carries its marking", responseMedia: "*/*"}, pa.getContent)
}

func progWho(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

func progOptTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func planOut(p programme.Plan) Plan {
	out := Plan{ID: p.ID, Year: p.Year, Title: p.Title, Status: string(p.Status), Version: p.Version,
		ApprovedAt: progOptTime(p.ApprovedAt), ActivatedAt: progOptTime(p.ActivatedAt), ClosedAt: progOptTime(p.ClosedAt),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Sections: []PlanSection{}}
	if p.ApprovedBy != 0 {
		out.ApprovedBy = &PersonRef{ID: p.ApprovedBy, Name: p.ApprovedByName}
	}
	for _, s := range p.Sections {
		out.Sections = append(out.Sections, PlanSection{Key: s.Key, Group: s.Group, Title: s.Title, Body: s.Body, Status: string(s.Status)})
	}
	return out
}

func progNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func projectOut(p programme.Project) Project {
	out := Project{ID: p.ID, PublicTitle: p.PublicTitle, InternalTitle: p.InternalTitle,
		Lead: OrganisationRef{ID: p.Lead.ID, Name: p.Lead.Name}, Partners: []OrganisationRef{}, Objectives: []string{},
		Scope: string(p.Scope), Areas: p.Areas, Institutions: p.Institutions, StartsOn: p.StartsOn, EndsOn: p.EndsOn,
		RAG: string(p.RAG), RAGReason: p.RAGReason, Risks: p.Risks, Milestones: []Milestone{}, Impacts: []Impact{},
		Evaluation: Evaluation{Why: p.Evaluation.Why, What: p.Evaluation.What, Questions: p.Evaluation.Questions,
			Success: p.Evaluation.Success, Data: p.Evaluation.Data, Analysis: p.Evaluation.Analysis, Use: p.Evaluation.Use,
			Resources: p.Evaluation.Resources, Findings: p.Evaluation.Findings},
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.PlanID != 0 {
		id := p.PlanID
		out.PlanID = &id
	}
	for _, o := range p.Partners {
		out.Partners = append(out.Partners, OrganisationRef{ID: o.ID, Name: o.Name})
	}
	for _, o := range p.Objectives {
		out.Objectives = append(out.Objectives, o.Tag())
	}
	for _, m := range p.Milestones {
		out.Milestones = append(out.Milestones, Milestone{ID: m.ID, Title: m.Title, DueOn: m.DueOn, DoneOn: m.DoneOn})
	}
	for _, im := range p.Impacts {
		x := Impact{ID: im.ID, Indicator: im.Indicator, Unit: im.Unit, Baseline: progNum(im.Baseline), Target: progNum(im.Target),
			Evidence: im.Evidence, Actuals: []Actual{}}
		for _, a := range im.Actuals {
			x.Actuals = append(x.Actuals, Actual{Quarter: a.Quarter, Value: progNum(a.Value), Evidence: a.Evidence})
		}
		out.Impacts = append(out.Impacts, x)
	}
	return out
}

func streamOut(s programme.Stream) Stream {
	return Stream{ID: s.ID, Funder: s.Funder, Name: s.Name, Year: s.Year, AmountPence: int64(s.Amount),
		Conditions: s.Conditions, CreatedAt: s.CreatedAt}
}

func allocationOut(a programme.Allocation) Allocation {
	out := Allocation{ID: a.ID, StreamID: a.StreamID, StreamName: a.StreamName, ProjectID: a.ProjectID, ProjectTitle: a.ProjectTitle,
		AmountPence: int64(a.Amount), AllocatedOn: a.AllocatedOn, Note: a.Note, SpentPence: int64(a.Spent), Spend: []QuarterSpend{}}
	for _, q := range a.Spend {
		out.Spend = append(out.Spend, QuarterSpend{Year: q.Year, Quarter: q.Quarter, AmountPence: int64(q.Amount)})
	}
	return out
}

func (pa *programmeAPI) allocations(r *http.Request, pid prevent.ID) ([]programme.Allocation, error) {
	return pa.svc.Allocations(r.Context(), progWho(r), pid)
}

// allocationFields maps the programme package's form field names to JSON member names.
var allocationFields = map[string]string{"stream": "stream_id", "project": "project_id", "amount": "amount"}

func (pa *programmeAPI) createAllocation(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[AllocationInput](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.Allocate(r.Context(), progWho(r), pid, programme.AllocationInput{StreamID: in.StreamID, ProjectID: in.ProjectID,
		Amount: in.Amount, Note: in.Note})
	if err != nil {
		return rename(err, allocationFields)
	}
	as, err := pa.allocations(r, pid)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.ID == id {
			w.Header().Set("Location", r.URL.Path+"/"+itoa(id))
			return encode(w, http.StatusCreated, allocationOut(a))
		}
	}
	return access.NotFound("Allocation")
}

func linesOut(ls []programme.Line) []BudgetLine {
	out := []BudgetLine{}
	for _, l := range ls {
		out = append(out, lineOut(l))
	}
	return out
}

func lineOut(l programme.Line) BudgetLine {
	return BudgetLine{Key: l.Key, Name: l.Name, AwardedPence: int64(l.Awarded), AllocatedPence: int64(l.Allocated),
		SpentPence: int64(l.Spent), VariancePence: int64(l.Variance)}
}

func (pa *programmeAPI) getReport(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	fw := programme.Framework(r.URL.Query().Get("framework"))
	if fw == "" {
		fw = programme.Contest2023
	}
	rep, err := pa.svc.BudgetReport(r.Context(), progWho(r), pid, fw)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, FundingReport{Framework: string(rep.Framework), ByStream: linesOut(rep.ByStream),
		ByObjective: linesOut(rep.ByObjective), ByOrganisation: linesOut(rep.ByOrganisation), Total: lineOut(rep.Total)})
}

func standingOut(st programme.Standing) Standing {
	return Standing{Organisation: OrganisationRef{ID: st.Organisation.ID, Name: st.Organisation.Name},
		PublicBody: st.PublicBody, State: string(st.State), DecidedOn: st.DecidedOn, ReviewDue: st.ReviewDue,
		BlocksAllocations: st.Blocks(), Message: st.Message}
}

func documentOut(d programme.Document) Document {
	out := Document{ID: d.ID, Title: d.Title, Kind: d.Kind, Marking: d.Marking.String(), Originator: d.Originator, Audience: d.Audience,
		ReviewOn: d.ReviewOn, CurrentVersion: d.CurrentVersion, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Versions: []DocumentVersion{}}
	for _, v := range d.Versions {
		out.Versions = append(out.Versions, DocumentVersion{Version: v.Version, Filename: v.Filename, ContentType: v.ContentType,
			Size: v.Size, UploadedAt: v.UploadedAt})
	}
	return out
}

func (pa *programmeAPI) getContent(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	d, err := pa.svc.Document(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	f, err := pa.svc.Content(r.Context(), progWho(r), pid, id, 0)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
	h.Set("X-Protective-Marking", d.Marking.String())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Content)
	return nil
}
