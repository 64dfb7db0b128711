package sharing

import (
	"context"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Count is a number of disclosures under a key (a gateway code or an organisation).
type Count struct {
	Key            string     // the gateway code, for counts by gateway
	OrganisationID prevent.ID // the receiving organisation, for counts by organisation
	Label          string
	N              int
}

// ConsentRates counts disclosures by consent status.
type ConsentRates struct {
	Given, Refused, NotSought int
}

// Total is the number of disclosures counted.
func (c ConsentRates) Total() int { return c.Given + c.Refused + c.NotSought }

// GivenRate is the share of disclosures made with consent, 0 when there were none.
func (c ConsentRates) GivenRate() float64 {
	if c.Total() == 0 {
		return 0
	}
	return float64(c.Given) / float64(c.Total())
}

// Overview is the data protection officer's view of a partnership. It holds counts and identifiers, no
// personal data.
type Overview struct {
	PartnershipID prevent.ID
	ByGateway     []Count // most used first
	ByRecipient   []Count // receiving organisations, most first
	Consent       ConsentRates
	// Expiring are agreements in force whose review date falls within the window.
	Expiring []Agreement
	Alerts   []Alert
	// AcknowledgementAlerts are the open alerts that an organisation party to agreements is no longer a
	// public body (see AcknowledgementAlerts).
	AcknowledgementAlerts []AcknowledgementAlert
}

// Overview returns the data protection officer's view at now, looking withinDays ahead. Its read of the open
// acknowledgement alerts is audited.
func (s *Service) Overview(ctx context.Context, p prevent.Principal, partnership prevent.ID, now time.Time, withinDays int) (Overview, error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return Overview{}, err
	}
	q := s.db.Read()
	o := Overview{PartnershipID: partnership}
	var err error
	if o.ByGateway, err = counts(ctx, q, `SELECT d.gateway_code, 0, COALESCE(MAX(g.name), d.gateway_code), COUNT(DISTINCT d.id)
		FROM sharing_disclosures d LEFT JOIN sharing_gateways g ON g.code = d.gateway_code AND g.version = d.gateway_version
			AND g.partnership_id IN (0, d.partnership_id)
		WHERE d.partnership_id = $1 GROUP BY d.gateway_code ORDER BY 4 DESC, 1`, partnership); err != nil {
		return o, err
	}
	if o.ByRecipient, err = counts(ctx, q, `SELECT '', d.to_org, MAX(o.name), COUNT(*)
		FROM sharing_disclosures d JOIN organisations o ON o.id = d.to_org
		WHERE d.partnership_id = $1 GROUP BY d.to_org ORDER BY 4 DESC, 2`, partnership); err != nil {
		return o, err
	}
	rows, err := q.QueryContext(ctx, `SELECT consent, COUNT(*) FROM sharing_disclosures WHERE partnership_id = $1 GROUP BY consent`, partnership)
	if err != nil {
		return o, fmt.Errorf("sharing: overview: %w", err)
	}
	for rows.Next() {
		var c Consent
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			rows.Close()
			return o, err
		}
		switch c {
		case ConsentGiven:
			o.Consent.Given = n
		case ConsentRefused:
			o.Consent.Refused = n
		case ConsentNotSought:
			o.Consent.NotSought = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}
	horizon := now.AddDate(0, 0, withinDays)
	as, err := loadAgreements(ctx, q, partnership, Active)
	if err != nil {
		return o, err
	}
	for _, a := range as {
		if a.StatusOn(now) == Active && day(a.ReviewDate) <= day(horizon) {
			o.Expiring = append(o.Expiring, a)
		}
	}
	all, err := s.Alerts(ctx, p, now)
	if err != nil {
		return o, err
	}
	for _, al := range all {
		if al.PartnershipID == partnership {
			o.Alerts = append(o.Alerts, al)
		}
	}
	if o.AcknowledgementAlerts, err = s.AcknowledgementAlerts(ctx, p, partnership); err != nil {
		return o, err
	}
	return o, nil
}

func counts(ctx context.Context, q database.Querier, query string, args ...any) ([]Count, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sharing: counts: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.OrganisationID, &c.Label, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
