package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The partnership's self-assessment (internal/assurance): the framework versions it assesses itself against,
// its yearly assessments with a rating, narrative, evidence and improvement actions for each section, and the
// year-on-year history. A section is named by its code in the request body, never in the path.

// AssuranceFramework is one version of a framework: its sections in order and its rating scale from level 1.
type AssuranceFramework struct {
	ID prevent.ID `json:"id"`
	// National is true for a version seeded with the service, false for the partnership's own revision.
	National    bool               `json:"national"`
	Code        string             `json:"code"`
	Name        string             `json:"name"`
	Version     int                `json:"version"`
	AppliesFrom int                `json:"applies_from"`
	Note        string             `json:"note"`
	BasedOn     *prevent.ID        `json:"based_on"`
	InUse       int                `json:"in_use"`
	Sections    []FrameworkSection `json:"sections"`
	Scale       []FrameworkLevel   `json:"scale"`
	CreatedAt   time.Time          `json:"created_at"`
}

// FrameworkSection is a section of a framework version; its code is the same in every version.
type FrameworkSection struct {
	Code        string `json:"code"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// FrameworkLevel is a level of a version's scale; higher is better.
type FrameworkLevel struct {
	Level       int    `json:"level"`
	Label       string `json:"label"`
	Description string `json:"description"`
}

// AssuranceFrameworkList is the framework versions the partnership may use, by code and version.
type AssuranceFrameworkList struct {
	Items []AssuranceFramework `json:"items"`
}

// AssuranceFrameworkInput is a version's wording: for a new version, or for one of the partnership's own not yet
// in use. Sections and levels are in order; levels are numbered from 1 by their place.
type AssuranceFrameworkInput struct {
	Name        string             `json:"name"`
	AppliesFrom int                `json:"applies_from"`
	Note        string             `json:"note"`
	Sections    []FrameworkSection `json:"sections"`
	Scale       []FrameworkLevelIn `json:"scale"`
}

// FrameworkLevelIn is a level as written.
type FrameworkLevelIn struct {
	Label       string `json:"label"`
	Description string `json:"description"`
}

// SelfAssessment is a partnership's assessment of a financial year (named by the year it starts in) against a
// framework version. Sections are empty in lists.
type SelfAssessment struct {
	ID            prevent.ID `json:"id"`
	FrameworkID   prevent.ID `json:"framework_id"`
	FrameworkCode string     `json:"framework_code"`
	FrameworkName string     `json:"framework_name"`
	Version       int        `json:"framework_version"`
	Year          int        `json:"year"`
	// Status is draft, submitted or approved.
	Status       string               `json:"status"`
	CopiedFrom   *prevent.ID          `json:"copied_from"`
	SubmittedBy  *PersonRef           `json:"submitted_by"`
	SubmittedAt  *time.Time           `json:"submitted_at"`
	ApprovedBy   *PersonRef           `json:"approved_by"`
	ApprovedAt   *time.Time           `json:"approved_at"`
	ReturnedBy   *PersonRef           `json:"returned_by"`
	ReturnedAt   *time.Time           `json:"returned_at"`
	ReturnReason string               `json:"return_reason"`
	CreatedAt    time.Time            `json:"created_at"`
	UpdatedAt    time.Time            `json:"updated_at"`
	Sections     []SelfAssessmentPart `json:"sections"`
	// NotCarried says, when the assessment was just started from an earlier one, what could not be carried
	// forward, one sentence each.
	NotCarried []string `json:"not_carried,omitempty"`
}

// SelfAssessmentPart is the assessment of one section.
type SelfAssessmentPart struct {
	Code      string              `json:"code"`
	Title     string              `json:"title"`
	Level     *int                `json:"level"`
	Label     string              `json:"label"`
	Narrative string              `json:"narrative"`
	Evidence  []SelfAssessmentRef `json:"evidence"`
	Actions   []ImprovementAction `json:"actions"`
}

// SelfAssessmentRef is a link from a section to a library document or a project. A document marked above the
// reader's clearance is withheld: its title is empty.
type SelfAssessmentRef struct {
	ID prevent.ID `json:"id"`
	// Kind is library-document or project.
	Kind     string     `json:"kind"`
	RecordID prevent.ID `json:"record_id"`
	Title    string     `json:"title"`
	Withheld bool       `json:"withheld"`
	AddedAt  time.Time  `json:"added_at"`
}

// ImprovementAction is what will be done about a section, by which member organisation and by when.
type ImprovementAction struct {
	ID          prevent.ID      `json:"id"`
	Description string          `json:"description"`
	Owner       OrganisationRef `json:"owner"`
	DueOn       string          `json:"due_on"`
	CarriedFrom *prevent.ID     `json:"carried_from"`
}

// SelfAssessmentList is the partnership's assessments, newest year first.
type SelfAssessmentList struct {
	Items []SelfAssessment `json:"items"`
}

// SelfAssessmentStart starts an assessment; copy_from is an earlier year's assessment of the same framework.
type SelfAssessmentStart struct {
	FrameworkID prevent.ID `json:"framework_id"`
	Year        int        `json:"year"`
	CopyFrom    prevent.ID `json:"copy_from"`
}

// SectionRating rates a section of a draft; level 0 or absent leaves it unrated.
type SectionRating struct {
	Section   string `json:"section"`
	Level     int    `json:"level"`
	Narrative string `json:"narrative"`
}

// EvidenceLink links a library document or a project of the partnership to a section of a draft.
type EvidenceLink struct {
	Section string `json:"section"`
	// Kind is library-document or project.
	Kind     string     `json:"kind"`
	RecordID prevent.ID `json:"record_id"`
}

// ImprovementActionInput is an improvement action as written; section is needed only to add one.
type ImprovementActionInput struct {
	Section     string     `json:"section"`
	Description string     `json:"description"`
	OwnerID     prevent.ID `json:"owner_organisation_id"`
	DueOn       string     `json:"due_on"`
}

// ReturnReason is why a submitted assessment is returned to draft.
type ReturnReason struct {
	Reason string `json:"reason"`
}

// Created names the record a request made.
type Created struct {
	ID prevent.ID `json:"id"`
}

// SelfAssessmentHistory is a framework's ratings section by section, year by year.
type SelfAssessmentHistory struct {
	FrameworkCode string           `json:"framework_code"`
	Years         []int            `json:"years"`
	Sections      []SectionHistory `json:"sections"`
}

// SectionHistory is one section's ratings, oldest first.
type SectionHistory struct {
	Code   string         `json:"code"`
	Title  string         `json:"title"`
	Points []HistoryPoint `json:"points"`
}

// HistoryPoint is a section's rating in one year, compared with its latest earlier rating (compared_with, 0
// for none): change is up, down, same, not-comparable (another scale) or empty.
type HistoryPoint struct {
	Year             int        `json:"year"`
	AssessmentID     prevent.ID `json:"assessment_id"`
	Status           string     `json:"status"`
	FrameworkID      prevent.ID `json:"framework_id"`
	FrameworkVersion int        `json:"framework_version"`
	Level            int        `json:"level"`
	Label            string     `json:"label"`
	Change           string     `json:"change"`
	ComparedWith     int        `json:"compared_with"`
}

// The domain's form names and the API's member names.
var (
	startFields     = map[string]string{"framework": "framework_id", "copy-from": "copy_from"}
	ratingFields    = map[string]string{}
	evidenceFields  = map[string]string{"evidence": "record_id"}
	actionFields    = map[string]string{"owner": "owner_organisation_id", "due-on": "due_on"}
	frameworkFields = map[string]string{"applies-from": "applies_from"}
)

func (s *Server) registerAssurance() {
	a := assuranceAPI{s}
	const P, A, F = "/partnerships/{pid}/self-assessments", "/partnerships/{pid}/self-assessments/{id}", "/partnerships/{pid}/assurance-frameworks"
	view, edit, approve, manage := access.SelfAssessmentView, access.SelfAssessmentEdit, access.SelfAssessmentApprove, access.AssuranceFrameworkManage
	s.handle(http.MethodGet, F, view, operation{id: "listAssuranceFrameworks",
		summary: "The framework versions the partnership may assess itself against: national ones and its own", response: AssuranceFrameworkList{}}, listOf[AssuranceFrameworkList](a.svc().Frameworks, frameworkOut))
	s.handle(http.MethodGet, F+"/{id}", view, operation{id: "getAssuranceFramework",
		summary: "One framework version with its sections and scale", response: AssuranceFramework{}}, getOf(a.svc().Framework, frameworkOut))
	s.handle(http.MethodPost, F+"/{id}/revisions", manage, operation{id: "reviseAssuranceFramework",
		summary: "Make a new version of the partnership's own from a version, with the wording given; sections keep their codes across versions",
		request: AssuranceFrameworkInput{}, response: AssuranceFramework{}, status: http.StatusCreated}, a.revise)
	s.handle(http.MethodPut, F+"/{id}", manage, operation{id: "replaceAssuranceFramework",
		summary: "Reword one of the partnership's own versions that no assessment uses yet; a national version or one in use is a conflict (409)",
		request: AssuranceFrameworkInput{}, response: AssuranceFramework{}}, a.replaceFramework)
	s.handle(http.MethodGet, P, view, operation{id: "listSelfAssessments",
		summary: "The partnership's self-assessments, newest year first, without their sections", response: SelfAssessmentList{}}, listOf[SelfAssessmentList](a.svc().Assessments, assessmentOut))
	s.handle(http.MethodPost, P, edit, operation{id: "startSelfAssessment",
		summary: "Start a draft assessment of a financial year against a framework version, optionally carrying forward an earlier year's ratings and actions",
		request: SelfAssessmentStart{}, response: SelfAssessment{}, status: http.StatusCreated}, a.start)
	s.handle(http.MethodGet, A, view, operation{id: "getSelfAssessment",
		summary: "One self-assessment with each section's rating, narrative, evidence and improvement actions", response: SelfAssessment{}}, getOf(a.svc().Assessment, assessmentOut))
	s.handle(http.MethodPut, A+"/ratings", edit, operation{id: "rateSelfAssessmentSection",
		summary: "Rate a section of a draft on the version's scale, with why", request: SectionRating{}, response: SelfAssessment{}}, a.rate)
	s.handle(http.MethodPost, A+"/evidence", edit, operation{id: "addSelfAssessmentEvidence",
		summary: "Link a library document or project of the partnership to a section of a draft", request: EvidenceLink{},
		response: Created{}, status: http.StatusCreated}, a.addEvidence)
	s.handle(http.MethodDelete, A+"/evidence/{eid}", edit, operation{id: "removeSelfAssessmentEvidence",
		summary: "Unlink a piece of evidence from a draft", status: http.StatusNoContent}, a.removeEvidence)
	s.handle(http.MethodPost, A+"/actions", edit, operation{id: "addImprovementAction",
		summary: "Add an improvement action to a section of a draft", request: ImprovementActionInput{},
		response: Created{}, status: http.StatusCreated}, a.addAction)
	s.handle(http.MethodPut, A+"/actions/{aid}", edit, operation{id: "replaceImprovementAction",
		summary: "Change an improvement action of a draft (section is ignored)", request: ImprovementActionInput{}, status: http.StatusNoContent}, a.updateAction)
	s.handle(http.MethodDelete, A+"/actions/{aid}", edit, operation{id: "removeImprovementAction",
		summary: "Remove an improvement action from a draft", status: http.StatusNoContent}, a.removeAction)
	s.handle(http.MethodPost, A+"/submit", edit, operation{id: "submitSelfAssessment",
		summary: "Submit a draft for approval; every section needs a rating and a narrative (else 409 naming those to do)", response: SelfAssessment{}}, a.submit)
	s.handle(http.MethodPost, A+"/approve", approve, operation{id: "approveSelfAssessment",
		summary: "Approve a submitted assessment; it is then the record of its year", response: SelfAssessment{}}, a.approve)
	s.handle(http.MethodPost, A+"/return", approve, operation{id: "returnSelfAssessment",
		summary: "Return a submitted assessment to draft with a reason", request: ReturnReason{}, response: SelfAssessment{}}, a.returnToDraft)
	s.handle(http.MethodGet, "/partnerships/{pid}/self-assessment-history", view, operation{id: "getSelfAssessmentHistory",
		summary:  "A framework's ratings section by section and year by year, across its versions, each compared with the section's latest earlier rating",
		response: SelfAssessmentHistory{}, query: []param{{name: "framework", description: "The framework's code, such as ni35 or prevent-duty-toolkit",
			schema: map[string]any{"type": "string"}}}}, a.history)
}

type assuranceAPI struct{ *Server }

func (a assuranceAPI) svc() *assurance.Service { return a.deps.Assurance }

func optID(id prevent.ID) *prevent.ID {
	if id == 0 {
		return nil
	}
	return &id
}

func optPerson(id prevent.ID, name string) *PersonRef {
	if id == 0 {
		return nil
	}
	return &PersonRef{ID: id, Name: name}
}

func frameworkOut(f assurance.Framework) AssuranceFramework {
	out := AssuranceFramework{ID: f.ID, National: f.National(), Code: f.Code, Name: f.Name, Version: f.Version, AppliesFrom: f.AppliesFrom,
		Note: f.Note, BasedOn: optID(f.BasedOn), InUse: f.InUse, CreatedAt: f.CreatedAt.UTC(), Sections: []FrameworkSection{}, Scale: []FrameworkLevel{}}
	for _, s := range f.Sections {
		out.Sections = append(out.Sections, FrameworkSection(s))
	}
	for _, l := range f.Scale {
		out.Scale = append(out.Scale, FrameworkLevel(l))
	}
	return out
}

func assessmentOut(x assurance.Assessment) SelfAssessment {
	out := SelfAssessment{ID: x.ID, FrameworkID: x.Framework.ID, FrameworkCode: x.Framework.Code, FrameworkName: x.Framework.Name,
		Version: x.Framework.Version, Year: x.Year, Status: string(x.Status), CopiedFrom: optID(x.CopiedFrom),
		SubmittedBy: optPerson(x.SubmittedBy, x.SubmittedByName), SubmittedAt: progOptTime(x.SubmittedAt),
		ApprovedBy: optPerson(x.ApprovedBy, x.ApprovedByName), ApprovedAt: progOptTime(x.ApprovedAt),
		ReturnedBy: optPerson(x.ReturnedBy, x.ReturnedByName), ReturnedAt: progOptTime(x.ReturnedAt), ReturnReason: x.ReturnReason,
		CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(), Sections: []SelfAssessmentPart{}}
	for _, s := range x.Sections {
		part := SelfAssessmentPart{Code: s.Code, Title: s.Title, Narrative: s.Narrative, Evidence: []SelfAssessmentRef{}, Actions: []ImprovementAction{}}
		if l, ok := x.Framework.LevelOf(s.Level); ok {
			level := l.Level
			part.Level, part.Label = &level, l.Label
		}
		for _, e := range s.Evidence {
			part.Evidence = append(part.Evidence, SelfAssessmentRef{ID: e.ID, Kind: string(e.Kind), RecordID: e.RecordID, Title: e.Title,
				Withheld: e.Withheld, AddedAt: e.AddedAt.UTC()})
		}
		for _, ac := range s.Actions {
			part.Actions = append(part.Actions, ImprovementAction{ID: ac.ID, Description: ac.Description,
				Owner: OrganisationRef{ID: ac.OwnerOrgID, Name: ac.OwnerOrg}, DueOn: ac.DueOn, CarriedFrom: optID(ac.CarriedFrom)})
		}
		out.Sections = append(out.Sections, part)
	}
	return out
}

func (in AssuranceFrameworkInput) domain() assurance.FrameworkInput {
	out := assurance.FrameworkInput{Name: in.Name, AppliesFrom: in.AppliesFrom, Note: in.Note}
	for _, s := range in.Sections {
		out.Sections = append(out.Sections, assurance.SectionInput(s))
	}
	for _, l := range in.Scale {
		out.Scale = append(out.Scale, assurance.LevelInput(l))
	}
	return out
}

// renameFramework renames the framework form's fields, the numbered rows included, to the API's members.
func renameFramework(err error, in AssuranceFrameworkInput) error {
	names := map[string]string{}
	for k, v := range frameworkFields {
		names[k] = v
	}
	for i := range in.Sections {
		for _, m := range []string{"code", "title", "description"} {
			names["section-"+strconv.Itoa(i+1)+"-"+m] = "sections[" + strconv.Itoa(i) + "]." + m
		}
	}
	for i := range in.Scale {
		for _, m := range []string{"label", "description"} {
			names["level-"+strconv.Itoa(i+1)+"-"+m] = "scale[" + strconv.Itoa(i) + "]." + m
		}
	}
	return rename(err, names)
}

func (a assuranceAPI) ids(r *http.Request) (prevent.ID, prevent.ID, error) {
	pid, err := pathID(r, "pid")
	if err != nil {
		return 0, 0, err
	}
	id, err := pathID(r, "id")
	return pid, id, err
}

// current answers with the assessment as it now is.
func (a assuranceAPI) current(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, status int) error {
	x, err := a.svc().Assessment(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	return encode(w, status, assessmentOut(x))
}

func (a assuranceAPI) revise(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AssuranceFrameworkInput](r)
	if err != nil {
		return err
	}
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	nid, err := a.svc().ReviseFramework(r.Context(), progWho(r), pid, id, in.domain())
	if err != nil {
		return renameFramework(err, in)
	}
	f, err := a.svc().Framework(r.Context(), progWho(r), pid, nid)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, frameworkOut(f))
}

func (a assuranceAPI) replaceFramework(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AssuranceFrameworkInput](r)
	if err != nil {
		return err
	}
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	if err := a.svc().EditFrameworkVersion(r.Context(), progWho(r), pid, id, in.domain()); err != nil {
		return renameFramework(err, in)
	}
	f, err := a.svc().Framework(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, frameworkOut(f))
}

func (a assuranceAPI) start(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SelfAssessmentStart](r)
	if err != nil {
		return err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	started, err := a.svc().StartAssessment(r.Context(), progWho(r), pid, assurance.StartInput{FrameworkID: in.FrameworkID, Year: in.Year, CopyFrom: in.CopyFrom})
	if err != nil {
		return rename(err, startFields)
	}
	x, err := a.svc().Assessment(r.Context(), progWho(r), pid, started.ID)
	if err != nil {
		return err
	}
	out := assessmentOut(x)
	out.NotCarried = started.NotCarried
	return encode(w, http.StatusCreated, out)
}

// sectionOf checks the section member of a body: a section of the assessment's version.
func (a assuranceAPI) sectionOf(r *http.Request, pid, id prevent.ID, code string) error {
	x, err := a.svc().Assessment(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	if _, ok := x.Framework.Section(code); !ok {
		return prevent.Validation([]prevent.FieldError{{Field: "section", Message: "section must be the code of a section of the assessment's framework"}})
	}
	return nil
}

func (a assuranceAPI) rate(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SectionRating](r)
	if err != nil {
		return err
	}
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	if err := a.sectionOf(r, pid, id, in.Section); err != nil {
		return err
	}
	if err := a.svc().RateSection(r.Context(), progWho(r), pid, id, in.Section, assurance.RatingInput{Level: in.Level, Narrative: in.Narrative}); err != nil {
		return rename(err, ratingFields)
	}
	return a.current(w, r, pid, id, http.StatusOK)
}

func (a assuranceAPI) addEvidence(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[EvidenceLink](r)
	if err != nil {
		return err
	}
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	if err := a.sectionOf(r, pid, id, in.Section); err != nil {
		return err
	}
	eid, err := a.svc().AddEvidence(r.Context(), progWho(r), pid, id, in.Section, assurance.EvidenceInput{Kind: assurance.EvidenceKind(in.Kind), RecordID: in.RecordID})
	if err != nil {
		return rename(err, evidenceFields)
	}
	return encode(w, http.StatusCreated, Created{ID: eid})
}

func (a assuranceAPI) removeEvidence(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	eid, err := pathID(r, "eid")
	if err != nil {
		return err
	}
	if err := a.svc().RemoveEvidence(r.Context(), progWho(r), pid, id, eid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (in ImprovementActionInput) domain() assurance.ActionInput {
	return assurance.ActionInput{Description: in.Description, OwnerOrganisation: in.OwnerID, DueOn: in.DueOn}
}

func (a assuranceAPI) addAction(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ImprovementActionInput](r)
	if err != nil {
		return err
	}
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	if err := a.sectionOf(r, pid, id, in.Section); err != nil {
		return err
	}
	aid, err := a.svc().AddAction(r.Context(), progWho(r), pid, id, in.Section, in.domain())
	if err != nil {
		return rename(err, actionFields)
	}
	return encode(w, http.StatusCreated, Created{ID: aid})
}

func (a assuranceAPI) updateAction(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ImprovementActionInput](r)
	if err != nil {
		return err
	}
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	if err := a.svc().UpdateAction(r.Context(), progWho(r), pid, id, aid, in.domain()); err != nil {
		return rename(err, actionFields)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a assuranceAPI) removeAction(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	if err := a.svc().RemoveAction(r.Context(), progWho(r), pid, id, aid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a assuranceAPI) submit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	if err := a.svc().Submit(r.Context(), progWho(r), pid, id); err != nil {
		return err
	}
	return a.current(w, r, pid, id, http.StatusOK)
}

func (a assuranceAPI) approve(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	if err := a.svc().Approve(r.Context(), progWho(r), pid, id); err != nil {
		return err
	}
	return a.current(w, r, pid, id, http.StatusOK)
}

func (a assuranceAPI) returnToDraft(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ReturnReason](r)
	if err != nil {
		return err
	}
	pid, id, err := a.ids(r)
	if err != nil {
		return err
	}
	if err := a.svc().Return(r.Context(), progWho(r), pid, id, in.Reason); err != nil {
		return err
	}
	return a.current(w, r, pid, id, http.StatusOK)
}

func (a assuranceAPI) history(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("framework")
	if code == "" {
		return prevent.Validation([]prevent.FieldError{{Field: "framework", Message: "framework must be a framework's code, such as ni35"}})
	}
	h, err := a.svc().History(r.Context(), progWho(r), pid, code)
	if err != nil {
		return err
	}
	out := SelfAssessmentHistory{FrameworkCode: h.FrameworkCode, Years: append([]int{}, h.Years...), Sections: []SectionHistory{}}
	for _, s := range h.Sections {
		sh := SectionHistory{Code: s.Code, Title: s.Title, Points: []HistoryPoint{}}
		for _, p := range s.Points {
			sh.Points = append(sh.Points, HistoryPoint{Year: p.Year, AssessmentID: p.AssessmentID, Status: string(p.Status), FrameworkID: p.FrameworkID,
				FrameworkVersion: p.FrameworkVersion, Level: p.Level, Label: p.Label, Change: string(p.Change), ComparedWith: p.ComparedWith})
		}
		out.Sections = append(out.Sections, sh)
	}
	return encode(w, http.StatusOK, out)
}
