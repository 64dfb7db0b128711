// Package channel holds the Channel pages of a case: the vulnerability assessment, the panels with their
// meetings, agendas, decisions and minutes, the support plan and consent, the children's services
// consultation and the choice after consent is refused, intervention providers, interventions and their
// sessions, and post-exit reviews. The casework service decides access again on every call; a record the
// reader may not see is NotFound.
//
// The case page itself, with its assessment, panel and plan sections, is in internal/web/casework: it links here
// through the typed paths below, and these pages return to it.
package channel

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	// Casework keeps the cases, their assessments, panels, consent, plans, interventions and reviews.
	Casework *casework.Service
	// Sharing says which organisations the reader's organisation has an agreement in force with, so that a
	// case is not offered for listing at a panel it could not be sent to.
	Sharing *sharing.Service
	// Partnership lists the partnership's organisations and people (panel members, providers, workers).
	Partnership *partnership.Service
	Now         func() time.Time
	// HTTPS sets the Secure attribute of the cookie that carries a refusal to the next page.
	HTTPS bool
	// Case loads a case of the partnership in the path as the case page does: NotFound for another
	// partnership's case or a referral not yet sent.
	Case func(ctx context.Context, p prevent.Principal, pid, id prevent.ID) (casework.Referral, error)
	// Share is the "Share information" fieldset of the pages that disclose a case, which the case page
	// carries too.
	Share Share
	// CaseCard draws the case as the reader's organisation was given it (fields withheld from it said so), for
	// the panel's page of a case on a meeting's agenda; concernTypes are the labels of its types of concern.
	CaseCard func(ref casework.Referral, concernTypes []string, now time.Time) templ.Component
}

// Share builds, reads and reports the "Share information" fieldset: every page by which a case's personal
// data reaches another organisation carries it, and the casework service checks and records the disclosure
// with the action.
type Share struct {
	// Load builds the fieldset of a page; its Form is f with, on a form not yet posted, the purpose and the
	// case's recorded consent filled in.
	Load func(r *http.Request, pid prevent.ID, spec ShareSpec, f core.Form) (*Fieldset, error)
	// Read decodes the fieldset of a posted form.
	Read func(f core.Form) (sharing.DisclosureInput, error)
	// WithErr keeps err on the form, moving a refused disclosure's field errors onto the fieldset's inputs (to
	// and recipients onto the page's own fields, when it has them).
	WithErr func(f core.Form, err error, toField, recipientsField string) core.Form
}

// ShareSpec is what a page says about its disclosure.
type ShareSpec struct {
	ReferralID prevent.ID
	// ToOrg is the receiving organisation when the page knows it; 0 when it is chosen on the page.
	ToOrg   prevent.ID
	Purpose sharing.Purpose
	// Intro says when the fieldset is needed.
	Intro string
}

// Fieldset is the "Share information" fieldset built for a page.
type Fieldset struct {
	// Form is the page's form, filled in as Share.Load says.
	Form core.Form
	// To is the receiving organisation's name, or "" when it is chosen on the page.
	To string
	// View draws the fieldset.
	View templ.Component
}

// The pages' addresses.
var (
	// AssessmentPath records a new version of the case's vulnerability assessment, or continues a draft.
	AssessmentPath = core.NewPath2("/partnerships/{pid}/cases/{id}/assessment/new")
	// AssessmentDraftDeletePath deletes the reader's draft assessment.
	AssessmentDraftDeletePath = core.NewPath2("/partnerships/{pid}/cases/{id}/assessment/draft/delete")
	// ListForPanelPath lists the case for a panel, on the agenda of one of its meetings.
	ListForPanelPath = core.NewPath2("/partnerships/{pid}/cases/{id}/panel/list")

	// PanelsPath lists the partnership's Channel panels and sets one up.
	PanelsPath = core.NewPath1("/partnerships/{pid}/panels")
	// PanelPath is a panel and its meetings.
	PanelPath = core.NewPath2("/partnerships/{pid}/panels/{panel}")
	// PanelMembersPath adds a member to a panel.
	PanelMembersPath = core.NewPath2("/partnerships/{pid}/panels/{panel}/members")
	// MeetingsPath schedules a meeting of a panel.
	MeetingsPath = core.NewPath2("/partnerships/{pid}/panels/{panel}/meetings")
	// MeetingPath is a meeting: attendance, agenda and papers.
	MeetingPath = core.NewPath3("/partnerships/{pid}/panels/{panel}/meetings/{meeting}")
	// AttendancePath records who is present at a meeting.
	AttendancePath = core.NewPath3("/partnerships/{pid}/panels/{panel}/meetings/{meeting}/attendance")
	// AgendaPath puts a case on a meeting's agenda.
	AgendaPath = core.NewPath3("/partnerships/{pid}/panels/{panel}/meetings/{meeting}/agenda")
	// PapersPath adds a paper to a meeting.
	PapersPath = core.NewPath3("/partnerships/{pid}/panels/{panel}/meetings/{meeting}/papers")
	// DecisionPath is a case on a meeting's agenda, and the panel's decision on it.
	DecisionPath = core.NewPath4("/partnerships/{pid}/panels/{panel}/meetings/{meeting}/cases/{case}")
	// MinutesPath is a meeting's minutes; posted, it exports them for another organisation.
	MinutesPath = core.NewPath3("/partnerships/{pid}/panels/{panel}/meetings/{meeting}/minutes")

	// ProvidersPath lists the partnership's intervention providers and registers one.
	ProvidersPath = core.NewPath1("/partnerships/{pid}/providers")

	// PlanPath writes the case's support plan.
	PlanPath = core.NewPath2("/partnerships/{pid}/cases/{id}/plan/edit")
	// RequestConsentPath records that consent to support was asked for.
	RequestConsentPath = core.NewPath2("/partnerships/{pid}/cases/{id}/plan/request-consent")
	// ConsentPath records consent to support or to information sharing.
	ConsentPath = core.NewPath2("/partnerships/{pid}/cases/{id}/consent/new")
	// ConsultationPath records the consultation with children's services.
	ConsultationPath = core.NewPath2("/partnerships/{pid}/cases/{id}/childrens-services")
	// AfterRefusalPath chooses what happens after consent was refused or withdrawn.
	AfterRefusalPath = core.NewPath2("/partnerships/{pid}/cases/{id}/after-refusal")
	// InterventionPath adds an intervention to the support plan.
	InterventionPath = core.NewPath2("/partnerships/{pid}/cases/{id}/interventions/new")
	// SessionPlanPath plans a session of an intervention.
	SessionPlanPath = core.NewPath3("/partnerships/{pid}/cases/{id}/interventions/{iv}/sessions")
	// SessionPath records how a planned session went.
	SessionPath = core.NewPath3("/partnerships/{pid}/cases/{id}/sessions/{session}")
	// ReviewPath completes a post-exit review.
	ReviewPath = core.NewPath3("/partnerships/{pid}/cases/{id}/reviews/{review}")
)

type pages struct {
	core.Pages
	d   Deps
	svc *casework.Service
}

// Register adds the Channel pages to the site.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	p := &pages{Pages: site, d: d, svc: d.Casework}
	get, post := http.MethodGet, http.MethodPost

	site.Handle(get, AssessmentPath.Pattern(), access.CaseAssess, p.handleAssessmentNew)
	site.Handle(post, AssessmentPath.Pattern(), access.CaseAssess, p.handleAssessmentPost)
	site.Handle(post, AssessmentDraftDeletePath.Pattern(), access.CaseAssess, p.handleAssessmentDiscard)
	site.Handle(get, ListForPanelPath.Pattern(), access.CaseScreen, p.handleListForPanelForm)
	site.Handle(post, ListForPanelPath.Pattern(), access.CaseScreen, p.handleListForPanel)

	site.Handle(get, PanelsPath.Pattern(), access.PanelView, p.handlePanels)
	site.Handle(post, PanelsPath.Pattern(), access.PanelManage, p.handlePanelCreate)
	site.Handle(get, PanelPath.Pattern(), access.PanelView, p.handlePanel)
	site.Handle(post, PanelMembersPath.Pattern(), access.PanelManage, p.handlePanelMemberPost)
	site.Handle(post, MeetingsPath.Pattern(), access.PanelManage, p.handleMeetingPost)
	site.Handle(get, MeetingPath.Pattern(), access.PanelView, p.handleMeeting)
	site.Handle(post, AttendancePath.Pattern(), access.PanelManage, p.handleAttendancePost)
	site.Handle(post, AgendaPath.Pattern(), access.PanelManage, p.handleAgendaPost)
	site.Handle(post, PapersPath.Pattern(), access.PanelManage, p.handlePaperPost)
	site.Handle(get, DecisionPath.Pattern(), access.PanelView, p.handleDecision)
	site.Handle(post, DecisionPath.Pattern(), access.PanelDecide, p.handleDecisionPost)
	site.Handle(get, MinutesPath.Pattern(), access.PanelView, p.handleMinutes)
	site.Handle(post, MinutesPath.Pattern(), access.PanelManage, p.handleMinutesExportPost)

	site.Handle(get, ProvidersPath.Pattern(), access.CaseSupport, p.handleProviders)
	site.Handle(post, ProvidersPath.Pattern(), access.CaseSupport, p.handleProviderPost)

	site.Handle(get, PlanPath.Pattern(), access.CaseSupport, p.handlePlanEdit)
	site.Handle(post, PlanPath.Pattern(), access.CaseSupport, p.handlePlanPost)
	site.Handle(post, RequestConsentPath.Pattern(), access.CaseSupport, p.handleRequestConsent)
	site.Handle(get, ConsentPath.Pattern(), access.CaseSupport, p.handleConsentNew)
	site.Handle(post, ConsentPath.Pattern(), access.CaseSupport, p.handleConsentPost)
	site.Handle(get, ConsultationPath.Pattern(), access.CaseSupport, p.handleConsultationNew)
	site.Handle(post, ConsultationPath.Pattern(), access.CaseSupport, p.handleConsultationPost)
	site.Handle(get, AfterRefusalPath.Pattern(), access.CaseSupport, p.handleAfterRefusal)
	site.Handle(post, AfterRefusalPath.Pattern(), access.CaseSupport, p.handleAfterRefusalPost)
	site.Handle(get, InterventionPath.Pattern(), access.CaseSupport, p.handleInterventionNew)
	site.Handle(post, InterventionPath.Pattern(), access.CaseSupport, p.handleInterventionPost)
	site.Handle(post, SessionPlanPath.Pattern(), access.SessionRecord, p.handleSessionPlanPost)
	site.Handle(get, SessionPath.Pattern(), access.SessionRecord, p.handleSession)
	site.Handle(post, SessionPath.Pattern(), access.SessionRecord, p.handleSessionPost)
	site.Handle(get, ReviewPath.Pattern(), access.CaseSupport, p.handleReview)
	site.Handle(post, ReviewPath.Pattern(), access.CaseSupport, p.handleReviewPost)
}

func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

// settle finishes a POST: on success it redirects with a message; a validation failure or a refusal of the
// workflow shows the form again with what was typed and the message (a refusal on conflictField, or at the
// top of the page when that is empty); anything else is the error page.
func (p *pages) settle(w http.ResponseWriter, r *http.Request, err error, to, msg string, f core.Form, conflictField string, render func(core.Form) error) error {
	if err == nil {
		return p.Flash(w, r, to, msg)
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

// flashError shows a refusal on the page it redirects to, as an error summary.
func (p *pages) flashError(w http.ResponseWriter, r *http.Request, to string, err error) error {
	return core.FlashRefusal(w, r, to, err, p.d.HTTPS)
}

// mustPathID is the id called name in the path, or 0.
func mustPathID(r *http.Request, name string) prevent.ID {
	id, _ := core.PathID(r, name)
	return id
}

// parseID reads a record id typed into a query or a form.
func parseID(s string) (prevent.ID, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, prevent.Errorf(prevent.NotFound, "Not found")
	}
	return id, nil
}

// atTen is a day's date at 10:00 UTC, the time a planned session or meeting is shown at when none is given.
func atTen(t time.Time) time.Time { return t.Add(10 * time.Hour) }
