package web

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
)

// registerRights adds the routes for subject rights and sharing notices: the subject access bundle, rectification, and the notices sent to organisations that received data (consent withdrawn, record rectified).
func (s *Server) registerRights() {
	rp := &rightsPages{Server: s, sh: s.deps.Sharing, cw: s.deps.Casework, rights: s.deps.Rights}
	const P = "/partnerships/{pid}"
	get, post := http.MethodGet, http.MethodPost

	s.handle(get, P+"/notices", access.NoticeWork, rp.handleNotices)
	s.handle(get, P+"/notices/all", access.NoticeOversee, rp.handleAllNotices)
	s.handle(get, P+"/notices/{id}", access.NoticeWork, rp.handleNotice)
	s.handle(post, P+"/notices/{id}", access.NoticeWork, rp.handleNoticePost)

	s.handle(get, P+"/cases/{id}/rectify", access.CaseRectify, rp.handleRectify)
	s.handle(post, P+"/cases/{id}/rectify", access.CaseRectify, rp.handleRectifyPost)

	s.handle(get, P+"/subject-access/{id}", access.SubjectAccessManage, rp.handleRequest)
	s.handle(post, P+"/subject-access/{id}/subject", access.SubjectAccessManage, rp.handleRequestSubjectPost)
	s.handle(get, P+"/subject-access/{id}/redactions", access.SubjectAccessManage, rp.handleRedactions)
	s.handle(post, P+"/subject-access/{id}/redactions", access.SubjectAccessManage, rp.handleRedactionsPost)
	s.handle(post, P+"/subject-access/{id}/redactions/release", access.SubjectAccessManage, rp.handleReleasePost)
	s.handle(get, P+"/subject-access/{id}/bundle", access.SubjectAccessManage, rp.handleBundle)
	s.handle(get, P+"/subject-access/{id}/bundle.json", access.SubjectAccessManage, rp.handleBundleJSON)
}
