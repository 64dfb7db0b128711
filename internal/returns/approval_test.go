package returns

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// member adds a person to the fixture's organisation and returns them as a principal with one role in its
// partnership.
func (f *fixture) member(t *testing.T, name string, role prevent.Role) prevent.Principal {
	t.Helper()
	var id prevent.ID
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example"
	if err := f.db.Writer().QueryRowContext(context.Background(), `INSERT INTO people (organisation_id, name, email, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, f.org, name, email, day("2024-01-01T00:00:00Z")).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return prevent.Principal{PersonID: id, OrganisationID: f.org, MFA: true, Clearance: prevent.Clearance{Level: prevent.BPSS},
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: role}}}
}

// annualWorld is a partnership with a year of referrals and the people of an approval: an analyst who drafts, and
// two coordinators who check and approve.
type annualWorld struct {
	*fixture
	analyst, coordA, coordB, referrer, admin prevent.Principal
}

func newAnnualWorld(t *testing.T, db *database.DB, name, region string) *annualWorld {
	t.Helper()
	f := newFixture(t, db, name, region)
	year2024(t, f)
	return &annualWorld{fixture: f,
		analyst:  f.member(t, name+" Analyst", prevent.Analyst),
		coordA:   f.member(t, name+" Coordinator A", prevent.Coordinator),
		coordB:   f.member(t, name+" Coordinator B", prevent.Coordinator),
		referrer: f.member(t, name+" Referrer", prevent.Referrer),
		admin:    f.member(t, name+" Administrator", prevent.Administrator),
	}
}

// approve drafts, checks and approves the world's return for 2024/25 (analyst, coordinator B, coordinator A).
func (w *annualWorld) approve(t *testing.T, s *Service, pol Policy) *Annual {
	t.Helper()
	ctx := context.Background()
	a, err := s.DraftAnnual(ctx, w.analyst, Request{PartnershipID: w.pid, Year: 2024, Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckAnnual(ctx, w.coordB, w.pid, a.ID, a.Revision); err != nil {
		t.Fatal(err)
	}
	if err := s.ApproveAnnual(ctx, w.coordA, w.pid, a.ID, a.Revision); err != nil {
		t.Fatal(err)
	}
	a, err = s.AnnualReturn(ctx, w.analyst, w.pid, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func csvOf(t *testing.T, r *Return) []byte {
	t.Helper()
	var all []byte
	for _, tb := range r.Tables {
		b, err := r.CSV(tb)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func wantKind(t *testing.T, what string, err error, kind prevent.Kind, msg string) {
	t.Helper()
	if prevent.ErrorKind(err) != kind || !strings.Contains(prevent.PublicMessage(err), msg) {
		t.Errorf("%s: %v (%s), want %s with %q", what, err, prevent.ErrorKind(err), kind, msg)
	}
}

func TestAnnualApproval(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newAnnualWorld(t, db, "Elmshire", "Yorkshire and the Humber")
		other := newAnnualWorld(t, db, "Fernshire", "South West")
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey})
		req := Request{PartnershipID: w.pid, Year: 2024, Policy: SuppressBelow5}

		_, err := s.DraftAnnual(ctx, w.referrer, req)
		wantKind(t, "a referrer drafting", err, prevent.NotFound, "")
		_, err = s.DraftAnnual(ctx, other.coordA, req)
		wantKind(t, "another partnership's coordinator drafting", err, prevent.NotFound, "")
		_, err = s.DraftAnnual(ctx, w.analyst, Request{PartnershipID: w.pid, Year: 2024, Policy: RoundTo5})
		wantKind(t, "a policy not for returns", err, prevent.Invalid, "within the partnership")

		a, err := s.DraftAnnual(ctx, w.analyst, req)
		if err != nil {
			t.Fatal(err)
		}
		if a.State != AnnualDraft || a.Revision != 1 || a.DraftedBy != w.analyst.PersonID || a.Year != 2024 || a.Policy != SuppressBelow5 ||
			len(a.Return.Tables) != 7 || a.Return.Partnership != "Elmshire" || a.BundleID != "" {
			t.Fatalf("drafted %+v", a)
		}
		// Drafting again keeps one open return, with a new revision.
		again, err := s.DraftAnnual(ctx, w.analyst, req)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != a.ID || again.Revision != 2 {
			t.Fatalf("drafted again: id %d revision %d, want %d revision 2", again.ID, again.Revision, a.ID)
		}

		wantKind(t, "the drafter checking", s.CheckAnnual(ctx, w.analyst, w.pid, a.ID, 2), prevent.Conflict, "someone else must check it")
		wantKind(t, "approving a draft", s.ApproveAnnual(ctx, w.coordA, w.pid, a.ID, 2), prevent.Conflict, "must be checked")
		wantKind(t, "checking a revision no longer current", s.CheckAnnual(ctx, w.coordB, w.pid, a.ID, 1), prevent.Conflict, "drafted again")
		wantKind(t, "a referrer checking", s.CheckAnnual(ctx, w.referrer, w.pid, a.ID, 2), prevent.NotFound, "")
		if err := s.CheckAnnual(ctx, w.coordB, w.pid, a.ID, 2); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "checking twice", s.CheckAnnual(ctx, w.coordA, w.pid, a.ID, 2), prevent.Conflict, "already checked")
		wantKind(t, "an analyst approving", s.ApproveAnnual(ctx, w.analyst, w.pid, a.ID, 2), prevent.NotFound, "")
		wantKind(t, "an administrator approving", s.ApproveAnnual(ctx, w.admin, w.pid, a.ID, 2), prevent.NotFound, "")
		wantKind(t, "the checker approving", s.ApproveAnnual(ctx, w.coordB, w.pid, a.ID, 2), prevent.Conflict, "You checked")
		wantKind(t, "another partnership's coordinator approving", s.ApproveAnnual(ctx, other.coordA, w.pid, a.ID, 2), prevent.NotFound, "")
		wantKind(t, "approving through another partnership", s.ApproveAnnual(ctx, other.coordA, other.pid, a.ID, 2), prevent.NotFound, "")
		wantKind(t, "approving another revision", s.ApproveAnnual(ctx, w.coordA, w.pid, a.ID, 1), prevent.Conflict, "drafted again")
		if err := s.ApproveAnnual(ctx, w.coordA, w.pid, a.ID, 2); err != nil {
			t.Fatal(err)
		}
		first, err := s.AnnualReturn(ctx, w.analyst, w.pid, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if first.State != AnnualApproved || first.CheckedBy != w.coordB.PersonID || first.ApprovedBy != w.coordA.PersonID ||
			!first.ApprovedAt.Equal(clock("2025-05-01T09:00:00Z")()) || len(first.BundleID) != 32 {
			t.Fatalf("approved %+v", first)
		}
		wantKind(t, "approving twice", s.ApproveAnnual(ctx, w.coordA, w.pid, a.ID, 2), prevent.Conflict, "already approved")
		wantKind(t, "checking an approved return", s.CheckAnnual(ctx, w.coordB, w.pid, a.ID, 2), prevent.Conflict, "approved")
		_, err = s.AnnualReturn(ctx, other.coordA, w.pid, a.ID)
		wantKind(t, "another partnership reading", err, prevent.NotFound, "")
		_, err = s.AnnualReturn(ctx, other.coordA, other.pid, a.ID)
		wantKind(t, "reading through another partnership", err, prevent.NotFound, "")

		// Casework moves on: the approved return does not.
		frozen := csvOf(t, first.Return)
		w.add(t, 7, referral{submitted: day("2024-06-10T10:00:00Z"), sector: "police", types: []string{"islamist"}, dob: "1990-01-01", gender: "male", states: triaged})
		later := New(Deps{DB: db, Now: clock("2025-06-01T09:00:00Z"), DigestKey: testKey})
		fresh, err := later.Compute(ctx, w.analyst, req)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(csvOf(t, fresh), frozen) {
			t.Fatal("seven more referrals did not change the computed return")
		}
		reread, err := later.AnnualReturn(ctx, w.analyst, w.pid, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(csvOf(t, reread.Return), frozen) || reread.Return.Provenance.InputDigest != first.Return.Provenance.InputDigest {
			t.Error("the approved return changed with casework")
		}

		// A new return for the year: the coordinator who drafts it cannot approve it; the other can, and the new
		// approval supersedes the first, which is kept.
		b, err := later.DraftAnnual(ctx, w.coordA, req)
		if err != nil {
			t.Fatal(err)
		}
		if b.ID == a.ID || b.State != AnnualDraft || b.Revision != 1 {
			t.Fatalf("second draft %+v", b)
		}
		if err := later.CheckAnnual(ctx, w.analyst, w.pid, b.ID, 1); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "self-approval", later.ApproveAnnual(ctx, w.coordA, w.pid, b.ID, 1), prevent.Conflict, "You drafted")
		if err := later.ApproveAnnual(ctx, w.coordB, w.pid, b.ID, 1); err != nil {
			t.Fatal(err)
		}
		list, err := later.AnnualReturns(ctx, w.analyst, w.pid, 2024)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != b.ID || list[0].State != AnnualApproved || list[1].ID != a.ID || list[1].State != AnnualSuperseded ||
			list[1].SupersededBy != b.ID || list[1].SupersededAt.IsZero() || list[0].BundleID == list[1].BundleID {
			t.Fatalf("returns after a second approval: %+v", list)
		}
		if !bytes.Equal(csvOf(t, list[1].Return), frozen) {
			t.Error("the superseded return changed")
		}
		if bytes.Equal(csvOf(t, list[0].Return), frozen) {
			t.Error("the second approval has the first one's figures")
		}

		// The audit log names who did what to the first return: drafted, drafted again, checked, approved,
		// superseded; and nothing for the refusals.
		rows, err := db.Read().QueryContext(ctx, `SELECT actor_id, action FROM audit_entries WHERE record_kind = 'annual_return' AND record_id = $1 ORDER BY seq`, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var actor prevent.ID
			var action string
			if err := rows.Scan(&actor, &action); err != nil {
				t.Fatal(err)
			}
			who := map[prevent.ID]string{w.analyst.PersonID: "analyst", w.coordA.PersonID: "A", w.coordB.PersonID: "B"}[actor]
			got = append(got, who+" "+action)
		}
		rows.Close()
		want := []string{"analyst collect", "analyst alter", "B alter", "A alter", "B alter"}
		if !slices.Equal(got, want) {
			t.Errorf("audit of the first return: %q, want %q", got, want)
		}
	})
}
