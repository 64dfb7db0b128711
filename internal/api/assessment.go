package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The assessment routes: a case's assessment versions, recording a new one, and the assessor's own draft.
// They make the same domain calls, under the same access actions, as the case's assessment pages.

// FactorAnswer is one factor of an assessment: no is the factor's number in the template; presence is
// present, not_present or unknown (evidence is required when present).
type FactorAnswer struct {
	No       int    `json:"no"`
	Presence string `json:"presence"`
	Evidence string `json:"evidence,omitempty"`
	Source   string `json:"source,omitempty"`
}

// AssessmentCreate is the body of POST .../assessments and of PUT .../assessment-draft. Factors not given
// are recorded as unknown; summary_conclusion is required to record (not to save a draft). There is no
// score, total or rating, by design.
type AssessmentCreate struct {
	Factors               []FactorAnswer `json:"factors"`
	SummaryConclusion     string         `json:"summary_conclusion"`
	ManagementPlan        string         `json:"management_plan,omitempty"`
	ChangesSinceLast      string         `json:"changes_since_last,omitempty"`
	ProfessionalJudgement string         `json:"professional_judgement,omitempty"`
}

// FactorView is a factor as recorded, with its domain (engagement, intent or capability) and label.
type FactorView struct {
	No       int    `json:"no"`
	Domain   string `json:"domain"`
	Label    string `json:"label"`
	Presence string `json:"presence"`
	Evidence string `json:"evidence"`
	Source   string `json:"source"`
}

// AssessmentView is one version of a case's assessment.
type AssessmentView struct {
	Version               int          `json:"version"`
	Template              string       `json:"template"`
	TemplateVersion       int          `json:"template_version"`
	AssessorID            prevent.ID   `json:"assessor_id"`
	CreatedAt             time.Time    `json:"created_at"`
	Factors               []FactorView `json:"factors"`
	SummaryConclusion     string       `json:"summary_conclusion"`
	ManagementPlan        string       `json:"management_plan"`
	ChangesSinceLast      string       `json:"changes_since_last"`
	ProfessionalJudgement string       `json:"professional_judgement"`
	// Withheld names what was not shared with the caller's organisation: the factors and answers are empty.
	Withheld []string `json:"withheld"`
}

// AssessmentList is every version of a case's assessment, newest first.
type AssessmentList struct {
	Items []AssessmentView `json:"items"`
}

// AssessmentRecorded is the version a new assessment was recorded as.
type AssessmentRecorded struct {
	CaseID  prevent.ID `json:"case_id"`
	Version int        `json:"version"`
}

// AssessmentDraftView is the caller's own unfinished assessment of a case. It is not an assessment: it
// counts for nothing until it is recorded through POST .../assessments.
type AssessmentDraftView struct {
	CaseID          prevent.ID       `json:"case_id"`
	Template        string           `json:"template"`
	TemplateVersion int              `json:"template_version"`
	SavedAt         time.Time        `json:"saved_at"`
	Draft           AssessmentCreate `json:"draft"`
}

// assessmentFields maps the form's field names to JSON members.
func assessmentFields(in AssessmentCreate) map[string]string {
	m := map[string]string{"summary": "summary_conclusion"}
	for i, f := range in.Factors {
		n := fmt.Sprintf("factor-%d", f.No)
		m[n] = fmt.Sprintf("factors[%d].presence", i)
		m[n+"-evidence"] = fmt.Sprintf("factors[%d].evidence", i)
	}
	return m
}

func (in AssessmentCreate) domain(draft bool) casework.AssessmentInput {
	out := casework.AssessmentInput{TemplateCode: casework.VAF, SummaryConclusion: in.SummaryConclusion, ManagementPlan: in.ManagementPlan,
		ChangesSinceLast: in.ChangesSinceLast, ProfessionalJudgement: in.ProfessionalJudgement}
	for _, f := range in.Factors {
		p := casework.Presence(strings.TrimSpace(f.Presence))
		if p == "" && !draft {
			p = casework.Unknown
		}
		out.Factors = append(out.Factors, casework.FactorInput{No: f.No, Presence: p, Evidence: f.Evidence, Source: f.Source})
	}
	return out
}

func draftOut(d casework.AssessmentDraft) AssessmentDraftView {
	in := d.Input
	out := AssessmentDraftView{CaseID: d.ReferralID, Template: d.TemplateCode, TemplateVersion: d.TemplateVersion, SavedAt: d.UpdatedAt.UTC(),
		Draft: AssessmentCreate{Factors: []FactorAnswer{}, SummaryConclusion: in.SummaryConclusion, ManagementPlan: in.ManagementPlan,
			ChangesSinceLast: in.ChangesSinceLast, ProfessionalJudgement: in.ProfessionalJudgement}}
	for _, f := range in.Factors {
		out.Draft.Factors = append(out.Draft.Factors, FactorAnswer{No: f.No, Presence: string(f.Presence), Evidence: f.Evidence, Source: f.Source})
	}
	return out
}

type assessmentAPI struct{ *caseAPI }

// registerAssessment adds the assessment routes of a case.
func (s *Server) registerAssessment() {
	a := assessmentAPI{&caseAPI{s: s, cw: s.deps.Casework}}
	const C = "/partnerships/{pid}/cases/{id}"
	s.handle(http.MethodGet, C+"/assessments", access.CaseView, operation{id: "listAssessments",
		summary:  "Every version of a case's assessment, newest first, each factor on its own and the formulation; no score (audited)",
		response: AssessmentList{}}, a.list)
	s.handle(http.MethodPost, C+"/assessments", access.CaseAssess, operation{id: "recordAssessment",
		summary: "Record a new version of the case's assessment (earlier versions are kept); deletes the caller's draft. Refused (409) " +
			"at a stage where the case cannot be assessed",
		request: AssessmentCreate{}, response: AssessmentRecorded{}, status: http.StatusCreated}, a.record)
	s.handle(http.MethodGet, C+"/assessment-draft", access.CaseAssess, operation{id: "getAssessmentDraft",
		summary: "The caller's own draft assessment of the case, 404 when they have none (audited)", response: AssessmentDraftView{}}, a.getDraft)
	s.handle(http.MethodPut, C+"/assessment-draft", access.CaseAssess, operation{id: "saveAssessmentDraft",
		summary: "Save the caller's draft assessment of the case, replacing their earlier draft: nothing is required, and the draft " +
			"counts for nothing (no task, guard or statistic) until it is recorded",
		request: AssessmentCreate{}, response: AssessmentDraftView{}}, a.saveDraft)
	s.handle(http.MethodDelete, C+"/assessment-draft", access.CaseAssess, operation{id: "deleteAssessmentDraft",
		summary: "Delete the caller's draft assessment of the case", status: http.StatusNoContent}, a.deleteDraft)
}

func (a assessmentAPI) list(w http.ResponseWriter, r *http.Request) error {
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	as, err := a.cw.Assessments(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := AssessmentList{Items: []AssessmentView{}}
	for _, x := range as {
		v := AssessmentView{Version: x.Version, Template: x.TemplateCode, TemplateVersion: x.TemplateVersion, AssessorID: x.AssessorID,
			CreatedAt: x.CreatedAt.UTC(), Factors: []FactorView{}, SummaryConclusion: x.SummaryConclusion, ManagementPlan: x.ManagementPlan,
			ChangesSinceLast: x.ChangesSinceLast, ProfessionalJudgement: x.ProfessionalJudgement, Withheld: append([]string{}, x.Withheld...)}
		for _, f := range x.Factors {
			v.Factors = append(v.Factors, FactorView{No: f.No, Domain: string(f.Domain), Label: f.Label, Presence: string(f.Presence),
				Evidence: f.Evidence, Source: f.Source})
		}
		out.Items = append(out.Items, v)
	}
	return encode(w, http.StatusOK, out)
}

func (a assessmentAPI) record(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AssessmentCreate](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	v, err := a.cw.SaveAssessment(r.Context(), prevent.PrincipalFrom(r.Context()), id, in.domain(false))
	if err != nil {
		return rename(err, assessmentFields(in))
	}
	return encode(w, http.StatusCreated, AssessmentRecorded{CaseID: id, Version: v})
}

func (a assessmentAPI) getDraft(w http.ResponseWriter, r *http.Request) error {
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	d, ok, err := a.cw.AssessmentDraftOf(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return err
	}
	if !ok {
		return prevent.Errorf(prevent.NotFound, "You have no draft assessment of this case")
	}
	return encode(w, http.StatusOK, draftOut(d))
}

func (a assessmentAPI) saveDraft(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AssessmentCreate](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	d, err := a.cw.SaveAssessmentDraft(r.Context(), prevent.PrincipalFrom(r.Context()), id, in.domain(true))
	if err != nil {
		return rename(err, assessmentFields(in))
	}
	return encode(w, http.StatusOK, draftOut(d))
}

func (a assessmentAPI) deleteDraft(w http.ResponseWriter, r *http.Request) error {
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	if err := a.cw.DiscardAssessmentDraft(r.Context(), prevent.PrincipalFrom(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
