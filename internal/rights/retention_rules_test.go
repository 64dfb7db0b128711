package rights_test

import (
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
)

func TestRetention(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		closed := time.Date(2023, 1, 15, 14, 0, 0, 0, time.UTC)
		due := func(class rights.RecordClass, o rights.Outcome, now time.Time) bool {
			t.Helper()
			d, err := rights.Due(ctx, db.Read(), f.partnership, class, o, closed, now)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if due(rights.CaseRecords, rights.NoFurtherAction, time.Date(2026, 1, 15, 13, 59, 0, 0, time.UTC)) ||
			!due(rights.CaseRecords, rights.NoFurtherAction, time.Date(2026, 1, 15, 14, 0, 0, 0, time.UTC)) {
			t.Error("no further action: three years by default")
		}
		if due(rights.CaseRecords, rights.ChannelExited, start) || !due(rights.CaseRecords, rights.ChannelExited, date(2029, 1, 16)) {
			t.Error("Channel exited: six years by default")
		}
		if _, err := rights.Due(ctx, db.Read(), f.partnership, "case", "unheard_of", closed, start); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("unknown outcome: %v", err)
		}
		rules, err := f.svc.RetentionRules(ctx, f.dpo, f.partnership)
		if err != nil || len(rules) != 9 {
			t.Fatalf("rules: %d %v", len(rules), err)
		}
		for _, r := range rules {
			if !r.Default() || r.Source == "" {
				t.Errorf("rule %+v is not a documented default", r)
			}
		}
		in := rights.RetentionInput{Class: rights.CaseRecords, Outcome: rights.ChannelExited, Months: 36, Source: "Panel decision 2026/14"}
		if _, err := f.svc.SetRetention(ctx, f.officer, f.partnership, in); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a police officer setting retention: %v", err)
		}
		if _, err := f.svc.SetRetention(ctx, f.dpo, f.partnership, rights.RetentionInput{Class: rights.DisclosureRecords, Outcome: rights.ChannelExited, Months: 0}); len(prevent.FieldErrors(err)) != 3 {
			t.Errorf("bad rule: %v", prevent.FieldErrors(err))
		}
		if v, err := f.svc.SetRetention(ctx, f.dpo, f.partnership, in); err != nil || v != 1 {
			t.Fatalf("set: %d %v", v, err)
		}
		in.Months = 48
		if v, err := f.svc.SetRetention(ctx, f.dpo, f.partnership, in); err != nil || v != 2 {
			t.Fatalf("second version: %d %v", v, err)
		}
		if due(rights.CaseRecords, rights.ChannelExited, date(2027, 1, 14)) || !due(rights.CaseRecords, rights.ChannelExited, date(2027, 1, 16)) {
			t.Error("the partnership's latest version (48 months) applies")
		}
		if !due(rights.CaseRecords, rights.NoFurtherAction, date(2026, 1, 16)) {
			t.Error("other outcomes keep their defaults")
		}
		if n := auditCountOf(t, db, "admin", "retention_rule", 0); n != 2 {
			t.Errorf("%d audit entries for retention rules, want 2", n)
		}
	})
}

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
			if _, err := rights.Due(ctx, db.Read(), f.partnership, rights.CaseRecords, rights.Outcome(o), start, start); err != nil {
				t.Errorf("%q: %v", o, err)
			}
		}
	})
}
