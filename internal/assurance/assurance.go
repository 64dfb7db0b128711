// Package assurance is a partnership's self-assessment of its own delivery: the frameworks it assesses itself
// against (NI35 and the Prevent duty toolkit for local authorities), as versioned reference data that an
// administrator may revise as a new version; its yearly assessments against one framework version, with a
// rating, narrative, evidence and improvement actions for each section, drafted, submitted and approved; and
// the year-on-year history of its ratings. Every method takes the acting principal, asks the access policy,
// and records each change in the audit log in the same transaction. See docs/assurance.md.
package assurance

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Service manages frameworks and self-assessments.
type Service struct {
	db  *database.DB
	now func() time.Time
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
	return &Service{db: d.DB, now: func() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }}
}

// DateLayout is how dates are written and stored: ISO 8601 calendar dates.
const DateLayout = "2006-01-02"

// Bounds on what people type. A narrative is a page or two of text, not a report: the report is the evidence.
const (
	MaxNarrative   = 5000
	MaxAction      = 1000
	MaxReason      = 2000
	MaxTitle       = 300
	MaxDescription = 1000
	MaxNote        = 2000
)

// The first and last financial years an assessment or a framework version may be for.
const (
	FirstYear = 2000
	LastYear  = 2100
)

// partnership ids of national framework versions (seeded by migration) are 0.
const national prevent.ID = 0

func (s *Service) decide(p prevent.Principal, a access.Action, partnershipID prevent.ID, what string) error {
	r := access.Resource{Kind: "self_assessment", PartnershipID: partnershipID}
	if d := access.Decide(p, a, r, s.now()); !d.Allow {
		return access.NotFound(what)
	}
	return nil
}

func (s *Service) record(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, kind string, id, partnershipID prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), action, kind, id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = partnershipID
	e.Purpose = "partnership self-assessment"
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("assurance: audit: %w", err)
	}
	return nil
}

// checkText adds a field error when a required text is empty or longer than max characters.
func checkText(f *prevent.Fields, field, value, missing string, max int) {
	v := strings.TrimSpace(value)
	switch {
	case v == "" && missing != "":
		f.Add(field, missing)
	case len([]rune(v)) > max:
		f.Add(field, fmt.Sprintf("Must be %d characters or fewer", max))
	}
}

// validDate reports whether s is a YYYY-MM-DD date.
func validDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}

// checkYear adds a field error unless year is a financial year the service accepts.
func checkYear(f *prevent.Fields, field string, year int, missing string) {
	if year < FirstYear || year > LastYear {
		f.Add(field, missing)
	}
}

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,59}$`)

// memberOrg reports whether org belongs to the partnership.
func memberOrg(ctx context.Context, q database.Querier, partnershipID, org prevent.ID) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM partnership_organisations WHERE partnership_id = $1 AND organisation_id = $2`,
		partnershipID, org).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("assurance: member organisation: %w", err)
	}
	return n > 0, nil
}
