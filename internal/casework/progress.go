package casework

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// NextAction is something a reader may do on a case now: a step of the workflow the case's state accepts,
// or work that the state calls for, which the reader's access permits.
type NextAction struct {
	// Key names the action for pages and tests, for example "request-consent".
	Key string
	// Label says what the action does, in plain words.
	Label string
	// Slug is the page under the case's path that does it, for example "plan/request-consent".
	Slug string
	// Post is true when the action is a button that posts to Slug, with no form page of its own.
	Post bool
	// Events are the workflow events the action can lead to; none for work that does not move the case on.
	Events []Event
}

// nextKind describes one action of the catalogue: who may take it (every access action listed), and, for
// work outside the workflow, in which states. The catalogue's order is the order a case page offers them.
type nextKind struct {
	NextAction
	need []access.Action
	// states are where work outside the workflow is offered; an action with events is offered where the
	// state accepts one of them (Next).
	states []State
	// when is a further condition on the case, such as the person's age.
	when func(r Referral, now time.Time) bool
}

// nextCatalogue is every action a case page can offer, in pathway order. Workflow events without a page
// are absent: the start of post-exit reviews and retention are the service's scheduled work, a case
// reopened at a review returns to its panel in the same step, and submission happens on the referral pages.
var nextCatalogue = []nextKind{
	{NextAction: NextAction{Key: "triage", Label: "Triage this referral", Slug: "triage",
		Events: []Event{EvStartTriage, EvCloseNFA, EvSignpost, EvPoliceLed, EvPursueHandover, EvReferToChannel}},
		need: []access.Action{access.CaseTriage}, states: []State{Submitted, PoliceTriage}},
	{NextAction: NextAction{Key: "ask-partner", Label: "Ask a partner for information", Slug: "information-requests/new"},
		need: []access.Action{access.CaseScreen}, states: []State{ChannelScreening, ReassessmentDue}},
	{NextAction: NextAction{Key: "assess", Label: "Record an assessment", Slug: "assessment/new"},
		need: []access.Action{access.CaseAssess}, states: []State{ChannelScreening, ReassessmentDue}},
	{NextAction: NextAction{Key: "childrens-services", Label: "Record the children’s services consultation", Slug: "childrens-services"},
		need: []access.Action{access.CaseSupport}, states: []State{ChannelScreening, ReassessmentDue, PanelListed, Discussed},
		when: func(r Referral, now time.Time) bool { return r.Under18(now) }},
	{NextAction: NextAction{Key: "list-for-panel", Label: "List the case for a panel", Slug: "panel/list", Events: []Event{EvListForPanel}},
		need: []access.Action{access.CaseScreen, access.PanelManage}},
	{NextAction: NextAction{Key: "panel-decision", Label: "Record the panel’s decision", Slug: "panel",
		Events: []Event{EvDiscuss, EvAdopt, EvNotAdopt, EvReviewPlan, EvTransferOut, EvExit}},
		need: []access.Action{access.PanelDecide}},
	{NextAction: NextAction{Key: "after-refusal", Label: "Decide what happens next", Slug: "after-refusal",
		Events: []Event{EvReassess, EvPoliceLed, EvSignpost}}, need: []access.Action{access.CaseSupport},
		states: []State{ConsentRefused, ConsentWithdrawn}},
	{NextAction: NextAction{Key: "edit-plan", Label: "Edit the support plan", Slug: "plan/edit"},
		need: []access.Action{access.CaseSupport}, states: []State{Adopted, ConsentRequested, SupportActive}},
	{NextAction: NextAction{Key: "request-consent", Label: "Request consent to support", Slug: "plan/request-consent", Post: true,
		Events: []Event{EvRequestConsent}}, need: []access.Action{access.CaseSupport}},
	{NextAction: NextAction{Key: "record-consent", Label: "Record consent", Slug: "consent/new",
		Events: []Event{EvConsentGiven, EvConsentRefused, EvConsentWithdrawn}}, need: []access.Action{access.CaseSupport},
		states: consentStates},
	{NextAction: NextAction{Key: "add-intervention", Label: "Add an intervention", Slug: "interventions/new"},
		need: []access.Action{access.CaseSupport}, states: []State{Adopted, ConsentRequested, SupportActive}},
	{NextAction: NextAction{Key: "sessions", Label: "Plan or record a session", Slug: "plan"},
		need: []access.Action{access.SessionRecord}, states: []State{SupportActive}},
	{NextAction: NextAction{Key: "post-exit-review", Label: "Complete the post-exit review", Slug: "plan",
		Events: []Event{EvReviewNoConcerns, EvExtendReview, EvReopen}}, need: []access.Action{access.CaseSupport}},
	{NextAction: NextAction{Key: "share", Label: "Share this case", Slug: "share"},
		when: func(r Referral, _ time.Time) bool { return r.Shareable }},
	{NextAction: NextAction{Key: "rectify", Label: "Correct personal details", Slug: "rectify"},
		need: []access.Action{access.CaseRectify}},
}

// consentStates are where consent is recorded: consent to support once requested, and consent to share
// information at any point of an open Channel case.
var consentStates = []State{ChannelScreening, ReassessmentDue, PanelListed, Discussed, Adopted, ConsentRequested, SupportActive,
	ConsentRefused, ConsentWithdrawn}

// NextActions returns what reader p may do on case r at now, in pathway order: each event the case's state
// accepts (Next) for which p's access permits the action that takes it, under the label of the page that
// does it, and the work the state calls for (asking partners during screening, interventions during support,
// the children's services consultation before a person under 18 is adopted, …). A step already taken is
// not offered: once consent is requested, the state no longer accepts the request.
//
// r must be the case as the service gave it to p (Service.Referral), which decided p's need to know and
// the route by which the case reached p's organisation; NextActions decides the rest with access.Decide
// (membership, role and clearance for the case's marking). The service decides again when the action is
// taken.
func NextActions(r Referral, p prevent.Principal, now time.Time) []NextAction {
	if r.State == Draft {
		return nil
	}
	res := access.Resource{Kind: "case", PartnershipID: r.PartnershipID, Marking: r.Marking}
	next := Next(r.State)
	var out []NextAction
	for _, k := range nextCatalogue {
		var events []Event
		for _, e := range k.Events {
			if slices.Contains(next, e) {
				events = append(events, e)
			}
		}
		switch {
		case len(k.states) > 0 && !slices.Contains(k.states, r.State):
			continue
		case len(k.states) == 0 && len(k.Events) > 0 && len(events) == 0:
			continue
		case k.when != nil && !k.when(r, now):
			continue
		}
		allowed := true
		for _, a := range k.need {
			if !access.Decide(p, a, res, now).Allow {
				allowed = false
				break
			}
		}
		if !allowed {
			continue
		}
		a := k.NextAction
		a.Events = events
		out = append(out, a)
	}
	return out
}

// Under18 reports whether the person is under 18 at now, as the guards judge it: from the date of birth,
// else from the approximate age given at referral plus the years since; a person of unknown age is
// treated as a child.
func (r Referral) Under18(now time.Time) bool {
	d := r.Details.Person
	if !d.DateOfBirth.IsZero() {
		return now.Before(d.DateOfBirth.AddDate(18, 0, 0))
	}
	if d.ApproximateAge > 0 {
		years := 0
		for !r.CreatedAt.IsZero() && !r.CreatedAt.AddDate(years+1, 0, 0).After(now) {
			years++
		}
		return d.ApproximateAge+years < 18
	}
	return true
}

// ProgressStatus is a stage's status, in the words of the GOV.UK task list.
type ProgressStatus string

// The statuses of a stage.
const (
	NotYetStarted ProgressStatus = "Not yet started"
	InProgress    ProgressStatus = "In progress"
	Completed     ProgressStatus = "Completed"
)

// ProgressItem is one stage of a Channel case and how far it has got.
type ProgressItem struct {
	Key    string // for example "consent"
	Title  string // for example "Consent to support"
	Slug   string // the case page section that shows it
	Status ProgressStatus
}

// Recorded is what a case holds besides its state, for its progress.
type Recorded struct {
	Assessments    int
	PanelDecisions int
	Plans          int
	// SupportConsent is the latest decision recorded on consent to support; empty when none.
	SupportConsent ConsentDecision
	Interventions  int
	// Reviews are the post-exit reviews created, and ReviewsOpen those of them not yet completed.
	Reviews     int
	ReviewsOpen int
}

var (
	screeningStates  = []State{ChannelScreening, ReassessmentDue}
	panelStates      = []State{PanelListed, Discussed}
	supportStates    = []State{Adopted, ConsentRequested, SupportActive}
	exitedStates     = []State{Exited, PostExitReview6M, PostExitReview12M, ExtendedReview, ClosedFinal}
	reviewStates     = []State{PostExitReview6M, PostExitReview12M, ExtendedReview}
	afterClosedFinal = []State{ClosedFinal, RetentionReviewDue, Deleted, Retained}
)

// InChannel reports whether the case was referred to Channel: by its triage decision, or by a state only a
// Channel case reaches (channelStates).
func (r Referral) InChannel() bool {
	return r.Triage.Outcome == EvReferToChannel || slices.Contains(channelStates, r.State)
}

// ProgressOf is the progress of a Channel case through its stages, from its state and what is recorded on
// it: screening, assessment, panel, consent to support, the support plan, interventions, exit and the
// post-exit reviews. It is nil for a case that was not referred to Channel.
func ProgressOf(r Referral, rec Recorded) []ProgressItem {
	if !r.InChannel() {
		return nil
	}
	st := r.State
	in := func(states []State) bool { return slices.Contains(states, st) }
	status := func(inProgress, completed bool) ProgressStatus {
		switch {
		case inProgress:
			return InProgress
		case completed:
			return Completed
		}
		return NotYetStarted
	}
	exited := in(exitedStates) || (rec.Reviews > 0 && in(afterClosedFinal))
	return []ProgressItem{
		{"screening", "Screening", "people", status(in(screeningStates), true)},
		{"assessment", "Assessment", "assessment", status(rec.Assessments > 0 && st == ReassessmentDue, rec.Assessments > 0)},
		{"panel", "Panel", "panel", status(in(panelStates), rec.PanelDecisions > 0)},
		{"consent", "Consent to support", "plan", status(st == ConsentRequested, rec.SupportConsent != "" && rec.SupportConsent != ConsentNotSought)},
		{"plan", "Support plan", "plan", status(false, rec.Plans > 0)},
		{"interventions", "Interventions", "plan", status(rec.Interventions > 0 && in(supportStates), rec.Interventions > 0)},
		{"exit", "Exit", "panel", status(false, exited)},
		{"reviews", "Post-exit reviews", "plan", status(in(reviewStates) || rec.ReviewsOpen > 0, rec.Reviews > 0 && in(afterClosedFinal))},
	}
}

// Progress returns the progress of case r (as the service gave it to p) through the Channel stages: nil for
// a case not referred to Channel. It counts what is recorded on the case; the read is audited.
func (s *Service) Progress(ctx context.Context, p prevent.Principal, r Referral) ([]ProgressItem, error) {
	if !r.InChannel() {
		return nil, nil
	}
	var rec Recorded
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, r.ID)
		if err != nil {
			return err
		}
		counts := []struct {
			n     *int
			query string
		}{
			{&rec.Assessments, `SELECT count(*) FROM assessments WHERE referral_id = $1`},
			{&rec.PanelDecisions, `SELECT count(*) FROM panel_decisions WHERE referral_id = $1`},
			{&rec.Plans, `SELECT count(*) FROM support_plans WHERE referral_id = $1`},
			{&rec.Interventions, `SELECT count(*) FROM interventions WHERE referral_id = $1`},
			{&rec.Reviews, `SELECT count(*) FROM post_exit_reviews WHERE referral_id = $1`},
			{&rec.ReviewsOpen, `SELECT count(*) FROM post_exit_reviews WHERE referral_id = $1 AND completed_at IS NULL`},
		}
		for _, q := range counts {
			if err := tx.QueryRowContext(ctx, q.query, r.ID).Scan(q.n); err != nil {
				return fmt.Errorf("casework: progress: %w", err)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT decision FROM consent_records WHERE referral_id = $1 AND scope = $2 ORDER BY id DESC LIMIT 1`,
			r.ID, string(ScopeSupport))
		if err != nil {
			return fmt.Errorf("casework: progress: %w", err)
		}
		for rows.Next() {
			if err := rows.Scan(&rec.SupportConsent); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", r.ID, c.PartnershipID, "progress viewed")
	})
	if err != nil {
		return nil, err
	}
	return ProgressOf(r, rec), nil
}
