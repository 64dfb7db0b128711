package partnership

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// SetupValidFor is how long an account set-up link works.
const SetupValidFor = 72 * time.Hour

// Person is a member of staff of a member organisation, with the roles they hold in the partnership.
type Person struct {
	ID               prevent.ID
	OrganisationID   prevent.ID
	OrganisationName string
	Name             string
	Email            string
	JobTitle         string
	Disabled         bool
	HasPassword      bool
	Locked           bool
	Roles            []prevent.Role
	Vetting          []VettingRecord
	CreatedAt        time.Time
}

// CurrentVetting returns the level in force at now (the highest unexpired record) and its expiry.
func (p Person) CurrentVetting(now time.Time) prevent.Clearance {
	var c prevent.Clearance
	for _, v := range p.Vetting {
		if v.GrantedOn.After(now) || (!v.ExpiresOn.IsZero() && !now.Before(v.ExpiresOn)) {
			continue
		}
		if v.Level > c.Level {
			c = prevent.Clearance{Level: v.Level, Expires: v.ExpiresOn}
		}
	}
	return c
}

// VettingRecord is one grant of vetting.
type VettingRecord struct {
	ID        prevent.ID
	Level     prevent.Vetting
	GrantedOn time.Time
	ExpiresOn time.Time // zero when none recorded
	Sponsor   string
}

// PersonInput is what an administrator enters for a person.
type PersonInput struct {
	Name           string
	Email          string
	JobTitle       string
	OrganisationID prevent.ID
	Roles          []string
}

// Validate checks the input in form order.
func (in PersonInput) Validate() error {
	var f prevent.Fields
	if strings.TrimSpace(in.Name) == "" {
		f.Add("name", "Enter the person’s full name")
	} else if len(in.Name) > 200 {
		f.Add("name", "Full name must be 200 characters or fewer")
	}
	email := strings.TrimSpace(in.Email)
	switch {
	case email == "":
		f.Add("email", "Enter an email address")
	case !validEmail(email):
		f.Add("email", "Enter an email address in the correct format, like name@example.gov.uk")
	}
	if len(in.JobTitle) > 200 {
		f.Add("job-title", "Job title must be 200 characters or fewer")
	}
	if in.OrganisationID == 0 {
		f.Add("organisation", "Select the person’s organisation")
	}
	for _, r := range in.Roles {
		if !prevent.Role(r).Valid() {
			f.Add("roles", "Select roles from the list")
			break
		}
	}
	return f.Err()
}

const personColumns = `p.id, p.organisation_id, o.name, p.name, p.email, p.job_title, p.disabled_at IS NOT NULL,
	p.password_hash <> '', p.locked_until IS NOT NULL AND p.locked_until > $1, p.created_at`

func scanPerson(sc interface{ Scan(...any) error }) (Person, error) {
	var p Person
	err := sc.Scan(&p.ID, &p.OrganisationID, &p.OrganisationName, &p.Name, &p.Email, &p.JobTitle, &p.Disabled,
		&p.HasPassword, &p.Locked, &p.CreatedAt)
	return p, err
}

// inPartnership is the SQL condition that a person (alias p) is a member of partnership $2: through a role
// there, or through an organisation that belongs to it.
const inPartnership = `(p.organisation_id IN (SELECT organisation_id FROM partnership_organisations WHERE partnership_id = $2)
	OR p.id IN (SELECT person_id FROM memberships WHERE partnership_id = $2))`

// PeopleFilter narrows the people list.
type PeopleFilter struct {
	OrganisationID prevent.ID
	// After is the keyset cursor: the last (name, id) of the previous page.
	AfterName string
	AfterID   prevent.ID
	Limit     int
}

// People lists the partnership's people by name, a page at a time. Staff names and emails are personal data,
// so the listing is audited.
func (s *Service) People(ctx context.Context, pr prevent.Principal, partnershipID prevent.ID, f PeopleFilter) ([]Person, error) {
	if err := s.decide(pr, access.PersonView, access.Resource{Kind: "person", PartnershipID: partnershipID}, "Partnership"); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []Person
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		q := `SELECT ` + personColumns + ` FROM people p JOIN organisations o ON o.id = p.organisation_id
			WHERE ` + inPartnership + ` AND ($3 = 0 OR p.organisation_id = $3)
			AND (lower(p.name) > $4 OR (lower(p.name) = $4 AND p.id > $5))
			ORDER BY lower(p.name), p.id LIMIT $6`
		rows, err := tx.QueryContext(ctx, q, s.now(), partnershipID, f.OrganisationID, strings.ToLower(f.AfterName), f.AfterID, f.Limit)
		if err != nil {
			return fmt.Errorf("partnership: people: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPerson(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.loadRoles(ctx, tx, partnershipID, out); err != nil {
			return err
		}
		return s.record(ctx, tx, pr, audit.Consult, "person", 0, partnershipID, "partnership administration",
			fmt.Sprintf("listed %d people", len(out)))
	})
	return out, err
}

func (s *Service) loadRoles(ctx context.Context, q database.Querier, partnershipID prevent.ID, people []Person) error {
	for i := range people {
		rows, err := q.QueryContext(ctx, `SELECT role FROM memberships WHERE person_id = $1 AND partnership_id = $2 ORDER BY role`,
			people[i].ID, partnershipID)
		if err != nil {
			return fmt.Errorf("partnership: roles: %w", err)
		}
		for rows.Next() {
			var r prevent.Role
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return err
			}
			people[i].Roles = append(people[i].Roles, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		slices.SortFunc(people[i].Roles, func(a, b prevent.Role) int {
			return slices.Index(prevent.Roles, a) - slices.Index(prevent.Roles, b)
		})
	}
	return nil
}

func (s *Service) getPerson(ctx context.Context, q database.Querier, partnershipID, id prevent.ID) (Person, error) {
	row := q.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people p JOIN organisations o ON o.id = p.organisation_id
		WHERE `+inPartnership+` AND p.id = $3`, s.now(), partnershipID, id)
	p, err := scanPerson(row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, access.NotFound("Person")
	}
	if err != nil {
		return p, fmt.Errorf("partnership: person %d: %w", id, err)
	}
	ps := []Person{p}
	if err := s.loadRoles(ctx, q, partnershipID, ps); err != nil {
		return p, err
	}
	p = ps[0]
	rows, err := q.QueryContext(ctx, `SELECT id, level, granted_on, expires_on, sponsor FROM vetting_records
		WHERE person_id = $1 ORDER BY granted_on DESC, id DESC`, id)
	if err != nil {
		return p, fmt.Errorf("partnership: vetting: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v VettingRecord
		var level string
		var exp sql.NullTime
		if err := rows.Scan(&v.ID, &level, &v.GrantedOn, &exp, &v.Sponsor); err != nil {
			return p, err
		}
		v.Level, _ = prevent.ParseVetting(level)
		if exp.Valid {
			v.ExpiresOn = exp.Time
		}
		p.Vetting = append(p.Vetting, v)
	}
	return p, rows.Err()
}

// Person returns one person of the partnership, with roles and vetting history. The read is audited.
func (s *Service) Person(ctx context.Context, pr prevent.Principal, partnershipID, id prevent.ID) (Person, error) {
	return s.person(ctx, pr, access.PersonView, partnershipID, id)
}

// PersonToManage returns a person the principal may manage in the partnership (for actions another package
// carries out on the account, such as unlocking it), NotFound otherwise. The read is audited.
func (s *Service) PersonToManage(ctx context.Context, pr prevent.Principal, partnershipID, id prevent.ID) (Person, error) {
	return s.person(ctx, pr, access.PersonManage, partnershipID, id)
}

func (s *Service) person(ctx context.Context, pr prevent.Principal, action access.Action, partnershipID, id prevent.ID) (Person, error) {
	if err := s.decide(pr, action, access.Resource{Kind: "person", PartnershipID: partnershipID}, "Person"); err != nil {
		return Person{}, err
	}
	var p Person
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var err error
		if p, err = s.getPerson(ctx, tx, partnershipID, id); err != nil {
			return err
		}
		return s.record(ctx, tx, pr, audit.Consult, "person", id, partnershipID, "partnership administration", "viewed")
	})
	return p, err
}

func newSetupToken() (token string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	return token, h[:]
}

// CreatePerson adds a person to a member organisation with roles in the partnership, and returns a one-time
// account set-up token for the administrator to pass on (the person chooses their own password with it).
func (s *Service) CreatePerson(ctx context.Context, pr prevent.Principal, partnershipID prevent.ID, in PersonInput) (prevent.ID, string, error) {
	if err := s.decide(pr, access.PersonManage, access.Resource{Kind: "person", PartnershipID: partnershipID}, "Partnership"); err != nil {
		return 0, "", err
	}
	if err := in.Validate(); err != nil {
		return 0, "", err
	}
	var id prevent.ID
	token, hash := newSetupToken()
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := s.checkMemberOrg(ctx, tx, partnershipID, in.OrganisationID); err != nil {
			return err
		}
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO people (organisation_id, name, email, job_title, setup_token_hash,
			setup_expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			in.OrganisationID, strings.TrimSpace(in.Name), strings.TrimSpace(in.Email), strings.TrimSpace(in.JobTitle),
			hash, now.Add(SetupValidFor), now).Scan(&id)
		if database.IsUniqueViolation(err) {
			return prevent.Validation([]prevent.FieldError{{Field: "email", Message: "Someone with this email address already has an account"}})
		}
		if err != nil {
			return fmt.Errorf("partnership: create person: %w", err)
		}
		if err := s.setRoles(ctx, tx, partnershipID, id, in.Roles); err != nil {
			return err
		}
		return s.record(ctx, tx, pr, audit.Collect, "person", id, partnershipID, "partnership administration",
			"created account with roles "+strings.Join(in.Roles, ","))
	})
	if err != nil {
		return 0, "", err
	}
	return id, token, nil
}

func (s *Service) checkMemberOrg(ctx context.Context, q database.Querier, partnershipID, orgID prevent.ID) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM partnership_organisations WHERE partnership_id = $1 AND organisation_id = $2`,
		partnershipID, orgID).Scan(&n); err != nil {
		return fmt.Errorf("partnership: member organisation: %w", err)
	}
	if n == 0 {
		return prevent.Validation([]prevent.FieldError{{Field: "organisation", Message: "Select an organisation that is a member of the partnership"}})
	}
	return nil
}

func (s *Service) setRoles(ctx context.Context, tx *database.Tx, partnershipID, personID prevent.ID, roles []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE person_id = $1 AND partnership_id = $2`, personID, partnershipID); err != nil {
		return fmt.Errorf("partnership: clear roles: %w", err)
	}
	seen := map[string]bool{}
	for _, r := range roles {
		if seen[r] || !prevent.Role(r).Valid() {
			continue
		}
		seen[r] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (person_id, partnership_id, role, created_at) VALUES ($1, $2, $3, $4)`,
			personID, partnershipID, r, s.now()); err != nil {
			return fmt.Errorf("partnership: add role: %w", err)
		}
	}
	return nil
}

// UpdatePerson changes a person's details and roles in the partnership.
func (s *Service) UpdatePerson(ctx context.Context, pr prevent.Principal, partnershipID, id prevent.ID, in PersonInput) error {
	if err := s.decide(pr, access.PersonManage, access.Resource{Kind: "person", PartnershipID: partnershipID}, "Person"); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.getPerson(ctx, tx, partnershipID, id); err != nil {
			return err
		}
		if err := s.checkMemberOrg(ctx, tx, partnershipID, in.OrganisationID); err != nil {
			return err
		}
		if id == pr.PersonID && !slices.Contains(in.Roles, string(prevent.Administrator)) && pr.HasRole(partnershipID, prevent.Administrator) {
			return prevent.Validation([]prevent.FieldError{{Field: "roles", Message: "You cannot remove your own administrator role; ask another administrator"}})
		}
		_, err := tx.ExecContext(ctx, `UPDATE people SET name = $1, email = $2, job_title = $3, organisation_id = $4, updated_at = $5 WHERE id = $6`,
			strings.TrimSpace(in.Name), strings.TrimSpace(in.Email), strings.TrimSpace(in.JobTitle), in.OrganisationID, s.now(), id)
		if database.IsUniqueViolation(err) {
			return prevent.Validation([]prevent.FieldError{{Field: "email", Message: "Someone with this email address already has an account"}})
		}
		if err != nil {
			return fmt.Errorf("partnership: update person %d: %w", id, err)
		}
		if err := s.setRoles(ctx, tx, partnershipID, id, in.Roles); err != nil {
			return err
		}
		return s.record(ctx, tx, pr, audit.Alter, "person", id, partnershipID, "partnership administration",
			"updated details and roles "+strings.Join(in.Roles, ","))
	})
}

// SetDisabled disables or re-enables an account. Sessions of a disabled account stop working at their next
// request, because authentication checks the account on every request.
func (s *Service) SetDisabled(ctx context.Context, pr prevent.Principal, partnershipID, id prevent.ID, disabled bool) error {
	if err := s.decide(pr, access.PersonManage, access.Resource{Kind: "person", PartnershipID: partnershipID}, "Person"); err != nil {
		return err
	}
	if disabled && id == pr.PersonID {
		return prevent.Errorf(prevent.Invalid, "You cannot disable your own account")
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.getPerson(ctx, tx, partnershipID, id); err != nil {
			return err
		}
		var at any
		detail := "enabled account"
		if disabled {
			at, detail = s.now(), "disabled account"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET disabled_at = $1, updated_at = $2 WHERE id = $3`, at, s.now(), id); err != nil {
			return fmt.Errorf("partnership: disable %d: %w", id, err)
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1 WHERE person_id = $2 AND ended_at IS NULL`, s.now(), id); err != nil {
				return fmt.Errorf("partnership: end sessions: %w", err)
			}
		}
		return s.record(ctx, tx, pr, audit.Alter, "person", id, partnershipID, "partnership administration", detail)
	})
}

// NewSetupLink replaces a person's set-up token (for a new account, or a forgotten password) and returns it.
func (s *Service) NewSetupLink(ctx context.Context, pr prevent.Principal, partnershipID, id prevent.ID) (string, error) {
	if err := s.decide(pr, access.PersonManage, access.Resource{Kind: "person", PartnershipID: partnershipID}, "Person"); err != nil {
		return "", err
	}
	token, hash := newSetupToken()
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.getPerson(ctx, tx, partnershipID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET setup_token_hash = $1, setup_expires_at = $2 WHERE id = $3`,
			hash, s.now().Add(SetupValidFor), id); err != nil {
			return fmt.Errorf("partnership: setup link: %w", err)
		}
		return s.record(ctx, tx, pr, audit.Admin, "person", id, partnershipID, "partnership administration", "issued account set-up link")
	})
	return token, err
}

// SetupAccount redeems a set-up token: it stores the password hash (hashed by the caller after checking the
// password policy), clears the token and ends any sessions. It returns the person's id.
func (s *Service) SetupAccount(ctx context.Context, token, passwordHash string) (prevent.ID, error) {
	h := sha256.Sum256([]byte(token))
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var exp time.Time
		err := tx.QueryRowContext(ctx, `SELECT id, setup_expires_at FROM people WHERE setup_token_hash = $1 AND disabled_at IS NULL`, h[:]).Scan(&id, &exp)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !s.now().Before(exp)) {
			return prevent.Errorf(prevent.NotFound, "This account set-up link has expired or has already been used. Ask your administrator for a new one")
		}
		if err != nil {
			return fmt.Errorf("partnership: setup: %w", err)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE people SET password_hash = $1, password_changed_at = $2, setup_token_hash = NULL,
			setup_expires_at = NULL, failed_sign_ins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3`, passwordHash, now, id); err != nil {
			return fmt.Errorf("partnership: setup: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1 WHERE person_id = $2 AND ended_at IS NULL`, now, id); err != nil {
			return fmt.Errorf("partnership: setup: %w", err)
		}
		e := audit.New(ctx, now, audit.Admin, "person", id)
		e.ActorID = id
		e.Purpose, e.Detail = "account set-up", "chose a password with a set-up link"
		_, err = audit.Append(ctx, tx, e)
		return err
	})
	return id, err
}

// VettingInput is a vetting grant as entered.
type VettingInput struct {
	Level     string
	GrantedOn time.Time
	ExpiresOn time.Time
	Sponsor   string
}

// RecordVetting adds a vetting grant to a person.
func (s *Service) RecordVetting(ctx context.Context, pr prevent.Principal, partnershipID, id prevent.ID, in VettingInput) error {
	if err := s.decide(pr, access.PersonManage, access.Resource{Kind: "person", PartnershipID: partnershipID}, "Person"); err != nil {
		return err
	}
	var f prevent.Fields
	level, err := prevent.ParseVetting(in.Level)
	if err != nil || level == prevent.VettingNone {
		f.Add("level", "Select the vetting level granted")
	}
	switch {
	case in.GrantedOn.IsZero():
		f.Add("granted", "Enter the date vetting was granted")
	case in.GrantedOn.After(s.now()):
		f.Add("granted", "The date vetting was granted must be today or in the past")
	case in.GrantedOn.Year() < 1900:
		f.Add("granted", "The date vetting was granted must be in 1900 or later")
	}
	if utf8.RuneCountInString(strings.TrimSpace(in.Sponsor)) > 200 {
		f.Add("sponsor", "Sponsor must be 200 characters or fewer")
	}
	if !in.ExpiresOn.IsZero() && !in.GrantedOn.IsZero() && !in.ExpiresOn.After(in.GrantedOn) {
		f.Add("expires", "The expiry date must be after the date vetting was granted")
	}
	if err := f.Err(); err != nil {
		return err
	}
	var exp any
	if !in.ExpiresOn.IsZero() {
		exp = in.ExpiresOn.UTC()
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.getPerson(ctx, tx, partnershipID, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vetting_records (person_id, level, granted_on, expires_on, sponsor, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, level.Code(), in.GrantedOn.UTC(), exp, strings.TrimSpace(in.Sponsor), s.now()); err != nil {
			return fmt.Errorf("partnership: vetting: %w", err)
		}
		return s.record(ctx, tx, pr, audit.Alter, "person", id, partnershipID, "partnership administration", "recorded vetting "+level.Code())
	})
}
