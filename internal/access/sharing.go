package access

import (
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Actions on information-sharing governance (internal/sharing): legal gateways, information sharing
// agreements, the disclosure ledger, subject access requests and retention rules.
const (
	// GatewayView: read the legal gateways (reference data, no personal data).
	GatewayView Action = "gateway.view"
	// GatewayManage: add a partnership's local gateways.
	GatewayManage Action = "gateway.manage"
	// AgreementView: read information sharing agreements.
	AgreementView Action = "agreement.view"
	// AgreementManage: draft agreements, record signatories and acknowledgements, activate, suspend, expire.
	AgreementManage Action = "agreement.manage"
	// Disclose: record a disclosure of a record to another organisation (as part of a casework action).
	Disclose Action = "sharing.disclose"
	// DisclosureView: read the disclosure ledger.
	DisclosureView Action = "disclosure.view"
	// SubjectAccessManage: keep the subject access request register.
	SubjectAccessManage Action = "subject-access.manage"
	// RetentionView: read the retention rules.
	RetentionView Action = "retention.view"
	// RetentionManage: set retention rules.
	RetentionManage Action = "retention.manage"
	// DataProtectionView: the data protection officer's view and alerts.
	DataProtectionView Action = "data-protection.view"
	// NoticeWork: see and complete the notices sent to one's own organisation (consent to share withdrawn,
	// a record rectified); DecideNotice adds the organisation check.
	NoticeWork Action = "sharing-notice.work"
	// NoticeOversee: see every notice of the partnership and whether it is overdue (the DPO).
	NoticeOversee Action = "sharing-notice.oversee"
	// LegalHoldView: see which records are under a legal hold.
	LegalHoldView Action = "legal-hold.view"
	// LegalHoldManage: place and release legal holds, which stop the retention job erasing a record.
	LegalHoldManage Action = "legal-hold.manage"
	// CaseRectify: correct the identity and contact details of the person a case is about (UK GDPR Art 16).
	CaseRectify Action = "case.rectify"
)

// sharingActions is the information-sharing part of the permission table, to be merged into permitted.
//
// The data protection officer runs governance: agreements, the ledger, subject access, retention and the
// DPO view. Administrators set up the partnership, so they add local gateways and keep agreements too.
// Everyone who works cases may disclose (each disclosure is then checked against an agreement) and reads
// the gateways and agreements that govern their sharing; referrers read gateways only. Every role that works
// cases sees and completes the notices sent to its own organisation (consent to share withdrawn, a record
// rectified; DecideNotice checks the organisation), and the DPO oversees them all. The DPO places and
// releases legal holds, which keep a record from the retention job. Coordinators and police
// officers, who hold case records across the partnership, correct a person's identity and contact details.
// Auditors read everything the DPO reads but change nothing. Analysts see reference data only.
var sharingActions = map[prevent.Role][]Action{
	prevent.Administrator: {GatewayView, GatewayManage, AgreementView, AgreementManage, RetentionView},
	prevent.Coordinator:   {GatewayView, AgreementView, Disclose, NoticeWork, CaseRectify},
	prevent.PoliceOfficer: {GatewayView, AgreementView, Disclose, NoticeWork, CaseRectify},
	prevent.Referrer:      {GatewayView, Disclose, NoticeWork},
	prevent.PanelChair:    {GatewayView, AgreementView, Disclose, NoticeWork},
	prevent.PanelMember:   {GatewayView, AgreementView, Disclose, NoticeWork},
	prevent.Provider:      {GatewayView, AgreementView, Disclose, NoticeWork},
	prevent.Analyst:       {GatewayView},
	prevent.DataProtection: {GatewayView, GatewayManage, AgreementView, AgreementManage, DisclosureView,
		SubjectAccessManage, RetentionView, RetentionManage, DataProtectionView, NoticeOversee, LegalHoldView, LegalHoldManage},
	prevent.Auditor: {GatewayView, AgreementView, DisclosureView, RetentionView, DataProtectionView, LegalHoldView},
}

// SharingActions returns the information-sharing actions a role permits (for help pages and tests).
func SharingActions(r prevent.Role) []Action { return slices.Clone(sharingActions[r]) }

// DecideNotice answers whether p may take action (NoticeWork or NoticeOversee) on a notice sent to the
// organisation toOrg in a partnership: NoticeWork only for people of that organisation.
func DecideNotice(p prevent.Principal, action Action, partnership, toOrg prevent.ID, now time.Time) Decision {
	d := Decide(p, action, Resource{Kind: "sharing_notice", PartnershipID: partnership}, now)
	if !d.Allow || action == NoticeOversee {
		return d
	}
	if p.OrganisationID != toOrg {
		return deny("the notice was sent to another organisation")
	}
	return d
}
