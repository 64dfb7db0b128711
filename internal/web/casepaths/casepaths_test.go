package casepaths

import "testing"

func TestSectionLinks(t *testing.T) {
	for got, want := range map[string]string{
		Case.Link(7, 42):       "/partnerships/7/cases/42",
		Timeline.Link(7, 42):   "/partnerships/7/cases/42/timeline",
		People.Link(7, 42):     "/partnerships/7/cases/42/people",
		Assessment.Link(7, 42): "/partnerships/7/cases/42/assessment",
		Panel.Link(7, 42):      "/partnerships/7/cases/42/panel",
		Plan.Link(7, 42):       "/partnerships/7/cases/42/plan",
		Documents.Link(7, 42):  "/partnerships/7/cases/42/documents",
	} {
		if got != want {
			t.Errorf("link %q, want %q", got, want)
		}
	}
}
