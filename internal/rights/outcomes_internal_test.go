package rights

import (
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
)

// The outcome a case closed with and the outcome of the rule it is kept by are stored as the same string
// (case_statistics.outcome, retention_rules.outcome), so the mapping between them is the identity on every
// outcome casework closes a case with.
func TestCaseOutcomesKeepTheirValues(t *testing.T) {
	closing := []casework.ClosingOutcome{casework.OutcomeNoFurtherAction, casework.OutcomeSignposted, casework.OutcomeNotAdopted,
		casework.OutcomePoliceLed, casework.OutcomeChannelExited, casework.OutcomeConsentDeclined}
	if len(caseOutcomes) != len(closing) {
		t.Errorf("%d outcomes mapped, want %d", len(caseOutcomes), len(closing))
	}
	for _, o := range closing {
		if got, ok := caseOutcomes[o]; !ok || string(got) != string(o) {
			t.Errorf("closing outcome %q maps to %q (%v)", o, got, ok)
		}
	}
}
