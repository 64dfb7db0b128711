package sharing_test

import (
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

func TestRetention(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		closed := time.Date(2023, 1, 15, 14, 0, 0, 0, time.UTC)
		due := func(class sharing.RecordClass, o sharing.Outcome, now time.Time) bool {
			t.Helper()
			d, err := sharing.Due(ctx, db.Read(), f.partnership, class, o, closed, now)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if due(sharing.CaseRecords, sharing.NoFurtherAction, time.Date(2026, 1, 15, 13, 59, 0, 0, time.UTC)) ||
			!due(sharing.CaseRecords, sharing.NoFurtherAction, time.Date(2026, 1, 15, 14, 0, 0, 0, time.UTC)) {
			t.Error("no further action: three years by default")
		}
		if due(sharing.CaseRecords, sharing.ChannelExited, start) || !due(sharing.CaseRecords, sharing.ChannelExited, date(2029, 1, 16)) {
			t.Error("Channel exited: six years by default")
		}
		if _, err := sharing.Due(ctx, db.Read(), f.partnership, "case", "unheard_of", closed, start); prevent.ErrorKind(err) != prevent.Invalid {
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
		in := sharing.RetentionInput{Class: sharing.CaseRecords, Outcome: sharing.ChannelExited, Months: 36, Source: "Panel decision 2026/14"}
		if _, err := f.svc.SetRetention(ctx, f.officer, f.partnership, in); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a police officer setting retention: %v", err)
		}
		if _, err := f.svc.SetRetention(ctx, f.dpo, f.partnership, sharing.RetentionInput{Class: sharing.DisclosureRecords, Outcome: sharing.ChannelExited, Months: 0}); len(prevent.FieldErrors(err)) != 3 {
			t.Errorf("bad rule: %v", prevent.FieldErrors(err))
		}
		if v, err := f.svc.SetRetention(ctx, f.dpo, f.partnership, in); err != nil || v != 1 {
			t.Fatalf("set: %d %v", v, err)
		}
		in.Months = 48
		if v, err := f.svc.SetRetention(ctx, f.dpo, f.partnership, in); err != nil || v != 2 {
			t.Fatalf("second version: %d %v", v, err)
		}
		if due(sharing.CaseRecords, sharing.ChannelExited, date(2027, 1, 14)) || !due(sharing.CaseRecords, sharing.ChannelExited, date(2027, 1, 16)) {
			t.Error("the partnership's latest version (48 months) applies")
		}
		if !due(sharing.CaseRecords, sharing.NoFurtherAction, date(2026, 1, 16)) {
			t.Error("other outcomes keep their defaults")
		}
		if n := auditCount(t, db, "admin", "retention_rule", 0); n != 2 {
			t.Errorf("%d audit entries for retention rules, want 2", n)
		}
	})
}

func TestOverview(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.activeAgreement(t, f.panelAgreement())
		short := f.panelAgreement()
		short.Title, short.ReviewDate = "Short", start.AddDate(0, 0, 20)
		shortID := f.activeAgreement(t, short)
		for i := range 3 {
			in := f.disclosure()
			in.RecordID = int64(100 + i)
			if i == 2 {
				in.ToOrg, in.Recipients, in.Consent, in.ConsentReason, in.Gateway = f.police, nil, sharing.ConsentNotSought, "Would prejudice the outcome", "uk_gdpr_6_1_e"
			}
			if _, err := f.disclose(f.probationer, in); err != nil {
				t.Fatal(err)
			}
		}
		o, err := f.svc.Overview(ctx, f.dpo, f.partnership, start, 25)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.ByGateway) != 2 || o.ByGateway[0].Key != "oma_2007_s14" || o.ByGateway[0].N != 2 || o.ByGateway[1].N != 1 ||
			o.ByGateway[0].Label != "Offender Management Act 2007, section 14" {
			t.Errorf("by gateway: %+v", o.ByGateway)
		}
		if len(o.ByRecipient) != 2 || o.ByRecipient[0].OrganisationID != f.council || o.ByRecipient[0].N != 2 || o.ByRecipient[1].OrganisationID != f.police {
			t.Errorf("by recipient: %+v", o.ByRecipient)
		}
		if o.Consent != (sharing.ConsentRates{Given: 2, NotSought: 1}) || o.Consent.GivenRate() < 0.66 || o.Consent.GivenRate() > 0.67 {
			t.Errorf("consent: %+v", o.Consent)
		}
		if len(o.Expiring) != 1 || o.Expiring[0].ID != shortID {
			t.Errorf("expiring: %+v", o.Expiring)
		}
		if _, err := f.svc.Overview(ctx, f.officer, f.partnership, start, 30); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a police officer's overview: %v", err)
		}
	})
}
