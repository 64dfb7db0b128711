package assurance_test

import (
	"context"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestAssessmentLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		toolkit := f.national(t, assurance.DutyToolkit)

		// Starting.
		_, err := s.StartAssessment(ctx, f.referrer, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2026})
		notFound(t, "referrer starting", err)
		_, err = s.StartAssessment(ctx, f.analyst, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2026})
		notFound(t, "analyst starting", err)
		before := auditCount(t, db)
		_, err = s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2022})
		refused(t, db, before, "a year before the version applies", err, "year", "applies from 2023 to 2024")
		_, err = s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 1999})
		refused(t, db, before, "no year", err, "year", "Enter the financial year")
		_, err = s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: 424242, Year: 2026})
		refused(t, db, before, "no framework", err, "framework", "Select a framework")
		var id prevent.ID
		e := audited(t, db, f.coordinator, "start", "started 2026 to 2027 against prevent-duty-toolkit version 1", func() error {
			st, err := s.StartAssessment(ctx, f.coordinator, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2026})
			id = st.ID
			return err
		})
		if e.Action != "collect" || e.Kind != "self_assessment" || e.Record != id {
			t.Errorf("start entry = %+v", e)
		}
		before = auditCount(t, db)
		_, err = s.StartAssessment(ctx, f.second, f.pid, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2026})
		refused(t, db, before, "a second assessment of the year", err, "year", "There is already an assessment")
		// Another partnership may assess the same year.
		if _, err := s.StartAssessment(ctx, f.oakAdmin, f.oak, assurance.StartInput{FrameworkID: toolkit.ID, Year: 2026}); err != nil {
			t.Errorf("Oak's own 2026 assessment: %v", err)
		}
		_, err = s.Assessment(ctx, f.oakAdmin, f.oak, id)
		notFound(t, "Oak reading Elm's assessment by id", err)

		// Rating, with bounded narratives.
		audited(t, db, f.coordinator, "rate", "section training rated 2", func() error {
			return s.RateSection(ctx, f.coordinator, f.pid, id, "training", assurance.RatingInput{Level: 2, Narrative: "Half of staff trained."})
		})
		before = auditCount(t, db)
		refused(t, db, before, "a level off the scale", s.RateSection(ctx, f.coordinator, f.pid, id, "training", assurance.RatingInput{Level: 5}), "level", "Select a rating")
		refused(t, db, before, "a narrative too long", s.RateSection(ctx, f.coordinator, f.pid, id, "training",
			assurance.RatingInput{Level: 3, Narrative: strings.Repeat("é", assurance.MaxNarrative+1)}), "narrative", "5000 characters or fewer")
		notFound(t, "a section not in the framework", s.RateSection(ctx, f.coordinator, f.pid, id, "strand-1", assurance.RatingInput{Level: 1}))
		notFound(t, "analyst rating", s.RateSection(ctx, f.analyst, f.pid, id, "training", assurance.RatingInput{Level: 1}))
		audited(t, db, f.coordinator, "a narrative of the longest length", "section training rated 3", func() error {
			return s.RateSection(ctx, f.coordinator, f.pid, id, "training", assurance.RatingInput{Level: 3, Narrative: strings.Repeat("é", assurance.MaxNarrative)})
		})

		// Evidence: the partnership's own records only.
		var projectEvidence prevent.ID
		audited(t, db, f.coordinator, "link a project", "project", func() (err error) {
			projectEvidence, err = s.AddEvidence(ctx, f.coordinator, f.pid, id, "training", assurance.EvidenceInput{Kind: assurance.EvidenceProject, RecordID: f.project})
			return err
		})
		audited(t, db, f.coordinator, "link a document", "library-document", func() error {
			_, err := s.AddEvidence(ctx, f.coordinator, f.pid, id, "training", assurance.EvidenceInput{Kind: assurance.EvidenceDocument, RecordID: f.document})
			return err
		})
		audited(t, db, f.coordinator, "link a sensitive document", "library-document", func() error {
			_, err := s.AddEvidence(ctx, f.coordinator, f.pid, id, "risk-assessment", assurance.EvidenceInput{Kind: assurance.EvidenceDocument, RecordID: f.sensitive})
			return err
		})
		before = auditCount(t, db)
		_, err = s.AddEvidence(ctx, f.coordinator, f.pid, id, "training", assurance.EvidenceInput{Kind: assurance.EvidenceProject, RecordID: f.oakProject})
		refused(t, db, before, "a project of another partnership", err, "evidence", "Select a project of the partnership’s programme")
		_, err = s.AddEvidence(ctx, f.coordinator, f.pid, id, "training", assurance.EvidenceInput{Kind: assurance.EvidenceDocument, RecordID: f.oakDocument})
		refused(t, db, before, "a document of another partnership", err, "evidence", "Select a document from the partnership’s library")
		_, err = s.AddEvidence(ctx, f.coordinator, f.pid, id, "training", assurance.EvidenceInput{Kind: assurance.EvidenceDocument, RecordID: f.project + 1000})
		refused(t, db, before, "a document that does not exist", err, "evidence", "Select a document")
		_, err = s.AddEvidence(ctx, f.admin, f.pid, id, "training", assurance.EvidenceInput{Kind: assurance.EvidenceDocument, RecordID: f.sensitive})
		refused(t, db, before, "a document above the editor's clearance", err, "evidence", "Select a document")
		_, err = s.AddEvidence(ctx, f.coordinator, f.pid, id, "training", assurance.EvidenceInput{Kind: assurance.EvidenceProject, RecordID: f.project})
		refused(t, db, before, "the same project twice", err, "evidence", "already evidence")
		_, err = s.AddEvidence(ctx, f.coordinator, f.pid, id, "training", assurance.EvidenceInput{Kind: "minutes", RecordID: f.project})
		refused(t, db, before, "an unknown kind", err, "kind", "library document or a project")

		// Improvement actions, owned by a member organisation.
		var action prevent.ID
		audited(t, db, f.coordinator, "add an action", "section training: action", func() (err error) {
			action, err = s.AddAction(ctx, f.coordinator, f.pid, id, "training", assurance.ActionInput{Description: "Train the rest of the staff",
				OwnerOrganisation: f.community, DueOn: "2027-03-31"})
			return err
		})
		before = auditCount(t, db)
		_, err = s.AddAction(ctx, f.coordinator, f.pid, id, "training", assurance.ActionInput{Description: "x", OwnerOrganisation: f.oakCouncil, DueOn: "2027-03-31"})
		refused(t, db, before, "an owner outside the partnership", err, "owner", "Select an organisation of the partnership")
		_, err = s.AddAction(ctx, f.coordinator, f.pid, id, "training", assurance.ActionInput{Description: strings.Repeat("a", assurance.MaxAction+1),
			OwnerOrganisation: f.council, DueOn: "2027-02-30"})
		refused(t, db, before, "a long action", err, "description", "1000 characters or fewer")
		refused(t, db, before, "an impossible date", err, "due-on", "real date")
		audited(t, db, f.coordinator, "change an action", "changed", func() error {
			return s.UpdateAction(ctx, f.coordinator, f.pid, id, action, assurance.ActionInput{Description: "Train the remaining staff",
				OwnerOrganisation: f.council, DueOn: "2027-01-31"})
		})
		var spare prevent.ID
		spare, err = s.AddAction(ctx, f.coordinator, f.pid, id, "channel-panel", assurance.ActionInput{Description: "Spare", OwnerOrganisation: f.council, DueOn: "2027-01-31"})
		if err != nil {
			t.Fatal(err)
		}
		audited(t, db, f.coordinator, "remove an action", "removed", func() error { return s.RemoveAction(ctx, f.coordinator, f.pid, id, spare) })
		notFound(t, "removing it again", s.RemoveAction(ctx, f.coordinator, f.pid, id, spare))

		// Reading: the analyst sees it all but the title of the document above their clearance.
		a, err := s.Assessment(ctx, f.analyst, f.pid, id)
		if err != nil {
			t.Fatal(err)
		}
		sections := map[string]assurance.SectionAssessment{}
		for _, sec := range a.Sections {
			sections[sec.Code] = sec
		}
		tr, risk := sections["training"], sections["risk-assessment"]
		if a.Status != assurance.Draft || len(a.Sections) != 8 || a.Rated() != 1 || tr.Level != 3 || len(tr.Evidence) != 2 || len(tr.Actions) != 1 ||
			tr.Evidence[0].Title != "Elm youth voices (Prevent)" || tr.Evidence[1].Title != "Elm training report" ||
			tr.Actions[0].OwnerOrg != "Elm Council" || tr.Actions[0].DueOn != "2027-01-31" {
			t.Errorf("assessment as read = %+v", a)
		}
		if len(risk.Evidence) != 1 || !risk.Evidence[0].Withheld || risk.Evidence[0].Title != "" {
			t.Errorf("sensitive evidence as the analyst reads it = %+v", risk.Evidence)
		}
		if a, _ := s.Assessment(ctx, f.coordinator, f.pid, id); a.Sections[1].Evidence[0].Title != "Elm local profile" {
			t.Errorf("sensitive evidence as the cleared coordinator reads it = %+v", a.Sections[1].Evidence)
		}
		audited(t, db, f.coordinator, "remove evidence", "evidence", func() error { return s.RemoveEvidence(ctx, f.coordinator, f.pid, id, projectEvidence) })

		// Submitting needs every section rated with a narrative.
		conflict(t, "submitting unfinished", s.Submit(ctx, f.coordinator, f.pid, id), "Not done: Multi-agency partnership group; Local risk assessment")
		f.complete(t, id, map[string]int{"training": 3}, 2)
		conflict(t, "approving a draft", s.Approve(ctx, f.second, f.pid, id), "submit it first")
		audited(t, db, f.coordinator, "submit", "submitted for approval", func() error { return s.Submit(ctx, f.coordinator, f.pid, id) })
		conflict(t, "rating while submitted", s.RateSection(ctx, f.coordinator, f.pid, id, "training", assurance.RatingInput{Level: 1}), "submitted for approval")
		conflict(t, "submitting twice", s.Submit(ctx, f.coordinator, f.pid, id), "submitted for approval")

		// Returning, with a reason.
		notFound(t, "analyst returning", s.Return(ctx, f.analyst, f.pid, id, "No"))
		before = auditCount(t, db)
		refused(t, db, before, "returning without a reason", s.Return(ctx, f.second, f.pid, id, " "), "reason", "Enter why")
		refused(t, db, before, "a long reason", s.Return(ctx, f.second, f.pid, id, strings.Repeat("r", assurance.MaxReason+1)), "reason", "2000 characters or fewer")
		audited(t, db, f.second, "return", "returned to draft", func() error {
			return s.Return(ctx, f.second, f.pid, id, "Say more about the Channel panel")
		})
		a, _ = s.Assessment(ctx, f.coordinator, f.pid, id)
		if a.Status != assurance.Draft || a.ReturnedByName != "Colin Coordinator" || a.ReturnReason != "Say more about the Channel panel" || a.SubmittedBy != 0 {
			t.Errorf("returned assessment = %+v", a)
		}
		conflict(t, "returning a draft", s.Return(ctx, f.second, f.pid, id, "Again"), "already a draft")
		if err := s.RateSection(ctx, f.coordinator, f.pid, id, "channel-panel", assurance.RatingInput{Level: 3, Narrative: "Meets monthly, quorate."}); err != nil {
			t.Fatal(err)
		}

		// Approving: not by those without the right; by the person who submitted it, as with the delivery plan.
		if err := s.Submit(ctx, f.coordinator, f.pid, id); err != nil {
			t.Fatal(err)
		}
		notFound(t, "analyst approving", s.Approve(ctx, f.analyst, f.pid, id))
		notFound(t, "referrer approving", s.Approve(ctx, f.referrer, f.pid, id))
		notFound(t, "Oak's administrator approving", s.Approve(ctx, f.oakAdmin, f.pid, id))
		e = audited(t, db, f.coordinator, "approve", "approved", func() error { return s.Approve(ctx, f.coordinator, f.pid, id) })
		if e.Action != "alter" || e.Record != id {
			t.Errorf("approval entry = %+v", e)
		}
		a, _ = s.Assessment(ctx, f.referrer, f.pid, id)
		if a.Status != assurance.Approved || a.ApprovedBy != f.coordinator.PersonID || a.ApprovedByName != "Cara Coordinator" ||
			!a.ApprovedAt.Equal(f.clock.t) || a.SubmittedByName != "Cara Coordinator" {
			t.Errorf("approved assessment = %+v", a)
		}

		// An approved assessment is read-only.
		before = auditCount(t, db)
		conflict(t, "rating an approved assessment", s.RateSection(ctx, f.coordinator, f.pid, id, "training", assurance.RatingInput{Level: 4}), "is approved")
		_, err = s.AddEvidence(ctx, f.coordinator, f.pid, id, "training", assurance.EvidenceInput{Kind: assurance.EvidenceProject, RecordID: f.project})
		conflict(t, "adding evidence", err, "is approved")
		_, err = s.AddAction(ctx, f.coordinator, f.pid, id, "training", assurance.ActionInput{Description: "x", OwnerOrganisation: f.council, DueOn: "2027-01-31"})
		conflict(t, "adding an action", err, "is approved")
		conflict(t, "changing an action", s.UpdateAction(ctx, f.coordinator, f.pid, id, action, assurance.ActionInput{Description: "x", OwnerOrganisation: f.council, DueOn: "2027-01-31"}), "is approved")
		conflict(t, "removing an action", s.RemoveAction(ctx, f.coordinator, f.pid, id, action), "is approved")
		conflict(t, "removing evidence", s.RemoveEvidence(ctx, f.coordinator, f.pid, id, projectEvidence+1), "is approved")
		conflict(t, "returning", s.Return(ctx, f.second, f.pid, id, "Late thoughts"), "cannot be returned")
		conflict(t, "approving again", s.Approve(ctx, f.second, f.pid, id), "already approved")
		conflict(t, "submitting", s.Submit(ctx, f.coordinator, f.pid, id), "is approved")
		if n := auditCount(t, db); n != before {
			t.Errorf("refusals wrote %d audit entries", n-before)
		}
		list, err := s.Assessments(ctx, f.analyst, f.pid)
		if err != nil || len(list) != 1 || list[0].ID != id || list[0].Framework.Code != assurance.DutyToolkit || len(list[0].Sections) != 0 {
			t.Errorf("list = %+v, %v", list, err)
		}
	})
}
