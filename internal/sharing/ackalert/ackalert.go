// Package ackalert keeps the alerts that tell a partnership's data protection officers that an organisation
// party to its information sharing agreements is no longer marked as a public body: an organisation that is
// not a public body is a controller with its own data protection duties for what it receives, and nothing is
// disclosed to it until it has acknowledged them. An alert names the agreements affected when it was raised
// and stays open until the organisation's acknowledgement is recorded in the partnership, or the
// organisation is marked a public body again.
//
// It is a package of its own so that internal/partnership, which re-marks organisations and which
// internal/sharing depends on, raises the alert in the transaction that re-marks; internal/sharing reads
// and resolves the alerts.
package ackalert

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// AgreementRef names an agreement an alert is about.
type AgreementRef struct {
	ID    prevent.ID
	Title string
}

// Alert is one open alert: the organisation, the agreements it affects, and who raised it when.
type Alert struct {
	ID             prevent.ID
	PartnershipID  prevent.ID
	OrganisationID prevent.ID
	Organisation   string
	Agreements     []AgreementRef
	RaisedBy       prevent.ID
	RaisedAt       time.Time
	// Acknowledged is true when an acknowledgement of the organisation was already recorded in the partnership
	// when the alert was read (recorded before it stopped being a public body): sharing is not blocked, but
	// the data protection officer should check that it still stands.
	Acknowledged bool
}

// record appends an audit entry for an alert inside tx.
func record(ctx context.Context, tx *database.Tx, p prevent.Principal, at time.Time, id, partnership prevent.ID, detail string) error {
	e := audit.New(ctx, at, audit.Admin, "acknowledgement_alert", id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = partnership
	e.Purpose = "information sharing governance"
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("ackalert: audit: %w", err)
	}
	return nil
}

func ids(ctx context.Context, q database.Querier, query string, args ...any) ([]prevent.ID, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []prevent.ID
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Raise records, inside tx, that the organisation is no longer marked as a public body: for each partnership
// it is a member of where it is party to an agreement still in use (draft, active or suspended, its review
// date not passed at now), one open alert naming those agreements, each audited. It returns how many
// agreements are affected, over every partnership. The caller re-marks the organisation in the same
// transaction.
func Raise(ctx context.Context, tx *database.Tx, p prevent.Principal, organisationID prevent.ID, now time.Time) (int, error) {
	partnerships, err := ids(ctx, tx, `SELECT partnership_id FROM partnership_organisations WHERE organisation_id = $1 ORDER BY partnership_id`, organisationID)
	if err != nil {
		return 0, fmt.Errorf("ackalert: raise: %w", err)
	}
	affected := 0
	for _, pid := range partnerships {
		agreements, err := ids(ctx, tx, `SELECT a.id FROM sharing_agreements a
			JOIN sharing_agreement_parties ap ON ap.agreement_id = a.id AND ap.organisation_id = $2
			WHERE a.partnership_id = $1 AND a.status IN ('draft', 'active', 'suspended') AND a.review_date >= $3 ORDER BY a.id`,
			pid, organisationID, now.UTC().Format(time.DateOnly))
		if err != nil {
			return 0, fmt.Errorf("ackalert: raise: %w", err)
		}
		if len(agreements) == 0 {
			continue
		}
		list := make([]string, len(agreements))
		for i, a := range agreements {
			list[i] = strconv.FormatInt(a, 10)
		}
		var id prevent.ID
		if err := tx.QueryRowContext(ctx, `INSERT INTO sharing_acknowledgement_alerts (partnership_id, organisation_id, agreements,
			raised_by, raised_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`, pid, organisationID, strings.Join(list, " "),
			p.PersonID, now.UTC()).Scan(&id); err != nil {
			return 0, fmt.Errorf("ackalert: raise: %w", err)
		}
		if err := record(ctx, tx, p, now, id, pid, fmt.Sprintf("organisation %d is no longer a public body; agreements affected: %s",
			organisationID, strings.Join(list, ", "))); err != nil {
			return 0, err
		}
		affected += len(agreements)
	}
	return affected, nil
}

// Resolve closes, inside tx, the organisation's open alerts in the partnership (in every partnership when
// partnershipID is 0), saying why, each audited. It returns how many it closed.
func Resolve(ctx context.Context, tx *database.Tx, p prevent.Principal, organisationID, partnershipID prevent.ID, now time.Time, resolution string) (int, error) {
	type open struct{ id, partnership prevent.ID }
	query, args := `SELECT id, partnership_id FROM sharing_acknowledgement_alerts WHERE organisation_id = $1 AND resolved_at IS NULL`,
		[]any{organisationID}
	if partnershipID != 0 {
		query, args = query+` AND partnership_id = $2`, append(args, partnershipID)
	}
	rows, err := tx.QueryContext(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return 0, fmt.Errorf("ackalert: resolve: %w", err)
	}
	var list []open
	for rows.Next() {
		var o open
		if err := rows.Scan(&o.id, &o.partnership); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, o := range list {
		if _, err := tx.ExecContext(ctx, `UPDATE sharing_acknowledgement_alerts SET resolved_at = $1, resolution = $2 WHERE id = $3`,
			now.UTC(), resolution, o.id); err != nil {
			return 0, fmt.Errorf("ackalert: resolve: %w", err)
		}
		if err := record(ctx, tx, p, now, o.id, o.partnership, "resolved: "+resolution); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// Open lists the partnership's open alerts through q, oldest first, with the organisation's and the
// agreements' names.
func Open(ctx context.Context, q database.Querier, partnershipID prevent.ID) ([]Alert, error) {
	rows, err := q.QueryContext(ctx, `SELECT al.id, al.organisation_id, o.name, al.agreements, al.raised_by, al.raised_at,
		(SELECT COUNT(*) FROM sharing_acknowledgements ak WHERE ak.partnership_id = al.partnership_id AND ak.organisation_id = al.organisation_id)
		FROM sharing_acknowledgement_alerts al JOIN organisations o ON o.id = al.organisation_id
		WHERE al.partnership_id = $1 AND al.resolved_at IS NULL ORDER BY al.raised_at, al.id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("ackalert: open: %w", err)
	}
	var out []Alert
	var lists []string
	for rows.Next() {
		a := Alert{PartnershipID: partnershipID}
		var list string
		var acks int
		if err := rows.Scan(&a.ID, &a.OrganisationID, &a.Organisation, &list, &a.RaisedBy, &a.RaisedAt, &acks); err != nil {
			rows.Close()
			return nil, err
		}
		a.Acknowledged = acks > 0
		out = append(out, a)
		lists = append(lists, list)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		for _, f := range strings.Fields(lists[i]) {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				continue
			}
			ref := AgreementRef{ID: id}
			if err := q.QueryRowContext(ctx, `SELECT title FROM sharing_agreements WHERE id = $1`, id).Scan(&ref.Title); err != nil {
				return nil, fmt.Errorf("ackalert: open: agreement %d: %w", id, err)
			}
			out[i].Agreements = append(out[i].Agreements, ref)
		}
	}
	return out, nil
}
