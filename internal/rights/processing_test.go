package rights_test

import (
	"reflect"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
)

func TestRecordOfProcessing(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		if _, err := f.svc.SetRetention(ctx, f.dpo, f.partnership, rights.RetentionInput{Class: rights.CaseRecords, Outcome: rights.PoliceLed,
			Months: 60, Source: "Panel decision 2026/15"}); err != nil {
			t.Fatal(err)
		}
		rec, err := f.svc.RecordOfProcessing(ctx, f.dpo, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		// Sharing's record, as sharing gives it, with the rules in force beside it.
		shared, err := f.sharing.RecordOfProcessing(ctx, f.dpo, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rec.ProcessingRecord, shared) {
			t.Errorf("record %+v, want sharing's %+v", rec.ProcessingRecord, shared)
		}
		if rec.Partnership != "Northshire Prevent Partnership" || len(rec.Gateways) != len(agreementGateways) || len(rec.Agreements) != 1 {
			t.Errorf("%q: %d gateways, %d agreements", rec.Partnership, len(rec.Gateways), len(rec.Agreements))
		}
		rules, err := f.svc.RetentionRules(ctx, f.dpo, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Retention) != 9 || !reflect.DeepEqual(rec.Retention, rules) {
			t.Errorf("retention %+v, want the rules in force %+v", rec.Retention, rules)
		}
		var policeLed rights.RetentionRule
		for _, r := range rec.Retention {
			if r.Class == rights.CaseRecords && r.Outcome == rights.PoliceLed {
				policeLed = r
			}
		}
		if policeLed.Default() || policeLed.Months != 60 || policeLed.Version != 1 || policeLed.Source != "Panel decision 2026/15" {
			t.Errorf("police-led rule %+v, want the partnership's", policeLed)
		}
		// Only those who may see the data protection dashboard see the record.
		for _, p := range []prevent.Principal{f.coordinator, f.officer} {
			if _, err := f.svc.RecordOfProcessing(ctx, p, f.partnership); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s: %v, want NotFound", p.Name, err)
			}
		}
		if _, err := f.svc.RecordOfProcessing(ctx, f.dpo, f.partnership+1000); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another partnership's record: %v, want NotFound", err)
		}
	})
}
