package api

import (
	"encoding/json"
	"time"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// The bodies the API sends and accepts. Member names are snake_case; times are RFC 3339 in UTC; dates are
// "YYYY-MM-DD". The OpenAPI schemas are generated from these types, so they are the one description.

// Date is a calendar date, written "YYYY-MM-DD".
type Date time.Time

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Time(d).UTC().Format(time.DateOnly))
}

// UnmarshalJSON reads a "YYYY-MM-DD" date. Anything else is refused with an error that encoding/json names
// the member in, so the problem says which member should have held a date.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errNotDate(string(b))
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return errNotDate("string")
	}
	*d = Date(t)
	return nil
}

// Me is the authenticated principal's own account.
type Me struct {
	ID           prevent.ID       `json:"id"`
	Name         string           `json:"name"`
	Email        string           `json:"email"`
	Organisation OrganisationRef  `json:"organisation"`
	Memberships  []MembershipRole `json:"memberships"`
	Clearance    Clearance        `json:"clearance"`
}

// OrganisationRef names an organisation.
type OrganisationRef struct {
	ID   prevent.ID `json:"id"`
	Name string     `json:"name"`
}

// MembershipRole is the roles held in one partnership.
type MembershipRole struct {
	PartnershipID prevent.ID     `json:"partnership_id"`
	Roles         []prevent.Role `json:"roles"`
}

// Clearance is the vetting level in force now ("none" once expired) and when it expires.
type Clearance struct {
	Level     string `json:"level" enum:"vetting"`
	Name      string `json:"name"`
	ExpiresOn *Date  `json:"expires_on"`
}

// Partnership is a local Prevent partnership and its member organisations.
type Partnership struct {
	ID        prevent.ID     `json:"id"`
	Name      string         `json:"name"`
	Area      string         `json:"area"`
	Region    string         `json:"region"`
	CreatedAt time.Time      `json:"created_at"`
	Members   []Organisation `json:"members"`
}

// PartnershipList is the partnerships of the principal.
type PartnershipList struct {
	Items []Partnership `json:"items"`
}

// PartnershipInput replaces a partnership's details (PUT).
type PartnershipInput struct {
	Name   string `json:"name"`
	Area   string `json:"area"`
	Region string `json:"region"`
}

// PartnershipPatch changes some of a partnership's details (PATCH); absent members are left as they are.
type PartnershipPatch struct {
	Name   *string `json:"name"`
	Area   *string `json:"area"`
	Region *string `json:"region"`
}

// Organisation is a member organisation.
type Organisation struct {
	ID         prevent.ID `json:"id"`
	Name       string     `json:"name"`
	Sector     string     `json:"sector" enum:"sectors"`
	PublicBody bool       `json:"public_body"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// OrganisationList is a partnership's member organisations.
type OrganisationList struct {
	Items []Organisation `json:"items"`
}

// OrganisationInput creates or replaces an organisation.
type OrganisationInput struct {
	Name       string `json:"name"`
	Sector     string `json:"sector" enum:"sectors"`
	PublicBody *bool  `json:"public_body"`
}

// Person is a member of staff with their roles in the partnership and their vetting history.
type Person struct {
	ID               prevent.ID      `json:"id"`
	OrganisationID   prevent.ID      `json:"organisation_id"`
	OrganisationName string          `json:"organisation_name"`
	Name             string          `json:"name"`
	Email            string          `json:"email"`
	JobTitle         string          `json:"job_title"`
	Disabled         bool            `json:"disabled"`
	HasPassword      bool            `json:"has_password"`
	Locked           bool            `json:"locked"`
	Roles            []prevent.Role  `json:"roles"`
	Vetting          []VettingRecord `json:"vetting"`
	CreatedAt        time.Time       `json:"created_at"`
}

// VettingRecord is one grant of vetting.
type VettingRecord struct {
	ID        prevent.ID `json:"id"`
	Level     string     `json:"level" enum:"vetting"`
	GrantedOn Date       `json:"granted_on"`
	ExpiresOn *Date      `json:"expires_on"`
	Sponsor   string     `json:"sponsor"`
}

// PersonList is one page of people, ordered by name. Next is the cursor for the following page, null on
// the last.
type PersonList struct {
	Items []Person `json:"items"`
	Next  *string  `json:"next"`
}

// PersonInput creates or replaces a person's details and roles.
type PersonInput struct {
	Name           string     `json:"name"`
	Email          string     `json:"email"`
	JobTitle       string     `json:"job_title"`
	OrganisationID prevent.ID `json:"organisation_id"`
	Roles          []string   `json:"roles" enum:"roles"`
}

// PersonCreated is a new person and the path of their one-time account set-up link, shown once.
type PersonCreated struct {
	Person   Person `json:"person"`
	SetupURL string `json:"setup_url"`
}

// VettingInput records a vetting grant. Dates are "YYYY-MM-DD"; expires_on may be omitted.
type VettingInput struct {
	Level     string `json:"level" enum:"vetting"`
	GrantedOn string `json:"granted_on"`
	ExpiresOn string `json:"expires_on"`
	Sponsor   string `json:"sponsor"`
}

// Token describes one of the principal's API tokens. The secret is never shown again after creation.
type Token struct {
	ID         prevent.ID `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// TokenList is the principal's API tokens.
type TokenList struct {
	Items []Token `json:"items"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func datePtr(t time.Time) *Date {
	if t.IsZero() {
		return nil
	}
	d := Date(t)
	return &d
}

func organisationOut(o partnership.Organisation) Organisation {
	return Organisation{ID: o.ID, Name: o.Name, Sector: string(o.Sector), PublicBody: o.PublicBody,
		CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
}

func partnershipOut(p partnership.Partnership) Partnership {
	out := Partnership{ID: p.ID, Name: p.Name, Area: p.Area, Region: p.Region, CreatedAt: p.CreatedAt.UTC(),
		Members: []Organisation{}}
	for _, o := range p.Members {
		out.Members = append(out.Members, organisationOut(o))
	}
	return out
}

func personOut(p partnership.Person) Person {
	out := Person{ID: p.ID, OrganisationID: p.OrganisationID, OrganisationName: p.OrganisationName, Name: p.Name,
		Email: p.Email, JobTitle: p.JobTitle, Disabled: p.Disabled, HasPassword: p.HasPassword, Locked: p.Locked,
		Roles: append([]prevent.Role{}, p.Roles...), Vetting: []VettingRecord{}, CreatedAt: p.CreatedAt.UTC()}
	for _, v := range p.Vetting {
		out.Vetting = append(out.Vetting, VettingRecord{ID: v.ID, Level: v.Level.Code(), GrantedOn: Date(v.GrantedOn),
			ExpiresOn: datePtr(v.ExpiresOn), Sponsor: v.Sponsor})
	}
	return out
}

// DisclosureInput is what every action that shares a case with another organisation records (as Annex 1 of the 2009 guide asks):
// the data categories (identity, contact, concern, assessment, health, education, criminal-offence, family,
// support-plan, social-care, beliefs) and optionally the case's fields; the purpose (referral_triage,
// channel_screening, channel_panel, support_delivery, offender_management, safeguarding, case_review) and
// the expected outcome; the legal gateway's code (GET the gateways in force from the sharing pages); the
// consent status (given, refused or not_sought) with its reason unless given; and the necessity and
// proportionality statement. It must fall under an information sharing agreement in force between the two
// organisations, or the action is refused with 422 and an error per missing element.
type DisclosureInput struct {
	Categories      []string `json:"categories"`
	Fields          []string `json:"fields,omitempty"`
	Purpose         string   `json:"purpose"`
	ExpectedOutcome string   `json:"expected_outcome"`
	Gateway         string   `json:"gateway"`
	Consent         string   `json:"consent"`
	ConsentReason   string   `json:"consent_reason,omitempty"`
	Necessity       string   `json:"necessity"`
}

// domain is the part of a disclosure the caller fills; the case and the parties are filled by casework.
func (d DisclosureInput) domain() sharing.DisclosureInput {
	in := sharing.DisclosureInput{Fields: d.Fields, Purpose: sharing.Purpose(d.Purpose), ExpectedOutcome: d.ExpectedOutcome,
		Gateway: d.Gateway, Consent: sharing.Consent(d.Consent), ConsentReason: d.ConsentReason, Necessity: d.Necessity}
	for _, c := range d.Categories {
		in.Categories = append(in.Categories, sharing.Category(c))
	}
	return in
}

// disclosureFields maps a refused disclosure's field names to JSON member names.
var disclosureFields = map[string]string{
	"categories": "disclosure.categories", "fields": "disclosure.fields", "purpose": "disclosure.purpose",
	"expected-outcome": "disclosure.expected_outcome", "gateway": "disclosure.gateway", "consent": "disclosure.consent",
	"consent-reason": "disclosure.consent_reason", "necessity": "disclosure.necessity",
	"agreement": "disclosure", "from": "disclosure", "record": "disclosure", "acknowledgement": "disclosure", "to": "organisation_id",
	"recipients": "recipients",
}

// withDisclosureFields is disclosureFields with names added, names winning: the member names of an operation
// that makes a disclosure as part of something else (who receives it is then often named by another member).
func withDisclosureFields(names map[string]string) map[string]string {
	m := make(map[string]string, len(disclosureFields)+len(names))
	for k, v := range disclosureFields {
		m[k] = v
	}
	for k, v := range names {
		m[k] = v
	}
	return m
}

// ShareRequest is the body of POST /partnerships/{pid}/cases/{id}/shares: share a case with another
// organisation of the partnership and, optionally, some of its people (who are assigned to the case).
type ShareRequest struct {
	OrganisationID prevent.ID      `json:"organisation_id"`
	Recipients     []prevent.ID    `json:"recipients,omitempty"`
	Disclosure     DisclosureInput `json:"disclosure"`
}

// Share is a recorded share of a case: the disclosure's id in the ledger.
type Share struct {
	DisclosureID   prevent.ID   `json:"disclosure_id"`
	CaseID         prevent.ID   `json:"case_id"`
	OrganisationID prevent.ID   `json:"organisation_id"`
	Recipients     []prevent.ID `json:"recipients"`
}

// InformationRequestCreate is the body of POST /partnerships/{pid}/cases/{id}/information-requests: a
// screening request to a partner organisation. Asking another organisation than the caller's shares the
// case with it, so the disclosure is required then (ignored for the caller's own organisation).
type InformationRequestCreate struct {
	OrganisationID prevent.ID      `json:"organisation_id"`
	Asked          string          `json:"asked"`
	Why            string          `json:"why"`
	Due            Date            `json:"due"`
	Disclosure     DisclosureInput `json:"disclosure"`
}

// InformationRequestCreated is a sent information request.
type InformationRequestCreated struct {
	ID             prevent.ID `json:"id"`
	CaseID         prevent.ID `json:"case_id"`
	OrganisationID prevent.ID `json:"organisation_id"`
}
