package casework_test

import (
	"errors"
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

func TestMeetingStartedAndPast(t *testing.T) {
	m := casework.Meeting{HeldAt: time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		now           time.Time
		started, past bool
	}{
		{time.Date(2026, 12, 7, 23, 59, 0, 0, time.UTC), false, false},
		{time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC), true, false}, // the morning of the meeting's day
		{time.Date(2026, 12, 8, 23, 0, 0, 0, time.UTC), true, false},
		{time.Date(2026, 12, 9, 0, 1, 0, 0, time.UTC), true, true},
	} {
		if m.Started(c.now) != c.started || m.Past(c.now) != c.past {
			t.Errorf("at %s: started %v past %v, want %v %v", c.now, m.Started(c.now), m.Past(c.now), c.started, c.past)
		}
	}
}

// TestListingPutsTheCaseOnAMeetingsAgenda lists a case for a panel at one of its meetings: a past meeting or
// another panel's is refused with nothing changed, an upcoming one takes the case onto its agenda.
func TestListingPutsTheCaseOnAMeetingsAgenda(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		id := f.screening(t)
		yesterday, err := f.svc.ScheduleMeeting(ctx, f.coordinator, ps.panel, start.AddDate(0, 0, -1))
		if err != nil {
			t.Fatal(err)
		}
		other, err := f.svc.CreatePanel(ctx, f.coordinator, f.partnership, "Southshire Channel Panel", []string{"Southshire"})
		if err != nil {
			t.Fatal(err)
		}
		otherMeeting, err := f.svc.ScheduleMeeting(ctx, f.coordinator, other, start.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		next, err := f.svc.ScheduleMeeting(ctx, f.coordinator, ps.panel, start.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		for _, meeting := range []prevent.ID{0, yesterday, otherMeeting} {
			err := f.svc.ListForPanel(ctx, f.coordinator, id, ps.panel, meeting, share(sharing.ChannelPanel))
			wantKind(t, err, prevent.Invalid)
			if fe := prevent.FieldErrors(err); len(fe) != 1 || fe[0].Field != "meeting" {
				t.Errorf("meeting %d: errors %+v, want one on the meeting", meeting, fe)
			}
		}
		if st := f.state(t, id); st != casework.ChannelScreening {
			t.Fatalf("after refused listings the case is %s", st)
		}
		if err := f.svc.ListForPanel(ctx, f.coordinator, id, ps.panel, next, share(sharing.ChannelPanel)); err != nil {
			t.Fatal(err)
		}
		m, err := f.svc.Meeting(ctx, f.coordinator, next)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(m.Agenda, func(it casework.AgendaItem) bool { return it.ReferralID == id }) {
			t.Errorf("the case listed is not on the meeting's agenda: %+v", m.Agenda)
		}
		if st := f.state(t, id); st != casework.PanelListed {
			t.Errorf("state %s, want listed for panel", st)
		}
	})
}

// TestNothingIsRecordedForAMeetingBeforeItsDay refuses attendance and decisions for a meeting whose day has not
// come (a Conflict, nothing stored), and accepts both on the day.
func TestNothingIsRecordedForAMeetingBeforeItsDay(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		day := start.AddDate(0, 0, 14)
		future, err := f.svc.ScheduleMeeting(ctx, f.coordinator, ps.panel, day)
		if err != nil {
			t.Fatal(err)
		}
		id := f.screening(t)
		if err := f.svc.ListForPanel(ctx, f.coordinator, id, ps.panel, future, share(sharing.ChannelPanel)); err != nil {
			t.Fatal(err)
		}
		wantKind(t, f.svc.RecordAttendance(ctx, f.coordinator, future, ps.chair, true), prevent.Conflict)
		wantKind(t, f.svc.SetAttendance(ctx, f.coordinator, future, []prevent.ID{ps.chair, ps.police}), prevent.Conflict)
		_, err = f.svc.RecordDecision(ctx, f.coordinator, future, id, adopt("Agreed"))
		wantKind(t, err, prevent.Conflict)
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM panel_attendance WHERE meeting_id = $1`, future).Scan(&n); err != nil || n != 0 {
			t.Errorf("attendance rows before the meeting: %d, %v", n, err)
		}
		if st := f.state(t, id); st != casework.PanelListed {
			t.Errorf("after the refused decision the case is %s", st)
		}
		f.clock.Set(time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, time.UTC)) // the morning of the meeting
		wantKind(t, f.svc.SetAttendance(ctx, f.coordinator, future, []prevent.ID{ps.chair, ps.police + 1000}), prevent.Invalid)
		if err := f.svc.SetAttendance(ctx, f.coordinator, future, []prevent.ID{ps.chair, ps.police, ps.schoolMember}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetAttendance(ctx, f.coordinator, future, []prevent.ID{ps.chair, ps.police}); err != nil {
			t.Fatal(err)
		}
		m, err := f.svc.Meeting(ctx, f.coordinator, future)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range m.Attendees {
			if want := a.MemberID != ps.schoolMember; a.Present != want {
				t.Errorf("member %d present %v, want %v", a.MemberID, a.Present, want)
			}
		}
		if !m.Quorate {
			t.Error("the chair and the police are present but the meeting is not quorate")
		}
		if st, err := f.svc.RecordDecision(ctx, f.coordinator, future, id, adopt("Agreed")); err != nil || st != casework.Adopted {
			t.Fatalf("decision on the day: %s, %v", st, err)
		}
	})
}

// TestMeetingCase shows a case on the agenda to the panel's members, says when a child needs the children's
// services consultation, and is NotFound for anyone outside the panel or for a case not on the agenda.
func TestMeetingCase(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		child := input("Ben", "Young", start.AddDate(-15, 0, 0))
		id := f.toPanel(t, f.referrer, child, ps)
		adult := f.toPanel(t, f.referrer, input("Ann", "Old", adultDOB), ps)
		mc, err := f.svc.MeetingCase(ctx, f.panelMember, ps.meeting, id)
		if err != nil {
			t.Fatal(err)
		}
		if mc.Item.ReferralID != id || mc.Meeting.Panel.ID != ps.panel || !mc.Meeting.HeldAt.Equal(start) || !mc.ChildrensServicesDue {
			t.Errorf("meeting case: %+v", mc)
		}
		if mc, err := f.svc.MeetingCase(ctx, f.coordinator, ps.meeting, adult); err != nil || mc.ChildrensServicesDue {
			t.Errorf("an adult: consultation due %v, %v", mc.ChildrensServicesDue, err)
		}
		// Without a quorum the refusal is the quorum's; then it is the consultation's, marked for pages to lead to it.
		_, err = f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed"))
		if wantKind(t, err, prevent.Conflict); errors.Is(err, casework.ErrChildrensServicesFirst) {
			t.Errorf("the quorum's refusal is marked as the consultation's: %v", err)
		}
		f.present(t, ps.meeting, ps.chair, ps.police)
		_, err = f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed"))
		if wantKind(t, err, prevent.Conflict); !errors.Is(err, casework.ErrChildrensServicesFirst) || !strings.Contains(prevent.PublicMessage(err), "children’s services") {
			t.Errorf("adopting a child before the consultation: %v", err)
		}
		if err := f.svc.RecordChildrensServicesConsultation(ctx, f.coordinator, id, start, "Duty social worker", ""); err != nil {
			t.Fatal(err)
		}
		if mc, err := f.svc.MeetingCase(ctx, f.coordinator, ps.meeting, id); err != nil || mc.ChildrensServicesDue {
			t.Errorf("after the consultation: due %v, %v", mc.ChildrensServicesDue, err)
		}
		wantKind(t, func() error { _, err := f.svc.MeetingCase(ctx, f.referrerB, ps.meeting, id); return err }(), prevent.NotFound)
		notListed := f.screening(t)
		wantKind(t, func() error { _, err := f.svc.MeetingCase(ctx, f.coordinator, ps.meeting, notListed); return err }(), prevent.NotFound)
	})
}

// TestSentReferral gives the referrer what they sent, and nobody else.
func TestSentReferral(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		in := input("Sol", "Sent", adultDOB)
		in.Concern.Types = []string{casework.ConcernNotSure}
		id, ref := f.submit(t, f.referrer, in)
		got, err := f.svc.SentReferral(ctx, f.referrer, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reference != ref || got.Details.Concern.WhatHappened != in.Concern.WhatHappened || got.Details.Person.FullName() != "Sol Sent" || got.SubmittedAt.IsZero() {
			t.Errorf("sent referral: %+v", got)
		}
		for _, p := range []prevent.Principal{f.referrerA2, f.referrerB, f.coordinator, f.officer} {
			wantKind(t, func() error { _, err := f.svc.SentReferral(ctx, p, id); return err }(), prevent.NotFound)
		}
		draft, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		wantKind(t, func() error { _, err := f.svc.SentReferral(ctx, f.referrer, draft); return err }(), prevent.NotFound)
	})
}

// TestNotSureIsChosenOnItsOwn accepts "Not sure" as the type of concern alone, and refuses it with another.
func TestNotSureIsChosenOnItsOwn(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		in := input("Nia", "Unsure", adultDOB)
		in.Concern.Types = []string{casework.ConcernNotSure, "islamist"}
		_, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, in)
		wantKind(t, err, prevent.Invalid)
		if fe := prevent.FieldErrors(err); len(fe) != 1 || fe[0].Field != "types" {
			t.Errorf("errors %+v", fe)
		}
		items, err := f.svc.Reference(ctx, casework.ConcernTypes, start)
		if err != nil || !slices.ContainsFunc(items, func(it casework.Item) bool { return it.Code == casework.ConcernNotSure && it.Label == "Not sure" }) {
			t.Errorf("concern types today lack ‘Not sure’: %v %v", items, err)
		}
	})
}

func TestRequiredAnswersAndAge(t *testing.T) {
	if fe := (casework.ReferralInput{}).Missing(); len(fe) != 4 || !fe.Has("given-names") || !fe.Has("what-happened") || !fe.Has("types") || !fe.Has("person-knows") {
		t.Errorf("an empty referral misses %+v", fe)
	}
	if fe := input("A", "B", adultDOB).Missing(); len(fe) != 0 {
		t.Errorf("a complete referral misses %+v", fe)
	}
	for _, c := range []struct {
		d     casework.PersonDetails
		age   int
		child bool
	}{
		{casework.PersonDetails{DateOfBirth: start.AddDate(-18, 0, 1)}, 17, true},
		{casework.PersonDetails{DateOfBirth: start.AddDate(-18, 0, 0)}, 18, false},
		{casework.PersonDetails{ApproximateAge: 30}, 30, false},
		{casework.PersonDetails{ApproximateAge: 12}, 12, true},
		{casework.PersonDetails{}, -1, true},
	} {
		if a := c.d.Age(start); a != c.age || c.d.MayBeUnder18(start) != c.child {
			t.Errorf("%+v: age %d under 18 %v, want %d %v", c.d, a, c.d.MayBeUnder18(start), c.age, c.child)
		}
	}
}
