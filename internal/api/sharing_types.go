package api

import (
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// The information-sharing governance bodies (internal/sharing). Codes (purposes, data categories, gateways,
// statuses) are the service's own; dates are "YYYY-MM-DD".

// SharingGateway is one version of a legal gateway; partnership_id is 0 for the national list.
type SharingGateway struct {
	PartnershipID  prevent.ID `json:"partnership_id"`
	Code           string     `json:"code"`
	Version        int        `json:"version"`
	Name           string     `json:"name"`
	Era            string     `json:"era"`
	Summary        string     `json:"summary"`
	WithoutConsent bool       `json:"without_consent"`
	Sectors        []string   `json:"sectors"`
	ValidFrom      Date       `json:"valid_from"`
	// ValidTo is the first day it no longer applies; null while current.
	ValidTo *Date `json:"valid_to"`
	InForce bool  `json:"in_force"`
}

// SharingGatewayList is every version of the gateways the partnership may use.
type SharingGatewayList struct {
	Items []SharingGateway `json:"items"`
}

// SharingGatewayInput is a local gateway or a new version of one.
type SharingGatewayInput struct {
	Code           string   `json:"code"`
	Name           string   `json:"name"`
	Summary        string   `json:"summary"`
	WithoutConsent bool     `json:"without_consent"`
	Sectors        []string `json:"sectors"`
	ValidFrom      *Date    `json:"valid_from"`
	ValidTo        *Date    `json:"valid_to"`
}

// Signatory is a person who signed an agreement for a party.
type Signatory struct {
	ID             prevent.ID `json:"id"`
	OrganisationID prevent.ID `json:"organisation_id"`
	Name           string     `json:"name"`
	JobTitle       string     `json:"job_title"`
	SignedOn       Date       `json:"signed_on"`
}

// Agreement is an information sharing agreement. Status is the status in force today (an agreement past
// its review date is expired whether or not that was recorded).
type Agreement struct {
	ID           prevent.ID        `json:"id"`
	Title        string            `json:"title"`
	Parties      []OrganisationRef `json:"parties"`
	Purposes     []string          `json:"purposes"`
	Categories   []string          `json:"categories"`
	Gateways     []string          `json:"gateways"`
	Retention    string            `json:"retention"`
	Disposal     string            `json:"disposal"`
	Security     string            `json:"security"`
	ReviewDate   Date              `json:"review_date"`
	Status       string            `json:"status"`
	StatusAt     time.Time         `json:"status_at"`
	StatusReason string            `json:"status_reason"`
	Signatories  []Signatory       `json:"signatories"`
	CreatedAt    time.Time         `json:"created_at"`
}

// AgreementList is the partnership's agreements, newest first.
type AgreementList struct {
	Items []Agreement `json:"items"`
}

// AgreementInput is a draft agreement, or its amendment.
type AgreementInput struct {
	Title      string       `json:"title"`
	Parties    []prevent.ID `json:"parties"`
	Purposes   []string     `json:"purposes"`
	Categories []string     `json:"categories"`
	Gateways   []string     `json:"gateways"`
	Retention  string       `json:"retention"`
	Disposal   string       `json:"disposal"`
	Security   string       `json:"security"`
	ReviewDate *Date        `json:"review_date"`
}

// SignatoryInput records a signature for a party.
type SignatoryInput struct {
	OrganisationID prevent.ID `json:"organisation_id"`
	Name           string     `json:"name"`
	JobTitle       string     `json:"job_title"`
	SignedOn       *Date      `json:"signed_on"`
}

// AgreementStatusInput moves an agreement to active, suspended or expired; suspending and expiring need a reason.
type AgreementStatusInput struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

// Acknowledgement is a non-public body's acknowledgement of its own data protection duties.
type Acknowledgement struct {
	ID             prevent.ID `json:"id"`
	AcknowledgedBy string     `json:"acknowledged_by"`
	AcknowledgedOn Date       `json:"acknowledged_on"`
	TextVersion    string     `json:"text_version"`
}

// AcknowledgementInput records an acknowledgement.
type AcknowledgementInput struct {
	AcknowledgedBy string `json:"acknowledged_by"`
	AcknowledgedOn *Date  `json:"acknowledged_on"`
	TextVersion    string `json:"text_version"`
}

// SharingMember is a member organisation with its latest acknowledgement (null when none, or not needed).
type SharingMember struct {
	ID              prevent.ID       `json:"id"`
	Name            string           `json:"name"`
	Sector          string           `json:"sector"`
	PublicBody      bool             `json:"public_body"`
	Acknowledgement *Acknowledgement `json:"acknowledgement"`
}

// SharingMemberList is the partnership's member organisations.
type SharingMemberList struct {
	Items []SharingMember `json:"items"`
}

// Disclosure is one row of the disclosure ledger.
type Disclosure struct {
	ID              prevent.ID   `json:"id"`
	AgreementID     prevent.ID   `json:"agreement_id"`
	FromOrg         prevent.ID   `json:"from_organisation_id"`
	ToOrg           prevent.ID   `json:"to_organisation_id"`
	Recipients      []prevent.ID `json:"recipients"`
	RecordKind      string       `json:"record_kind"`
	RecordID        prevent.ID   `json:"record_id"`
	Categories      []string     `json:"categories"`
	Fields          []string     `json:"fields"`
	Purpose         string       `json:"purpose"`
	ExpectedOutcome string       `json:"expected_outcome"`
	Gateway         string       `json:"gateway"`
	GatewayVersion  int          `json:"gateway_version"`
	Consent         string       `json:"consent"`
	ConsentReason   string       `json:"consent_reason"`
	Necessity       string       `json:"necessity"`
	DisclosedBy     prevent.ID   `json:"disclosed_by"`
	DisclosedAt     time.Time    `json:"disclosed_at"`
}

// DisclosureList is a page of the ledger, newest first; next is the cursor of the following page, null on the last.
type DisclosureList struct {
	Items []Disclosure `json:"items"`
	Next  *string      `json:"next"`
}

// SubjectAccessRequest is one entry of the subject access register.
type SubjectAccessRequest struct {
	ID              prevent.ID `json:"id"`
	Received        Date       `json:"received_on"`
	Requester       string     `json:"requester"`
	Subject         string     `json:"subject"`
	Regime          string     `json:"regime"`
	Status          string     `json:"status"`
	Extended        bool       `json:"extended"`
	ExtensionReason string     `json:"extension_reason"`
	CompletedOn     *Date      `json:"completed_on"`
	Due             Date       `json:"due_on"`
	Overdue         bool       `json:"overdue"`
}

// SubjectAccessList is the register: open requests by deadline, then completed ones.
type SubjectAccessList struct {
	Items []SubjectAccessRequest `json:"items"`
}

// SubjectAccessInput registers a request.
type SubjectAccessInput struct {
	Received  *Date  `json:"received_on"`
	Requester string `json:"requester"`
	Subject   string `json:"subject"`
	Regime    string `json:"regime"`
}

// ExtensionInput extends a request's deadline.
type ExtensionInput struct {
	Reason string `json:"reason"`
}

// CompletionInput records that a request was answered.
type CompletionInput struct {
	CompletedOn *Date `json:"completed_on"`
}

// RetentionRule keeps records of a class and outcome for months after closure; default is true for a
// default the partnership has not reviewed.
type RetentionRule struct {
	Class   string `json:"record_class"`
	Outcome string `json:"outcome"`
	Version int    `json:"version"`
	Months  int    `json:"months"`
	Source  string `json:"source"`
	Default bool   `json:"default"`
}

// RetentionRuleList is the rules in force, one per class and outcome.
type RetentionRuleList struct {
	Items []RetentionRule `json:"items"`
}

// RetentionInput sets a partnership's retention for a class and outcome.
type RetentionInput struct {
	Class   string `json:"record_class"`
	Outcome string `json:"outcome"`
	Months  int    `json:"months"`
	Source  string `json:"source"`
}

// SharingCount is a number of disclosures under a gateway or to an organisation.
type SharingCount struct {
	Key            string     `json:"key"`
	OrganisationID prevent.ID `json:"organisation_id"`
	Label          string     `json:"label"`
	Count          int        `json:"count"`
}

// ConsentCounts counts disclosures by consent status.
type ConsentCounts struct {
	Given     int `json:"given"`
	Refused   int `json:"refused"`
	NotSought int `json:"not_sought"`
}

// RequestDue is an open subject access request due soon or overdue, without names.
type RequestDue struct {
	ID       prevent.ID `json:"id"`
	Received Date       `json:"received_on"`
	Due      Date       `json:"due_on"`
	Extended bool       `json:"extended"`
	Overdue  bool       `json:"overdue"`
}

// SharingAlert says that sharing under an agreement is blocked.
type SharingAlert struct {
	AgreementID prevent.ID `json:"agreement_id"`
	Title       string     `json:"title"`
	Kind        string     `json:"kind"`
	Since       time.Time  `json:"since"`
	Message     string     `json:"message"`
}

// UnusualAccess is a member of staff whose distinct case records viewed in the window are far above the
// median for their role: a count to look into, not a finding. role_median is a decimal string.
type UnusualAccess struct {
	PersonID     prevent.ID   `json:"person_id"`
	Name         string       `json:"name"`
	Organisation string       `json:"organisation"`
	Role         prevent.Role `json:"role"`
	Records      int          `json:"records"`
	RoleMedian   string       `json:"role_median"`
	Peers        int          `json:"peers"`
}

// DataProtectionOverview is the data protection officer's view: counts and identifiers, no names of
// people referred.
type DataProtectionOverview struct {
	WindowDays    int             `json:"window_days"`
	ByGateway     []SharingCount  `json:"by_gateway"`
	ByRecipient   []SharingCount  `json:"by_recipient"`
	Consent       ConsentCounts   `json:"consent"`
	Expiring      []Agreement     `json:"expiring"`
	RequestsDue   []RequestDue    `json:"requests_due"`
	Alerts        []SharingAlert  `json:"alerts"`
	UnusualAccess []UnusualAccess `json:"unusual_access"`
	Retention     RetentionCounts `json:"retention"`
	// AcknowledgementAlerts are organisations party to agreements that are no longer marked as public bodies.
	AcknowledgementAlerts []AcknowledgementAlert `json:"acknowledgement_alerts"`
}

// RetentionCounts counts case records erased at the end of retention (in the window and in all) and the
// legal holds in force.
type RetentionCounts struct {
	// Due are closed cases past retention that the next daily run erases; Held are past retention but kept by
	// a legal hold.
	Due            int `json:"due"`
	Held           int `json:"held"`
	ErasedInWindow int `json:"erased_in_window"`
	ErasedTotal    int `json:"erased_total"`
	HoldsInForce   int `json:"holds_in_force"`
}

// ProcessingRecord is the UK GDPR Art 30 record of processing, generated from configuration.
type ProcessingRecord struct {
	Partnership string          `json:"partnership"`
	Area        string          `json:"area"`
	GeneratedAt time.Time       `json:"generated_at"`
	Controllers []SharingMember `json:"controllers"`
	// DataProtectionOfficers are "name, job title, organisation".
	DataProtectionOfficers []string         `json:"data_protection_officers"`
	Purposes               []string         `json:"purposes"`
	DataSubjects           []string         `json:"data_subjects"`
	Categories             []string         `json:"categories"`
	Recipients             []SharingMember  `json:"recipients"`
	Gateways               []SharingGateway `json:"gateways"`
	Retention              []RetentionRule  `json:"retention"`
	Security               []string         `json:"security"`
	Agreements             []prevent.ID     `json:"agreement_ids"`
	Transfers              string           `json:"transfers"`
}

// LegalHold keeps a case from erasure at the end of retention while it is in force (released_at null).
type LegalHold struct {
	ID            prevent.ID `json:"id"`
	RecordKind    string     `json:"record_kind"`
	RecordID      prevent.ID `json:"record_id"`
	Reason        string     `json:"reason"`
	PlacedBy      prevent.ID `json:"placed_by"`
	PlacedAt      time.Time  `json:"placed_at"`
	ReleasedAt    *time.Time `json:"released_at"`
	ReleaseReason string     `json:"release_reason"`
}

// LegalHoldList is the partnership's holds, those in force first.
type LegalHoldList struct {
	Items []LegalHold `json:"items"`
}

// LegalHoldInput places a hold on a case.
type LegalHoldInput struct {
	RecordID prevent.ID `json:"record_id"`
	Reason   string     `json:"reason"`
}

// ReleaseInput releases a hold.
type ReleaseInput struct {
	Reason string `json:"reason"`
}
