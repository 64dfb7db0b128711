package returns

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// fixture is a partnership with referrals written straight into casework's tables, as the test's own data.
type fixture struct {
	db     *database.DB
	pid    prevent.ID
	org    prevent.ID
	person prevent.ID
	n      int
}

func newFixture(t testing.TB, db *database.DB, name, region string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	w := db.Writer()
	if err := w.QueryRowContext(ctx, `INSERT INTO organisations (name, sector, public_body, created_at, updated_at)
		VALUES ($1, 'police', TRUE, $2, $2) RETURNING id`, name+" Police", now).Scan(&f.org); err != nil {
		t.Fatal(err)
	}
	if err := w.QueryRowContext(ctx, `INSERT INTO partnerships (name, area, region, created_at, updated_at)
		VALUES ($1, $1, $2, $3, $3) RETURNING id`, name, region, now).Scan(&f.pid); err != nil {
		t.Fatal(err)
	}
	if err := w.QueryRowContext(ctx, `INSERT INTO people (organisation_id, name, email, created_at, updated_at)
		VALUES ($1, 'Referrer', $2, $3, $3) RETURNING id`, f.org, strings.ToLower(name)+"@example.org", now).Scan(&f.person); err != nil {
		t.Fatal(err)
	}
	return f
}

// referral is one referral of the fixture: when it was submitted (zero: a draft), who, what and how far it went.
type referral struct {
	submitted time.Time
	sector    string
	types     []string
	dob       string
	approx    int
	gender    string
	states    []casework.State // the states it passed through, the last being where it is
	erased    bool
	consent   []casework.ConsentDecision // decisions on consent to support, in the order made
}

func (f *fixture) add(t *testing.T, n int, r referral) {
	t.Helper()
	ctx := context.Background()
	w := f.db.Writer()
	for range n {
		f.n++
		created := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		var dob any
		if r.dob != "" {
			dob = r.dob
		}
		var approx any
		if r.approx > 0 {
			approx = r.approx
		}
		var subject int64
		if err := w.QueryRowContext(ctx, `INSERT INTO case_subjects (partnership_id, given_names, family_name, name_key, date_of_birth,
			approximate_age, gender, created_at, updated_at) VALUES ($1, 'A', 'Person', 'a person', $2, $3, $4, $5, $5) RETURNING id`,
			f.pid, dob, approx, r.gender, created).Scan(&subject); err != nil {
			t.Fatal(err)
		}
		state := casework.Draft
		if len(r.states) > 0 {
			state = r.states[len(r.states)-1]
		}
		var submitted, erased any
		if !r.submitted.IsZero() {
			submitted = r.submitted
		}
		if r.erased {
			erased = r.submitted.Add(time.Hour)
		}
		var id int64
		if err := w.QueryRowContext(ctx, `INSERT INTO referrals (partnership_id, reference, state, author_id, referrer_org_id, referrer_sector,
			subject_id, details, marking, submitted_at, erased_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', 2, $8, $9, $10, $10) RETURNING id`,
			f.pid, fmt.Sprintf("PRV-T-%d-%d", f.pid, f.n), string(state), f.person, f.org, r.sector, subject, submitted, erased, created).Scan(&id); err != nil {
			t.Fatal(err)
		}
		for _, c := range r.types {
			if _, err := w.ExecContext(ctx, `INSERT INTO referral_concern_types (referral_id, code) VALUES ($1, $2)`, id, c); err != nil {
				t.Fatal(err)
			}
		}
		from := casework.Draft
		for i, s := range r.states {
			if _, err := w.ExecContext(ctx, `INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail)
				VALUES ($1, $2, $3, 'transition', $4, $5, '')`, id, created.Add(time.Duration(i)*time.Minute), f.person, string(from), string(s)); err != nil {
				t.Fatal(err)
			}
			from = s
		}
		for i, d := range r.consent {
			if _, err := w.ExecContext(ctx, `INSERT INTO consent_records (referral_id, scope, giver_name, giver_role, capacity_notes, method,
				evidence, decision, reason, decided_at, under_18, recorded_by, recorded_at)
				VALUES ($1, 'support', 'A Person', 'self', '', 'in person', '', $2, '', $3, FALSE, $4, $3)`,
				id, string(d), created.Add(time.Duration(i+1)*time.Hour), f.person); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// erasedCase writes the facts casework keeps of an erased case.
func (f *fixture) erasedCase(t *testing.T, year, quarter int, types, outcome, band, sector, stage string) {
	t.Helper()
	if _, err := f.db.Writer().ExecContext(context.Background(), `INSERT INTO case_statistics (partnership_id, referral_year, referral_quarter,
		area, concern_types, outcome, age_band, referrer_sector, stage_reached) VALUES ($1, $2, $3, '', $4, $5, $6, $7, $8)`,
		f.pid, year, quarter, types, outcome, band, sector, stage); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) principal(role prevent.Role) prevent.Principal {
	return prevent.Principal{PersonID: f.person, OrganisationID: f.org, MFA: true, Clearance: prevent.Clearance{Level: prevent.BPSS},
		Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: role}}}
}

func clock(s string) func() time.Time {
	return func() time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return v
	}
}

var testKey = []byte("returns test digest key")

// Pathways, as the states a referral passes through.
var (
	triaged    = []casework.State{casework.Submitted, casework.PoliceTriage}
	toPanel    = append(slices.Clone(triaged), casework.ChannelScreening, casework.PanelListed, casework.Discussed)
	adopted    = append(slices.Clone(toPanel), casework.Adopted, casework.ConsentRequested, casework.SupportActive)
	notAdopted = append(slices.Clone(toPanel), casework.NotAdopted, casework.ClosedNFA)
	closedNFA  = append(slices.Clone(triaged), casework.ClosedNFA)
	signposted = append(slices.Clone(triaged), casework.Signposted)
)

func day(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v
}

// year2024 fills the fixture with referrals to 2024/25 and its neighbours.
func year2024(t *testing.T, f *fixture) {
	q1, q2, q3, q4 := day("2024-05-10T10:00:00Z"), day("2024-08-10T10:00:00Z"), day("2024-11-10T10:00:00Z"), day("2025-02-10T10:00:00Z")
	man30 := referral{sector: "police", types: []string{"islamist"}, dob: "1994-01-01", gender: "male"}
	with := func(r referral, at time.Time, states []casework.State) referral {
		r.submitted, r.states = at, states
		return r
	}
	givenLast := man30
	givenLast.consent = []casework.ConsentDecision{casework.ConsentRefusedBy, casework.ConsentGiven}
	f.add(t, 5, with(givenLast, q1, adopted))
	f.add(t, 1, with(man30, q1, notAdopted))
	f.add(t, 3, with(man30, q1, closedNFA))
	f.add(t, 3, with(man30, q1, signposted))
	boy16 := referral{sector: "education", types: []string{"extreme_right_wing"}, dob: "2008-01-01", gender: "male"}
	withdrawn := boy16
	withdrawn.consent = []casework.ConsentDecision{casework.ConsentGiven, casework.ConsentWithdrawnBy}
	f.add(t, 5, with(withdrawn, q2, adopted))
	f.add(t, 5, with(boy16, q2, closedNFA))
	girl13 := referral{sector: "local_authority", types: []string{"no_ideology"}, approx: 12, gender: "female"} // 12 in 2023
	f.add(t, 8, with(girl13, q3, signposted))
	f.add(t, 2, with(referral{sector: "health", types: []string{"not_sure"}, dob: "1984-06-01", gender: "other"}, q4, triaged))
	f.add(t, 1, with(referral{sector: "youth_justice", types: []string{"islamist"}, dob: "1994-01-01", gender: "male"}, q4, closedNFA))
	// 00:30 on 1 April 2024 in British Summer Time: the first half hour of 2024/25.
	f.add(t, 1, with(man30, day("2024-03-31T23:30:00Z"), triaged))
	// Not in the year: 2023/24, 2025/26, a draft, and a case erased (its facts are kept below instead).
	f.add(t, 3, with(man30, day("2024-03-31T22:00:00Z"), triaged))
	f.add(t, 1, with(man30, day("2025-04-02T10:00:00Z"), triaged))
	f.add(t, 1, referral{sector: "police", types: []string{"islamist"}, gender: "male"})
	e := with(man30, q4, closedNFA)
	e.erased = true
	f.add(t, 1, e)
	// Facts kept of erased cases: two referred January to March 2025 (2024/25), one January to March 2024.
	f.erasedCase(t, 2025, 1, "islamist", "channel_exited", "15_17", "police", "channel_support")
	f.erasedCase(t, 2025, 1, "extreme_right_wing,islamist", "signposted", "15_17", "police", "panel")
	f.erasedCase(t, 2024, 1, "islamist", "no_further_action", "21_30", "police", "referral")
}

func tableByID(t *testing.T, r *Return, id string) Table {
	t.Helper()
	for _, tb := range r.Tables {
		if tb.ID == id {
			return tb
		}
	}
	t.Fatalf("no table %s", id)
	return Table{}
}

func rowOf(t *testing.T, tb Table, label string) []string {
	t.Helper()
	for _, r := range tb.Rows {
		if r.Label == label {
			var out []string
			for _, c := range r.Cells {
				out = append(out, c.Text)
			}
			return out
		}
	}
	t.Fatalf("table %s has no row %q", tb.ID, label)
	return nil
}

// uncontrolled is a policy that withholds and rounds nothing: the true counts, for checking the definitions.
var uncontrolled = Policy{Name: "test-uncontrolled", Version: 1, MinBase: 1}

func trueReturn(t *testing.T, s *Service, f *fixture, y FinancialYear) *Return {
	t.Helper()
	ctx := context.Background()
	live, err := readLive(ctx, f.db.Read(), f.pid, y)
	if err != nil {
		t.Fatal(err)
	}
	erased, err := readErased(ctx, f.db.Read(), f.pid, y)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := concernLabels(ctx, f.db.Read())
	if err != nil {
		t.Fatal(err)
	}
	lists := map[Kind]List{}
	for _, k := range []Kind{ConcernTypes, AgeBands, Sectors, Genders, Regions} {
		lists[k], _ = ListFor(k, y)
	}
	r, err := s.build(Request{PartnershipID: f.pid, Year: y, Policy: uncontrolled}, uncontrolled, lists, labels, append(live, erased...), s.now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReturnCountsTheStagesOfTheYear(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, "Elmshire", "Yorkshire and the Humber")
		year2024(t, f)
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey})
		truth := trueReturn(t, s, f, 2024)
		want := map[string]map[string][]string{
			// Referrals; discussed, %; adopted, %; no further action; signposted.
			"type-of-concern": {
				// 14 live (one of them at 00:30 on 1 April) and the erased case that exited Channel.
				"Islamist":               {"15", "7", "47", "6", "40", "5", "3"},
				"Extreme Right-Wing":     {"10", "5", "50", "5", "50", "5", "0"},
				"No ideology identified": {"8", "0", "0", "0", "0", "0", "8"},
				// The erased case with two types, signposted after a panel: discussed, not counted as adopted.
				"Multiple or conflicted ideologies (none dominant)": {"1", "1", "100", "0", "0", "0", "1"},
				"Not in the Type of concern list: Not sure":         {"2", "0", "0", "0", "0", "0", "0"},
				"Left-wing": {"0", "0", "[z]", "0", "[z]", "0", "0"},
				"Total":     {"36", "13", "36", "11", "31", "10", "12"},
			},
			"sector": {
				"Police":             {"15", "8", "53", "6", "40", "4", "4"},
				"Education":          {"10", "5", "50", "5", "50", "5", "0"},
				"Health":             {"2", "0", "0", "0", "0", "0", "0"},
				"Friends and family": {"0", "0", "[z]", "0", "[z]", "0", "0"},
				"Not in the Sector of referral list: Youth justice": {"1", "0", "0", "0", "0", "1", "0"},
			},
			"age": {
				"21 to 30": {"13", "6", "46", "5", "38", "4", "3"},
				"16 to 17": {"10", "5", "50", "5", "50", "5", "0"},
				"11 to 15": {"8", "0", "0", "0", "0", "0", "8"},
				"31 to 40": {"3", "0", "0", "0", "0", "1", "0"}, // the youth justice referral was 31
				"Not in the Age group list: erased cases aged 15 to 17": {"2", "2", "100", "1", "50", "0", "1"},
			},
			"gender": {
				"Male":    {"24", "11", "46", "10", "42", "10", "3"},
				"Female":  {"8", "0", "0", "0", "0", "0", "8"},
				"Unknown": {"2", "2", "100", "1", "50", "0", "1"},
				"Not in the Gender list: Uses another term": {"2", "0", "0", "0", "0", "0", "0"},
			},
			"quarter": {
				"Q1 (April to June)":       {"13", "6", "46", "5", "38", "4", "3"},
				"Q2 (July to September)":   {"10", "5", "50", "5", "50", "5", "0"},
				"Q3 (October to December)": {"8", "0", "0", "0", "0", "0", "8"},
				"Q4 (January to March)":    {"5", "2", "40", "1", "20", "1", "1"},
			},
			// The cases adopted, by the last decision on consent to support; an erased case keeps none.
			"consent": {
				"Consent to support given":         {"5"},
				"Consent to support withdrawn":     {"5"},
				"Consent to support refused":       {"0"},
				"No consent decision recorded yet": {"0"},
				"Not known (erased case)":          {"1"},
				"Total":                            {"11"},
			},
		}
		for id, rows := range want {
			tb := tableByID(t, truth, id)
			for label, cells := range rows {
				if got := rowOf(t, tb, label); !slices.Equal(got, cells) {
					t.Errorf("%s, %s: %v, want %v", id, label, got, cells)
				}
			}
		}
		cross := tableByID(t, truth, "age-by-type-of-concern")
		if got, i := rowOf(t, cross, "16 to 17"), slices.Index(cross.Headings, "Extreme Right-Wing"); got[i-1] != "10" || got[len(got)-1] != "10" {
			t.Errorf("age by type, 16 to 17: %v", got)
		}
		if got := rowOf(t, cross, "Total"); got[len(got)-1] != "36" {
			t.Errorf("age by type, total: %v", got)
		}
		if !slices.ContainsFunc(truth.Provenance.Notes, func(n string) bool { return strings.Contains(n, "cannot tell whether they were adopted") }) {
			t.Errorf("notes %v: the erased case signposted after a panel is not noted", truth.Provenance.Notes)
		}
	})
}

func TestComputeControlsDisclosureAndRecordsProvenance(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db, "Elmshire", "Yorkshire and the Humber")
		year2024(t, f)
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey})
		truth := trueReturn(t, s, f, 2024)
		for _, pol := range []Policy{SuppressBelow5, SuppressBelow5RoundTo5} {
			r, err := s.Compute(ctx, f.principal(prevent.Coordinator), Request{PartnershipID: f.pid, Year: 2024, Policy: pol})
			if err != nil {
				t.Fatal(err)
			}
			if r.Region != "North East (including Yorkshire and the Humber)" || r.Partnership != "Elmshire" {
				t.Errorf("region %q, partnership %q", r.Region, r.Partnership)
			}
			if len(r.Tables) != 7 || len(truth.Tables) != 7 {
				t.Fatalf("%d tables", len(r.Tables))
			}
			withheld := 0
			for ti, tb := range r.Tables {
				for ri, row := range tb.Rows {
					for ci, c := range row.Cells {
						want := truth.Tables[ti].Rows[ri].Cells[ci]
						isPercent := strings.Contains(tb.Headings[ci+1], "%")
						switch {
						case c.Text == Confidential:
							withheld++
						case isPercent:
						case !c.Number:
							t.Errorf("%s %q: %q", tb.ID, row.Label, c.Text)
						case pol.RoundTo == 0 && c.Value != want.Value:
							t.Errorf("%s %q column %d: %d shown, true %d", tb.ID, row.Label, ci, c.Value, want.Value)
						case pol.RoundTo > 0 && c.Value != pol.round(want.Value):
							t.Errorf("%s %q column %d: %d shown, true %d", tb.ID, row.Label, ci, c.Value, want.Value)
						}
						if !isPercent && want.Number && want.Value > 0 && want.Value < 5 && c.Text != Confidential {
							t.Errorf("%s %q column %d: %d is shown as %q", tb.ID, row.Label, ci, want.Value, c.Text)
						}
					}
				}
			}
			if withheld == 0 {
				t.Error("nothing withheld")
			}
			if got := rowOf(t, tableByID(t, r, "type-of-concern"), "Total")[0]; got != strconv.Itoa(pol.round(36)) {
				t.Errorf("%s: total referrals %s", pol, got)
			}
			p := r.Provenance
			if p.Policy != pol || p.QueryVersion != queryVersion || len(p.InputDigest) != 64 || !p.GeneratedAt.Equal(clock("2025-05-01T09:00:00Z")()) ||
				!slices.Contains(p.Lists, "concern_type version 4 (from 2024/25)") || !slices.Contains(p.Lists, "age_band version 2 (from 2023/24)") {
				t.Errorf("provenance %+v", p)
			}
			// Every table's CSV names the policy and carries the shorthand.
			for _, tb := range r.Tables {
				b, err := r.CSV(tb)
				if err != nil {
					t.Fatal(err)
				}
				rd := csv.NewReader(bytes.NewReader(b))
				rd.FieldsPerRecord = -1
				recs, err := rd.ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if !slices.ContainsFunc(recs, func(x []string) bool { return len(x) > 1 && x[0] == "Disclosure control" && x[1] == pol.String() }) {
					t.Errorf("%s: the CSV does not name the policy", tb.ID)
				}
				if !slices.ContainsFunc(recs, func(x []string) bool { return slices.Equal(x, tb.Headings) }) {
					t.Errorf("%s: no heading row", tb.ID)
				}
				if bytes.Contains(b, []byte("Generated")) {
					t.Errorf("%s: the table's CSV holds the generation time", tb.ID)
				}
			}
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE action = 'combine' AND record_kind = 'return' AND partnership_id = $1`,
			f.pid).Scan(&n); err != nil || n != 2 {
			t.Errorf("%d audit entries, %v; want 2", n, err)
		}
	})
}

// The same data gives the same bytes, whenever it is computed; other data gives another digest.
func TestSameDataSameBytes(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, db, "Elmshire", "South West")
	year2024(t, f)
	compute := func(now string, key []byte) *Return {
		r, err := New(Deps{DB: db, Now: clock(now), DigestKey: key}).Compute(ctx, f.principal(prevent.Analyst), Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := compute("2025-05-01T09:00:00Z", testKey), compute("2025-09-30T16:30:00Z", testKey)
	if a.Provenance.InputDigest != b.Provenance.InputDigest {
		t.Error("the digest of the same data differs")
	}
	for i := range a.Tables {
		x, _ := a.CSV(a.Tables[i])
		y, _ := b.CSV(b.Tables[i])
		if !bytes.Equal(x, y) {
			t.Errorf("%s: the same data gives different bytes", a.Tables[i].ID)
		}
	}
	pa, _ := a.ProvenanceCSV()
	pb, _ := b.ProvenanceCSV()
	if bytes.Equal(pa, pb) || !bytes.Contains(pa, []byte("2025-05-01T09:00:00Z")) {
		t.Error("the provenance does not say when each return was generated")
	}
	if c := compute("2025-05-01T09:00:00Z", []byte("another key")); c.Provenance.InputDigest == a.Provenance.InputDigest {
		t.Error("the digest does not depend on its key")
	}
	f.add(t, 1, referral{submitted: day("2024-05-10T10:00:00Z"), sector: "police", types: []string{"islamist"}, gender: "male",
		states: triaged})
	if c := compute("2025-05-01T09:00:00Z", testKey); c.Provenance.InputDigest == a.Provenance.InputDigest {
		t.Error("one more referral gives the same digest")
	}
}

func TestComputeRefuses(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, db, "Elmshire", "South West")
	year2024(t, f)
	small := newFixture(t, db, "Smallshire", "Wales")
	small.add(t, 4, referral{submitted: day("2024-05-10T10:00:00Z"), sector: "police", types: []string{"islamist"}, gender: "male", states: triaged})
	s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey})
	req := Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5}
	coord := f.principal(prevent.Coordinator)
	other := small.principal(prevent.Coordinator)
	for _, c := range []struct {
		name string
		s    *Service
		p    prevent.Principal
		req  Request
		kind prevent.Kind
		msg  string
	}{
		{"year not over", New(Deps{DB: db, Now: clock("2025-03-31T22:00:00Z"), DigestKey: testKey}), coord, req, prevent.Invalid, "not over until 31 March 2025"},
		{"rounding alone", s, coord, Request{PartnershipID: f.pid, Year: 2024, Policy: RoundTo5}, prevent.Invalid, "within the partnership"},
		{"no policy", s, coord, Request{PartnershipID: f.pid, Year: 2024}, prevent.Invalid, "Choose a disclosure control policy"},
		{"a policy altered", s, coord, Request{PartnershipID: f.pid, Year: 2024, Policy: Policy{Name: "suppress-below-5", Version: 1, Threshold: 2, MinBase: 1, Release: true}}, prevent.Invalid, "Choose"},
		{"before the statistics", s, coord, Request{PartnershipID: f.pid, Year: 2014, Policy: SuppressBelow5}, prevent.Invalid, "start in 2015/16"},
		{"too few referrals", s, other, Request{PartnershipID: small.pid, Year: 2024, Policy: SuppressBelow5}, prevent.Invalid, "fewer than 5 referrals in 2024/25"},
		{"a referrer", s, f.principal(prevent.Referrer), req, prevent.NotFound, ""},
		{"a panel chair", s, f.principal(prevent.PanelChair), req, prevent.NotFound, ""},
		{"another partnership's coordinator", s, other, req, prevent.NotFound, ""},
	} {
		_, err := c.s.Compute(ctx, c.p, c.req)
		if prevent.ErrorKind(err) != c.kind || !strings.Contains(prevent.PublicMessage(err), c.msg) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z")}).Compute(ctx, coord, req); err == nil {
		t.Error("computed without a digest key")
	}
	if _, err := s.Compute(ctx, f.principal(prevent.Analyst), req); err != nil {
		t.Errorf("an analyst: %v", err)
	}
}
