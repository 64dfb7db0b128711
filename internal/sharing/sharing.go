// Package sharing makes information sharing lawful by construction: legal
// gateways as versioned reference data, information sharing agreements between member organisations, the
// enforced disclosure ledger, the notices to organisations that received a record's data, and the data
// protection officer's view. The rights of data subjects, retention rules among them, are internal/rights',
// which sits above sharing. Every method takes the acting principal, decides through internal/access, and
// writes its change and its audit entry in one transaction; inside a transaction it reads only through the
// transaction.
package sharing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// dateLayout is how days (valid dates, review dates, receipt of a request) are stored.
const dateLayout = "2006-01-02"

// Service runs information-sharing governance.
type Service struct {
	db     *database.DB
	now    func() time.Time
	decide func(prevent.Principal, access.Action, access.Resource, time.Time) access.Decision
}

// Deps are what the Service needs.
type Deps struct {
	DB  *database.DB
	Now func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{db: d.DB, now: func() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }, decide: access.Decide}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// authorise decides whether p may take action on a governance record of the partnership; a refusal is
// NotFound naming what, so that nothing is revealed.
func (s *Service) authorise(p prevent.Principal, a access.Action, kind string, partnership prevent.ID, what string) error {
	if d := s.decide(p, a, access.Resource{Kind: kind, PartnershipID: partnership}, s.now()); !d.Allow {
		return access.NotFound(what)
	}
	return nil
}

// record appends an audit entry inside tx.
func (s *Service) record(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, kind string, id, partnership prevent.ID, purpose, detail string) error {
	e := audit.New(ctx, s.now(), action, kind, id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = partnership
	e.Purpose = purpose
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("sharing: audit: %w", err)
	}
	return nil
}

// Category is a category of personal data, from a small controlled list.
type Category string

// The data categories.
const (
	Identity        Category = "identity"
	Contact         Category = "contact"
	ConcernData     Category = "concern"
	Assessment      Category = "assessment"
	Health          Category = "health"
	EducationData   Category = "education"
	CriminalOffence Category = "criminal-offence"
	Family          Category = "family"
	SupportPlan     Category = "support-plan"
	SocialCare      Category = "social-care"
	Beliefs         Category = "beliefs"
)

// Categories lists the data categories with their display names, in display order.
var Categories = []struct {
	Category Category
	Name     string
}{
	{Identity, "Identity (name, date of birth, identifiers)"},
	{Contact, "Contact details and address"},
	{ConcernData, "The concern and how it came to light"},
	{Assessment, "Assessments of vulnerability and needs"},
	{Health, "Health, including mental health"},
	{EducationData, "Education and employment"},
	{CriminalOffence, "Criminal offences, alleged or proven"},
	{Family, "Family members and associates"},
	{SupportPlan, "Support plan and interventions"},
	{SocialCare, "Social care involvement"},
	{Beliefs, "Religious or political beliefs"},
}

// String is the category's display name.
func (c Category) String() string {
	for _, x := range Categories {
		if x.Category == c {
			return x.Name
		}
	}
	return string(c)
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return c.String() != string(c) }

// Special reports whether the category is special category data (UK GDPR Art 9) or criminal-offence data
// (Art 10), which need an extra condition.
func (c Category) Special() bool { return c == Health || c == Beliefs || c == CriminalOffence }

// Purpose is why information is shared, from a controlled list so that agreements and disclosures match.
type Purpose string

// The purposes of sharing.
const (
	ReferralTriage     Purpose = "referral_triage"
	ChannelScreening   Purpose = "channel_screening"
	ChannelPanel       Purpose = "channel_panel"
	SupportDelivery    Purpose = "support_delivery"
	OffenderManagement Purpose = "offender_management"
	Safeguarding       Purpose = "safeguarding"
	CaseReview         Purpose = "case_review"
)

// Purposes lists the purposes with their display names, in display order.
var Purposes = []struct {
	Purpose Purpose
	Name    string
}{
	{ReferralTriage, "Police triage and deconfliction of a referral"},
	{ChannelScreening, "Channel screening and information gathering"},
	{ChannelPanel, "Discussion at a multi-agency panel"},
	{SupportDelivery, "Delivering a support plan or intervention"},
	{OffenderManagement, "Probation purposes and offender management"},
	{Safeguarding, "Safeguarding a child or an adult at risk"},
	{CaseReview, "Review after support ends"},
}

// String is the purpose's display name.
func (x Purpose) String() string {
	for _, y := range Purposes {
		if y.Purpose == x {
			return y.Name
		}
	}
	return string(x)
}

// Valid reports whether x is a known purpose.
func (x Purpose) Valid() bool { return x.String() != string(x) }

// Consent is the consent status of a disclosure.
type Consent string

// The consent statuses.
const (
	ConsentGiven     Consent = "given"
	ConsentRefused   Consent = "refused"
	ConsentNotSought Consent = "not_sought"
)

// Valid reports whether c is a known consent status.
func (c Consent) Valid() bool {
	return c == ConsentGiven || c == ConsentRefused || c == ConsentNotSought
}

// list stores codes as one space-separated text.
func joinList[T ~string](xs []T) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return strings.Join(out, " ")
}

func splitList[T ~string](s string) []T {
	var out []T
	for _, f := range strings.Fields(s) {
		out = append(out, T(f))
	}
	return out
}

// uniq returns xs trimmed, without empties and duplicates, in first-seen order.
func uniq[T ~string](xs []T) []T {
	var out []T
	for _, x := range xs {
		x = T(strings.TrimSpace(string(x)))
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func day(t time.Time) string { return t.UTC().Format(dateLayout) }

func parseDay(s string) time.Time {
	t, _ := time.Parse(dateLayout, s)
	return t
}

// organisation is what sharing needs to know about a member organisation.
type organisation struct {
	ID         prevent.ID
	Name       string
	Sector     string
	PublicBody bool
}

// memberOrganisation loads an organisation that is a member of the partnership, through q.
func memberOrganisation(ctx context.Context, q database.Querier, partnership, id prevent.ID) (organisation, bool, error) {
	o := organisation{ID: id}
	err := q.QueryRowContext(ctx, `SELECT o.name, o.sector, o.public_body FROM organisations o
		JOIN partnership_organisations po ON po.organisation_id = o.id AND po.partnership_id = $1
		WHERE o.id = $2`, partnership, id).Scan(&o.Name, &o.Sector, &o.PublicBody)
	if err != nil {
		if isNoRows(err) {
			return o, false, nil
		}
		return o, false, fmt.Errorf("sharing: organisation %d: %w", id, err)
	}
	return o, true, nil
}
