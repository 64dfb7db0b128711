package casework_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/work"
)

var ctx = context.Background()

func TestReferenceData(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		svc := casework.New(casework.Deps{DB: db, Sharing: sharing.New(sharing.Deps{DB: db})})
		codes := func(list casework.List, on time.Time) []string {
			items, err := svc.Reference(ctx, list, on)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range items {
				if !it.ValidOn(on) {
					t.Errorf("%s %s not valid on %s", list, it.Code, on)
				}
				out = append(out, it.Code)
			}
			return out
		}
		old := codes(casework.ConcernTypes, time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC))
		now := codes(casework.ConcernTypes, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		if !slices.Contains(old, "conflicted") || slices.Contains(old, "no_ideology") {
			t.Errorf("2023/24 categories: %v", old)
		}
		if slices.Contains(now, "conflicted") || !slices.Contains(now, "no_ideology") || !slices.Contains(now, "extreme_violence") {
			t.Errorf("2025/26 categories: %v", now)
		}
		if l := svc.Label(ctx, casework.ConcernTypes, "left_wing", time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)); l != "Left Wing / Anarchist / Single issue" {
			t.Errorf("left wing label in 2022: %q", l)
		}
		if n := len(codes(casework.ExitOutcomes, start)); n != 10 {
			t.Errorf("%d exit outcomes, want the 10 pathway outcome codes", n)
		}
		if n := len(codes(casework.InterventionTypes, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC))); n != 5 {
			t.Errorf("%d intervention types in 2010, want the 5 of the 2009 list", n)
		}
		for _, l := range []casework.List{casework.TriageReasons, casework.SignpostServices, casework.InterventionTypes} {
			if len(codes(l, start)) == 0 {
				t.Errorf("%s is empty", l)
			}
		}
		h, err := svc.BankHolidays(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 24 || h.WorkingDay(time.Date(2026, 12, 28, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("bank holidays: %d, Boxing Day substitute 2026 working", len(h))
		}
	})
}

func TestDraftsBelongToTheirAuthor(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		in := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: "Sam"}, Concern: casework.Concern{WhatHappened: "first notes"}}
		id, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Person.FamilyName = "Taylor"
		if _, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, id, in); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Draft(ctx, f.referrer, id)
		if err != nil || got.Person.FullName() != "Sam Taylor" || got.Concern.WhatHappened != "first notes" {
			t.Fatalf("resume: %+v, %v", got, err)
		}
		drafts, err := f.svc.Drafts(ctx, f.referrer, f.partnership)
		if err != nil || len(drafts) != 1 || drafts[0].ID != id {
			t.Fatalf("drafts: %+v, %v", drafts, err)
		}
		// Nobody else may see or change it, not even a colleague, the coordinator or the police.
		for _, p := range []prevent.Principal{f.referrerA2, f.referrerB, f.coordinator, f.officer} {
			if _, err := f.svc.Draft(ctx, p, id); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s resumed another's draft: %v", p.Name, err)
			}
			if _, err := f.svc.SaveDraft(ctx, p, f.partnership, id, in); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s saved another's draft: %v", p.Name, err)
			}
			if _, err := f.svc.Submit(ctx, p, id); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s submitted another's draft: %v", p.Name, err)
			}
		}
		if drafts, _ := f.svc.Drafts(ctx, f.referrerA2, f.partnership); len(drafts) != 0 {
			t.Errorf("colleague lists %d drafts", len(drafts))
		}
		// Incomplete: refused with field errors, and still a draft.
		_, err = f.svc.Submit(ctx, f.referrer, id)
		wantKind(t, err, prevent.Invalid)
		fields := map[string]bool{}
		for _, fe := range prevent.FieldErrors(err) {
			fields[fe.Field] = true
		}
		if !fields["types"] || !fields["danger"] || !fields["person-knows"] {
			t.Errorf("field errors: %v", prevent.FieldErrors(err))
		}
		full := input("Sam", "Taylor", time.Date(2011, 3, 4, 0, 0, 0, 0, time.UTC))
		if _, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, id, full); err != nil {
			t.Fatal(err)
		}
		ref, err := f.svc.Submit(ctx, f.referrer, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, id, full); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("changed after submission: %v", err)
		}
		if _, err := f.svc.Submit(ctx, f.referrer, id); err == nil || !strings.Contains(err.Error(), "already been submitted") {
			t.Errorf("submitted twice: %v", err)
		}
		st, err := f.svc.ReferralStatus(ctx, f.referrer, id)
		if err != nil || st.Reference != ref || st.Status != "Received, being assessed" {
			t.Errorf("status: %+v, %v", st, err)
		}
		// The referrer sees the status, never the whole case.
		if _, err := f.svc.Referral(ctx, f.referrer, id); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("referrer read the whole case: %v", err)
		}
		r, err := f.svc.Referral(ctx, f.coordinator, id)
		if err != nil || r.Marking != prevent.OfficialSensitive || r.ReferrerSector != "education" || !r.TriageDueAt.Equal(start.AddDate(0, 0, 7)) {
			t.Errorf("case: %+v, %v", r, err)
		}
	})
}

var refPattern = regexp.MustCompile(`^PRV-2026-\d{6}$`)

func TestReferencesUniqueUnderConcurrency(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		const n = 20
		ids := make([]prevent.ID, n)
		for i := range ids {
			var err error
			if ids[i], err = f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, input("Person", fmt.Sprint(i), time.Time{})); err != nil {
				t.Fatal(err)
			}
		}
		refs := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() { refs[i], errs[i] = f.svc.Submit(ctx, f.referrer, ids[i]) })
		}
		wg.Wait()
		seen := map[string]bool{}
		for i, ref := range refs {
			if errs[i] != nil {
				t.Fatalf("submit %d: %v", i, errs[i])
			}
			if !refPattern.MatchString(ref) {
				t.Errorf("reference %q", ref)
			}
			if seen[ref] {
				t.Errorf("duplicate reference %s", ref)
			}
			seen[ref] = true
		}
		for i := 1; i <= n; i++ {
			if !seen[casework.FormatReference(2026, int64(i))] {
				t.Errorf("sequence has a gap at %d", i)
			}
		}
		// A new year starts again at 1.
		f.clock.Set(time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC))
		if _, ref := f.submit(t, f.referrer, input("New", "Year", time.Time{})); ref != "PRV-2027-000001" {
			t.Errorf("first of 2027: %s", ref)
		}
	})
}

func TestRepeatReferralMatching(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		dob := time.Date(2010, 5, 1, 0, 0, 0, 0, time.UTC)
		first, firstRef := f.submit(t, f.referrer, input("Zoë", "O'Brien", dob))
		// Different name, same date of birth: not a candidate. Similar name, other date and address: not either.
		other := input("Adam", "Kowalski", dob)
		f.submit(t, f.referrer, other)
		far := input("Zoe", "OBrien", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
		far.Person.Postcode, far.Person.AddressLine1 = "ZZ9 9ZZ", "9 Far Road"
		f.submit(t, f.referrer, far)

		f.clock.Set(start.Add(48 * time.Hour))
		second, _ := f.submit(t, f.referrerB, input("Zoe", "OBrien", dob))
		matches, err := f.svc.Matches(ctx, f.officer, second)
		if err != nil {
			t.Fatal(err)
		}
		if len(matches) != 1 || matches[0].Name != "Zoë O'Brien" || !strings.Contains(matches[0].Basis, "date of birth") {
			t.Fatalf("matches: %+v", matches)
		}
		if len(matches[0].Previous) != 1 || matches[0].Previous[0].Reference != firstRef {
			t.Errorf("previous of the match: %+v", matches[0].Previous)
		}
		// Not linked automatically.
		r, err := f.svc.Referral(ctx, f.officer, second)
		if err != nil {
			t.Fatal(err)
		}
		r1, _ := f.svc.Referral(ctx, f.officer, first)
		if r.SubjectID == r1.SubjectID || r.Repeat() {
			t.Fatalf("linked without a decision: subject %d = %d, previous %v", r.SubjectID, r1.SubjectID, r.Previous)
		}
		// Same address and similar name (no date of birth given) is also a candidate.
		third := input("Zoey", "O Brien", time.Time{})
		thirdID, _ := f.submit(t, f.referrerB, third)
		if m, err := f.svc.Matches(ctx, f.officer, thirdID); err != nil || len(m) < 1 || !strings.Contains(m[0].Basis, "address") {
			t.Errorf("address matches: %+v, %v", m, err)
		}
		// Only the police may decide; a coordinator or referrer cannot see the matches.
		if _, err := f.svc.Matches(ctx, f.coordinator, second); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("coordinator saw matches: %v", err)
		}
		if err := f.svc.LinkSubject(ctx, f.officer, second, r1.SubjectID); err != nil {
			t.Fatal(err)
		}
		r, err = f.svc.Referral(ctx, f.officer, second)
		if err != nil || !r.Repeat() || r.Previous[0].Reference != firstRef || r.Previous[0].State != casework.Submitted {
			t.Fatalf("after link: %+v, %v", r.Previous, err)
		}
		if err := f.svc.LinkSubject(ctx, f.officer, second, r1.SubjectID); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("linked twice: %v", err)
		}
		// The earlier referral's outcome shows on the repeat.
		if _, err := f.svc.RecordDeconfliction(ctx, f.officer, first, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Triage(ctx, f.officer, first, casework.TriageInput{Decision: casework.EvCloseNFA, Reason: "context_explains"}); err != nil {
			t.Fatal(err)
		}
		if r, err = f.svc.Referral(ctx, f.coordinator, second); err != nil || r.Previous[0].State != casework.ClosedNFA || r.Previous[0].Outcome != casework.EvCloseNFA {
			t.Errorf("previous outcome: %+v, %v", r.Previous, err)
		}
		m, _ := f.svc.Matches(ctx, f.officer, thirdID)
		for _, x := range m {
			if err := f.svc.DeclineMatch(ctx, f.officer, thirdID, x.SubjectID); err != nil {
				t.Fatal(err)
			}
		}
		if m, _ := f.svc.Matches(ctx, f.officer, thirdID); len(m) != 0 {
			t.Errorf("declined matches still listed: %+v", m)
		}
	})
}

// triageToChannel records deconfliction and refers the referral to Channel.
func (f *fixture) triageToChannel(t *testing.T, id prevent.ID) {
	t.Helper()
	if _, err := f.svc.RecordDeconfliction(ctx, f.officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "Stated intent to harm"}); err != nil {
		t.Fatal(err)
	}
}

func TestTriage(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, _ := f.submit(t, f.referrer, input("Ali", "Khan", time.Time{}))
		// No decision before deconfliction; the refusal changes nothing.
		_, err := f.svc.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "x"})
		wantKind(t, err, prevent.Conflict)
		if r, _ := f.svc.Referral(ctx, f.officer, id); r.State != casework.Submitted {
			t.Fatalf("refused triage changed the state to %s", r.State)
		}
		// Only a police officer triages.
		if _, err := f.svc.RecordDeconfliction(ctx, f.coordinator, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.Secret}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("coordinator recorded deconfliction: %v", err)
		}
		// An officer without SC cannot write a SECRET note.
		if _, err := f.svc.RecordDeconfliction(ctx, f.officerLow, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.Secret}); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("BPSS officer wrote SECRET: %v", err)
		}
		noteID, err := f.svc.RecordDeconfliction(ctx, f.officer, id, casework.DeconflictionInput{Result: casework.LiveInvestigation,
			Note: "Known to CTP; see restricted system", Marking: prevent.Secret})
		if err != nil {
			t.Fatal(err)
		}
		n, err := f.svc.Deconfliction(ctx, f.officer, noteID)
		if err != nil || n.Result != casework.LiveInvestigation || n.Marking != prevent.Secret {
			t.Fatalf("officer reads note: %+v, %v", n, err)
		}
		for _, p := range []prevent.Principal{f.coordinator, f.officerLow, f.referrer, f.outsider} {
			if _, err := f.svc.Deconfliction(ctx, p, noteID); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s read the SECRET note: %v", p.Name, err)
			}
		}
		if notes, err := f.svc.DeconflictionNotes(ctx, f.coordinator, id); err != nil || len(notes) != 0 {
			t.Errorf("coordinator lists notes: %d, %v", len(notes), err)
		}
		if notes, err := f.svc.DeconflictionNotes(ctx, f.officerLow, id); err != nil || len(notes) != 0 {
			t.Errorf("BPSS officer lists SECRET notes: %d, %v", len(notes), err)
		}
		if notes, err := f.svc.DeconflictionNotes(ctx, f.officer, id); err != nil || len(notes) != 1 {
			t.Errorf("officer lists notes: %d, %v", len(notes), err)
		}
		// Reasonable-grounds guard: refused without the statement, allowed with it.
		_, err = f.svc.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: " "})
		wantKind(t, err, prevent.Invalid)
		if r, _ := f.svc.Referral(ctx, f.officer, id); r.State != casework.PoliceTriage {
			t.Fatalf("state after refusal: %s", r.State)
		}
		// A no-further-action reason must come from the list.
		_, err = f.svc.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvCloseNFA, Reason: "because"})
		wantKind(t, err, prevent.Invalid)
		next, err := f.svc.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvReferToChannel,
			ReasonableGrounds: "Repeated statements of intent to harm; sought weapons information"})
		if err != nil || next != casework.ChannelScreening {
			t.Fatalf("refer to Channel: %s, %v", next, err)
		}
		_, err = f.svc.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvCloseNFA, Reason: "not_ct_related"})
		if err == nil || err.Error() != "This referral has already been triaged" {
			t.Errorf("triaged twice: %v", err)
		}
		r, err := f.svc.Referral(ctx, f.coordinator, id)
		if err != nil || r.Triage.Outcome != casework.EvReferToChannel || !strings.Contains(r.Triage.ReasonableGrounds, "intent") || r.Triage.By != f.officer.PersonID {
			t.Errorf("triage record: %+v, %v", r.Triage, err)
		}
		// Signposting to a listed service.
		id2, _ := f.submit(t, f.referrer, input("Ben", "Jones", time.Time{}))
		if _, err := f.svc.RecordDeconfliction(ctx, f.officer, id2, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
			t.Fatal(err)
		}
		if next, err := f.svc.Triage(ctx, f.officer, id2, casework.TriageInput{Decision: casework.EvSignpost, Service: "camhs"}); err != nil || next != casework.Signposted {
			t.Fatalf("signpost: %s, %v", next, err)
		}
		if st, _ := f.svc.ReferralStatus(ctx, f.referrer, id2); st.Status != "Assessment complete" {
			t.Errorf("referrer status after signposting: %q", st.Status)
		}
	})
}

func TestCaseAccess(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, ref := f.submit(t, f.referrer, input("Cai", "Evans", time.Time{}))
		for _, p := range []prevent.Principal{f.referrerB, f.referrerA2, f.panelMember, f.outsider} {
			if _, err := f.svc.ReferralStatus(ctx, p, id); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s: status %v", p.Name, err)
			}
			if _, err := f.svc.Referral(ctx, p, id); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s: case %v", p.Name, err)
			}
			if _, err := f.svc.Timeline(ctx, p, id); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s: timeline %v", p.Name, err)
			}
			if got, _ := f.svc.Search(ctx, p, f.partnership, ref); len(got) != 0 {
				t.Errorf("%s found the case by reference", p.Name)
			}
		}
		// Assigning the panel member gives need-to-know (same organisation as the referrer).
		if err := f.svc.Assign(ctx, f.coordinator, id, f.panelMember.PersonID, prevent.PanelMember, share(sharing.ChannelScreening)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Referral(ctx, f.panelMember, id); err != nil {
			t.Errorf("assigned panel member: %v", err)
		}
		// Search by reference and by a name, within what the principal may see.
		for _, q := range []string{ref, strings.ToLower(ref), "evans", "CAI EVANS"} {
			got, err := f.svc.Search(ctx, f.officer, f.partnership, q)
			if err != nil || len(got) != 1 || got[0].ID != id || got[0].State != casework.Submitted {
				t.Errorf("search %q: %+v, %v", q, got, err)
			}
		}
		got, err := f.svc.Search(ctx, f.referrer, f.partnership, "evans")
		if err != nil || len(got) != 1 || got[0].State != "" || got[0].Status != "Received, being assessed" {
			t.Errorf("referrer search shows status only: %+v, %v", got, err)
		}
		// Overdue after five working days.
		f.clock.Set(start.AddDate(0, 0, 7).Add(time.Minute))
		r, err := f.svc.Referral(ctx, f.officer, id)
		if err != nil || !r.Overdue(f.clock.Now()) || r.Overdue(start.AddDate(0, 0, 6)) {
			t.Errorf("overdue: due %s, %v", r.TriageDueAt, err)
		}
		tasks := work.New(work.Deps{DB: db, Now: f.clock.Now})
		pg, err := tasks.Mine(ctx, f.officer, work.Filter{})
		if err != nil || len(pg.Tasks) != 1 || pg.Tasks[0].Kind != work.Triage || !pg.Tasks[0].Overdue(f.clock.Now()) ||
			pg.Tasks[0].Reference != ref || pg.Counts.Overdue != 1 {
			t.Errorf("officer's work: %+v, %v", pg, err)
		}
		if pg, _ := tasks.Mine(ctx, f.referrer, work.Filter{}); len(pg.Tasks) != 0 {
			t.Errorf("referrer's work: %+v", pg)
		}
	})
}

func TestInformationRequests(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, _ := f.submit(t, f.referrer, input("Dee", "Frost", time.Time{}))
		req := casework.InformationRequestInput{OrganisationID: f.schoolB, Asked: "Attendance and behaviour records",
			Why: "To understand whether there are shared concerns", Due: start.AddDate(0, 0, 10), Share: share(sharing.ChannelScreening)}
		// Not before the case is in screening.
		if _, err := f.svc.RequestInformation(ctx, f.coordinator, id, req); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("request during triage: %v", err)
		}
		f.triageToChannel(t, id)
		if _, err := f.svc.RequestInformation(ctx, f.officer, id, req); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("police sent a screening request: %v", err)
		}
		_, err := f.svc.RequestInformation(ctx, f.coordinator, id, casework.InformationRequestInput{OrganisationID: f.schoolB})
		wantKind(t, err, prevent.Invalid)
		reqID, err := f.svc.RequestInformation(ctx, f.coordinator, id, req)
		if err != nil {
			t.Fatal(err)
		}
		// The asked organisation sees it and may answer; others do not.
		tasks := work.New(work.Deps{DB: db, Now: f.clock.Now})
		pg, err := tasks.Mine(ctx, f.referrerB, work.Filter{})
		if err != nil || len(pg.Tasks) != 1 || pg.Tasks[0].Kind != work.InformationRequest || pg.Tasks[0].ItemID != reqID || pg.Tasks[0].Mine {
			t.Fatalf("partner's work: %+v, %v", pg, err)
		}
		if list, err := f.svc.InformationRequests(ctx, f.referrerB, id); err != nil || len(list) != 1 {
			t.Errorf("asked organisation lists: %+v, %v", list, err)
		}
		for _, p := range []prevent.Principal{f.referrer, f.panelMember, f.officerLow} {
			if _, err := f.svc.InformationRequests(ctx, p, id); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s listed the requests: %v", p.Name, err)
			}
			if err := f.svc.AnswerInformationRequest(ctx, p, reqID, "an answer", share(sharing.ChannelScreening)); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s answered: %v", p.Name, err)
			}
		}
		// The coordinator is not given the partner's request to answer (nor a second row for it); their step is
		// to choose the case officer, and the case's assessment is waiting for one.
		cw, err := tasks.Mine(ctx, f.coordinator, work.Filter{})
		var kinds []work.Kind
		for _, t := range cw.Tasks {
			kinds = append(kinds, t.Kind)
		}
		if err != nil || !slices.Equal(kinds, []work.Kind{work.AssignOfficer, work.Assess}) {
			t.Errorf("coordinator's work: %v, %v", kinds, err)
		}
		if err := f.svc.AnswerInformationRequest(ctx, f.referrerB, reqID, "Attendance 82%; two behaviour incidents", share(sharing.ChannelScreening)); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AnswerInformationRequest(ctx, f.referrerB, reqID, "again", share(sharing.ChannelScreening)); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("answered twice: %v", err)
		}
		list, err := f.svc.InformationRequests(ctx, f.coordinator, id)
		if err != nil || len(list) != 1 || list[0].AnsweredBy != f.referrerB.PersonID || list[0].Open(start) {
			t.Errorf("coordinator sees the answer: %+v, %v", list, err)
		}
		if pg, _ := tasks.Mine(ctx, f.referrerB, work.Filter{}); len(pg.Tasks) != 0 {
			t.Errorf("answered request still in work: %+v", pg)
		}
	})
}

func TestKeysetListPages(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		const n = 120
		want := map[prevent.ID]bool{}
		for i := range n {
			id, _ := f.submit(t, f.referrer, input("Person", fmt.Sprintf("Number%03d", i), time.Time{}))
			want[id] = true
		}
		other, _ := f.submit(t, f.referrerB, input("Other", "School", time.Time{}))
		seen := map[prevent.ID]bool{}
		var after prevent.ID
		pages := 0
		for {
			page, next, err := f.svc.List(ctx, f.coordinator, casework.ListFilter{PartnershipID: f.partnership, After: after, Limit: 25})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for i, s := range page {
				if seen[s.ID] {
					t.Fatalf("page %d repeats %d", pages, s.ID)
				}
				if i > 0 && s.ID >= page[i-1].ID {
					t.Fatalf("page %d out of order", pages)
				}
				seen[s.ID] = true
			}
			if next == 0 {
				break
			}
			after = next
		}
		if len(seen) != n+1 || pages != 5 || !seen[other] {
			t.Fatalf("coordinator paged %d cases in %d pages", len(seen), pages)
		}
		// The referrer of school B sees only their own referral, by status.
		page, next, err := f.svc.List(ctx, f.referrerB, casework.ListFilter{PartnershipID: f.partnership})
		if err != nil || len(page) != 1 || page[0].ID != other || next != 0 || page[0].State != "" {
			t.Fatalf("referrer B list: %+v, %v", page, err)
		}
		// Stage filter.
		f.triageToChannel(t, other)
		page, _, err = f.svc.List(ctx, f.coordinator, casework.ListFilter{PartnershipID: f.partnership, Stage: casework.StageScreening})
		if err != nil || len(page) != 1 || page[0].ID != other || page[0].State != casework.ChannelScreening {
			t.Fatalf("screening stage: %+v, %v", page, err)
		}
		if _, _, err := f.svc.List(ctx, f.outsider, casework.ListFilter{PartnershipID: f.partnership}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("outsider listed: %v", err)
		}
	})
}

func TestAuditAndTimelineNameEachStep(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, ref := f.submit(t, f.referrer, input("Eve", "Green", time.Time{}))
		f.triageToChannel(t, id)
		if _, err := f.svc.Referral(ctx, f.coordinator, id); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Read().QueryContext(ctx, `SELECT actor_id, action, detail FROM audit_entries
			WHERE record_kind = 'referral' AND record_id = $1 ORDER BY seq`, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var actor prevent.ID
			var action, detail string
			if err := rows.Scan(&actor, &action, &detail); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d %s %s", actor, action, detail))
		}
		rows.Close()
		wants := []string{
			fmt.Sprintf("%d collect draft started", f.referrer.PersonID),
			fmt.Sprintf("%d collect submit: %s (Draft → Submitted)", f.referrer.PersonID, ref),
			fmt.Sprintf("%d alter start_triage (Submitted → Police triage)", f.officer.PersonID),
			fmt.Sprintf("%d alter refer_to_channel: triage: refer to Channel (Police triage → Channel screening)", f.officer.PersonID),
			fmt.Sprintf("%d consult case viewed", f.coordinator.PersonID),
		}
		if !slices.Equal(got, wants) {
			t.Errorf("audit trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wants, "\n"))
		}
		var notes int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE record_kind = 'deconfliction' AND action = 'collect'
			AND detail LIKE 'triage: deconfliction recorded%'`).Scan(&notes); err != nil || notes != 1 {
			t.Errorf("deconfliction audit entries: %d, %v", notes, err)
		}
		tl, err := f.svc.Timeline(ctx, f.coordinator, id)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range tl {
			kinds = append(kinds, e.Kind)
		}
		if want := []string{"draft", "submit", "start_triage", "deconfliction", "refer_to_channel"}; !slices.Equal(kinds, want) {
			t.Errorf("timeline %v, want %v", kinds, want)
		}
		if tl[4].From != casework.PoliceTriage || tl[4].To != casework.ChannelScreening || tl[4].ActorID != f.officer.PersonID {
			t.Errorf("timeline step: %+v", tl[4])
		}
		for _, e := range tl {
			if strings.Contains(e.Detail, "no_trace") {
				t.Errorf("timeline reveals the deconfliction result: %q", e.Detail)
			}
		}
	})
}

func TestPursueHandoverHiddenFromPartners(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, ref := f.submit(t, f.referrer, input("Gil", "Hart", time.Time{}))
		if _, err := f.svc.RecordDeconfliction(ctx, f.officer, id, casework.DeconflictionInput{Result: casework.LiveInvestigation, Marking: prevent.Secret}); err != nil {
			t.Fatal(err)
		}
		if next, err := f.svc.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvPursueHandover}); err != nil || next != casework.PursueHandover {
			t.Fatalf("handover: %s, %v", next, err)
		}
		if r, err := f.svc.Referral(ctx, f.officer, id); err != nil || r.State != casework.PursueHandover {
			t.Errorf("officer sees %s, %v", r.State, err)
		}
		r, err := f.svc.Referral(ctx, f.coordinator, id)
		if err != nil || r.State != casework.PoliceLedManagement || r.Triage.Outcome != casework.EvPoliceLed {
			t.Errorf("coordinator sees %s / %s, %v", r.State, r.Triage.Outcome, err)
		}
		tl, err := f.svc.Timeline(ctx, f.coordinator, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tl {
			if strings.Contains(e.Kind+e.Detail+string(e.To)+string(e.From), "ursue") {
				t.Errorf("timeline reveals the handover: %+v", e)
			}
		}
		got, err := f.svc.Search(ctx, f.coordinator, f.partnership, ref)
		if err != nil || len(got) != 1 || got[0].State != casework.PoliceLedManagement {
			t.Errorf("coordinator search: %+v, %v", got, err)
		}
		if st, _ := f.svc.ReferralStatus(ctx, f.referrer, id); st.Status != "Assessment complete" {
			t.Errorf("referrer status: %q", st.Status)
		}
	})
}
