package rights_test

import (
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

func TestRectifyNotifiesPriorRecipients(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		// Only those who hold cases across the partnership correct them.
		wantKind(t, f.svc.Rectify(ctx, f.referrer, sc.id, rights.RectifyInput{Field: "family_name", Value: "Smyth", Reason: "Passport"}), prevent.NotFound)
		wantKind(t, f.svc.Rectify(ctx, f.coordinator, sc.id, rights.RectifyInput{Field: "concern", Value: "x", Reason: "y"}), prevent.Invalid)
		wantKind(t, f.svc.Rectify(ctx, f.coordinator, sc.id, rights.RectifyInput{Field: "date_of_birth", Value: "2099-01-01", Reason: "y"}), prevent.Invalid)
		wantKind(t, f.svc.Rectify(ctx, f.coordinator, sc.id, rights.RectifyInput{Field: "family_name", Value: "Smyth"}), prevent.Invalid)
		if ns, _ := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false); len(ns) != 0 {
			t.Fatalf("refused corrections sent notices: %v", ns)
		}
		if err := f.svc.Rectify(ctx, f.coordinator, sc.id, rights.RectifyInput{Field: "family_name", Value: "Smyth",
			Reason: "He showed his passport"}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Rectify(ctx, f.officer, sc.id, rights.RectifyInput{Field: "date_of_birth", Value: "1991-03-04",
			Reason: "Birth certificate"}); err != nil {
			t.Fatal(err)
		}
		r, err := f.casework.Referral(ctx, f.coordinator, sc.id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Details.Person.FamilyName != "Smyth" || !r.Details.Person.DateOfBirth.Equal(time.Date(1991, 3, 4, 0, 0, 0, 0, time.UTC)) ||
			r.Details.Person.GivenNames != "Sam" || r.Details.Concern.WhatHappened == "" {
			t.Fatalf("after rectification: %+v", r.Details)
		}
		// The subject record follows, so that the subject access search finds the corrected name.
		ms, err := f.svc.FindSubjects(ctx, f.dpo, f.partnership, "Sam Smyth", time.Date(1991, 3, 4, 0, 0, 0, 0, time.UTC))
		if err != nil || len(ms) != 1 {
			t.Fatalf("find corrected subject: %v %v", ms, err)
		}
		ns, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		// Each correction told both prior recipients (police and school B), never the council that made the
		// first one; the officer's correction told school B but not the police themselves.
		var byCoordinator, byOfficer []sharing.Notice
		for _, n := range ns {
			if n.Kind != sharing.NoticeRectified {
				t.Fatalf("kind %s", n.Kind)
			}
			if n.FromOrg == f.council {
				byCoordinator = append(byCoordinator, n)
			} else {
				byOfficer = append(byOfficer, n)
			}
		}
		if got := noticeOrgs(byCoordinator); !slices.Equal(got, sortedIDs(f.police, f.schoolB)) {
			t.Errorf("coordinator's correction notified %v", got)
		}
		if got := noticeOrgs(byOfficer); !slices.Equal(got, []prevent.ID{f.schoolB}) {
			t.Errorf("officer's correction notified %v", got)
		}
		tl, err := f.casework.Timeline(ctx, f.coordinator, sc.id)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, e := range tl {
			if e.Kind == "rectified" {
				found++
			}
		}
		if found != 2 {
			t.Errorf("%d rectified events on the timeline, want 2", found)
		}
	})
}

func sortedIDs(ids ...prevent.ID) []prevent.ID { slices.Sort(ids); return ids }

func noticeOrgs(ns []sharing.Notice) []prevent.ID {
	var out []prevent.ID
	for _, n := range ns {
		out = append(out, n.ToOrg)
	}
	slices.Sort(out)
	return out
}

func TestNoticeOverdue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		if err := f.svc.Rectify(ctx, f.coordinator, sc.id, rights.RectifyInput{Field: "postcode", Value: "NS2 2BB", Reason: "Moved"}); err != nil {
			t.Fatal(err)
		}
		all, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, true)
		if err != nil || len(all) != 2 {
			t.Fatalf("notices %v %v", all, err)
		}
		if all[0].Overdue(start.AddDate(0, 0, sharing.NoticeDueDays)) {
			t.Error("overdue on its due day")
		}
		if !all[0].Overdue(start.AddDate(0, 0, sharing.NoticeDueDays+1)) {
			t.Error("not overdue the day after its due day")
		}
	})
}
