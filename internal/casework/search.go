package casework

import (
	"context"
	"fmt"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Search finds cases the principal may see by reference (exact, any case; references are upper case) or by the
// person's name or an alias (all words).
func (s *Service) Search(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, query string) ([]Summary, error) {
	if !access.Decide(p, access.CaseStatusView, access.Resource{Kind: "case", PartnershipID: partnershipID}, s.now()).Allow {
		return nil, access.NotFound("Partnership")
	}
	query = strings.TrimSpace(query)
	if query == "" || len(query) > 200 {
		return nil, prevent.Validation([]prevent.FieldError{{Field: "q", Message: "Enter a reference or a name"}})
	}
	var out []Summary
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		args := []any{strings.ToUpper(query)}
		cond := []string{}
		for _, w := range strings.Fields(NormaliseName(query)) {
			args = append(args, "%"+w+"%")
			cond = append(cond, fmt.Sprintf("cs.name_key LIKE $%d", 4+len(args)))
		}
		where := ` AND (r.reference = $5`
		if len(cond) > 0 {
			where += ` OR (` + strings.Join(cond, " AND ") + `)`
		}
		where += `) ORDER BY r.id DESC LIMIT 50`
		var err error
		if out, _, err = s.listRows(ctx, tx, p, partnershipID, 0, where, args...); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", 0, partnershipID, fmt.Sprintf("searched cases: %d found", len(out)))
	})
	return out, err
}
