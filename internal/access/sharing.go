package access

import (
	"slices"

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
)

// sharingActions is the information-sharing part of the permission table, to be merged into permitted.
//
// The data protection officer runs governance: agreements, the ledger, subject access, retention and the
// DPO view. Administrators set up the partnership, so they add local gateways and keep agreements too.
// Everyone who works cases may disclose (each disclosure is then checked against an agreement) and reads
// the gateways and agreements that govern their sharing; referrers read gateways only. Auditors read
// everything the DPO reads but change nothing. Analysts see reference data only.
var sharingActions = map[prevent.Role][]Action{
	prevent.Administrator: {GatewayView, GatewayManage, AgreementView, AgreementManage, RetentionView},
	prevent.Coordinator:   {GatewayView, AgreementView, Disclose},
	prevent.PoliceOfficer: {GatewayView, AgreementView, Disclose},
	prevent.Referrer:      {GatewayView, Disclose},
	prevent.PanelChair:    {GatewayView, AgreementView, Disclose},
	prevent.PanelMember:   {GatewayView, AgreementView, Disclose},
	prevent.Provider:      {GatewayView, AgreementView, Disclose},
	prevent.Analyst:       {GatewayView},
	prevent.DataProtection: {GatewayView, GatewayManage, AgreementView, AgreementManage, DisclosureView,
		SubjectAccessManage, RetentionView, RetentionManage, DataProtectionView},
	prevent.Auditor: {GatewayView, AgreementView, DisclosureView, RetentionView, DataProtectionView},
}

// SharingActions returns the information-sharing actions a role permits (for help pages and tests).
func SharingActions(r prevent.Role) []Action { return slices.Clone(sharingActions[r]) }
