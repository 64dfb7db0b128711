package casework_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// signpostFixture: Daniel Hughes (born 1 May 2003) referred twice by school A (Rita Referrer), once by
// school B (Bea Otherschool, still at triage) and once more by school A and taken to Channel, where the local
// authority's coordinator is assigned. A draft by school A names him too.
type signpostFixture struct {
	*fixture
	ritaFirst, ritaSecond, bea, channel, draft prevent.ID
	refs                                       map[prevent.ID]string
}

var hughesDOB = time.Date(2003, 5, 1, 0, 0, 0, 0, time.UTC)

func newSignpostFixture(t *testing.T, db *database.DB) *signpostFixture {
	t.Helper()
	f := &signpostFixture{fixture: newFixture(t, db), refs: map[prevent.ID]string{}}
	submit := func(p prevent.Principal) prevent.ID {
		id, ref := f.submit(t, p, input("Daniel", "Hughes", hughesDOB))
		f.refs[id] = ref
		return id
	}
	f.ritaFirst = submit(f.referrer)
	f.ritaSecond = submit(f.referrer)
	f.bea = submit(f.referrerB)
	f.channel = submit(f.referrer)
	f.triageToChannel(t, f.channel)
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO case_assignments (referral_id, person_id, role, assigned_at) VALUES ($1, $2, 'coordinator', $3)`,
		f.channel, f.coordinator.PersonID, start); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.draft, err = f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, input("Zara", "Draftonly", hughesDOB)); err != nil {
		t.Fatal(err)
	}
	return f
}

func hughes(dob time.Time) casework.SignpostQuery {
	return casework.SignpostQuery{Name: "Daniel Hughes", DateOfBirth: dob, Reason: "meeting",
		Purpose: "Housing panel on Thursday: who else is working with him?"}
}

// outsiderOnly fails unless r carries nothing but an organisation and a contact.
func outsiderOnly(t *testing.T, r casework.SignpostResult) {
	t.Helper()
	v := reflect.ValueOf(r)
	for i := range v.NumField() {
		switch name := v.Type().Field(i).Name; name {
		case "Organisation", "Contact", "ContactEmail":
		default:
			if !v.Field(i).IsZero() {
				t.Errorf("result for an outsider carries %s = %v: %+v", name, v.Field(i).Interface(), r)
			}
		}
	}
}

func TestSignpostOutsiderSeesOnlyOrganisationAndContact(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSignpostFixture(t, db)
		for _, dob := range []time.Time{{}, hughesDOB} {
			got, err := f.svc.Signpost(ctx, f.panelMember, f.partnership, hughes(dob))
			if err != nil {
				t.Fatal(err)
			}
			// School A's two referrals by Rita are one answer; the Channel case is the council's; school B's is Bea's.
			want := []casework.SignpostResult{
				{Organisation: "Northshire Academy", Contact: "Rita Referrer", ContactEmail: "rita.referrer@example.gov.uk"},
				{Organisation: "Northshire Council", Contact: "Cara Coordinator", ContactEmail: "cara.coordinator@example.gov.uk"},
				{Organisation: "Southfield School", Contact: "Bea Otherschool", ContactEmail: "bea.otherschool@example.gov.uk"},
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("date of birth %v: got %+v, want %+v", dob, got, want)
			}
			for _, r := range got {
				outsiderOnly(t, r)
				if r.Linked() {
					t.Errorf("outsider result is linked: %+v", r)
				}
			}
		}
	})
}

func TestSignpostLinksCasesTheSearcherMaySee(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSignpostFixture(t, db)
		// The coordinator may see every case: each is linked, by reference.
		got, err := f.svc.Signpost(ctx, f.coordinator, f.partnership, hughes(hughesDOB))
		if err != nil {
			t.Fatal(err)
		}
		linked := map[prevent.ID]string{}
		for _, r := range got {
			linked[r.ReferralID] = r.Reference
		}
		want := map[prevent.ID]string{f.ritaFirst: f.refs[f.ritaFirst], f.ritaSecond: f.refs[f.ritaSecond], f.bea: f.refs[f.bea], f.channel: f.refs[f.channel]}
		if !reflect.DeepEqual(linked, want) {
			t.Fatalf("coordinator: got %+v, want the four cases linked %+v", got, want)
		}
		// A panel member of school A assigned to Rita's first referral sees that one linked; the others stay
		// organisation and contact only.
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO case_assignments (referral_id, person_id, role, assigned_at) VALUES ($1, $2, 'panel_member', $3)`,
			f.ritaFirst, f.panelMember.PersonID, start); err != nil {
			t.Fatal(err)
		}
		got, err = f.svc.Signpost(ctx, f.panelMember, f.partnership, hughes(time.Time{}))
		if err != nil {
			t.Fatal(err)
		}
		var links []string
		outsiders := 0
		for _, r := range got {
			if r.Linked() {
				links = append(links, r.Reference)
				continue
			}
			outsiders++
			outsiderOnly(t, r)
		}
		if len(links) != 1 || links[0] != f.refs[f.ritaFirst] || outsiders != 3 {
			t.Fatalf("assigned panel member: got %+v, want %s linked and three organisation-only results", got, f.refs[f.ritaFirst])
		}
	})
}

func TestSignpostMatching(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSignpostFixture(t, db)
		count := func(name string, dob time.Time) int {
			t.Helper()
			q := hughes(dob)
			q.Name = name
			got, err := f.svc.Signpost(ctx, f.officer, f.partnership, q)
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		}
		cases := []struct {
			name string
			dob  time.Time
			want int
		}{
			{"Daniel Hughes", time.Time{}, 4},
			{"HUGHES, Daniel", time.Time{}, 4},
			{"Danial Hughes", hughesDOB, 4},                  // a typing slip, with the date of birth
			{"Danial Hughes", time.Time{}, 0},                // without it, the words must be his
			{"Daniel Hughes", hughesDOB.AddDate(1, 0, 0), 0}, // another date of birth: not him
			{"Dan Hughes", time.Time{}, 0},
			{"Zara Draftonly", time.Time{}, 0}, // drafts never match
			{"Zara Draftonly", hughesDOB, 0},
		}
		for _, c := range cases {
			if got := count(c.name, c.dob); got != c.want {
				t.Errorf("%q born %v: %d results, want %d", c.name, c.dob.Format("2006-01-02"), got, c.want)
			}
		}
	})
}

func TestSignpostValidationAndAccess(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSignpostFixture(t, db)
		before, _, err := audit.List(ctx, db.Read(), audit.Filter{RecordKind: "signpost_search", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			q     func(*casework.SignpostQuery)
			field string
		}{
			"no purpose":       {func(q *casework.SignpostQuery) { q.Purpose = "  " }, "purpose"},
			"no reason":        {func(q *casework.SignpostQuery) { q.Reason = "" }, "reason"},
			"unknown reason":   {func(q *casework.SignpostQuery) { q.Reason = "curiosity" }, "reason"},
			"one name":         {func(q *casework.SignpostQuery) { q.Name = "Hughes" }, "name"},
			"no name":          {func(q *casework.SignpostQuery) { q.Name = "" }, "name"},
			"purpose too long": {func(q *casework.SignpostQuery) { q.Purpose = strings.Repeat("x", 1001) }, "purpose"},
			"born tomorrow":    {func(q *casework.SignpostQuery) { q.DateOfBirth = start.AddDate(0, 0, 1) }, "date-of-birth"},
		} {
			q := hughes(time.Time{})
			c.q(&q)
			got, err := f.svc.Signpost(ctx, f.officer, f.partnership, q)
			wantKind(t, err, prevent.Invalid)
			if fe := prevent.FieldErrors(err); len(fe) != 1 || fe[0].Field != c.field || got != nil {
				t.Errorf("%s: got %v (%+v), want one error on %s and no results", name, fe, got, c.field)
			}
		}
		// Those who may not signpost, and members of another partnership, find no such search.
		for _, p := range []prevent.Principal{f.referrer, f.outsider} {
			_, err := f.svc.Signpost(ctx, p, f.partnership, hughes(time.Time{}))
			wantKind(t, err, prevent.NotFound)
		}
		after, _, err := audit.List(ctx, db.Read(), audit.Filter{RecordKind: "signpost_search", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("refused searches were recorded: %d entries, want %d", len(after), len(before))
		}
	})
}

func TestSignpostAuditHoldsPurpose(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSignpostFixture(t, db)
		q := hughes(hughesDOB)
		if _, err := f.svc.Signpost(ctx, f.panelMember, f.partnership, q); err != nil {
			t.Fatal(err)
		}
		wantPurpose := "Preparing for a multi-agency meeting about the person: " + q.Purpose
		search, _, err := audit.List(ctx, db.Read(), audit.Filter{RecordKind: "signpost_search", Actor: f.panelMember.PersonID})
		if err != nil {
			t.Fatal(err)
		}
		if len(search) != 1 || search[0].Action != audit.Consult || search[0].Purpose != wantPurpose ||
			search[0].PartnershipID != f.partnership || !strings.Contains(search[0].Detail, "3 results") {
			t.Fatalf("search entries: %+v, want one consultation with purpose %q and 3 results", search, wantPurpose)
		}
		if strings.Contains(search[0].Detail, "Hughes") || strings.Contains(search[0].Purpose, "Hughes") {
			t.Errorf("the audit entry holds the name searched for: %+v", search[0])
		}
		// Each case matched has its own consultation, so the person's access log shows the search.
		for _, id := range []prevent.ID{f.ritaFirst, f.ritaSecond, f.bea, f.channel} {
			es, _, err := audit.List(ctx, db.Read(), audit.Filter{RecordKind: "referral", RecordID: id, Actor: f.panelMember.PersonID})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 1 || es[0].Purpose != wantPurpose || !strings.Contains(es[0].Detail, "only its organisation and contact") {
				t.Errorf("referral %d: entries %+v, want one consultation with the purpose", id, es)
			}
		}
	})
}

func TestSignpostNotKnownDoesNotLeak(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSignpostFixture(t, db)
		// Someone nobody referred, and someone only in a draft: the same empty answer, and the same record.
		for _, name := range []string{"Yusuf Nobody", "Zara Draftonly"} {
			q := hughes(time.Time{})
			q.Name = name
			got, err := f.svc.Signpost(ctx, f.officer, f.partnership, q)
			if err != nil || len(got) != 0 {
				t.Fatalf("%s: got %+v, %v; want no results", name, got, err)
			}
		}
		es, _, err := audit.List(ctx, db.Read(), audit.Filter{RecordKind: "signpost_search", Actor: f.officer.PersonID})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].Detail != es[1].Detail {
			t.Errorf("entries differ between someone unknown and someone only in a draft: %+v", es)
		}
		drafts, _, err := audit.List(ctx, db.Read(), audit.Filter{RecordKind: "referral", RecordID: f.draft, Action: audit.Consult})
		if err != nil || len(drafts) != 0 {
			t.Errorf("the draft was consulted by the search: %+v, %v", drafts, err)
		}
		if w := casework.SignpostNotKnown; !strings.Contains(w, "does not mean the person is not known") {
			t.Errorf("not-known wording claims too much: %q", w)
		}
	})
}
