// Package partnership holds the members of a local Prevent partnership: organisations, the partnership itself,
// people, their roles and their vetting. Every read of people's details and every change is decided by
// internal/access and recorded in the audit log in the same transaction.
package partnership

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing/ackalert"
)

// Sector is the kind of organisation.
type Sector string

// The sectors of a Prevent partnership: the partners of the 2009 guide and those under today's Prevent duty.
const (
	Police         Sector = "police"
	LocalAuthority Sector = "local_authority"
	Education      Sector = "education"
	Health         Sector = "health"
	Probation      Sector = "probation"
	Prison         Sector = "prison"
	YouthJustice   Sector = "youth_justice"
	Immigration    Sector = "immigration"
	Community      Sector = "community"
	OtherSector    Sector = "other"
)

// Sectors lists the sectors with their display names, in display order.
var Sectors = []struct {
	Sector Sector
	Name   string
}{
	{Police, "Police force"},
	{LocalAuthority, "Local authority"},
	{Education, "School or college"},
	{Health, "Health"},
	{Probation, "Probation"},
	{Prison, "Prison"},
	{YouthJustice, "Youth justice"},
	{Immigration, "Immigration"},
	{Community, "Voluntary or community organisation"},
	{OtherSector, "Other"},
}

// String is the sector's display name.
func (s Sector) String() string {
	for _, x := range Sectors {
		if x.Sector == s {
			return x.Name
		}
	}
	return string(s)
}

// Valid reports whether s is a known sector.
func (s Sector) Valid() bool { return s.String() != string(s) }

// Organisation is a member organisation.
type Organisation struct {
	ID         prevent.ID
	Name       string
	Sector     Sector
	PublicBody bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Partnership is a local Prevent partnership.
type Partnership struct {
	ID        prevent.ID
	Name      string
	Area      string
	Region    string
	CreatedAt time.Time
	Members   []Organisation
}

// Service manages partnerships, organisations and people.
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

func (s *Service) decide(p prevent.Principal, a access.Action, r access.Resource, what string) error {
	if d := access.Decide(p, a, r, s.now()); !d.Allow {
		return access.NotFound(what)
	}
	return nil
}

func (s *Service) record(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, kind string, id, partnership prevent.ID, purpose, detail string) error {
	e := audit.New(ctx, s.now(), action, kind, id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = partnership
	e.Purpose = purpose
	e.Detail = detail
	_, err := audit.Append(ctx, tx, e)
	return err
}

// OrganisationInput is what an administrator enters for an organisation.
type OrganisationInput struct {
	Name       string
	Sector     string
	PublicBody string // "yes" or "no", as the form sends it
}

// Validate checks the input, returning field errors in form order.
func (in OrganisationInput) Validate() error {
	var f prevent.Fields
	name := strings.TrimSpace(in.Name)
	switch {
	case name == "":
		f.Add("name", "Enter the organisation’s name")
	case len(name) > 200:
		f.Add("name", "Organisation name must be 200 characters or fewer")
	}
	if !Sector(in.Sector).Valid() {
		f.Add("sector", "Select the organisation’s sector")
	}
	if in.PublicBody != "yes" && in.PublicBody != "no" {
		f.Add("public-body", "Select yes if the organisation is a public body")
	}
	return f.Err()
}

// Bootstrap creates a partnership outside any principal's authority: for the command line and the demo.
// It is audited as done by the system (actor 0).
func (s *Service) Bootstrap(ctx context.Context, name, area, region string) (prevent.ID, error) {
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO partnerships (name, area, region, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, name, area, region, now).Scan(&id); err != nil {
			if database.IsUniqueViolation(err) {
				return prevent.Errorf(prevent.Conflict, "A partnership called %s already exists", name)
			}
			return err
		}
		return s.record(ctx, tx, prevent.Principal{}, audit.Admin, "partnership", id, id, "set up the partnership", "created")
	})
	if err != nil {
		return 0, fmt.Errorf("partnership: bootstrap: %w", err)
	}
	return id, nil
}

// Partnerships lists the partnerships the principal belongs to.
func (s *Service) Partnerships(ctx context.Context, p prevent.Principal) ([]Partnership, error) {
	var out []Partnership
	for _, id := range p.Partnerships() {
		pt, err := s.Partnership(ctx, p, id)
		if err != nil {
			if prevent.ErrorKind(err) == prevent.NotFound {
				continue
			}
			return nil, err
		}
		out = append(out, pt)
	}
	return out, nil
}

// Partnership returns one partnership with its member organisations.
func (s *Service) Partnership(ctx context.Context, p prevent.Principal, id prevent.ID) (Partnership, error) {
	if err := s.decide(p, access.PartnershipView, access.Resource{Kind: "partnership", PartnershipID: id}, "Partnership"); err != nil {
		return Partnership{}, err
	}
	var pt Partnership
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, name, area, region, created_at FROM partnerships WHERE id = $1`, id).
		Scan(&pt.ID, &pt.Name, &pt.Area, &pt.Region, &pt.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return pt, access.NotFound("Partnership")
	}
	if err != nil {
		return pt, fmt.Errorf("partnership: get %d: %w", id, err)
	}
	pt.Members, err = s.members(ctx, s.db.Read(), id)
	return pt, err
}

func (s *Service) members(ctx context.Context, q database.Querier, partnershipID prevent.ID) ([]Organisation, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.name, o.sector, o.public_body, o.created_at, o.updated_at
		FROM organisations o JOIN partnership_organisations po ON po.organisation_id = o.id
		WHERE po.partnership_id = $1 ORDER BY lower(o.name)`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("partnership: members: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		var o Organisation
		if err := rows.Scan(&o.ID, &o.Name, &o.Sector, &o.PublicBody, &o.CreatedAt, &o.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdatePartnership changes a partnership's name, area and region.
func (s *Service) UpdatePartnership(ctx context.Context, p prevent.Principal, id prevent.ID, name, area, region string) error {
	if err := s.decide(p, access.PartnershipManage, access.Resource{Kind: "partnership", PartnershipID: id}, "Partnership"); err != nil {
		return err
	}
	var f prevent.Fields
	name, area, region = strings.TrimSpace(name), strings.TrimSpace(area), strings.TrimSpace(region)
	switch {
	case name == "":
		f.Add("name", "Enter the partnership’s name")
	case utf8.RuneCountInString(name) > 200:
		f.Add("name", "Partnership name must be 200 characters or fewer")
	}
	switch {
	case area == "":
		f.Add("area", "Enter the area the partnership covers")
	case utf8.RuneCountInString(area) > 200:
		f.Add("area", "Area must be 200 characters or fewer")
	}
	switch {
	case region == "":
		f.Add("region", "Enter the region")
	case utf8.RuneCountInString(region) > 200:
		f.Add("region", "Region must be 200 characters or fewer")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE partnerships SET name = $1, area = $2, region = $3, updated_at = $4 WHERE id = $5`,
			name, area, region, s.now(), id)
		if err != nil {
			if database.IsUniqueViolation(err) {
				return prevent.Validation([]prevent.FieldError{{Field: "name", Message: "A partnership with this name already exists"}})
			}
			return fmt.Errorf("partnership: update %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.NotFound("Partnership")
		}
		return s.record(ctx, tx, p, audit.Admin, "partnership", id, id, "partnership administration", "updated name, area, region")
	})
}

// Organisations lists the partnership's member organisations.
func (s *Service) Organisations(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Organisation, error) {
	if err := s.decide(p, access.OrganisationView, access.Resource{Kind: "organisation", PartnershipID: partnershipID}, "Partnership"); err != nil {
		return nil, err
	}
	return s.members(ctx, s.db.Read(), partnershipID)
}

// Organisation returns one member organisation of the partnership.
func (s *Service) Organisation(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) (Organisation, error) {
	if err := s.decide(p, access.OrganisationView, access.Resource{Kind: "organisation", PartnershipID: partnershipID}, "Organisation"); err != nil {
		return Organisation{}, err
	}
	var o Organisation
	err := s.db.Read().QueryRowContext(ctx, `SELECT o.id, o.name, o.sector, o.public_body, o.created_at, o.updated_at
		FROM organisations o JOIN partnership_organisations po ON po.organisation_id = o.id
		WHERE po.partnership_id = $1 AND o.id = $2`, partnershipID, id).
		Scan(&o.ID, &o.Name, &o.Sector, &o.PublicBody, &o.CreatedAt, &o.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return o, access.NotFound("Organisation")
	}
	if err != nil {
		return o, fmt.Errorf("partnership: organisation %d: %w", id, err)
	}
	return o, nil
}

// OwnOrganisationName is the name of the principal's own organisation ("" when it has none): a person may
// always know whom they work for.
func (s *Service) OwnOrganisationName(ctx context.Context, p prevent.Principal) (string, error) {
	var name string
	err := s.db.Read().QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, p.OrganisationID).Scan(&name)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("partnership: own organisation: %w", err)
	}
	return name, nil
}

// CreateOrganisation adds a new organisation as a member of the partnership.
func (s *Service) CreateOrganisation(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in OrganisationInput) (prevent.ID, error) {
	if err := s.decide(p, access.OrganisationManage, access.Resource{Kind: "organisation", PartnershipID: partnershipID}, "Partnership"); err != nil {
		return 0, err
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO organisations (name, sector, public_body, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, strings.TrimSpace(in.Name), in.Sector, in.PublicBody == "yes", now).Scan(&id)
		if database.IsUniqueViolation(err) {
			return prevent.Validation([]prevent.FieldError{{Field: "name", Message: "An organisation with this name already exists"}})
		}
		if err != nil {
			return fmt.Errorf("partnership: create organisation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO partnership_organisations (partnership_id, organisation_id, joined_at)
			VALUES ($1, $2, $3)`, partnershipID, id, now); err != nil {
			return fmt.Errorf("partnership: join organisation: %w", err)
		}
		return s.record(ctx, tx, p, audit.Admin, "organisation", id, partnershipID, "partnership administration", "created and joined the partnership")
	})
	return id, err
}

// UpdateOrganisation changes a member organisation. When it stops being marked as a public body, the data
// protection officers of every partnership where it is party to agreements are told which agreements that
// affects (an alert on their dashboard, in the same transaction): nothing is disclosed to it under them until
// its acknowledgement of its own data protection duties is recorded. Marked a public body again, its open
// alerts are closed.
func (s *Service) UpdateOrganisation(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, in OrganisationInput) error {
	if err := s.decide(p, access.OrganisationManage, access.Resource{Kind: "organisation", PartnershipID: partnershipID}, "Organisation"); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		var wasPublic bool
		err := tx.QueryRowContext(ctx, `SELECT public_body FROM organisations WHERE id = $1`, id).Scan(&wasPublic)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Organisation")
		}
		if err != nil {
			return fmt.Errorf("partnership: update organisation %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET name = $1, sector = $2, public_body = $3, updated_at = $4
			WHERE id = $5 AND id IN (SELECT organisation_id FROM partnership_organisations WHERE partnership_id = $6)`,
			strings.TrimSpace(in.Name), in.Sector, in.PublicBody == "yes", s.now(), id, partnershipID)
		if database.IsUniqueViolation(err) {
			return prevent.Validation([]prevent.FieldError{{Field: "name", Message: "An organisation with this name already exists"}})
		}
		if err != nil {
			return fmt.Errorf("partnership: update organisation %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.NotFound("Organisation")
		}
		detail := "updated"
		switch public := in.PublicBody == "yes"; {
		case wasPublic && !public:
			n, err := ackalert.Raise(ctx, tx, p, id, s.now())
			if err != nil {
				return err
			}
			detail += fmt.Sprintf("; no longer a public body: data protection officers alerted about %d agreements", n)
		case !wasPublic && public:
			if _, err := ackalert.Resolve(ctx, tx, p, id, 0, s.now(), "marked a public body again"); err != nil {
				return err
			}
			detail += "; now a public body"
		}
		return s.record(ctx, tx, p, audit.Admin, "organisation", id, partnershipID, "partnership administration", detail)
	})
}

// maxEmail is the longest email address that can be delivered: 254 characters (RFC 5321's path of 256, less
// its angle brackets).
const maxEmail = 254

func validEmail(s string) bool {
	if len(s) > maxEmail {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}
