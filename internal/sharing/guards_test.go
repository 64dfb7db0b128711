package sharing_test

import (
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

func countRows(t *testing.T, db *database.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGuardDisclosureNeedsTheAcknowledgementOfANonPublicBody: the council stops being marked as a public
// body after the panel agreement was made active. Its data protection officer is alerted, in the same
// transaction, naming the agreement; a disclosure to it under the agreement is refused, naming the missing
// acknowledgement, and writes nothing. Once its acknowledgement is recorded the alert closes and the
// disclosure is made.
func TestGuardDisclosureNeedsTheAcknowledgementOfANonPublicBody(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		agreement := f.activeAgreement(t, f.panelAgreement())
		ps := partnership.New(partnership.Deps{DB: db, Now: f.clock.Now})
		if alerts, err := f.svc.AcknowledgementAlerts(ctx, f.dpo, f.partnership); err != nil || len(alerts) != 0 {
			t.Fatalf("alerts before: %v %v", alerts, err)
		}
		remark := func(public string) {
			t.Helper()
			if err := ps.UpdateOrganisation(ctx, f.admin, f.partnership, f.council, partnership.OrganisationInput{Name: "Northshire Council",
				Sector: "local_authority", PublicBody: public}); err != nil {
				t.Fatal(err)
			}
		}
		remark("no")
		if n := countRows(t, db, `SELECT COUNT(*) FROM audit_entries WHERE record_kind = 'organisation' AND record_id = $1
			AND detail LIKE '%no longer a public body: data protection officers alerted about 1 agreements%'`, f.council); n != 1 {
			t.Errorf("%d audit entries of the re-marking naming the alert", n)
		}
		reads := countRows(t, db, `SELECT COUNT(*) FROM audit_entries WHERE action = 'consult' AND record_kind = 'acknowledgement_alert'`)
		alerts, err := f.svc.AcknowledgementAlerts(ctx, f.dpo, f.partnership)
		if err != nil || len(alerts) != 1 {
			t.Fatalf("alerts after the re-marking: %+v %v", alerts, err)
		}
		a := alerts[0]
		if a.OrganisationID != f.council || a.Organisation != "Northshire Council" || len(a.Agreements) != 1 || a.Agreements[0].ID != agreement ||
			a.Agreements[0].Title != f.panelAgreement().Title || a.Acknowledged || a.RaisedBy != f.admin.PersonID {
			t.Errorf("alert = %+v", a)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM audit_entries WHERE action = 'consult' AND record_kind = 'acknowledgement_alert'`); n != reads+1 {
			t.Errorf("reading the alerts wrote %d audit entries, want 1", n-reads)
		}
		if _, err := f.svc.AcknowledgementAlerts(ctx, f.officer, f.partnership); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a police officer reads the alerts: %v", err)
		}
		if ov, err := f.svc.Overview(ctx, f.dpo, f.partnership, start, 30); err != nil || len(ov.AcknowledgementAlerts) != 1 {
			t.Errorf("the overview's acknowledgement alerts: %+v %v", ov.AcknowledgementAlerts, err)
		}

		// Probation's disclosure to the council under the agreement is refused, naming the acknowledgement.
		ledger := func() int { return countRows(t, db, `SELECT COUNT(*) FROM sharing_disclosures`) }
		before, disclosures := f.auditTotal(t), ledger()
		_, err = f.disclose(f.probationer, f.disclosure())
		if prevent.ErrorKind(err) != prevent.Invalid {
			t.Fatalf("disclosure to a non-public body without its acknowledgement: %v, want Invalid", err)
		}
		fe := prevent.FieldErrors(err)
		if len(fe) != 1 || fe[0].Field != "acknowledgement" || !strings.Contains(fe[0].Message, "Northshire Council is not a public body") ||
			!strings.Contains(fe[0].Message, f.panelAgreement().Title) {
			t.Errorf("refusal: %v", fe)
		}
		if !strings.Contains(prevent.PublicMessage(err), "acknowledgement of its own data protection duties") {
			t.Errorf("message: %q", prevent.PublicMessage(err))
		}
		if ledger() != disclosures || f.auditTotal(t) != before {
			t.Errorf("the refused disclosure wrote: %d disclosures (was %d), %d audit entries (was %d)", ledger(), disclosures, f.auditTotal(t), before)
		}
		// Its acknowledgement closes the alert, and the disclosure is made.
		if _, err := f.svc.RecordAcknowledgement(ctx, f.dpo, f.partnership, f.council, sharing.AcknowledgementInput{AcknowledgedBy: "Chief executive",
			AcknowledgedOn: start, TextVersion: sharing.AcknowledgementText}); err != nil {
			t.Fatal(err)
		}
		if alerts, err := f.svc.AcknowledgementAlerts(ctx, f.dpo, f.partnership); err != nil || len(alerts) != 0 {
			t.Errorf("alerts after the acknowledgement: %+v %v", alerts, err)
		}
		if n := countRows(t, db, `SELECT COUNT(*) FROM sharing_acknowledgement_alerts WHERE resolved_at IS NOT NULL AND resolution LIKE 'acknowledgement % recorded'`); n != 1 {
			t.Errorf("%d alerts closed by the acknowledgement", n)
		}
		if _, err := f.disclose(f.probationer, f.disclosure()); err != nil {
			t.Fatalf("disclosure after the acknowledgement: %v", err)
		}
		if ledger() != disclosures+1 {
			t.Errorf("ledger %d, want %d", ledger(), disclosures+1)
		}

		// Public again, then not: a new alert, which notes the acknowledgement already on record; marked a
		// public body again, it closes.
		remark("yes")
		remark("no")
		alerts, err = f.svc.AcknowledgementAlerts(ctx, f.dpo, f.partnership)
		if err != nil || len(alerts) != 1 || !alerts[0].Acknowledged {
			t.Fatalf("alerts after a second re-marking: %+v %v", alerts, err)
		}
		remark("yes")
		if alerts, _ := f.svc.AcknowledgementAlerts(ctx, f.dpo, f.partnership); len(alerts) != 0 {
			t.Errorf("alerts once a public body again: %+v", alerts)
		}
		// Changing nothing about public status raises nothing.
		remark("yes")
		if n := countRows(t, db, `SELECT COUNT(*) FROM sharing_acknowledgement_alerts`); n != 2 {
			t.Errorf("%d alerts raised in all, want 2", n)
		}
	})
}

// auditTotal counts every audit entry.
func (f *fixture) auditTotal(t *testing.T) int {
	t.Helper()
	return countRows(t, f.db, `SELECT COUNT(*) FROM audit_entries`)
}
