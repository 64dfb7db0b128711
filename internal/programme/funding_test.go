package programme_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

func TestParsePence(t *testing.T) {
	for in, want := range map[string]programme.Pence{"1234": 123400, "£1,234.5": 123450, "0.01": 1, " 25,000.00 ": 2500000} {
		if got, ok := programme.ParsePence(in); !ok || got != want {
			t.Errorf("ParsePence(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "12.345", "-5", "1e3", "£", "12.", "abc"} {
		if _, ok := programme.ParsePence(in); ok {
			t.Errorf("ParsePence(%q) accepted", in)
		}
	}
	if s := programme.Pence(123456789).String(); s != "£1,234,567.89" {
		t.Errorf("String = %s", s)
	}
}

func TestCriteriaNameNoFaith(t *testing.T) {
	for _, it := range programme.DueDiligenceItems {
		low := strings.ToLower(it.Text)
		for _, faith := range []string{"muslim", "islam", "christian", "jew", "sikh", "hindu", "buddhis", "catholic"} {
			if strings.Contains(low, faith) {
				t.Errorf("criterion %s names a faith: %q", it.Key, it.Text)
			}
		}
	}
}

func TestAllocationAndDueDiligence(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		youth := f.project(t, "Youth voices", f.community, nil, "contest-2023:A")
		councilProject := f.project(t, "Staff awareness", f.council, nil, "contest-2023:B")
		var stream prevent.ID
		audited(t, db, "create stream", func() (err error) {
			stream, err = s.CreateStream(ctx, f.coordinator, f.pid, programme.StreamInput{Funder: "Home Office", Name: "Prevent priority area funding", Year: "2026", Amount: "10,000", Conditions: "Quarterly returns"})
			return err
		})
		alloc := func(project prevent.ID, amount string) (prevent.ID, error) {
			return s.Allocate(ctx, f.coordinator, f.pid, programme.AllocationInput{StreamID: stream, ProjectID: project, Amount: amount})
		}
		wantBlocked := func(what, msg string) {
			t.Helper()
			before := auditCount(t, db)
			_, err := alloc(youth, "100")
			if kindOf(err) != prevent.Conflict || !strings.Contains(prevent.PublicMessage(err), msg) {
				t.Errorf("%s: %v; want Conflict with %q", what, err, msg)
			}
			if auditCount(t, db) != before {
				t.Errorf("%s: a refused allocation was audited", what)
			}
		}
		wantBlocked("no review", "Elm Youth Trust has no shared-values due-diligence review")
		// A public body's project needs no review.
		if _, err := alloc(councilProject, "500"); err != nil {
			t.Errorf("allocating to a public body's project: %v", err)
		}
		// Reviews: validation first.
		bad := positiveReview(f.community, "2026-11-01", "2027-05-01")
		bad.Findings["terrorism"] = "adverse"
		bad.Findings["respect"] = ""
		if _, err := s.RecordReview(ctx, f.coordinator, f.pid, bad); !prevent.Fields(prevent.FieldErrors(err)).Has("decision") || !prevent.Fields(prevent.FieldErrors(err)).Has("item-respect") {
			t.Errorf("positive review with an adverse finding: %v", err)
		}
		concern := positiveReview(f.community, "2026-11-01", "2027-05-01")
		concern.Findings["free-speech"] = "concern"
		if _, err := s.RecordReview(ctx, f.coordinator, f.pid, concern); !prevent.Fields(prevent.FieldErrors(err)).Has("second-reviewer") {
			t.Errorf("positive review with a concern and no second reviewer: %v", err)
		}
		concern.SecondReviewer = f.admin.PersonID
		if _, err := s.RecordReview(ctx, f.referrer, f.pid, concern); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer recording a review: %v", err)
		}
		audited(t, db, "record review", func() error { _, err := s.RecordReview(ctx, f.coordinator, f.pid, concern); return err })
		var first prevent.ID
		audited(t, db, "allocate", func() (err error) { first, err = alloc(youth, "2,000"); return err })
		audited(t, db, "spend", func() error { _, err := s.RecordSpend(ctx, f.coordinator, f.pid, first, 2026, 3, "750.25"); return err })
		if _, err := alloc(youth, "7,500.01"); !prevent.Fields(prevent.FieldErrors(err)).Has("amount") || !strings.Contains(prevent.PublicMessage(err)+fmt.Sprint(prevent.FieldErrors(err)), "£7,500.00 left") {
			t.Errorf("over-allocating a stream: %v %v", err, prevent.FieldErrors(err))
		}
		// The review lapses: the next day after its review date, allocations are refused.
		f.clock.t = time.Date(2027, 5, 2, 9, 0, 0, 0, time.UTC)
		wantBlocked("lapsed review", "Elm Youth Trust’s shared-values review was due on 1 May 2027 and is overdue")
		sts, err := s.Standings(ctx, f.analyst, f.pid)
		if err != nil {
			t.Fatal(err)
		}
		flagged := false
		for _, st := range sts {
			if st.Organisation.ID == f.community && st.State == programme.Overdue && st.Blocks() {
				flagged = true
			}
			if st.Organisation.ID == f.council && (st.State != programme.Exempt || st.Blocks()) {
				t.Errorf("public body standing = %+v", st)
			}
		}
		if !flagged {
			t.Errorf("standings do not flag the overdue review: %+v", sts)
		}
		// A fresh positive review allows allocations again.
		if _, err := s.RecordReview(ctx, f.coordinator, f.pid, positiveReview(f.community, "2027-05-02", "2027-11-01")); err != nil {
			t.Fatal(err)
		}
		if _, err := alloc(youth, "100"); err != nil {
			t.Errorf("allocation after a fresh review: %v", err)
		}
		// A negative finding blocks, whatever the review date.
		f.clock.t = f.clock.t.AddDate(0, 0, 1)
		neg := positiveReview(f.community, "2027-05-03", "2027-11-03")
		neg.Findings["law"] = "adverse"
		neg.Decision = "negative"
		if _, err := s.RecordReview(ctx, f.coordinator, f.pid, neg); err != nil {
			t.Fatal(err)
		}
		wantBlocked("negative finding", "found that it does not uphold the shared values")
		// A partner organisation without a review blocks a public body's project too.
		mixed := f.project(t, "Joint outreach", f.council, []prevent.ID{f.community}, "contest-2023:A")
		if _, err := alloc(mixed, "10"); kindOf(err) != prevent.Conflict {
			t.Errorf("allocation to a project with a refused partner: %v", err)
		}
		reviews, err := s.Reviews(ctx, f.coordinator, f.pid, f.community)
		if err != nil || len(reviews) != 3 || reviews[0].Decision != programme.Negative || reviews[2].SecondReviewerName != "Ada Admin" || len(reviews[0].Findings) != 10 {
			t.Errorf("reviews = %+v, %v", reviews, err)
		}
		if _, err := s.Reviews(ctx, f.analyst, f.pid, f.community); kindOf(err) != prevent.NotFound {
			t.Errorf("analyst reading reviews: %v", err)
		}
		// Analysts read funding aggregates but change nothing.
		if _, err := s.BudgetReport(ctx, f.analyst, f.pid, programme.Contest2023); err != nil {
			t.Errorf("analyst budget report: %v", err)
		}
		if _, err := s.Allocate(ctx, f.analyst, f.pid, programme.AllocationInput{StreamID: stream, ProjectID: councilProject, Amount: "1"}); kindOf(err) != prevent.NotFound {
			t.Errorf("analyst allocating: %v", err)
		}
		// Commissioning decisions: who decided, on what evidence.
		if _, err := s.RecordCommissioning(ctx, f.coordinator, f.pid, programme.CommissioningInput{ProjectID: youth, Decision: "Commission Youth voices for a year",
			DecidedBy: f.admin.PersonID, DecidedOn: "2027-05-01", Evidence: "Board paper 12"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordCommissioning(ctx, f.coordinator, f.pid, programme.CommissioningInput{DecidedBy: 12345, DecidedOn: "2099-01-01"}); len(prevent.FieldErrors(err)) != 4 {
			t.Errorf("bad commissioning decision: %v", prevent.FieldErrors(err))
		}
		cds, err := s.CommissioningDecisions(ctx, f.analyst, f.pid)
		if err != nil || len(cds) != 1 || cds[0].DecidedByName != "Ada Admin" {
			t.Errorf("commissioning decisions = %+v, %v", cds, err)
		}
	})
}

// TestBudgetTotalsProperty makes many random allocations and spends and checks that every breakdown of the
// budget report adds up to its total, that totals match what was recorded, and variance is budget less spend.
func TestBudgetTotalsProperty(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		rng := rand.New(rand.NewSource(20261127))
		orgs := []prevent.ID{f.council, f.community}
		for i := range 3 {
			id, err := f.ps.CreateOrganisation(ctx, f.admin, f.pid, partnership.OrganisationInput{Name: fmt.Sprintf("Org %d", i), Sector: "community", PublicBody: "no"})
			if err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, id)
		}
		for _, o := range orgs {
			if _, err := s.RecordReview(ctx, f.coordinator, f.pid, positiveReview(o, "2026-11-01", "2027-11-01")); err != nil {
				t.Fatal(err)
			}
		}
		tags := []string{"contest-2023:A", "contest-2023:B", "contest-2023:C", "prevent-2009:O1", "prevent-2009:O3", "prevent-2009:E2"}
		var projects []prevent.ID
		for i := range 8 {
			var picked []string
			for _, tg := range tags {
				if rng.Intn(3) == 0 {
					picked = append(picked, tg)
				}
			}
			if len(picked) == 0 {
				picked = []string{tags[rng.Intn(len(tags))]}
			}
			projects = append(projects, f.project(t, fmt.Sprintf("Project %d", i), orgs[rng.Intn(len(orgs))], nil, picked...))
		}
		var streams []prevent.ID
		awarded := map[prevent.ID]programme.Pence{}
		for i := range 3 {
			amount := programme.Pence(rng.Int63n(5_000_000) + 100_000)
			id, err := s.CreateStream(ctx, f.coordinator, f.pid, programme.StreamInput{Funder: "Funder", Name: fmt.Sprintf("Stream %d", i), Year: "2026",
				Amount: fmt.Sprintf("%d.%02d", amount/100, amount%100)})
			if err != nil {
				t.Fatal(err)
			}
			streams = append(streams, id)
			awarded[id] = amount
		}
		allocated := map[prevent.ID]programme.Pence{}
		var allocs []prevent.ID
		var totalAlloc, totalSpent programme.Pence
		for range 40 {
			st := streams[rng.Intn(len(streams))]
			amount := programme.Pence(rng.Int63n(900_000) + 1)
			id, err := s.Allocate(ctx, f.coordinator, f.pid, programme.AllocationInput{StreamID: st, ProjectID: projects[rng.Intn(len(projects))],
				Amount: fmt.Sprintf("%d.%02d", amount/100, amount%100)})
			fits := allocated[st]+amount <= awarded[st]
			if fits != (err == nil) {
				t.Fatalf("allocation of %s with %s left: %v", amount, awarded[st]-allocated[st], err)
			}
			if err == nil {
				allocated[st] += amount
				totalAlloc += amount
				allocs = append(allocs, id)
			}
		}
		for range 60 {
			amount := programme.Pence(rng.Int63n(300_000) + 1)
			if _, err := s.RecordSpend(ctx, f.coordinator, f.pid, allocs[rng.Intn(len(allocs))], 2026, rng.Intn(4)+1,
				fmt.Sprintf("%d.%02d", amount/100, amount%100)); err != nil {
				t.Fatal(err)
			}
			totalSpent += amount
		}
		for _, fw := range []programme.Framework{programme.Contest2023, programme.Prevent2009} {
			rep, err := s.BudgetReport(ctx, f.analyst, f.pid, fw)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Total.Allocated != totalAlloc || rep.Total.Spent != totalSpent || rep.Total.Variance != totalAlloc-totalSpent {
				t.Errorf("%s total = %+v; want allocated %d spent %d", fw, rep.Total, totalAlloc, totalSpent)
			}
			for name, lines := range map[string][]programme.Line{"stream": rep.ByStream, "objective": rep.ByObjective, "organisation": rep.ByOrganisation} {
				var sum programme.Line
				for _, l := range lines {
					if l.Variance != l.Allocated-l.Spent {
						t.Errorf("%s %s line %s: variance %d != %d - %d", fw, name, l.Name, l.Variance, l.Allocated, l.Spent)
					}
					sum.Allocated += l.Allocated
					sum.Spent += l.Spent
					sum.Variance += l.Variance
				}
				if sum.Allocated != rep.Total.Allocated || sum.Spent != rep.Total.Spent || sum.Variance != rep.Total.Variance {
					t.Errorf("%s by %s adds up to %+v; total %+v", fw, name, sum, rep.Total)
				}
			}
			for _, l := range rep.ByStream {
				for _, st := range streams {
					if fmt.Sprint(st) == l.Key && (l.Allocated != allocated[st] || l.Awarded != awarded[st]) {
						t.Errorf("stream %s: allocated %d awarded %d; want %d, %d", l.Name, l.Allocated, l.Awarded, allocated[st], awarded[st])
					}
				}
			}
		}
	})
}
