package web

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/work"
)

// casePages serves the individual pathway (internal/casework): the referral question pages, police triage,
// screening information requests, the case page, work lists and "My work". The casework service decides
// access again on every call, and a record the principal may not see is NotFound.
type casePages struct {
	*Server
	svc *casework.Service
	// share reads the legal gateways and agreements the "Share information" fieldset shows.
	share *sharing.Service
	// work lists the reader's tasks (My work).
	work *work.Service
}

func newCasePages(s *Server) *casePages {
	return &casePages{Server: s, share: s.deps.Sharing, work: s.deps.Work, svc: s.deps.Casework}
}

// registerCasework adds the casework pages. Every route names its action.
func (s *Server) registerCasework() {
	cp := newCasePages(s)
	const R = "/partnerships/{pid}/referrals"
	const C = "/partnerships/{pid}/cases"
	get, post := http.MethodGet, http.MethodPost

	s.handle(get, "/work", access.CaseStatusView, cp.handleMyWork)
	s.handle(get, "/partnerships/{pid}/team", access.CaseScreen, cp.handleTeam)
	s.handle(get, C+"/{id}/officer", access.CaseScreen, cp.handleOfficer)
	s.handle(post, C+"/{id}/officer", access.CaseScreen, cp.handleOfficerPost)

	s.handle(get, R, access.CaseCreate, cp.handleReferrals)
	s.handle(post, R, access.CaseCreate, cp.handleReferralStart)
	s.handle(get, R+"/{id}/check", access.CaseCreate, cp.handleReferralCheck)
	s.handle(post, R+"/{id}/check", access.CaseCreate, cp.handleReferralCheckPost)
	s.handle(get, R+"/{id}/submit", access.CaseCreate, cp.handleReferralDanger)
	s.handle(post, R+"/{id}/submit", access.CaseCreate, cp.handleReferralDangerPost)
	s.handle(get, R+"/{id}/confirmation", access.CaseStatusView, cp.handleReferralConfirmation)
	s.handle(get, R+"/{id}/sent", access.CaseStatusView, cp.handleReferralSent)
	s.handle(get, R+"/{id}/{step}", access.CaseCreate, cp.handleReferralStep)
	s.handle(post, R+"/{id}/{step}", access.CaseCreate, cp.handleReferralStepPost)

	s.handle(get, C, access.CaseStatusView, cp.handleCaseList)
	s.handle(get, C+"/search", access.CaseStatusView, cp.handleCaseSearch)
	s.handle(get, C+"/{id}", access.CaseStatusView, cp.handleCase)
	for _, sec := range caseSections[1:] {
		s.handle(get, C+"/{id}/"+sec.Slug, access.CaseView, cp.handleCaseSection(sec.Slug))
	}

	s.handle(get, C+"/{id}/triage", access.CaseTriage, cp.handleTriage)
	s.handle(post, C+"/{id}/triage/deconfliction", access.CaseTriage, cp.handleDeconflictionPost)
	s.handle(get, C+"/{id}/triage/decision", access.CaseTriage, cp.handleTriageDecision)
	s.handle(post, C+"/{id}/triage/decision", access.CaseTriage, cp.handleTriageDecisionPost)
	s.handle(post, C+"/{id}/triage/matches/{subject}/link", access.CaseTriage, cp.handleMatch(true))
	s.handle(post, C+"/{id}/triage/matches/{subject}/decline", access.CaseTriage, cp.handleMatch(false))

	s.handle(get, C+"/{id}/share", access.Disclose, cp.handleShare)
	s.handle(post, C+"/{id}/share", access.Disclose, cp.handleSharePost)
	s.handle(get, C+"/{id}/information-requests/new", access.CaseScreen, cp.handleInfoRequestNew)
	s.handle(post, C+"/{id}/information-requests/new", access.CaseScreen, cp.handleInfoRequestNewPost)
	s.handle(get, C+"/{id}/information-requests/{rid}", access.InformationAnswer, cp.handleInfoAnswer)
	s.handle(post, C+"/{id}/information-requests/{rid}", access.InformationAnswer, cp.handleInfoAnswerPost)
}

func referralPath(pid, id prevent.ID, rest ...any) string {
	return partnershipPath(pid, append([]any{"referrals", id}, rest...)...)
}

func casePath(pid, id prevent.ID, rest ...any) string {
	return partnershipPath(pid, append([]any{"cases", id}, rest...)...)
}

// principal is the signed-in principal of the request.
func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }
