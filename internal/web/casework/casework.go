// Package casework holds the pages of the individual pathway (internal/casework): the referral question
// pages, police triage with deconfliction and possible repeat referrals, the case list and search, the case
// page with its sections, the "Share information" fieldset and the pages that disclose a case (sharing it,
// information requests and their answers), and the choice of a case's officer. The casework service decides
// access again on every call, and a record the reader may not see is NotFound.
//
// The Channel pages (internal/web/channel) are given what they need of these through ChannelDeps: how a case
// is loaded, the "Share information" fieldset and the case as the reader's organisation was given it.
package casework

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	// Casework keeps the referrals and cases.
	Casework *casework.Service
	// Sharing gives the legal gateways and agreements the "Share information" fieldset shows, and the
	// organisations a case may be shared with.
	Sharing *sharing.Service
	// Partnership names the partnership's organisations and people.
	Partnership *partnership.Service
	Now         func() time.Time
	// HTTPS sets the Secure attribute of the cookie that carries a refusal to the next page.
	HTTPS bool
	// MyWork is the address of the reader's work list (not in this package), which an answered information
	// request returns to.
	MyWork core.Path0
}

// The pages' addresses.
var (
	// ReferralsPath lists the reader's referrals and drafts, and starts a referral.
	ReferralsPath = core.NewPath1("/partnerships/{pid}/referrals")
	// ReferralPath is a referral's own address; its question pages are under it (ReferralStepLink).
	ReferralPath = core.NewPath2("/partnerships/{pid}/referrals/{id}")
	// ReferralCheckPath is "Check your answers" before a referral is sent.
	ReferralCheckPath = core.NewPath2("/partnerships/{pid}/referrals/{id}/check")
	// ReferralSubmitPath asks about immediate danger, and sends the referral.
	ReferralSubmitPath = core.NewPath2("/partnerships/{pid}/referrals/{id}/submit")
	// ReferralConfirmationPath says the referral was sent.
	ReferralConfirmationPath = core.NewPath2("/partnerships/{pid}/referrals/{id}/confirmation")
	// ReferralSentPath is the referral as it was sent, to print.
	ReferralSentPath = core.NewPath2("/partnerships/{pid}/referrals/{id}/sent")

	// CasesPath lists a stage's cases.
	CasesPath = core.NewPath1("/partnerships/{pid}/cases")
	// CaseSearchPath finds cases by reference or name.
	CaseSearchPath = core.NewPath1("/partnerships/{pid}/cases/search")
	// CasePath is the case page (its summary); its sections are under it, declared in internal/web/casepaths.
	CasePath = casepaths.Case
	// OfficerPath chooses the case officer.
	OfficerPath = core.NewPath2("/partnerships/{pid}/cases/{id}/officer")

	// TriagePath is police triage of a case.
	TriagePath = core.NewPath2("/partnerships/{pid}/cases/{id}/triage")
	// DeconflictionPath records the result of deconfliction.
	DeconflictionPath = core.NewPath2("/partnerships/{pid}/cases/{id}/triage/deconfliction")
	// TriageDecisionPath asks for the reasons of a triage decision, and records it.
	TriageDecisionPath = core.NewPath2("/partnerships/{pid}/cases/{id}/triage/decision")
	// MatchLinkPath links the case to a possible earlier referral of the same person.
	MatchLinkPath = core.NewPath3("/partnerships/{pid}/cases/{id}/triage/matches/{subject}/link")
	// MatchDeclinePath records that a possible earlier referral is not the same person.
	MatchDeclinePath = core.NewPath3("/partnerships/{pid}/cases/{id}/triage/matches/{subject}/decline")

	// SharePath shares the case with another organisation.
	SharePath = core.NewPath2("/partnerships/{pid}/cases/{id}/share")
	// NewInformationRequestPath asks a partner for information about the case.
	NewInformationRequestPath = core.NewPath2("/partnerships/{pid}/cases/{id}/information-requests/new")
	// InformationRequestPath is a request for information, and the partner's answer to it.
	InformationRequestPath = core.NewPath3("/partnerships/{pid}/cases/{id}/information-requests/{rid}")
)

// ReferralStepLink is the address of a referral's question page called step.
func ReferralStepLink(pid, id prevent.ID, step string) string {
	return ReferralPath.Link(pid, id) + "/" + step
}

// CaseSectionLink is the address of the case page's section (or of a case action) called slug, under the
// case's own address.
func CaseSectionLink(pid, id prevent.ID, slug string) string {
	return CasePath.Link(pid, id) + "/" + slug
}

// casePages serves the pages.
type casePages struct {
	core.Pages
	deps Deps
	svc  *casework.Service
	// share reads the legal gateways and agreements the "Share information" fieldset shows.
	share *sharing.Service
}

func newCasePages(pages core.Pages, d Deps) *casePages {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &casePages{Pages: pages, deps: d, svc: d.Casework, share: d.Sharing}
}

// Register adds the casework pages to the site. Every route names its action.
func Register(site core.Site, d Deps) {
	cp := newCasePages(site, d)
	get, post := http.MethodGet, http.MethodPost

	site.Handle(get, OfficerPath.Pattern(), access.CaseScreen, cp.handleOfficer)
	site.Handle(post, OfficerPath.Pattern(), access.CaseScreen, cp.handleOfficerPost)

	site.Handle(get, ReferralsPath.Pattern(), access.CaseCreate, cp.handleReferrals)
	site.Handle(post, ReferralsPath.Pattern(), access.CaseCreate, cp.handleReferralStart)
	site.Handle(get, ReferralCheckPath.Pattern(), access.CaseCreate, cp.handleReferralCheck)
	site.Handle(post, ReferralCheckPath.Pattern(), access.CaseCreate, cp.handleReferralCheckPost)
	site.Handle(get, ReferralSubmitPath.Pattern(), access.CaseCreate, cp.handleReferralDanger)
	site.Handle(post, ReferralSubmitPath.Pattern(), access.CaseCreate, cp.handleReferralDangerPost)
	site.Handle(get, ReferralConfirmationPath.Pattern(), access.CaseStatusView, cp.handleReferralConfirmation)
	site.Handle(get, ReferralSentPath.Pattern(), access.CaseStatusView, cp.handleReferralSent)
	site.Handle(get, ReferralPath.Pattern()+"/{step}", access.CaseCreate, cp.handleReferralStep)
	site.Handle(post, ReferralPath.Pattern()+"/{step}", access.CaseCreate, cp.handleReferralStepPost)

	site.Handle(get, CasesPath.Pattern(), access.CaseStatusView, cp.handleCaseList)
	site.Handle(get, CaseSearchPath.Pattern(), access.CaseStatusView, cp.handleCaseSearch)
	site.Handle(get, CasePath.Pattern(), access.CaseStatusView, cp.handleCase)
	for _, sec := range caseSections[1:] {
		site.Handle(get, CasePath.Pattern()+"/"+sec.Slug, access.CaseView, cp.handleCaseSection(sec.Slug))
	}

	site.Handle(get, TriagePath.Pattern(), access.CaseTriage, cp.handleTriage)
	site.Handle(post, DeconflictionPath.Pattern(), access.CaseTriage, cp.handleDeconflictionPost)
	site.Handle(get, TriageDecisionPath.Pattern(), access.CaseTriage, cp.handleTriageDecision)
	site.Handle(post, TriageDecisionPath.Pattern(), access.CaseTriage, cp.handleTriageDecisionPost)
	site.Handle(post, MatchLinkPath.Pattern(), access.CaseTriage, cp.handleMatch(true))
	site.Handle(post, MatchDeclinePath.Pattern(), access.CaseTriage, cp.handleMatch(false))

	site.Handle(get, SharePath.Pattern(), access.Disclose, cp.handleShare)
	site.Handle(post, SharePath.Pattern(), access.Disclose, cp.handleSharePost)
	site.Handle(get, NewInformationRequestPath.Pattern(), access.CaseScreen, cp.handleInfoRequestNew)
	site.Handle(post, NewInformationRequestPath.Pattern(), access.CaseScreen, cp.handleInfoRequestNewPost)
	site.Handle(get, InformationRequestPath.Pattern(), access.InformationAnswer, cp.handleInfoAnswer)
	site.Handle(post, InformationRequestPath.Pattern(), access.InformationAnswer, cp.handleInfoAnswerPost)
}

// principalOf is the signed-in principal of the request.
func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }
