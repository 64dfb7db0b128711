package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/sharing"
)

// registerSharing adds the routes for information-sharing governance: gateways, agreements, acknowledgements, the disclosure ledger, subject access register, retention rules, legal holds and the data protection officer's view.
func (s *Server) registerSharing() {
	sa := &sharingAPI{Server: s, svc: s.deps.Sharing, rights: s.deps.Rights}
	const P = "/partnerships/{pid}/sharing"
	get, post, put := http.MethodGet, http.MethodPost, http.MethodPut
	date := map[string]any{"type": "string", "format": "date"}
	id := map[string]any{"type": "integer", "format": "int64", "minimum": 1}

	s.handle(get, P+"/gateways", access.GatewayView, operation{id: "listGateways",
		summary: "Every version of the legal gateways the partnership may use, national and local", response: SharingGatewayList{}}, sa.listGateways)
	s.handle(post, P+"/gateways", access.GatewayManage, operation{id: "createGateway",
		summary: "Add a local gateway, or a new version of one (the previous version ends where it starts)",
		request: SharingGatewayInput{}, response: SharingGateway{}, status: http.StatusCreated}, sa.createGateway)

	s.handle(get, P+"/agreements", access.AgreementView, operation{id: "listAgreements",
		summary: "The partnership's information sharing agreements, newest first", response: AgreementList{}}, sa.listAgreements)
	s.handle(post, P+"/agreements", access.AgreementManage, operation{id: "createAgreement",
		summary: "Draft an agreement between member organisations", request: AgreementInput{}, response: Agreement{}, status: http.StatusCreated}, sa.createAgreement)
	s.handle(get, P+"/agreements/{id}", access.AgreementView, operation{id: "getAgreement",
		summary: "One agreement with its parties and signatories", response: Agreement{}}, sa.getAgreement)
	s.handle(put, P+"/agreements/{id}", access.AgreementManage, operation{id: "replaceAgreement",
		summary: "Amend a draft agreement; the signatures already recorded are removed", request: AgreementInput{}, response: Agreement{}}, sa.replaceAgreement)
	s.handle(post, P+"/agreements/{id}/signatories", access.AgreementManage, operation{id: "addSignatory",
		summary: "Record a signature for a party of a draft or suspended agreement", request: SignatoryInput{}, response: Agreement{}, status: http.StatusCreated}, sa.addSignatory)
	s.handle(post, P+"/agreements/{id}/status", access.AgreementManage, operation{id: "setAgreementStatus",
		summary: "Activate, suspend or expire an agreement; activation is refused (422) until every party has signed and every non-public body has acknowledged its duties",
		request: AgreementStatusInput{}, response: Agreement{}}, sa.setAgreementStatus)

	s.handle(get, P+"/partners", access.Disclose, operation{id: "listSharingPartners",
		summary:  "The organisations the caller's organisation may share a record with today (an agreement in force between them, and able to receive under it), by name",
		response: SharingPartnerList{}}, listOf[SharingPartnerList](sa.svc.Partners, sharingPartnerOut))
	s.handle(get, P+"/organisations", access.AgreementView, operation{id: "listSharingMembers",
		summary: "Member organisations with their latest acknowledgement of their own data protection duties", response: SharingMemberList{}}, listOf[SharingMemberList](sa.svc.Members, memberOut))
	s.handle(post, P+"/organisations/{id}/acknowledgements", access.AgreementManage, operation{id: "recordAcknowledgement",
		summary: "Record that an organisation acknowledged its own data protection duties", request: AcknowledgementInput{}, response: SharingMember{},
		status: http.StatusCreated}, sa.recordAcknowledgement)

	s.handle(get, P+"/disclosures", access.DisclosureView, operation{id: "listDisclosures",
		summary: "The partnership's disclosure ledger, newest first, a page at a time (audited)", response: DisclosureList{},
		query: []param{
			{name: "gateway", description: "Only disclosures under this gateway code", schema: map[string]any{"type": "string"}},
			{name: "organisation_id", description: "Only disclosures from or to this organisation", schema: id},
			{name: "from", description: "Only disclosures on or after this day", schema: date},
			{name: "to", description: "Only disclosures on or before this day", schema: date},
			{name: "limit", description: "Page size, 1 to 200 (default 50)", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": sharing.MaxLedgerLimit}},
			{name: "after", description: "The next cursor of the previous page", schema: map[string]any{"type": "string"}},
		}}, sa.listDisclosures)
	s.handle(get, P+"/disclosures/cases/{id}", access.DisclosureView, operation{id: "listCaseDisclosures",
		summary: "Every disclosure of one case, oldest first (audited as a consultation of the case)", response: DisclosureList{}}, sa.listCaseDisclosures)

	s.handle(get, P+"/subject-access", access.SubjectAccessManage, operation{id: "listSubjectAccessRequests",
		summary: "The subject access register: open requests by deadline, then completed ones (audited)", response: SubjectAccessList{}}, sa.listRequests)
	s.handle(post, P+"/subject-access", access.SubjectAccessManage, operation{id: "registerSubjectAccessRequest",
		summary: "Register a subject access request", request: SubjectAccessInput{}, response: SubjectAccessRequest{}, status: http.StatusCreated}, sa.registerRequest)
	s.handle(get, P+"/subject-access/{id}", access.SubjectAccessManage, operation{id: "getSubjectAccessRequest",
		summary: "One subject access request with its deadline (audited)", response: SubjectAccessRequest{}}, sa.getRequest)
	s.handle(post, P+"/subject-access/{id}/extend", access.SubjectAccessManage, operation{id: "extendSubjectAccessRequest",
		summary: "Extend the deadline by two months, within the first month", request: ExtensionInput{}, response: SubjectAccessRequest{}}, sa.extendRequest)
	s.handle(post, P+"/subject-access/{id}/complete", access.SubjectAccessManage, operation{id: "completeSubjectAccessRequest",
		summary: "Record that the request was answered", request: CompletionInput{}, response: SubjectAccessRequest{}}, sa.completeRequest)

	s.handle(get, P+"/retention", access.RetentionView, operation{id: "listRetentionRules",
		summary: "The retention rules in force, with defaults and their sources", response: RetentionRuleList{}}, listOf[RetentionRuleList](sa.rights.RetentionRules, ruleOut))
	s.handle(post, P+"/retention", access.RetentionManage, operation{id: "setRetentionRule",
		summary: "Set the partnership's retention for a class of record and outcome (a new version)", request: RetentionInput{}, response: RetentionRule{},
		status: http.StatusCreated}, sa.setRetention)

	s.handle(get, P+"/holds", access.LegalHoldView, operation{id: "listLegalHolds",
		summary: "The partnership's legal holds, those in force first (audited)", response: LegalHoldList{}}, listOf[LegalHoldList](sa.rights.Holds, holdOut))
	s.handle(post, P+"/holds", access.LegalHoldManage, operation{id: "placeLegalHold",
		summary: "Put a case under a legal hold: the retention job does not erase it until the hold is released",
		request: LegalHoldInput{}, response: LegalHold{}, status: http.StatusCreated}, sa.placeHold)
	s.handle(post, P+"/holds/{id}/release", access.LegalHoldManage, operation{id: "releaseLegalHold",
		summary: "Release a legal hold, with the reason", request: ReleaseInput{}, response: LegalHold{}}, sa.releaseHold)

	s.handle(get, P+"/overview", access.DataProtectionView, operation{id: "getDataProtectionOverview",
		summary:  "The data protection officer's view: disclosures by gateway and organisation, consent, requests due, agreements expiring, alerts and unusual access",
		response: DataProtectionOverview{}}, sa.getOverview)
	s.handle(get, P+"/record-of-processing", access.DataProtectionView, operation{id: "getRecordOfProcessing",
		summary: "The UK GDPR Article 30 record of processing, generated from configuration", response: ProcessingRecord{}}, sa.getRecordOfProcessing)
}
