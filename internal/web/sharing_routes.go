package web

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
)

// registerSharing adds the routes for information-sharing governance: gateways, agreements, acknowledgements, the disclosure ledger, subject access register, retention rules, legal holds and the data protection officer's view.
func (s *Server) registerSharing() {
	sp := &sharingPages{Server: s, svc: s.deps.Sharing, rights: s.deps.Rights}
	const P = "/partnerships/{pid}/sharing"
	get, post := http.MethodGet, http.MethodPost

	s.handle(get, P, access.AgreementView, sp.handleHome)
	s.handle(get, P+"/dashboard", access.DataProtectionView, sp.handleDashboard)
	s.handle(get, P+"/record-of-processing", access.DataProtectionView, sp.handleRecordOfProcessing)

	s.handle(get, P+"/gateways", access.GatewayView, sp.handleGateways)
	s.handle(get, P+"/gateways/new", access.GatewayManage, sp.handleGatewayNew)
	s.handle(post, P+"/gateways/new", access.GatewayManage, sp.handleGatewayNewPost)

	s.handle(get, P+"/agreements", access.AgreementView, sp.handleAgreements)
	s.handle(get, P+"/agreements/new", access.AgreementManage, sp.handleAgreementNew)
	s.handle(post, P+"/agreements/new", access.AgreementManage, sp.handleAgreementNewPost)
	s.handle(get, P+"/agreements/{id}", access.AgreementView, sp.handleAgreement)
	s.handle(get, P+"/agreements/{id}/edit", access.AgreementManage, sp.handleAgreementEdit)
	s.handle(post, P+"/agreements/{id}/edit", access.AgreementManage, sp.handleAgreementEditPost)
	s.handle(post, P+"/agreements/{id}/status", access.AgreementManage, sp.handleAgreementStatus)
	s.handle(get, P+"/agreements/{id}/signatories/new", access.AgreementManage, sp.handleSignatoryNew)
	s.handle(post, P+"/agreements/{id}/signatories/new", access.AgreementManage, sp.handleSignatoryNewPost)

	s.handle(get, P+"/acknowledgements", access.AgreementView, sp.handleAcknowledgements)
	s.handle(get, P+"/acknowledgements/new", access.AgreementManage, sp.handleAcknowledgementNew)
	s.handle(post, P+"/acknowledgements/new", access.AgreementManage, sp.handleAcknowledgementNewPost)

	s.handle(get, P+"/disclosures", access.DisclosureView, sp.handleLedger)
	s.handle(get, P+"/disclosures/cases/{id}", access.DisclosureView, sp.handleCaseLedger)

	s.handle(get, P+"/subject-access", access.SubjectAccessManage, sp.handleRequests)
	s.handle(get, P+"/subject-access/new", access.SubjectAccessManage, sp.handleRequestNew)
	s.handle(post, P+"/subject-access/new", access.SubjectAccessManage, sp.handleRequestNewPost)
	s.handle(get, P+"/subject-access/{id}", access.SubjectAccessManage, sp.handleRequest)
	s.handle(post, P+"/subject-access/{id}/extend", access.SubjectAccessManage, sp.handleRequestExtend)
	s.handle(post, P+"/subject-access/{id}/complete", access.SubjectAccessManage, sp.handleRequestComplete)

	s.handle(get, P+"/retention", access.RetentionView, sp.handleRetention)
	s.handle(get, P+"/retention/set", access.RetentionManage, sp.handleRetentionEdit)
	s.handle(post, P+"/retention/set", access.RetentionManage, sp.handleRetentionEditPost)

	s.handle(get, P+"/holds", access.LegalHoldView, sp.handleHolds)
	s.handle(get, P+"/holds/new", access.LegalHoldManage, sp.handleHoldNew)
	s.handle(post, P+"/holds/new", access.LegalHoldManage, sp.handleHoldNewPost)
	s.handle(post, P+"/holds/{id}/release", access.LegalHoldManage, sp.handleHoldRelease)
}
