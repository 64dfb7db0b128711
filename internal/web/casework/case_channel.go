package casework

import (
	"context"
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/channel"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The Channel pages are in internal/web/channel. What is here is the case page's side of them: the case
// page's assessment, panel and plan sections (case_channel.templ), and what the Channel pages are given of
// the case pages': how a case is loaded, the "Share information" fieldset and the case as the reader's
// organisation was given it.

// ChannelDeps are the Channel pages' dependencies, drawn on site as these pages are.
func ChannelDeps(site core.Pages, d Deps) channel.Deps {
	cp := newCasePages(site, d)
	return channel.Deps{Casework: cp.svc, Sharing: cp.share, Partnership: cp.deps.Partnership, Now: cp.deps.Now,
		HTTPS: cp.deps.HTTPS, Case: cp.caseOf, CaseCard: caseCard,
		Share: channel.Share{Load: cp.channelShare, Read: readDisclosure, WithErr: withShareErr}}
}

// channelShare builds the "Share information" fieldset for a Channel page.
func (cp *casePages) channelShare(r *http.Request, pid prevent.ID, spec channel.ShareSpec, f core.Form) (*channel.Fieldset, error) {
	v, err := cp.loadDisclosure(r, pid, shareSpec{ReferralID: spec.ReferralID, ToOrg: spec.ToOrg, Purpose: spec.Purpose, Intro: spec.Intro}, f)
	if err != nil {
		return nil, err
	}
	return &channel.Fieldset{Form: v.Form, To: v.To, View: disclosureFieldset(v)}, nil
}

// caseOf loads a referral of the partnership in the path, or NotFound.
func (cp *casePages) caseOf(ctx context.Context, p prevent.Principal, pid, id prevent.ID) (casework.Referral, error) {
	ref, err := cp.svc.Referral(ctx, p, id)
	if err != nil {
		return ref, err
	}
	if ref.PartnershipID != pid || ref.State == casework.Draft {
		return ref, access.NotFound("Referral")
	}
	return ref, nil
}

// channelCase holds what the case page's assessment, panel and plan sections show.
type channelCase struct {
	Assessments   []casework.Assessment
	Decisions     []casework.CaseDecision
	Panels        []casework.Panel
	Plan          casework.SupportPlan
	HasPlan       bool
	Consents      []casework.ConsentRecord
	Interventions []casework.Intervention
	Reviews       []casework.PostExitReview
	Alerts        []casework.Alert
	CanAssess     bool
	// DraftSaved is when the reader saved their draft assessment (zero when they have none).
	DraftSaved time.Time
	CanPanels  bool
	CanList    bool
	CanSupport bool
	CanSession bool
}

// loadChannel fills the Channel parts of the case page for its section.
func (cp *casePages) loadChannel(r *http.Request, v *caseView) error {
	ctx, p, pid, id := r.Context(), principalOf(r), v.PartnershipID, v.Referral.ID
	ch := &v.Channel
	ch.CanAssess, ch.CanList = cp.May(r, pid, access.CaseAssess), cp.May(r, pid, access.PanelManage) && cp.May(r, pid, access.CaseScreen)
	ch.CanSupport, ch.CanSession = cp.May(r, pid, access.CaseSupport), cp.May(r, pid, access.SessionRecord)
	ch.CanPanels = cp.May(r, pid, access.PanelView)
	var err error
	switch v.Section.Slug {
	case "assessment":
		if ch.Assessments, err = cp.svc.Assessments(ctx, p, id); err != nil {
			return err
		}
		if ch.CanAssess {
			ch.DraftSaved, _, err = cp.svc.AssessmentDraftSaved(ctx, p, id)
		}
	case "panel":
		if ch.Decisions, err = cp.svc.PanelDecisions(ctx, p, id); err != nil {
			return err
		}
		if v.can("list-for-panel") {
			ch.Panels, err = cp.svc.Panels(ctx, p, pid)
		}
	case "plan":
		if ch.Plan, ch.HasPlan, err = cp.svc.SupportPlan(ctx, p, id); err != nil {
			return err
		}
		if ch.Consents, err = cp.svc.ConsentRecords(ctx, p, id); err != nil {
			return err
		}
		if ch.Interventions, err = cp.svc.Interventions(ctx, p, id); err != nil {
			return err
		}
		// The plan section names each intervention's type by its label, never its code.
		for i, iv := range ch.Interventions {
			ch.Interventions[i].Type = cp.svc.Label(ctx, casework.InterventionTypes, iv.Type, iv.CreatedAt)
		}
		if ch.Reviews, err = cp.svc.PostExitReviews(ctx, p, id); err != nil {
			return err
		}
		if ch.CanSupport {
			alerts, aerr := cp.svc.Alerts(ctx, p, cp.deps.Now())
			if aerr != nil {
				return aerr
			}
			for _, a := range alerts {
				if a.ReferralID == id {
					ch.Alerts = append(ch.Alerts, a)
				}
			}
		}
	}
	return err
}

// sessionDue reports whether a planned session's date has passed at now without a record.
func sessionDue(s casework.Session, now time.Time) bool {
	return s.Attendance == casework.Planned && now.After(s.PlannedAt)
}
