package channel

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

// assessmentForm is the VAF form.
type assessmentForm struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Template      casework.AssessmentTemplate
	Form          core.Form
	// DraftSaved is when the reader's draft, now in the form, was saved (zero when there is none).
	DraftSaved time.Time
}

func (pg *pages) renderAssessment(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := assessmentForm{PartnershipID: pid, Form: f}
	if v.Referral, err = pg.d.Case(ctx, p, pid, id); err != nil {
		return err
	}
	if v.Template, err = pg.svc.Template(ctx, casework.VAF, pg.d.Now()); err != nil {
		return err
	}
	d, hasDraft, err := pg.svc.AssessmentDraftOf(ctx, p, id)
	if err != nil {
		return err
	}
	if hasDraft {
		v.DraftSaved = d.UpdatedAt
	}
	if len(f.Values) == 0 && hasDraft {
		// Come back to the draft where it was left.
		f.Values = assessmentValues(d.Input)
		v.Form = f
	} else if len(f.Values) == 0 {
		// Start from the latest version, so that an assessor records what changed.
		if as, err := pg.svc.Assessments(ctx, p, id); err == nil && len(as) > 0 {
			last := as[0]
			f.Values.Set("summary", last.SummaryConclusion)
			f.Values.Set("management-plan", last.ManagementPlan)
			f.Values.Set("judgement", last.ProfessionalJudgement)
			for _, fc := range last.Factors {
				n := "factor-" + strconv.Itoa(fc.No)
				f.Values.Set(n, string(fc.Presence))
				f.Values.Set(n+"-evidence", fc.Evidence)
				f.Values.Set(n+"-source", fc.Source)
			}
			v.Form = f
		}
	}
	l := pg.Layout(r, core.CaseTitle("Assessment", v.Referral.Reference))
	l.Errors = f.Errors
	l.Marking = v.Referral.Marking
	l.Back = casepaths.Assessment.Link(pid, id)
	return pg.Page(w, r, l, assessmentFormPage(l, v))
}

func (pg *pages) handleAssessmentNew(w http.ResponseWriter, r *http.Request) error {
	return pg.renderAssessment(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handleAssessmentPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	t, err := pg.svc.Template(r.Context(), casework.VAF, pg.d.Now())
	if err != nil {
		return err
	}
	in := casework.AssessmentInput{TemplateCode: casework.VAF, SummaryConclusion: f.Get("summary"), ManagementPlan: f.Get("management-plan"),
		ChangesSinceLast: f.Get("changes"), ProfessionalJudgement: f.Get("judgement")}
	draft := f.Get("save") == "draft"
	for _, it := range t.Items {
		n := "factor-" + strconv.Itoa(it.No)
		pr := casework.Presence(f.Get(n))
		if pr == "" && !draft {
			pr = casework.Unknown
		}
		in.Factors = append(in.Factors, casework.FactorInput{No: it.No, Presence: pr, Evidence: f.Get(n + "-evidence"), Source: f.Get(n + "-source")})
	}
	render := func(f core.Form) error { return pg.renderAssessment(w, r, f) }
	if draft {
		_, err = pg.svc.SaveAssessmentDraft(r.Context(), principalOf(r), id, in)
		return pg.settle(w, r, err, casepaths.Assessment.Link(pid, id),
			"Your draft assessment has been saved. Only you can see it: continue it from this page when you are ready", f, "", render)
	}
	_, err = pg.svc.SaveAssessment(r.Context(), principalOf(r), id, in)
	return pg.settle(w, r, err, casepaths.Assessment.Link(pid, id), "Assessment recorded", f, "", render)
}

// handleAssessmentDiscard deletes the reader's draft assessment.
func (pg *pages) handleAssessmentDiscard(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	if _, err := core.ReadForm(w, r); err != nil {
		return err
	}
	if err := pg.svc.DiscardAssessmentDraft(r.Context(), principalOf(r), id); err != nil {
		return err
	}
	return pg.Flash(w, r, casepaths.Assessment.Link(pid, id), "Your draft assessment has been deleted")
}

// assessmentValues puts an assessment's answers into the form's field names.
func assessmentValues(in casework.AssessmentInput) url.Values {
	v := url.Values{}
	v.Set("summary", in.SummaryConclusion)
	v.Set("management-plan", in.ManagementPlan)
	v.Set("changes", in.ChangesSinceLast)
	v.Set("judgement", in.ProfessionalJudgement)
	for _, fc := range in.Factors {
		n := "factor-" + strconv.Itoa(fc.No)
		v.Set(n, string(fc.Presence))
		v.Set(n+"-evidence", fc.Evidence)
		v.Set(n+"-source", fc.Source)
	}
	return v
}
