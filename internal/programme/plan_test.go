package programme_test

import (
	"context"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

func TestObjectives(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		objs, err := f.svc.Objectives(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		count := map[programme.Framework]int{}
		current := 0
		for _, o := range objs {
			count[o.Framework]++
			if o.Current("2026-11-27") {
				current++
			}
		}
		if count[programme.Prevent2009] != 7 || count[programme.Contest2023] != 3 || current != 3 {
			t.Errorf("objectives: %v, %d current; want 7 + 3, 3 current", count, current)
		}
	})
}

func TestPlanStateMachine(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		var plan prevent.ID
		audited(t, db, "create plan", func() (err error) {
			plan, err = s.CreatePlan(ctx, f.coordinator, f.pid, 2026, "Elm delivery plan 2026")
			return err
		})
		if _, err := s.CreatePlan(ctx, f.coordinator, f.pid, 2026, "Again"); !prevent.Fields(prevent.FieldErrors(err)).Has("year") {
			t.Errorf("second plan for a year: %v", err)
		}
		if _, err := s.CreatePlan(ctx, f.referrer, f.pid, 2027, "Mine"); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer creating a plan: %v", err)
		}
		if _, err := s.Plan(ctx, f.outsider, f.pid, plan); kindOf(err) != prevent.NotFound {
			t.Errorf("another partnership reading the plan: %v", err)
		}
		if _, err := s.Plan(ctx, f.referrer, f.pid, plan); err != nil {
			t.Errorf("referrer reading the plan: %v", err)
		}
		// Illegal moves from draft.
		for to, want := range map[programme.PlanStatus]string{
			programme.PlanActive: "must be approved", programme.PlanClosed: "Only an active plan", programme.PlanDraft: "already draft",
			programme.PlanApproved: "Complete every section",
		} {
			err := s.TransitionPlan(ctx, f.coordinator, f.pid, plan, to)
			if kindOf(err) != prevent.Conflict || !strings.Contains(prevent.PublicMessage(err), want) {
				t.Errorf("draft to %s: %v; want Conflict with %q", to, err, want)
			}
		}
		if err := s.TransitionPlan(ctx, f.referrer, f.pid, plan, programme.PlanApproved); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer approving: %v", err)
		}
		if err := s.SaveSection(ctx, f.coordinator, f.pid, plan, "aims", "", true); !prevent.Fields(prevent.FieldErrors(err)).Has("body") {
			t.Errorf("completing an empty section: %v", err)
		}
		for _, d := range programme.PlanSections {
			audited(t, db, "save "+d.Key, func() error {
				return s.SaveSection(ctx, f.coordinator, f.pid, plan, d.Key, "Text for "+d.Title, true)
			})
		}
		audited(t, db, "approve", func() error { return s.TransitionPlan(ctx, f.coordinator, f.pid, plan, programme.PlanApproved) })
		pl, err := s.Plan(ctx, f.coordinator, f.pid, plan)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Status != programme.PlanApproved || pl.ApprovedBy != f.coordinator.PersonID || pl.ApprovedByName != "Cara Coordinator" || !pl.ApprovedAt.Equal(f.clock.t) || pl.Completed() != len(programme.PlanSections) {
			t.Errorf("approved plan = %+v", pl)
		}
		if err := s.SaveSection(ctx, f.coordinator, f.pid, plan, "aims", "changed", false); kindOf(err) != prevent.Conflict || !strings.Contains(prevent.PublicMessage(err), "withdraw the approval") {
			t.Errorf("editing an approved plan: %v", err)
		}
		// Withdraw, edit, approve again, activate, close.
		if err := s.TransitionPlan(ctx, f.coordinator, f.pid, plan, programme.PlanDraft); err != nil {
			t.Fatal(err)
		}
		if pl, _ := s.Plan(ctx, f.coordinator, f.pid, plan); pl.ApprovedBy != 0 || !pl.ApprovedAt.IsZero() {
			t.Errorf("withdrawn plan keeps its approval: %+v", pl)
		}
		if err := s.SaveSection(ctx, f.coordinator, f.pid, plan, "aims", "Revised aims", true); err != nil {
			t.Fatal(err)
		}
		for _, to := range []programme.PlanStatus{programme.PlanApproved, programme.PlanActive} {
			if err := s.TransitionPlan(ctx, f.admin, f.pid, plan, to); err != nil {
				t.Fatalf("to %s: %v", to, err)
			}
		}
		// A second plan cannot be active at the same time.
		next, err := s.CreatePlan(ctx, f.coordinator, f.pid, 2027, "Elm delivery plan 2027")
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range programme.PlanSections {
			if err := s.SaveSection(ctx, f.coordinator, f.pid, next, d.Key, "x", true); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.TransitionPlan(ctx, f.coordinator, f.pid, next, programme.PlanApproved); err != nil {
			t.Fatal(err)
		}
		if err := s.TransitionPlan(ctx, f.coordinator, f.pid, next, programme.PlanActive); kindOf(err) != prevent.Conflict || !strings.Contains(prevent.PublicMessage(err), "2026 plan is still active") {
			t.Errorf("two active plans: %v", err)
		}
		if err := s.TransitionPlan(ctx, f.coordinator, f.pid, plan, programme.PlanDraft); kindOf(err) != prevent.Conflict {
			t.Errorf("active to draft: %v", err)
		}
		if err := s.TransitionPlan(ctx, f.coordinator, f.pid, plan, programme.PlanClosed); err != nil {
			t.Fatal(err)
		}
		if err := s.TransitionPlan(ctx, f.coordinator, f.pid, plan, programme.PlanActive); kindOf(err) != prevent.Conflict || !strings.Contains(prevent.PublicMessage(err), "closed plan") {
			t.Errorf("reopening a closed plan: %v", err)
		}
		if err := s.TransitionPlan(ctx, f.coordinator, f.pid, next, programme.PlanActive); err != nil {
			t.Errorf("activating next year's plan after closing: %v", err)
		}

		// Versions: one per save, and a field-by-field comparison.
		vs, err := s.Versions(ctx, f.coordinator, f.pid, plan)
		if err != nil {
			t.Fatal(err)
		}
		// created + 9 sections + approve + withdraw + aims + approve + activate + close
		if want := 1 + len(programme.PlanSections) + 6; len(vs) != want || vs[0].Version != want {
			t.Fatalf("versions = %d (newest %d), want %d", len(vs), vs[0].Version, want)
		}
		changes, err := s.Compare(ctx, f.coordinator, f.pid, plan, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		byField := map[string]programme.Change{}
		for _, c := range changes {
			byField[c.Field] = c
		}
		aims := programme.PlanSections[0].Title
		if c := byField[aims]; c.Kind != programme.Added || c.New != "Text for "+aims {
			t.Errorf("v1→v2 %s: %+v", aims, c)
		}
		if c := byField[aims+" (status)"]; c.Kind != programme.Changed || c.Old != "Not yet started" || c.New != "Completed" {
			t.Errorf("v1→v2 status: %+v", c)
		}
		if len(changes) != 2 {
			t.Errorf("v1→v2 changes = %+v, want 2", changes)
		}
		approve, withdraw := 1+len(programme.PlanSections)+1, 1+len(programme.PlanSections)+2
		changes, err = s.Compare(ctx, f.coordinator, f.pid, plan, approve, withdraw)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]programme.ChangeKind{}
		for _, c := range changes {
			kinds[c.Field] = c.Kind
		}
		if kinds["Approved by"] != programme.Removed || kinds["Status"] != programme.Changed || len(changes) != 3 {
			t.Errorf("approve→withdraw changes = %+v", changes)
		}
		if _, err := s.Compare(ctx, f.coordinator, f.pid, plan, 1, 99); kindOf(err) != prevent.NotFound {
			t.Errorf("comparing a missing version: %v", err)
		}
	})
}
