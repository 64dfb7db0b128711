package assurance_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestNationalFrameworks(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ni35 := f.national(t, assurance.NI35)
		if ni35.Version != 1 || ni35.AppliesFrom != 2008 || len(ni35.Sections) != 4 || len(ni35.Scale) != 5 || ni35.Scale[0].Level != 1 || ni35.Scale[4].Level != 5 {
			t.Errorf("NI35 = %+v; want version 1 from 2008, 4 strands, levels 1 to 5", ni35)
		}
		if !strings.Contains(ni35.Note, "not been checked") {
			t.Errorf("NI35 note does not say its wording is unchecked: %q", ni35.Note)
		}
		toolkit := f.national(t, assurance.DutyToolkit)
		var titles, labels []string
		for _, s := range toolkit.Sections {
			titles = append(titles, s.Title)
			if s.Description == "" {
				t.Errorf("toolkit section %s has no description", s.Code)
			}
		}
		for _, l := range toolkit.Scale {
			labels = append(labels, l.Label)
		}
		wantTitles := []string{"Multi-agency partnership group", "Local risk assessment", "Partnership plan", "Referral pathway",
			"Channel panel", "Training", "Reducing permissive environments", "Communications and engagement"}
		if !slices.Equal(titles, wantTitles) || !slices.Equal(labels, []string{"Not in place", "Partly in place", "In place", "Embedded"}) {
			t.Errorf("toolkit sections %q, scale %q", titles, labels)
		}
		// Analysts read the frameworks; another partnership's member does not, through this partnership.
		if fws, err := f.svc.Frameworks(ctx, f.analyst, f.pid); err != nil || len(fws) != 2 {
			t.Errorf("analyst reading frameworks: %d, %v", len(fws), err)
		}
		_, err := f.svc.Frameworks(ctx, f.oakAdmin, f.pid)
		notFound(t, "another partnership's administrator", err)
	})
}

func TestReviseFramework(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ni35 := f.national(t, assurance.NI35)
		in := ni35.Input()
		in.Sections[0].Title = "Understanding of, and engagement with, the communities of the area"
		in.Scale[1].Description = "Partly developed."
		in.AppliesFrom = 2024

		// Only an administrator revises, and the wording is checked.
		_, err := f.svc.ReviseFramework(ctx, f.coordinator, f.pid, ni35.ID, in)
		notFound(t, "coordinator revising", err)
		bad := ni35.Input()
		bad.Sections[1].Code = bad.Sections[0].Code
		bad.Sections[2].Title = " "
		bad.Sections[3].Description = strings.Repeat("x", assurance.MaxDescription+1)
		bad.Scale = bad.Scale[:1]
		before := auditCount(t, db)
		_, err = f.svc.ReviseFramework(ctx, f.admin, f.pid, ni35.ID, bad)
		refused(t, db, before, "duplicate code", err, "section-2-code", "code of its own")
		refused(t, db, before, "empty title", err, "section-3-title", "Enter the section’s title")
		refused(t, db, before, "long description", err, "section-4-description", "1000 characters or fewer")
		refused(t, db, before, "one level", err, "scale", "from 2 to 10 levels")
		_, err = f.svc.ReviseFramework(ctx, f.oakAdmin, f.oak, 999999, in)
		notFound(t, "revising a version that does not exist", err)

		var v2 prevent.ID
		audited(t, db, f.admin, "revise", "framework ni35 version 2 made from version 1", func() (err error) {
			v2, err = f.svc.ReviseFramework(ctx, f.admin, f.pid, ni35.ID, in)
			return err
		})
		got, err := f.svc.Framework(ctx, f.analyst, f.pid, v2)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.National() || got.BasedOn != ni35.ID || got.Sections[0].Title != in.Sections[0].Title || got.Sections[0].Code != "strand-1" ||
			got.Scale[1].Description != "Partly developed." || got.AppliesFrom != 2024 {
			t.Errorf("version 2 = %+v", got)
		}
		// The national version is unchanged, and the revision is Elm's alone.
		if again := f.national(t, assurance.NI35); again.Sections[0].Title != ni35.Sections[0].Title || again.Scale[1].Description != "" {
			t.Errorf("the national version changed: %+v", again)
		}
		_, err = f.svc.Framework(ctx, f.oakAdmin, f.oak, v2)
		notFound(t, "another partnership reading Elm's revision", err)
		if fws, _ := f.svc.Frameworks(ctx, f.oakAdmin, f.oak); len(fws) != 2 {
			t.Errorf("Oak sees %d versions, want the 2 national ones", len(fws))
		}

		// A version of one's own not yet in use may be reworded; a national one, or one in use, may not.
		in.Note = "Reworded locally."
		audited(t, db, f.admin, "reword", "framework ni35 version 2 reworded before use", func() error {
			return f.svc.EditFrameworkVersion(ctx, f.admin, f.pid, v2, in)
		})
		conflict(t, "rewording a national version", f.svc.EditFrameworkVersion(ctx, f.admin, f.pid, ni35.ID, in), "national framework version cannot be changed")
		if _, err := f.svc.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: v2, Year: 2026}); err != nil {
			t.Fatal(err)
		}
		conflict(t, "rewording a version in use", f.svc.EditFrameworkVersion(ctx, f.admin, f.pid, v2, in), "used by 1 assessment")
		// A further revision of an Elm version is version 3.
		var v3 prevent.ID
		audited(t, db, f.admin, "revise again", "framework ni35 version 3 made from version 2", func() (err error) {
			v3, err = f.svc.ReviseFramework(ctx, f.admin, f.pid, v2, in)
			return err
		})
		if got, _ := f.svc.Framework(ctx, f.admin, f.pid, v3); got.Version != 3 || got.InUse != 0 {
			t.Errorf("version 3 = %+v", got)
		}
		if got, _ := f.svc.Framework(ctx, f.admin, f.pid, v2); got.InUse != 1 || got.Note != "Reworded locally." {
			t.Errorf("version 2 after use = %+v", got)
		}
	})
}
