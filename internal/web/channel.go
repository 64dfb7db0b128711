package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// registerChannel adds the Channel pages: assessment, panels and their meetings and decisions, consent, the
// support plan, interventions and sessions, and post-exit reviews. Every route names its action; the casework
// service decides access again on every call.
func (cp *casePages) registerChannel() {
	const C = "/partnerships/{pid}/cases/{id}"
	const P = "/partnerships/{pid}/panels"
	get, post := http.MethodGet, http.MethodPost
	s := cp.Server

	s.handle(get, C+"/assessment/new", access.CaseAssess, cp.handleAssessmentNew)
	s.handle(post, C+"/assessment/new", access.CaseAssess, cp.handleAssessmentPost)
	s.handle(post, C+"/assessment/draft/delete", access.CaseAssess, cp.handleAssessmentDiscard)
	s.handle(get, C+"/panel/list", access.CaseScreen, cp.handleListForPanelForm)
	s.handle(post, C+"/panel/list", access.CaseScreen, cp.handleListForPanel)

	s.handle(get, P, access.PanelView, cp.handlePanels)
	s.handle(post, P, access.PanelManage, cp.handlePanelCreate)
	s.handle(get, P+"/{panel}", access.PanelView, cp.handlePanel)
	s.handle(post, P+"/{panel}/members", access.PanelManage, cp.handlePanelMemberPost)
	s.handle(post, P+"/{panel}/meetings", access.PanelManage, cp.handleMeetingPost)
	s.handle(get, P+"/{panel}/meetings/{meeting}", access.PanelView, cp.handleMeeting)
	s.handle(post, P+"/{panel}/meetings/{meeting}/attendance", access.PanelManage, cp.handleAttendancePost)
	s.handle(post, P+"/{panel}/meetings/{meeting}/agenda", access.PanelManage, cp.handleAgendaPost)
	s.handle(post, P+"/{panel}/meetings/{meeting}/papers", access.PanelManage, cp.handlePaperPost)
	s.handle(get, P+"/{panel}/meetings/{meeting}/cases/{case}", access.PanelView, cp.handleDecision)
	s.handle(post, P+"/{panel}/meetings/{meeting}/cases/{case}", access.PanelDecide, cp.handleDecisionPost)
	s.handle(get, P+"/{panel}/meetings/{meeting}/minutes", access.PanelView, cp.handleMinutes)
	s.handle(post, P+"/{panel}/meetings/{meeting}/minutes", access.PanelManage, cp.handleMinutesExportPost)

	s.handle(get, "/partnerships/{pid}/providers", access.CaseSupport, cp.handleProviders)
	s.handle(post, "/partnerships/{pid}/providers", access.CaseSupport, cp.handleProviderPost)

	s.handle(get, C+"/plan/edit", access.CaseSupport, cp.handlePlanEdit)
	s.handle(post, C+"/plan/edit", access.CaseSupport, cp.handlePlanPost)
	s.handle(post, C+"/plan/request-consent", access.CaseSupport, cp.handleRequestConsent)
	s.handle(get, C+"/consent/new", access.CaseSupport, cp.handleConsentNew)
	s.handle(post, C+"/consent/new", access.CaseSupport, cp.handleConsentPost)
	s.handle(get, C+"/childrens-services", access.CaseSupport, cp.handleConsultationNew)
	s.handle(post, C+"/childrens-services", access.CaseSupport, cp.handleConsultationPost)
	s.handle(get, C+"/after-refusal", access.CaseSupport, cp.handleAfterRefusal)
	s.handle(post, C+"/after-refusal", access.CaseSupport, cp.handleAfterRefusalPost)
	s.handle(get, C+"/interventions/new", access.CaseSupport, cp.handleInterventionNew)
	s.handle(post, C+"/interventions/new", access.CaseSupport, cp.handleInterventionPost)
	s.handle(post, C+"/interventions/{iv}/sessions", access.SessionRecord, cp.handleSessionPlanPost)
	s.handle(get, C+"/sessions/{session}", access.SessionRecord, cp.handleSession)
	s.handle(post, C+"/sessions/{session}", access.SessionRecord, cp.handleSessionPost)
	s.handle(get, C+"/reviews/{review}", access.CaseSupport, cp.handleReview)
	s.handle(post, C+"/reviews/{review}", access.CaseSupport, cp.handleReviewPost)
}

func panelPath(pid, panelID prevent.ID, rest ...any) string {
	return partnershipPath(pid, append([]any{"panels", panelID}, rest...)...)
}

func meetingPath(pid, panelID, meetingID prevent.ID, rest ...any) string {
	return panelPath(pid, panelID, append([]any{"meetings", meetingID}, rest...)...)
}

// settle finishes a POST: on success it redirects with a message; a validation failure or a refusal of the
// workflow shows the form again with what was typed and the message (a refusal on conflictField, or at the
// top of the page when that is empty); anything else is the error page.
func (cp *casePages) settle(w http.ResponseWriter, r *http.Request, err error, to, msg string, f form, conflictField string, render func(form) error) error {
	if err == nil {
		return cp.flash(w, r, to, msg)
	}
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		return render(f.WithErr(err))
	case prevent.Conflict:
		f.Errors = []prevent.FieldError{{Field: conflictField, Message: prevent.PublicMessage(err)}}
		return render(f)
	}
	return err
}

// caseOf loads a referral of the partnership in the path, or NotFound.
func (cp *casePages) caseOf(ctx context.Context, p prevent.Principal, pid, id prevent.ID) (casework.Referral, error) {
	ref, err := cp.svc.Referral(ctx, p, id)
	if err != nil {
		return ref, err
	}
	if ref.PartnershipID != pid || ref.State == casework.Draft {
		return ref, access.NotFound("Referral")
	}
	return ref, nil
}

// idOf reads a numeric form value (0 when absent or not a number).
func idOf(f form, name string) prevent.ID {
	n, _ := strconv.ParseInt(f.Get(name), 10, 64)
	return n
}

// channelCase holds what the case page's assessment, panel and plan sections show.
type channelCase struct {
	Assessments   []casework.Assessment
	Decisions     []casework.CaseDecision
	Panels        []casework.Panel
	Plan          casework.SupportPlan
	HasPlan       bool
	Consents      []casework.ConsentRecord
	Interventions []casework.Intervention
	Reviews       []casework.PostExitReview
	Alerts        []casework.Alert
	CanAssess     bool
	// DraftSaved is when the reader saved their draft assessment (zero when they have none).
	DraftSaved time.Time
	CanPanels  bool
	CanList    bool
	CanSupport bool
	CanSession bool
}

// loadChannel fills the Channel parts of the case page for its section.
func (cp *casePages) loadChannel(r *http.Request, v *caseView) error {
	ctx, p, pid, id := r.Context(), principalOf(r), v.PartnershipID, v.Referral.ID
	ch := &v.Channel
	ch.CanAssess, ch.CanList = cp.may(r, pid, access.CaseAssess), cp.may(r, pid, access.PanelManage) && cp.may(r, pid, access.CaseScreen)
	ch.CanSupport, ch.CanSession = cp.may(r, pid, access.CaseSupport), cp.may(r, pid, access.SessionRecord)
	ch.CanPanels = cp.may(r, pid, access.PanelView)
	var err error
	switch v.Section.Slug {
	case "assessment":
		if ch.Assessments, err = cp.svc.Assessments(ctx, p, id); err != nil {
			return err
		}
		if ch.CanAssess {
			ch.DraftSaved, _, err = cp.svc.AssessmentDraftSaved(ctx, p, id)
		}
	case "panel":
		if ch.Decisions, err = cp.svc.PanelDecisions(ctx, p, id); err != nil {
			return err
		}
		if v.can("list-for-panel") {
			ch.Panels, err = cp.svc.Panels(ctx, p, pid)
		}
	case "plan":
		if ch.Plan, ch.HasPlan, err = cp.svc.SupportPlan(ctx, p, id); err != nil {
			return err
		}
		if ch.Consents, err = cp.svc.ConsentRecords(ctx, p, id); err != nil {
			return err
		}
		if ch.Interventions, err = cp.svc.Interventions(ctx, p, id); err != nil {
			return err
		}
		// The plan section names each intervention's type by its label, never its code.
		for i, iv := range ch.Interventions {
			ch.Interventions[i].Type = cp.svc.Label(ctx, casework.InterventionTypes, iv.Type, iv.CreatedAt)
		}
		if ch.Reviews, err = cp.svc.PostExitReviews(ctx, p, id); err != nil {
			return err
		}
		if ch.CanSupport {
			alerts, aerr := cp.svc.Alerts(ctx, p, cp.deps.Now())
			if aerr != nil {
				return aerr
			}
			for _, a := range alerts {
				if a.ReferralID == id {
					ch.Alerts = append(ch.Alerts, a)
				}
			}
		}
	}
	return err
}

// assessmentForm is the VAF form.
type assessmentForm struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Template      casework.AssessmentTemplate
	Form          form
	// DraftSaved is when the reader's draft, now in the form, was saved (zero when there is none).
	DraftSaved time.Time
}

func (cp *casePages) renderAssessment(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := assessmentForm{PartnershipID: pid, Form: f}
	if v.Referral, err = cp.caseOf(ctx, p, pid, id); err != nil {
		return err
	}
	if v.Template, err = cp.svc.Template(ctx, casework.VAF, cp.deps.Now()); err != nil {
		return err
	}
	d, hasDraft, err := cp.svc.AssessmentDraftOf(ctx, p, id)
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
		if as, err := cp.svc.Assessments(ctx, p, id); err == nil && len(as) > 0 {
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
	l := cp.layout(r, caseTitle("Assessment", v.Referral.Reference))
	l.Errors = f.Errors
	l.Marking = v.Referral.Marking
	l.Back = casePath(pid, id, "assessment")
	return cp.page(w, r, l, assessmentFormPage(l, v))
}

func (cp *casePages) handleAssessmentNew(w http.ResponseWriter, r *http.Request) error {
	return cp.renderAssessment(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleAssessmentPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	t, err := cp.svc.Template(r.Context(), casework.VAF, cp.deps.Now())
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
	render := func(f form) error { return cp.renderAssessment(w, r, f) }
	if draft {
		_, err = cp.svc.SaveAssessmentDraft(r.Context(), principalOf(r), id, in)
		return cp.settle(w, r, err, casePath(pid, id, "assessment"),
			"Your draft assessment has been saved. Only you can see it: continue it from this page when you are ready", f, "", render)
	}
	_, err = cp.svc.SaveAssessment(r.Context(), principalOf(r), id, in)
	return cp.settle(w, r, err, casePath(pid, id, "assessment"), "Assessment recorded", f, "", render)
}

// handleAssessmentDiscard deletes the reader's draft assessment.
func (cp *casePages) handleAssessmentDiscard(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	if _, err := readForm(w, r); err != nil {
		return err
	}
	if err := cp.svc.DiscardAssessmentDraft(r.Context(), principalOf(r), id); err != nil {
		return err
	}
	return cp.flash(w, r, casePath(pid, id, "assessment"), "Your draft assessment has been deleted")
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

// flashError shows a refusal on the page it redirects to, as an error summary.
func (cp *casePages) flashError(w http.ResponseWriter, r *http.Request, to string, err error) error {
	msg := prevent.PublicMessage(err)
	if fe := prevent.FieldErrors(err); len(fe) > 0 {
		msg = fe[0].Message
	}
	http.SetCookie(w, &http.Cookie{Name: channelErrorCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true,
		Secure: cp.deps.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

const channelErrorCookie = "prevent_refusal"

// takeRefusal reads and clears a refusal left by flashError.
func (cp *casePages) takeRefusal(w http.ResponseWriter, r *http.Request) []prevent.FieldError {
	c, err := r.Cookie(channelErrorCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: channelErrorCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: cp.deps.SecureCookies})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil || msg == "" {
		return nil
	}
	return []prevent.FieldError{{Message: msg}}
}

// atTen is a day's date at 10:00 UTC, the time a planned session or meeting is shown at when none is given.
func atTen(t time.Time) time.Time { return t.Add(10 * time.Hour) }
