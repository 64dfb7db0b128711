package sharing

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The data protection officer's dashboard and the Art 30 record.

type dashboardView struct {
	PID      prevent.ID
	Overview sharing.Overview
	// RequestsDue are the open subject access requests due within the window, or overdue.
	RequestsDue []rights.RequestDue
	Unusual     []sharing.UnusualAccessEntry
	Retained    rights.RetentionSummary
	// Due and Held count closed cases past retention: to be erased by the next daily run, or kept by a hold.
	Due, Held int
	Window    int
	Today     time.Time
	// CanNotices offers the overview of notices to recipients (the rights pages).
	CanNotices bool
}

func (sp *pages) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	now := sp.d.Now()
	v := dashboardView{PID: pid, Window: windowDays, Today: now, CanNotices: sp.May(r, pid, access.NoticeOversee)}
	if v.Overview, err = sp.d.Sharing.Overview(r.Context(), principalOf(r), pid, now, windowDays); err != nil {
		return err
	}
	if v.RequestsDue, err = sp.d.Rights.RequestsDue(r.Context(), principalOf(r), pid, now, windowDays); err != nil {
		return err
	}
	if v.Unusual, err = sp.d.Sharing.UnusualAccess(r.Context(), principalOf(r), pid, now, windowDays); err != nil {
		return err
	}
	if v.Retained, err = sp.d.Rights.RetentionSummary(r.Context(), principalOf(r), pid, now, windowDays); err != nil {
		return err
	}
	if v.Due, v.Held, err = sp.d.Rights.ErasureDue(r.Context(), principalOf(r), pid, now); err != nil {
		return err
	}
	l := sp.Layout(r, "Data protection dashboard")
	l.Back = HomePath.Link(pid)
	return sp.Page(w, r, l, dashboardPage(l, v))
}

func (sp *pages) handleRecordOfProcessing(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	rec, err := sp.d.Rights.RecordOfProcessing(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := sp.Layout(r, "Record of processing activities")
	l.Back = HomePath.Link(pid)
	return sp.Page(w, r, l, processingPage(l, rec))
}
