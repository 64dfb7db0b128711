package casework_test

import (
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// consentToSupport records, for an adopted case, a support plan that says how, when and by whom consent is
// requested and the person's consent to support, which starts support.
func (f *fixture) consentToSupport(t *testing.T, id prevent.ID) {
	t.Helper()
	if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting", ConsentWhen: start, ConsentBy: "Coordinator"}); err != nil {
		t.Fatal(err)
	}
	if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "The person",
		GiverRole: casework.GiverSelf, Method: "In person", Decision: casework.ConsentGiven}); err != nil || st != casework.SupportActive {
		t.Fatalf("consent to support: %s, %v", st, err)
	}
}
