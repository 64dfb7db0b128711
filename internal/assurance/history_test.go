package assurance_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// points renders a section's history as "year:level:change" for comparison.
func points(h assurance.History, code string) string {
	for _, s := range h.Sections {
		if s.Code == code {
			var out []string
			for _, p := range s.Points {
				out = append(out, fmt.Sprintf("%d:%d:%s", p.Year, p.Level, p.Change))
			}
			return strings.Join(out, " ")
		}
	}
	return "missing"
}

func TestCarryForwardAndYearOnYear(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		toolkit := f.national(t, assurance.DutyToolkit)
		st, err := s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		y2025 := st.ID
		f.complete(t, y2025, map[string]int{"training": 2, "channel-panel": 4}, 3)
		action, err := s.AddAction(ctx, f.coordinator, f.pid, y2025, "training", assurance.ActionInput{Description: "Train school staff",
			OwnerOrganisation: f.community, DueOn: "2026-03-31"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddEvidence(ctx, f.coordinator, f.pid, y2025, "training", assurance.EvidenceInput{Kind: assurance.EvidenceProject, RecordID: f.project}); err != nil {
			t.Fatal(err)
		}
		f.approve(t, y2025)

		// Copy-forward refusals.
		before := auditCount(t, db)
		ni35 := f.national(t, assurance.NI35)
		_, err = s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: ni35.ID, Year: 2026, CopyFrom: y2025})
		refused(t, db, before, "starting from another framework", err, "copy-from", "against NI35")
		_, err = s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2024, CopyFrom: y2025})
		refused(t, db, before, "starting from a later year", err, "copy-from", "earlier year")
		oak, err := s.StartAssessment(ctx, f.oakAdmin, f.oak, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2025})
		if err != nil {
			t.Fatal(err)
		}
		before = auditCount(t, db)
		_, err = s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2026, CopyFrom: oak.ID})
		refused(t, db, before, "starting from another partnership's", err, "copy-from", "Select one of the partnership’s assessments")

		var y2026 assurance.Started
		audited(t, db, f.coordinator, "carry forward", fmt.Sprintf("from assessment %d (8 ratings and 1 actions carried forward, 0 not)", y2025), func() (err error) {
			y2026, err = s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2026, CopyFrom: y2025})
			return err
		})
		a, err := s.Assessment(ctx, f.coordinator, f.pid, y2026.ID)
		if err != nil {
			t.Fatal(err)
		}
		tr := a.Sections[5]
		if a.Status != assurance.Draft || a.CopiedFrom != y2025 || a.Rated() != 8 || len(y2026.NotCarried) != 0 || tr.Code != "training" || tr.Level != 2 ||
			tr.Narrative != "" || len(tr.Evidence) != 0 || len(tr.Actions) != 1 || tr.Actions[0].CarriedFrom != action ||
			tr.Actions[0].Description != "Train school staff" || tr.Actions[0].OwnerOrgID != f.community {
			t.Errorf("carried forward = %+v, %+v", a, y2026)
		}
		// The earlier year is untouched.
		if old, _ := s.Assessment(ctx, f.coordinator, f.pid, y2025); old.Status != assurance.Approved || len(old.Sections[5].Evidence) != 1 || old.Sections[5].Narrative == "" {
			t.Errorf("2025 after carrying forward = %+v", old)
		}
		f.complete(t, y2026.ID, map[string]int{"training": 3, "channel-panel": 3}, 3)

		h, err := s.History(ctx, f.analyst, f.pid, assurance.DutyToolkit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(h.Years, []int{2025, 2026}) || len(h.Sections) != 8 || h.Sections[0].Code != "partnership-group" {
			t.Errorf("history = %+v", h)
		}
		for code, want := range map[string]string{
			"training":          "2025:2: 2026:3:up",
			"channel-panel":     "2025:4: 2026:3:down",
			"partnership-group": "2025:3: 2026:3:same",
		} {
			if got := points(h, code); got != want {
				t.Errorf("%s history = %q, want %q", code, got, want)
			}
		}
		if p := h.Sections[5].Points[1]; p.ComparedWith != 2025 || p.Status != assurance.Draft || p.Label != "In place" {
			t.Errorf("2026 training point = %+v", p)
		}
		// NI35 has no assessments here; a framework code that is not one is not found.
		if h, err := s.History(ctx, f.analyst, f.pid, assurance.NI35); err != nil || len(h.Years) != 0 || len(h.Sections) != 0 {
			t.Errorf("NI35 history = %+v, %v", h, err)
		}
		_, err = s.History(ctx, f.analyst, f.pid, "nonsense")
		notFound(t, "history of an unknown framework", err)
		_, err = s.History(ctx, f.oakAdmin, f.pid, assurance.DutyToolkit)
		notFound(t, "history of another partnership", err)
	})
}

func TestHistoryAcrossVersions(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		ni35 := f.national(t, assurance.NI35)
		start := func(fw prevent.ID, year int, from prevent.ID) assurance.Started {
			t.Helper()
			st, err := s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: fw, Year: year, CopyFrom: from})
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		y2024 := start(ni35.ID, 2024, 0)
		f.complete(t, y2024.ID, map[string]int{"strand-1": 2, "strand-2": 3, "strand-3": 4, "strand-4": 1}, 0)
		if _, err := s.AddAction(ctx, f.coordinator, f.pid, y2024.ID, "strand-4", assurance.ActionInput{Description: "Evaluate projects",
			OwnerOrganisation: f.council, DueOn: "2025-03-31"}); err != nil {
			t.Fatal(err)
		}
		f.approve(t, y2024.ID)

		// Version 2: strand 1 reworded for every ideology (same code), strand 4 replaced by a new strand 5, the
		// same five-level scale.
		in := ni35.Input()
		in.Sections[0].Title = "Understanding of, and engagement with, the communities of the area"
		in.Sections[3] = assurance.SectionInput{Code: "strand-5", Title: "Reducing permissive environments"}
		v2, err := s.ReviseFramework(ctx, f.admin, f.pid, ni35.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		y2025 := start(v2, 2025, y2024.ID)
		if len(y2025.NotCarried) != 1 || !strings.Contains(y2025.NotCarried[0], "not in version 2") || !strings.Contains(y2025.NotCarried[0], "1 action") {
			t.Errorf("not carried to version 2 = %q", y2025.NotCarried)
		}
		a, _ := s.Assessment(ctx, f.coordinator, f.pid, y2025.ID)
		if a.Rated() != 3 || a.Sections[0].Level != 2 || a.Sections[3].Code != "strand-5" || a.Sections[3].Level != 0 || len(a.Sections[3].Actions) != 0 {
			t.Errorf("2025 carried forward = %+v", a)
		}
		f.complete(t, y2025.ID, map[string]int{"strand-1": 3, "strand-2": 3, "strand-3": 2, "strand-5": 2}, 0)
		f.approve(t, y2025.ID)

		// Version 3: a four-level scale, so no rating is carried or compared.
		in3 := in
		in3.Scale = in.Scale[:4]
		v3, err := s.ReviseFramework(ctx, f.admin, f.pid, v2, in3)
		if err != nil {
			t.Fatal(err)
		}
		y2026 := start(v3, 2026, y2025.ID)
		if len(y2026.NotCarried) != 4 || !strings.Contains(y2026.NotCarried[0], "scale of 4 levels, not 5") {
			t.Errorf("not carried to version 3 = %q", y2026.NotCarried)
		}
		if err := s.RateSection(ctx, f.coordinator, f.pid, y2026.ID, "strand-1", assurance.RatingInput{Level: 4}); err != nil {
			t.Fatal(err)
		}

		h, err := s.History(ctx, f.analyst, f.pid, assurance.NI35)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, sec := range h.Sections {
			codes = append(codes, sec.Code)
		}
		if !slices.Equal(h.Years, []int{2024, 2025, 2026}) || !slices.Equal(codes, []string{"strand-1", "strand-2", "strand-3", "strand-5", "strand-4"}) ||
			h.Sections[0].Title != in.Sections[0].Title {
			t.Errorf("history years %v, sections %v, first %q", h.Years, codes, h.Sections[0].Title)
		}
		for code, want := range map[string]string{
			"strand-1": "2024:2: 2025:3:up 2026:4:not-comparable",
			"strand-2": "2024:3: 2025:3:same 2026:0:",
			"strand-3": "2024:4: 2025:2:down 2026:0:",
			"strand-4": "2024:1:",
			"strand-5": "2025:2: 2026:0:",
		} {
			if got := points(h, code); got != want {
				t.Errorf("%s history = %q, want %q", code, got, want)
			}
		}
		if p := h.Sections[0].Points[2]; p.ComparedWith != 2025 || p.FrameworkVersion != 3 || p.Label != "Level 4" {
			t.Errorf("2026 strand 1 point = %+v", p)
		}
		// Assessments against another framework do not appear.
		toolkit := f.national(t, assurance.DutyToolkit)
		start(toolkit.ID, 2026, 0)
		if h, _ := s.History(ctx, f.analyst, f.pid, assurance.NI35); len(h.Years) != 3 {
			t.Errorf("NI35 history years after a toolkit assessment = %v", h.Years)
		}
	})
}
