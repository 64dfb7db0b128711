package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/rights"
)

// registerRights adds the routes for subject rights and sharing notices: the subject access bundle, rectification, and the notices sent to organisations that received data (consent withdrawn, record rectified).
func (s *Server) registerRights() {
	sh := s.deps.Sharing
	a := &rightsAPI{s: s, sh: sh, rights: s.deps.Rights}
	get, post := http.MethodGet, http.MethodPost
	openOnly := []param{{name: "open", description: "Only open notices when true", schema: map[string]any{"type": "boolean"}}}

	s.handle(get, "/partnerships/{pid}/notices", access.NoticeWork, operation{id: "listNotices",
		summary:  "Notices sent to the token owner's organisation because consent to share was withdrawn or a record was corrected: tasks to complete (audited)",
		response: NoticeList{}, query: openOnly}, a.listNotices)
	s.handle(get, "/partnerships/{pid}/notices/all", access.NoticeOversee, operation{id: "listAllNotices",
		summary: "Every notice of the partnership, with whether it is overdue, for the data protection officer (audited)", response: NoticeList{},
		query: openOnly}, a.listAllNotices)
	s.handle(post, "/partnerships/{pid}/notices/{id}/complete", access.NoticeWork, operation{id: "completeNotice",
		summary: "Record what the organisation did about a notice sent to it", request: NoticeCompletion{}, response: NoticeView{}}, a.completeNotice)

	s.handle(post, "/referrals/{id}/rectify", access.CaseRectify, operation{id: "rectifyReferral",
		summary: "Correct an identity or contact detail of the person a case is about; every organisation it was shared with gets a notice",
		request: Rectification{}, status: http.StatusNoContent}, a.rectify)

	s.handle(get, "/partnerships/{pid}/subject-access/{id}/subjects", access.SubjectAccessManage, operation{id: "findRequestSubjects",
		summary:  "People referred whose names contain every word of name (and born on date_of_birth when given), to link a subject access request to (audited)",
		response: SubjectMatches{}, query: []param{
			{name: "name", description: "Words of the person's name or other names", schema: map[string]any{"type": "string"}},
			{name: "date_of_birth", description: "YYYY-MM-DD", schema: map[string]any{"type": "string", "format": "date"}},
		}}, a.findSubjects)
	s.handle(post, "/partnerships/{pid}/subject-access/{id}/subject", access.SubjectAccessManage, operation{id: "linkRequestSubject",
		summary: "Link a subject access request to the person referred it is about", request: RequestSubject{}, status: http.StatusNoContent}, a.linkSubject)
	s.handle(post, "/partnerships/{pid}/subject-access/{id}/redactions", access.SubjectAccessManage, operation{id: "withholdBundleItems",
		summary: "Withhold items of the bundle (their keys) under an exemption, with why it applies", request: Redaction{},
		status: http.StatusNoContent}, a.redact)
	s.handle(post, "/partnerships/{pid}/subject-access/{id}/redactions/release", access.SubjectAccessManage, operation{id: "releaseBundleItem",
		summary: "Show a withheld item in the bundle again", request: Release{}, status: http.StatusNoContent}, a.release)
	s.handle(get, "/partnerships/{pid}/subject-access/{id}/bundle", access.SubjectAccessManage, operation{id: "getSubjectAccessBundle",
		summary:  "Everything held on the person a request is about: records, the disclosure log and the access log, with withheld items left out (a draft flags them instead) (audited)",
		response: rights.Bundle{}, query: []param{{name: "draft", description: "Show withheld items, flagged, for the redaction step",
			schema: map[string]any{"type": "boolean"}}}}, a.bundle)
}
