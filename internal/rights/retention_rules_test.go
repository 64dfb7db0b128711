package rights_test

import (
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Every outcome casework closes a case with is kept by the case rule of the same name: the two are stored
// (case_statistics, retention_rules), so a case whose outcome had no rule would never be erased.
func TestClosingOutcomesHaveCaseRules(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		rules, err := f.svc.RetentionRules(ctx, f.dpo, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		caseRules := map[string]bool{}
		for _, r := range rules {
			if r.Class == rights.CaseRecords {
				caseRules[string(r.Outcome)] = true
			}
		}
		closing := []casework.ClosingOutcome{casework.OutcomeNoFurtherAction, casework.OutcomeSignposted, casework.OutcomeNotAdopted,
			casework.OutcomePoliceLed, casework.OutcomeChannelExited, casework.OutcomeConsentDeclined}
		if len(caseRules) != len(closing) {
			t.Errorf("%d case rules for %d closing outcomes", len(caseRules), len(closing))
		}
		for _, o := range closing {
			if !caseRules[string(o)] {
				t.Errorf("no case rule for the closing outcome %q", o)
			}
			if _, err := sharing.Due(ctx, db.Read(), f.partnership, rights.CaseRecords, rights.Outcome(o), start, start); err != nil {
				t.Errorf("%q: %v", o, err)
			}
		}
	})
}
