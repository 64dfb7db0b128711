package mywork

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
	"github.com/preventplatform/prevent/internal/work"
)

// workView is "My work": the signed-in person's tasks, their own first and then their organisation's unassigned
// ones, soonest due first, with counts, filters and pages.
type workView struct {
	PartnershipID prevent.ID
	Mine          []workTask
	Unassigned    []workTask
	Counts        work.Counts
	Filtered      bool
	Next          string
	Form          core.Form
	CanRefer      bool
	CanList       bool
	// CanTeam links to the team view (caseload by stage and by officer), for coordinators.
	CanTeam bool
	// CanNotices shows the notices sent to the person's organisation, with how many are open.
	CanNotices bool
	// CanSignpost links to the signposting search ("known to organisation X, contact Y").
	CanSignpost bool
	OpenNotices int
}

// workTask is a task as the page shows it.
type workTask struct {
	work.Item
	Title, Href, Due, Status, StatusClass string
}

// countText is a capped count as the page says it.
func countText(n int) string {
	if n >= work.Counted {
		return "1,000 or more"
	}
	return strconv.Itoa(n)
}

func (cp *casePages) handleMyWork(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principalOf(r)
	now := cp.deps.Now()
	q := r.URL.Query()
	f := work.Filter{Group: work.Group(q.Get("type")), Reference: q.Get("case"), Due: work.Due(q.Get("due")), After: q.Get("after"), Limit: 50}
	v := workView{Form: core.Form{Values: url.Values{"type": {q.Get("type")}, "case": {q.Get("case")}, "due": {q.Get("due")}}}}
	v.Filtered = f.Group != "" || f.Reference != "" || f.Due != ""
	l := cp.Layout(r, "My work")
	pg, err := cp.work.Mine(ctx, p, f)
	switch {
	case prevent.ErrorKind(err) == prevent.Invalid:
		v.Form = v.Form.WithErr(err)
		l.Errors = v.Form.Errors
	case err != nil:
		return err
	}
	holidays, err := cp.svc.BankHolidays(ctx)
	if err != nil {
		return err
	}
	if ps := p.Partnerships(); len(ps) > 0 {
		v.PartnershipID = ps[0]
		v.CanRefer = cp.May(r, ps[0], access.CaseCreate)
		v.CanList = cp.May(r, ps[0], access.CaseStatusView)
		v.CanTeam = cp.May(r, ps[0], access.CaseScreen)
		v.CanSignpost = cp.May(r, ps[0], access.Signpost)
		if v.CanNotices = cp.May(r, ps[0], access.NoticeWork); v.CanNotices {
			if v.OpenNotices, err = cp.share.CountOpenNotices(ctx, p, ps[0]); err != nil {
				return err
			}
		}
	}
	v.Counts = pg.Counts
	for _, t := range pg.Tasks {
		wt := workTask{Item: t, Title: t.Title(), Href: t.Path(), Due: core.DayText(t.Due)}
		wt.Status, wt.StatusClass = casepages.DueStatus(t.Due, now, holidays)
		if t.Mine {
			v.Mine = append(v.Mine, wt)
		} else {
			v.Unassigned = append(v.Unassigned, wt)
		}
	}
	if pg.Next != "" {
		nv := url.Values{"after": {pg.Next}}
		for _, k := range []string{"type", "case", "due"} {
			if x := q.Get(k); x != "" {
				nv.Set(k, x)
			}
		}
		v.Next = WorkPath.Link() + "?" + nv.Encode()
	}
	return cp.Page(w, r, l, workPage(l, v))
}

// workGroupItems are the task types for the filter.
func workGroupItems() []govuk.SelectItem {
	out := []govuk.SelectItem{{Value: "", Text: "All types"}}
	for _, g := range work.Groups {
		out = append(out, govuk.SelectItem{Value: string(g.Group), Text: g.Name})
	}
	return out
}

// workDueItems are the due-date choices for the filter.
func workDueItems() []govuk.SelectItem {
	return []govuk.SelectItem{{Value: "", Text: "Any time"}, {Value: string(work.DueOverdue), Text: "Overdue"},
		{Value: string(work.DueWeek), Text: "Overdue or due within 7 days"}}
}
