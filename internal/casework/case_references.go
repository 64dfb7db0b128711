package casework

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// referenceReaders are the actions whose holders may see the references of a partnership's cases by their
// record numbers: those who work cases, and those who oversee the ledger of disclosures, legal holds or
// the audit log, whose pages list cases by record.
var referenceReaders = []access.Action{access.CaseView, access.DisclosureView, access.LegalHoldView, access.AuditView}

// CaseReferences returns the references (PRV-…) of the partnership's submitted cases among ids, for pages
// that list records by number, so that they name each case by its reference. A reference says nothing
// about the person, so the lookup is not audited; the cases of other partnerships, and drafts, are left out.
// Someone who may not see the partnership's records at all is refused (NotFound).
func (s *Service) CaseReferences(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, ids []prevent.ID) (map[prevent.ID]string, error) {
	res := access.Resource{Kind: "case_reference", PartnershipID: partnershipID}
	if !slices.ContainsFunc(referenceReaders, func(a access.Action) bool { return access.Decide(p, a, res, s.now()).Allow }) {
		return nil, access.NotFound("Partnership")
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := make(map[prevent.ID]string, len(ids))
	const batch = 500
	for len(ids) > 0 {
		n := min(batch, len(ids))
		args := []any{partnershipID}
		ph := make([]string, n)
		for i, id := range ids[:n] {
			args = append(args, id)
			ph[i] = "$" + strconv.Itoa(i+2)
		}
		ids = ids[n:]
		rows, err := s.db.Read().QueryContext(ctx, `SELECT id, reference FROM referrals WHERE partnership_id = $1
			AND reference IS NOT NULL AND id IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("casework: case references: %w", err)
		}
		for rows.Next() {
			var id prevent.ID
			var ref sql.NullString
			if err := rows.Scan(&id, &ref); err != nil {
				rows.Close()
				return nil, fmt.Errorf("casework: case references: %w", err)
			}
			if ref.String != "" {
				out[id] = ref.String
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("casework: case references: %w", err)
		}
	}
	return out, nil
}
