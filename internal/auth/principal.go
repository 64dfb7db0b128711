package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// LoadPrincipal builds the principal for a person: name, email, organisation, memberships (roles per
// partnership) and the clearance in force at now, which is the highest vetting record granted on or before
// now that has not expired, with its expiry. It does not look at whether the person is disabled or how they
// authenticated: MFA, SessionID and TokenID are left for the caller. A missing person is NotFound.
func LoadPrincipal(ctx context.Context, q database.Querier, personID prevent.ID, now time.Time) (prevent.Principal, error) {
	p := prevent.Principal{PersonID: personID}
	err := q.QueryRowContext(ctx, "SELECT name, email, organisation_id FROM people WHERE id = $1", personID).
		Scan(&p.Name, &p.Email, &p.OrganisationID)
	if errors.Is(err, sql.ErrNoRows) {
		return prevent.Principal{}, prevent.Errorf(prevent.NotFound, "Person not found")
	}
	if err != nil {
		return prevent.Principal{}, fmt.Errorf("auth: load principal %d: %w", personID, err)
	}
	if p.Memberships, err = loadMemberships(ctx, q, personID); err != nil {
		return prevent.Principal{}, err
	}
	if p.Clearance, err = loadClearance(ctx, q, personID, now); err != nil {
		return prevent.Principal{}, err
	}
	return p, nil
}

func loadMemberships(ctx context.Context, q database.Querier, personID prevent.ID) ([]prevent.Membership, error) {
	rows, err := q.QueryContext(ctx, `SELECT partnership_id, role FROM memberships WHERE person_id = $1
		ORDER BY partnership_id, role`, personID)
	if err != nil {
		return nil, fmt.Errorf("auth: memberships of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []prevent.Membership
	for rows.Next() {
		var m prevent.Membership
		var role string
		if err := rows.Scan(&m.PartnershipID, &role); err != nil {
			return nil, fmt.Errorf("auth: memberships of %d: %w", personID, err)
		}
		m.Role = prevent.Role(role)
		if !m.Role.Valid() {
			// A role this build does not know grants nothing.
			continue
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: memberships of %d: %w", personID, err)
	}
	return out, nil
}

func loadClearance(ctx context.Context, q database.Querier, personID prevent.ID, now time.Time) (prevent.Clearance, error) {
	rows, err := q.QueryContext(ctx, "SELECT level, granted_on, expires_on FROM vetting_records WHERE person_id = $1", personID)
	if err != nil {
		return prevent.Clearance{}, fmt.Errorf("auth: vetting of %d: %w", personID, err)
	}
	defer rows.Close()
	var best prevent.Clearance
	for rows.Next() {
		var code string
		var granted time.Time
		var expires sql.NullTime
		if err := rows.Scan(&code, &granted, &expires); err != nil {
			return prevent.Clearance{}, fmt.Errorf("auth: vetting of %d: %w", personID, err)
		}
		level, err := prevent.ParseVetting(code)
		if err != nil || granted.After(now) || (expires.Valid && !now.Before(expires.Time)) {
			continue
		}
		c := prevent.Clearance{Level: level}
		if expires.Valid {
			c.Expires = expires.Time.UTC()
		}
		// Of two records at the same level, the one that lasts longer (no expiry is longest) wins.
		if c.Level > best.Level || (c.Level == best.Level && best.Level != prevent.VettingNone && lastsLonger(c, best)) {
			best = c
		}
	}
	if err := rows.Err(); err != nil {
		return prevent.Clearance{}, fmt.Errorf("auth: vetting of %d: %w", personID, err)
	}
	return best, nil
}

func lastsLonger(a, b prevent.Clearance) bool {
	if b.Expires.IsZero() {
		return false
	}
	return a.Expires.IsZero() || a.Expires.After(b.Expires)
}
