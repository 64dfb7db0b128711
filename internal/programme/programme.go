// Package programme is the partnership's programme of action: objective frameworks, the yearly delivery plan
// and its versions, projects with milestones, impacts and evaluation, governance, funding and commissioning,
// shared-values due diligence, training and the resources library. Every method takes the acting principal,
// asks the access policy, and records each change in the audit log in the same transaction.
package programme

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Service manages the programme of action.
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

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// today is the service clock's date, as stored.
func (s *Service) today() string { return s.now().Format(DateLayout) }

// DateLayout is how dates are written and stored: ISO 8601 calendar dates.
const DateLayout = "2006-01-02"

// validDate reports whether s is a YYYY-MM-DD date.
func validDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}

// FormatDate renders a stored date for people, "1 March 2026"; an unparseable date is returned as it is.
func FormatDate(s string) string {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return s
	}
	return t.Format("2 January 2006")
}

func (s *Service) decide(p prevent.Principal, a access.Action, partnershipID prevent.ID, m prevent.Marking, what string) error {
	r := access.Resource{Kind: "programme", PartnershipID: partnershipID, Marking: m}
	if d := access.Decide(p, a, r, s.now()); !d.Allow {
		return access.NotFound(what)
	}
	return nil
}

func (s *Service) record(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, kind string, id, partnershipID prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), action, kind, id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = partnershipID
	e.Purpose = "programme of action"
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("programme: audit: %w", err)
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

// memberOrg reports whether org belongs to the partnership.
func memberOrg(ctx context.Context, q database.Querier, partnershipID, org prevent.ID) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM partnership_organisations WHERE partnership_id = $1 AND organisation_id = $2`,
		partnershipID, org).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("programme: member organisation: %w", err)
	}
	return n > 0, nil
}

// memberPerson reports whether the person holds a role in the partnership.
func memberPerson(ctx context.Context, q database.Querier, partnershipID, person prevent.ID) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE partnership_id = $1 AND person_id = $2`,
		partnershipID, person).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("programme: member person: %w", err)
	}
	return n > 0, nil
}

// Framework names an objective framework.
type Framework string

// The objective frameworks.
const (
	// Prevent2009 is the "5+2": five objectives and two enablers of the 2008–2011 strategy.
	Prevent2009 Framework = "prevent-2009"
	// Contest2023 is the current three objectives of CONTEST 2023.
	Contest2023 Framework = "contest-2023"
)

// Objective is one objective or enabler of a framework, valid from ValidFrom until ValidTo (empty while current).
type Objective struct {
	Framework Framework
	Code      string
	Kind      string // "objective" or "enabler"
	Title     string
	ValidFrom string
	ValidTo   string
}

// Tag is how an activity names an objective: "framework:code", such as "contest-2023:A".
func (o Objective) Tag() string { return string(o.Framework) + ":" + o.Code }

// Current reports whether the objective is in force on date (YYYY-MM-DD).
func (o Objective) Current(date string) bool {
	return o.ValidFrom <= date && (o.ValidTo == "" || date < o.ValidTo)
}

// Objectives lists every objective of every framework (reference data: any signed-in member may read it).
func (s *Service) Objectives(ctx context.Context) ([]Objective, error) {
	return objectives(ctx, s.db.Read())
}

func objectives(ctx context.Context, q database.Querier) ([]Objective, error) {
	rows, err := q.QueryContext(ctx, `SELECT framework, code, kind, title, valid_from, COALESCE(valid_to, '')
		FROM programme_objectives ORDER BY framework DESC, sort`)
	if err != nil {
		return nil, fmt.Errorf("programme: objectives: %w", err)
	}
	defer rows.Close()
	var out []Objective
	for rows.Next() {
		var o Objective
		if err := rows.Scan(&o.Framework, &o.Code, &o.Kind, &o.Title, &o.ValidFrom, &o.ValidTo); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// parseTag splits "framework:code".
func parseTag(tag string) (Framework, string, bool) {
	fw, code, ok := strings.Cut(tag, ":")
	return Framework(fw), code, ok && fw != "" && code != ""
}
