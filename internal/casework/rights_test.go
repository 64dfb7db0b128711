package casework_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// sharedCase is a referral by school A shared by the coordinator with the police under consent and with
// school B without consent (not sought).
type sharedCase struct {
	id                  prevent.ID
	toPolice, toSchoolB prevent.ID
	policeShare, bShare sharing.DisclosureInput
}

func (f *fixture) sharedCase(t *testing.T) sharedCase {
	t.Helper()
	var sc sharedCase
	sc.id, _ = f.submit(t, f.referrer, input("Sam", "Smith", time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)))
	if _, err := f.svc.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
		GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "In person", Decision: casework.ConsentGiven}); err != nil {
		t.Fatal(err)
	}
	var err error
	sc.policeShare = share(sharing.ChannelScreening)
	sc.policeShare.ToOrg, sc.policeShare.Consent, sc.policeShare.ConsentReason = f.police, sharing.ConsentGiven, ""
	if sc.toPolice, err = f.svc.Share(ctx, f.coordinator, sc.id, sc.policeShare); err != nil {
		t.Fatal(err)
	}
	sc.bShare = share(sharing.ChannelScreening)
	sc.bShare.ToOrg = f.schoolB
	if sc.toSchoolB, err = f.svc.Share(ctx, f.coordinator, sc.id, sc.bShare); err != nil {
		t.Fatal(err)
	}
	return sc
}

func noticeOrgs(ns []sharing.Notice) []prevent.ID {
	var out []prevent.ID
	for _, n := range ns {
		out = append(out, n.ToOrg)
	}
	slices.Sort(out)
	return out
}

func TestWithdrawalNotifiesRecipientsUnderConsent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		// Before withdrawal nobody has a notice.
		if ns, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false); err != nil || len(ns) != 0 {
			t.Fatalf("notices before withdrawal: %v %v", ns, err)
		}
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
			GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "Letter", Decision: casework.ConsentWithdrawnBy,
			Reason: "He no longer wants the police told"}); err != nil {
			t.Fatal(err)
		}
		all, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		// Exactly the police received data under consent: not school B (consent not sought), not the council
		// (the withdrawing organisation), not school A (the owner, never disclosed to).
		if got := noticeOrgs(all); !slices.Equal(got, []prevent.ID{f.police}) {
			t.Fatalf("notified %v, want only the police %d", got, f.police)
		}
		n := all[0]
		if n.Kind != sharing.NoticeConsentWithdrawn || n.Status != sharing.NoticeOpen || !slices.Equal(n.Disclosures, []prevent.ID{sc.toPolice}) ||
			n.RecordID != sc.id || n.RecordLabel == "" || n.FromOrg != f.council {
			t.Fatalf("notice %+v", n)
		}
		if strings.Contains(n.Message, "Sam") || strings.Contains(n.Message, "Smith") {
			t.Errorf("the notice names the person: %q", n.Message)
		}
		// School B sees none, and cannot see or complete the police's.
		if ns, err := f.sharing.Notices(ctx, f.referrerB, f.partnership, f.schoolB, true); err != nil || len(ns) != 0 {
			t.Fatalf("school B notices: %v %v", ns, err)
		}
		_, err = f.sharing.Notices(ctx, f.referrerB, f.partnership, f.police, true)
		wantKind(t, err, prevent.NotFound)
		wantKind(t, f.sharing.CompleteNotice(ctx, f.referrerB, n.ID, "Deleted it"), prevent.NotFound)
		wantKind(t, f.sharing.CompleteNotice(ctx, f.dpo, n.ID, "Deleted it"), prevent.NotFound)
		// The police see it as a task, and complete it with a note.
		mine, err := f.sharing.Notices(ctx, f.officer, f.partnership, f.police, true)
		if err != nil || len(mine) != 1 || mine[0].ID != n.ID {
			t.Fatalf("police open notices: %v %v", mine, err)
		}
		if c, err := f.sharing.CountOpenNotices(ctx, f.officer, f.partnership); err != nil || c != 1 {
			t.Fatalf("open count %d %v", c, err)
		}
		wantKind(t, f.sharing.CompleteNotice(ctx, f.officer, n.ID, "  "), prevent.Invalid)
		f.clock.Set(start.Add(48 * time.Hour))
		if err := f.sharing.CompleteNotice(ctx, f.officer, n.ID, "Stopped sharing; deleted the copy in the intelligence system"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, f.sharing.CompleteNotice(ctx, f.officer, n.ID, "Again"), prevent.Conflict)
		got, err := f.sharing.Notice(ctx, f.dpo, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != sharing.NoticeCompleted || got.CompletedBy != f.officer.PersonID || got.CompletedByName != "Olu Officer" ||
			!got.CompletedAt.Equal(start.Add(48*time.Hour)) || !strings.Contains(got.CompletedNote, "deleted the copy") {
			t.Fatalf("completed notice %+v", got)
		}
		if open, _ := f.sharing.Notices(ctx, f.officer, f.partnership, f.police, true); len(open) != 0 {
			t.Fatalf("completed notice still open: %v", open)
		}
		if c := auditCount(t, db, "collect", "sharing_notice"); c != 1 {
			t.Errorf("%d notice audit entries, want 1", c)
		}
		if c := auditCount(t, db, "alter", "sharing_notice"); c != 1 {
			t.Errorf("%d completion audit entries, want 1", c)
		}
		// A share claiming consent after the withdrawal is refused (H1's consistency check), and withdrawing
		// again notifies nobody twice for the same disclosures.
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
			GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "Letter", Decision: casework.ConsentWithdrawnBy,
			Reason: "Confirmed in writing"}); err != nil {
			t.Fatal(err)
		}
		if all, _ := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false); len(all) != 1 {
			t.Fatalf("second withdrawal sent %d notices in all, want still 1", len(all))
		}
	})
}

func TestRefusalAfterConsentNotifiesAsWithdrawal(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
			GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "Phone", Decision: casework.ConsentRefusedBy,
			Reason: "Does not want the police to hold it"}); err != nil {
			t.Fatal(err)
		}
		ns, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := noticeOrgs(ns); !slices.Equal(got, []prevent.ID{f.police}) || ns[0].Kind != sharing.NoticeConsentWithdrawn {
			t.Fatalf("notices after refusal %v", ns)
		}
		// Consent to support is another matter: its refusal tells nobody about information sharing (and on a
		// case not adopted by a panel it is refused outright).
		id, _ := f.submit(t, f.referrer, input("Kim", "Lee", time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)))
		_, err = f.svc.RecordConsent(ctx, f.coordinator, id, casework.ConsentInput{Scope: casework.ScopeSupport,
			GiverName: "Kim Lee", GiverRole: casework.GiverSelf, Method: "Phone", Decision: casework.ConsentRefusedBy, Reason: "No"})
		wantKind(t, err, prevent.Conflict)
		if ns, _ := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false); len(ns) != 1 {
			t.Fatalf("support refusal sent notices: %v", ns)
		}
	})
}

// auditCount counts audit entries of an action on a record kind.
func auditCount(t *testing.T, db *database.DB, action, kind string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE action = $1 AND record_kind = $2`, action, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
