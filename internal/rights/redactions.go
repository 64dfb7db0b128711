package rights

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Items withheld from a subject access bundle, each with the exemption relied on and a note of why it
// applies (subject_access_redactions, this package's own table). Only an open request's bundle changes.

// Exemption is a ground for withholding an item from a subject access bundle.
type Exemption string

// The exemptions.
const (
	ExemptThirdParty       Exemption = "third_party"
	ExemptCrime            Exemption = "crime"
	ExemptLawEnforcement   Exemption = "law_enforcement"
	ExemptNationalSecurity Exemption = "national_security"
	ExemptLegalPrivilege   Exemption = "legal_privilege"
)

// Exemptions lists the exemptions with the provision relied on, in display order.
var Exemptions = []struct {
	Exemption Exemption
	Name      string
}{
	{ExemptThirdParty, "Information about another person (DPA 2018 Schedule 2 Part 3 paragraph 16)"},
	{ExemptCrime, "Prevention or detection of crime (DPA 2018 Schedule 2 Part 1 paragraph 2)"},
	{ExemptLawEnforcement, "Law enforcement restriction (DPA 2018 section 45(4))"},
	{ExemptNationalSecurity, "National security (DPA 2018 section 26)"},
	{ExemptLegalPrivilege, "Legal professional privilege (DPA 2018 Schedule 2 Part 4 paragraph 19)"},
}

// String is the exemption's name with the provision relied on.
func (e Exemption) String() string {
	for _, x := range Exemptions {
		if x.Exemption == e {
			return x.Name
		}
	}
	return string(e)
}

// Valid reports whether e is a known exemption.
func (e Exemption) Valid() bool { return e.String() != string(e) }

// Redaction is an item withheld from a request's bundle, with the exemption relied on.
type Redaction struct {
	ID         prevent.ID
	RequestID  prevent.ID
	Item       string
	Exemption  Exemption
	Note       string
	RecordedBy prevent.ID
	RecordedAt time.Time
}

var itemPattern = regexp.MustCompile(`^[a-z_]+(:[a-z0-9_.\-]+)+$`)

// Redact marks items of an open request's bundle (their keys, as the bundle names them) to be withheld
// under an exemption, with a note of why it applies. An item already marked takes the new exemption.
func (s *Service) Redact(ctx context.Context, p prevent.Principal, id prevent.ID, items []string, exemption Exemption, note string) error {
	items = uniq(items)
	note = strings.TrimSpace(note)
	var f prevent.Fields
	if len(items) == 0 {
		f.Add("items", "Select the items to withhold")
	} else if slices.ContainsFunc(items, func(it string) bool { return !itemPattern.MatchString(it) }) {
		f.Add("items", "Select items from the bundle")
	}
	if !exemption.Valid() {
		f.Add("exemption", "Select the exemption that applies")
	}
	if note == "" {
		f.Add("note", "Enter why the exemption applies")
	} else if len(note) > 10000 {
		f.Add("note", "Why the exemption applies must be 10,000 characters or fewer")
	}
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := loadRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", r.PartnershipID, "Request"); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if r.Status != RequestOpen {
			return prevent.Errorf(prevent.Conflict, "The request is completed: its bundle cannot change")
		}
		now := s.now()
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO subject_access_redactions (request_id, item, exemption, note, recorded_by, recorded_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id, item) DO UPDATE SET exemption = excluded.exemption,
				note = excluded.note, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
				id, it, string(exemption), note, p.PersonID, now); err != nil {
				return fmt.Errorf("rights: redact: %w", err)
			}
		}
		return s.record(ctx, tx, p, audit.Alter, "subject_access_request", id, r.PartnershipID, "subject access",
			fmt.Sprintf("withheld %d items under %s", len(items), exemption))
	})
	if err != nil {
		return fmt.Errorf("rights: redact: %w", err)
	}
	return nil
}

// Unredact releases an item of an open request's bundle that was marked to be withheld.
func (s *Service) Unredact(ctx context.Context, p prevent.Principal, id prevent.ID, item string) error {
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := loadRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", r.PartnershipID, "Request"); err != nil {
			return err
		}
		if r.Status != RequestOpen {
			return prevent.Errorf(prevent.Conflict, "The request is completed: its bundle cannot change")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM subject_access_redactions WHERE request_id = $1 AND item = $2`, id, item)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.NotFound("Withheld item")
		}
		return s.record(ctx, tx, p, audit.Alter, "subject_access_request", id, r.PartnershipID, "subject access", "released a withheld item")
	})
	if err != nil {
		return fmt.Errorf("rights: unredact: %w", err)
	}
	return nil
}

// redactions returns a request's withheld items through q, in the order they were recorded, without deciding
// access: for a caller that has decided (the bundle).
func redactions(ctx context.Context, q database.Querier, id prevent.ID) ([]Redaction, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, item, exemption, note, recorded_by, recorded_at FROM subject_access_redactions
		WHERE request_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("rights: redactions: %w", err)
	}
	defer rows.Close()
	var out []Redaction
	for rows.Next() {
		r := Redaction{RequestID: id}
		if err := rows.Scan(&r.ID, &r.Item, &r.Exemption, &r.Note, &r.RecordedBy, &r.RecordedAt); err != nil {
			return nil, err
		}
		r.RecordedAt = r.RecordedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// uniq returns xs trimmed, without empties and duplicates, in first-seen order.
func uniq(xs []string) []string {
	var out []string
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
