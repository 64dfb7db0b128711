package programme

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// dueDiligenceView is the due-diligence overview.
type dueDiligenceView struct {
	PID       prevent.ID
	Standings []programme.Standing
	CanEdit   bool
}

func (pg *pages) handleDueDiligence(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	st, err := pg.d.Programme.Standings(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := pg.Layout(r, "Shared-values due diligence")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, dueDiligencePage(l, dueDiligenceView{PID: pid, Standings: st, CanEdit: pg.May(r, pid, access.DueDiligenceEdit)}))
}

// reviewsView is one organisation's reviews.
type reviewsView struct {
	PID      prevent.ID
	Standing programme.Standing
	Reviews  []programme.Review
	CanEdit  bool
}

func (pg *pages) standingOf(r *http.Request, pid, org prevent.ID) (programme.Standing, error) {
	sts, err := pg.d.Programme.Standings(r.Context(), principalOf(r), pid)
	if err != nil {
		return programme.Standing{}, err
	}
	for _, st := range sts {
		if st.Organisation.ID == org {
			return st, nil
		}
	}
	return programme.Standing{}, access.NotFound("Organisation")
}

func (pg *pages) handleReviews(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	st, err := pg.standingOf(r, pid, id)
	if err != nil {
		return err
	}
	rs, err := pg.d.Programme.Reviews(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	l := pg.Layout(r, st.Organisation.Name)
	l.Back = DueDiligencePath.Link(pid)
	return pg.Page(w, r, l, reviewsPage(l, reviewsView{PID: pid, Standing: st, Reviews: rs, CanEdit: pg.May(r, pid, access.DueDiligenceEdit)}))
}

// reviewForm is the shared-values review form.
type reviewForm struct {
	PID    prevent.ID
	Org    programme.OrgRef
	Form   core.Form
	People []govuk.SelectItem
}

func (pg *pages) renderReviewForm(w http.ResponseWriter, r *http.Request, pid, org prevent.ID, f core.Form) error {
	st, err := pg.standingOf(r, pid, org)
	if err != nil {
		return err
	}
	people, _, err := pg.peopleItems(r, pid, "No second reviewer")
	if err != nil {
		return err
	}
	v := reviewForm{PID: pid, Org: st.Organisation, Form: f, People: people}
	return pg.formPage(w, r, "Record a shared-values review", ReviewsPath.Link(pid, org), f,
		func(l core.Layout) templ.Component { return reviewFormPage(l, v) })
}

func (pg *pages) handleReviewNew(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	return pg.renderReviewForm(w, r, pid, id, emptyForm())
}

func (pg *pages) handleReviewNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	d := &dates{f: f}
	in := programme.ReviewInput{OrganisationID: id, Basis: f.Get("basis"), Findings: map[string]string{}, Notes: map[string]string{},
		Indicators: f.List("indicators"), Evidence: f.Get("evidence"), Decision: f.Get("decision"),
		SecondReviewer: core.FormID(f.Get("second-reviewer")), DecidedOn: d.day("decided-on", "Date decided"),
		ReviewDue: d.day("review-due", "Date the next review is due")}
	for _, it := range programme.DueDiligenceItems {
		in.Findings[it.Key] = f.Get("item-" + it.Key)
		in.Notes[it.Key] = f.Get("note-" + it.Key)
	}
	_, err = pg.d.Programme.RecordReview(r.Context(), principalOf(r), pid, in)
	if core.Invalid(err) {
		return pg.renderReviewForm(w, r, pid, id, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, ReviewsPath.Link(pid, id), "Shared-values review recorded")
}

func standingTag(st programme.StandingState) (string, string) {
	switch st {
	case programme.Current:
		return "Current", "govuk-tag--green"
	case programme.Exempt:
		return "Public body", "govuk-tag--blue"
	case programme.Overdue:
		return "Review overdue", "govuk-tag--red"
	case programme.Refused:
		return "Does not uphold shared values", "govuk-tag--red"
	}
	return "Not reviewed", "govuk-tag--grey"
}

func reviewResultText(r programme.Result) string {
	switch r {
	case programme.Clear:
		return "No concern"
	case programme.Concern:
		return "Some concern"
	case programme.Adverse:
		return "Adverse"
	}
	return string(r)
}
