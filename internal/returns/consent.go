package returns

import (
	"context"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Consent. A return counts the cases adopted by the panel by the last decision recorded on consent to support
// (the Channel support plan needs the person's consent, or a parent's for a child): given, refused, withdrawn,
// or not sought; an adopted case with no decision recorded yet, and an erased case (whose kept facts hold no
// consent), are rows of their own. Consent is sought only once a case is adopted, so the table has the one
// column: laid across every stage, as the other tables are, its rows would repeat the adopted column in the
// referred and discussed ones and pin the withheld counts down. The rows are the service's own, not a published
// list, and the same every year.

// consentUnknown is the consent of an erased case: what is kept of it holds none.
const consentUnknown = "unknown"

// consentRows are the rows of the consent table, in order.
var consentRows = []rowKey{
	{key: "s:" + string(casework.ConsentGiven), label: "Consent to support given"},
	{key: "s:" + string(casework.ConsentRefusedBy), label: "Consent to support refused"},
	{key: "s:" + string(casework.ConsentWithdrawnBy), label: "Consent to support withdrawn"},
	{key: "s:" + string(casework.ConsentNotSought), label: "Consent to support not sought"},
	{key: "s:", label: "No consent decision recorded yet"},
	{key: "s:" + consentUnknown, label: "Not known (erased case)"},
}

func consentRow(r record) rowKey {
	for _, k := range consentRows {
		if k.key == "s:"+r.consent {
			return k
		}
	}
	return rowKey{key: "u:" + r.consent, label: "Not in the list of consent decisions: " + r.consent}
}

// consentRowsOf are the consent table's rows: consentRows, then any decision not in them that a record has.
func consentRowsOf(recs []record) []rowKey {
	rows := append([]rowKey(nil), consentRows...)
	for _, r := range recs {
		if k := consentRow(r); !containsKey(rows, k.key) {
			rows = append(rows, k)
		}
	}
	return rows
}

func containsKey(rows []rowKey, key string) bool {
	for _, k := range rows {
		if k.key == key {
			return true
		}
	}
	return false
}

// readConsent sets on each record of byID the last decision recorded on consent to support: the latest
// decided, and of two decided at the same time the later recorded.
func readConsent(ctx context.Context, q database.Querier, pid prevent.ID, from, to time.Time, byID map[int64]*record) error {
	rows, err := q.QueryContext(ctx, `SELECT c.referral_id, c.decision FROM consent_records c JOIN referrals r ON r.id = c.referral_id
		WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL AND c.scope = $4
		ORDER BY c.referral_id, c.decided_at, c.id`, pid, from, to, string(casework.ScopeSupport))
	if err != nil {
		return fmt.Errorf("returns: consent: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var decision string
		if err := rows.Scan(&id, &decision); err != nil {
			return fmt.Errorf("returns: consent: %w", err)
		}
		if r, ok := byID[id]; ok {
			r.consent = decision
		}
	}
	return rows.Err()
}
