package web

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// workView is "My work": the signed-in person's tasks with their due dates.
type workView struct {
	PartnershipID prevent.ID
	Tasks         []workTask
	CanRefer      bool
	CanList       bool
	// CanNotices shows the notices sent to the person's organisation, with how many are open.
	CanNotices bool
	// CanSignpost links to the signposting search ("known to organisation X, contact Y").
	CanSignpost bool
	OpenNotices int
}

// workTask is a task as the page shows it.
type workTask struct {
	casework.Task
	Title, Href, Due, Status, StatusClass string
}

func (cp *casePages) handleMyWork(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principalOf(r)
	now := cp.deps.Now()
	tasks, err := cp.svc.MyWork(ctx, p, now)
	if err != nil {
		return err
	}
	holidays, err := cp.svc.BankHolidays(ctx)
	if err != nil {
		return err
	}
	v := workView{}
	if ps := p.Partnerships(); len(ps) > 0 {
		v.PartnershipID = ps[0]
		v.CanRefer = cp.may(r, ps[0], access.CaseCreate)
		v.CanList = cp.may(r, ps[0], access.CaseStatusView)
		v.CanSignpost = cp.may(r, ps[0], access.Signpost)
		if v.CanNotices = cp.may(r, ps[0], access.NoticeWork); v.CanNotices {
			sh := sharing.New(sharing.Deps{DB: cp.deps.DB, Now: cp.deps.Now})
			if v.OpenNotices, err = sh.CountOpenNotices(ctx, p, ps[0]); err != nil {
				return err
			}
		}
	}
	for _, t := range tasks {
		wt := workTask{Task: t, Due: dayText(t.Due)}
		switch t.Kind {
		case casework.TaskTriage:
			wt.Title, wt.Href = "Triage referral", casePath(t.PartnershipID, t.ReferralID, "triage")
		case casework.TaskInformationRequest:
			wt.Title, wt.Href = "Answer an information request", casePath(t.PartnershipID, t.ReferralID, "information-requests", t.RequestID)
		default:
			wt.Title, wt.Href = "Information request awaiting an answer", casePath(t.PartnershipID, t.ReferralID, "people")
		}
		wt.Status, wt.StatusClass = dueStatus(t, now, holidays)
		v.Tasks = append(v.Tasks, wt)
	}
	l := cp.layout(r, "My work")
	return cp.page(w, r, l, workPage(l, v))
}

// dueStatus says when a task is due in working days, or that it is overdue.
func dueStatus(t casework.Task, now time.Time, h casework.Holidays) (string, string) {
	if t.Due.IsZero() {
		return "No due date", "govuk-tag--grey"
	}
	if t.Overdue {
		return "Overdue", "govuk-tag--red"
	}
	n := 0
	for d := now; h.AddWorkingDays(d, 1).Before(t.Due) || h.AddWorkingDays(d, 1).Equal(t.Due); d = h.AddWorkingDays(d, 1) {
		n++
		if n > 400 {
			break
		}
	}
	switch n {
	case 0:
		return "Due today", "govuk-tag--orange"
	case 1:
		return "Due in 1 working day", "govuk-tag--yellow"
	}
	return "Due in " + itoaInt(n) + " working days", "govuk-tag--blue"
}
