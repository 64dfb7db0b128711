package sharing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// AnySector in a gateway's sectors means any organisation may rely on it.
const AnySector = "*"

// Gateway is one version of a legal gateway: a power, exemption or lawful basis for sharing.
type Gateway struct {
	// PartnershipID is 0 for the national list, or the partnership whose local gateway this is.
	PartnershipID prevent.ID
	Code          string
	Version       int
	Name          string
	// Era is "seed_2009" (Annex 1 of the 2009 guidance), "current" or "local".
	Era     string
	Summary string
	// WithoutConsent reports whether the gateway permits sharing when consent was refused or not sought.
	WithoutConsent bool
	// Sectors are the organisation sectors that may rely on it; AnySector for any.
	Sectors   []string
	ValidFrom time.Time
	ValidTo   time.Time // exclusive; zero while current
}

// ValidOn reports whether this version is in force on the day of t.
func (g Gateway) ValidOn(t time.Time) bool {
	d := parseDay(day(t))
	return !d.Before(g.ValidFrom) && (g.ValidTo.IsZero() || d.Before(g.ValidTo))
}

// For reports whether an organisation of the sector may rely on the gateway.
func (g Gateway) For(sector string) bool {
	return slices.Contains(g.Sectors, AnySector) || slices.Contains(g.Sectors, sector)
}

const gatewayColumns = `partnership_id, code, version, name, era, summary, without_consent, sectors, valid_from, valid_to`

func scanGateway(sc interface{ Scan(...any) error }) (Gateway, error) {
	var g Gateway
	var sectors, from string
	var to sql.NullString
	if err := sc.Scan(&g.PartnershipID, &g.Code, &g.Version, &g.Name, &g.Era, &g.Summary, &g.WithoutConsent, &sectors, &from, &to); err != nil {
		return g, err
	}
	g.Sectors = strings.Fields(sectors)
	g.ValidFrom = parseDay(from)
	if to.Valid {
		g.ValidTo = parseDay(to.String)
	}
	return g, nil
}

// gatewayVersions returns every version of code that the partnership may use (national and its own),
// latest first, through q.
func gatewayVersions(ctx context.Context, q database.Querier, partnership prevent.ID, code string) ([]Gateway, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+gatewayColumns+` FROM sharing_gateways
		WHERE code = $1 AND partnership_id IN (0, $2) ORDER BY valid_from DESC, version DESC`, code, partnership)
	if err != nil {
		return nil, fmt.Errorf("sharing: gateway %s: %w", code, err)
	}
	defer rows.Close()
	var out []Gateway
	for rows.Next() {
		g, err := scanGateway(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// gatewayOn returns the version of code in force on the day of on, whether any version exists at all,
// and whether one is in force.
func gatewayOn(ctx context.Context, q database.Querier, partnership prevent.ID, code string, on time.Time) (g Gateway, exists, valid bool, err error) {
	vs, err := gatewayVersions(ctx, q, partnership, code)
	if err != nil || len(vs) == 0 {
		return Gateway{}, false, false, err
	}
	for _, v := range vs {
		if v.ValidOn(on) {
			return v, true, true, nil
		}
	}
	return vs[0], true, false, nil
}

// Gateways lists the gateways the partnership may use that are in force on the day of on: the national
// list and its local gateways. Reference data, not personal: reads are not audited.
func (s *Service) Gateways(ctx context.Context, p prevent.Principal, partnership prevent.ID, on time.Time) ([]Gateway, error) {
	if err := s.authorise(p, access.GatewayView, "gateway", partnership, "Partnership"); err != nil {
		return nil, err
	}
	d := day(on)
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+gatewayColumns+` FROM sharing_gateways
		WHERE partnership_id IN (0, $1) AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)
		ORDER BY partnership_id, era DESC, name`, partnership, d)
	if err != nil {
		return nil, fmt.Errorf("sharing: gateways: %w", err)
	}
	defer rows.Close()
	var out []Gateway
	for rows.Next() {
		g, err := scanGateway(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GatewayInput is a local gateway, or a new version of one.
type GatewayInput struct {
	Code           string
	Name           string
	Summary        string
	WithoutConsent bool
	Sectors        []string
	ValidFrom      time.Time
	ValidTo        time.Time // the first day it no longer applies (exclusive); zero while current
}

var codePattern = regexp.MustCompile(`^[a-z0-9_]{2,60}$`)

// Validate checks the input, returning field errors in form order.
func (in GatewayInput) Validate() error {
	var f prevent.Fields
	if !codePattern.MatchString(in.Code) {
		f.Add("code", "Enter a code of 2 to 60 lower-case letters, digits and underscores")
	}
	if strings.TrimSpace(in.Name) == "" {
		f.Add("name", "Enter the gateway’s name")
	}
	if strings.TrimSpace(in.Summary) == "" {
		f.Add("summary", "Describe what the gateway permits")
	}
	sectors := uniq(in.Sectors)
	if len(sectors) == 0 {
		f.Add("sectors", "Select the sectors that may rely on the gateway")
	}
	for _, x := range sectors {
		if x != AnySector && !knownSector(x) {
			f.Add("sectors", "Select sectors from the list")
			break
		}
	}
	if in.ValidFrom.IsZero() {
		f.Add("valid-from", "Enter the date from which the gateway is valid")
	} else if !in.ValidTo.IsZero() && !parseDay(day(in.ValidTo)).After(parseDay(day(in.ValidFrom))) {
		f.Add("valid-to", "The end date must be after the start date")
	}
	return f.Err()
}

// knownSector reports whether s is one of the partnership's organisation sectors (the one list, in partnership).
func knownSector(s string) bool { return partnership.Sector(s).Valid() }

// AddGateway adds a partnership's local gateway, or a new version of one: the previous current version
// then ends where the new one starts. A national gateway's code cannot be reused.
func (s *Service) AddGateway(ctx context.Context, p prevent.Principal, partnership prevent.ID, in GatewayInput) (int, error) {
	if err := s.authorise(p, access.GatewayManage, "gateway", partnership, "Partnership"); err != nil {
		return 0, err
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	var version int
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var national int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sharing_gateways WHERE partnership_id = 0 AND code = $1`, in.Code).Scan(&national); err != nil {
			return err
		}
		if national > 0 {
			return &prevent.Error{Kind: prevent.Invalid, Message: "There is a problem",
				Fields: []prevent.FieldError{{Field: "code", Message: "That code belongs to a national gateway: choose another"}}}
		}
		var last sql.NullInt64
		var lastFrom sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version), MAX(valid_from) FROM sharing_gateways WHERE partnership_id = $1 AND code = $2`,
			partnership, in.Code).Scan(&last, &lastFrom); err != nil {
			return err
		}
		version = int(last.Int64) + 1
		from := day(in.ValidFrom)
		if lastFrom.Valid && from <= lastFrom.String {
			return &prevent.Error{Kind: prevent.Invalid, Message: "There is a problem",
				Fields: []prevent.FieldError{{Field: "valid-from", Message: "A new version must start after the previous version started (" + lastFrom.String + ")"}}}
		}
		if last.Valid {
			if _, err := tx.ExecContext(ctx, `UPDATE sharing_gateways SET valid_to = $1
				WHERE partnership_id = $2 AND code = $3 AND version = $4 AND (valid_to IS NULL OR valid_to > $1)`,
				from, partnership, in.Code, last.Int64); err != nil {
				return err
			}
		}
		var to any
		if !in.ValidTo.IsZero() {
			to = day(in.ValidTo)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sharing_gateways (partnership_id, code, version, name, era, summary,
			without_consent, sectors, valid_from, valid_to, created_by, created_at)
			VALUES ($1, $2, $3, $4, 'local', $5, $6, $7, $8, $9, $10, $11)`,
			partnership, in.Code, version, strings.TrimSpace(in.Name), strings.TrimSpace(in.Summary), in.WithoutConsent,
			strings.Join(uniq(in.Sectors), " "), from, to, p.PersonID, s.now()); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "gateway", 0, partnership, "information sharing governance",
			fmt.Sprintf("local gateway %s version %d added", in.Code, version))
	})
	if err != nil {
		return 0, fmt.Errorf("sharing: add gateway: %w", err)
	}
	return version, nil
}

// GatewayName is the name of one version of a gateway the partnership may use (its own, else the national
// one), read through q, or code when there is no such version: for naming the basis of a disclosure in a
// document (the subject access bundle). Reference data, not audited.
func GatewayName(ctx context.Context, q database.Querier, partnership prevent.ID, code string, version int) (string, error) {
	name := code
	err := q.QueryRowContext(ctx, `SELECT name FROM sharing_gateways WHERE partnership_id IN (0, $1) AND code = $2 AND version = $3
		ORDER BY partnership_id DESC LIMIT 1`, partnership, code, version).Scan(&name)
	if err != nil && !isNoRows(err) {
		return code, fmt.Errorf("sharing: gateway name: %w", err)
	}
	return name, nil
}
