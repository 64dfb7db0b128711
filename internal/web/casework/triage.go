package casework

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// triageView is the police triage page: what was referred, possible repeat referrals, deconfliction and the
// choice of decision; and then the page of the chosen decision's own questions.
type triageView struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Matches       []casework.Match
	Notes         []casework.DeconflictionNote
	Reasons       []casework.Item
	Services      []casework.Item
	// ConcernTypes are the labels of the types of concern referred; ReferrerOrganisation is the name of the
	// organisation that referred.
	ConcernTypes         []string
	ReferrerOrganisation string
	// Decision is the decision whose questions the decision page asks.
	Decision casework.Event
	Now      time.Time
	Form     core.Form
}

// triageDecisions are the triage decisions in the order the page offers them.
var triageDecisions = []casework.Event{casework.EvCloseNFA, casework.EvSignpost, casework.EvPoliceLed, casework.EvPursueHandover, casework.EvReferToChannel}

// loadTriage reads what both triage pages show.
func (cp *casePages) loadTriage(r *http.Request, f core.Form) (triageView, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return triageView{}, err
	}
	ctx, p := r.Context(), principalOf(r)
	v := triageView{PartnershipID: pid, Form: f, Now: cp.deps.Now()}
	if v.Referral, err = cp.svc.Referral(ctx, p, id); err != nil {
		return v, err
	}
	if v.Referral.PartnershipID != pid || v.Referral.State == casework.Draft {
		return v, access.NotFound("Referral")
	}
	for _, code := range v.Referral.Details.Concern.Types {
		v.ConcernTypes = append(v.ConcernTypes, cp.svc.Label(ctx, casework.ConcernTypes, code, v.Referral.SubmittedAt))
	}
	if orgs, err := cp.deps.Partnership.Organisations(ctx, p, pid); err == nil {
		for _, o := range orgs {
			if o.ID == v.Referral.ReferrerOrgID {
				v.ReferrerOrganisation = o.Name
			}
		}
	}
	if v.Notes, err = cp.svc.DeconflictionNotes(ctx, p, id); err != nil {
		return v, err
	}
	if v.Reasons, err = cp.svc.Reference(ctx, casework.TriageReasons, v.Now); err != nil {
		return v, err
	}
	if v.Services, err = cp.svc.Reference(ctx, casework.SignpostServices, v.Now); err != nil {
		return v, err
	}
	return v, nil
}

// triageLayout is the frame of a triage page, marked as the most restricted note it shows.
func (cp *casePages) triageLayout(r *http.Request, title string, v triageView) core.Layout {
	l := cp.Layout(r, title)
	l.Errors = v.Form.Errors
	l.Marking = v.Referral.Marking
	for _, n := range v.Notes {
		l.Marking = max(l.Marking, n.Marking)
	}
	return l
}

func (cp *casePages) renderTriage(w http.ResponseWriter, r *http.Request, f core.Form) error {
	v, err := cp.loadTriage(r, f)
	if err != nil {
		return err
	}
	if v.Matches, err = cp.svc.Matches(r.Context(), principalOf(r), v.Referral.ID); err != nil {
		return err
	}
	l := cp.triageLayout(r, caseTitle("Triage", v.Referral.Reference), v)
	l.Back = CasePath.Link(v.PartnershipID, v.Referral.ID)
	return cp.Page(w, r, l, triagePage(l, v))
}

func (cp *casePages) handleTriage(w http.ResponseWriter, r *http.Request) error {
	return cp.renderTriage(w, r, core.Form{Values: url.Values{}})
}

// renderTriageDecision shows the questions of the decision chosen in f; with no valid decision it shows the
// triage page again, asking for one.
func (cp *casePages) renderTriageDecision(w http.ResponseWriter, r *http.Request, f core.Form) error {
	d := casework.Event(f.Get("decision"))
	if !slices.Contains(triageDecisions, d) {
		f.Errors = []prevent.FieldError{{Field: "decision", Message: "Select your triage decision"}}
		return cp.renderTriage(w, r, f)
	}
	v, err := cp.loadTriage(r, f)
	if err != nil {
		return err
	}
	if !v.Referral.State.AwaitingTriage() {
		return cp.renderTriage(w, r, core.Form{Values: url.Values{}})
	}
	v.Decision = d
	l := cp.triageLayout(r, caseTitle(decisionTitle(d), v.Referral.Reference), v)
	l.Back = TriagePath.Link(v.PartnershipID, v.Referral.ID)
	return cp.Page(w, r, l, triageDecisionPage(l, v))
}

// handleTriageDecision is the page of the decision chosen on the triage page (?decision=).
func (cp *casePages) handleTriageDecision(w http.ResponseWriter, r *http.Request) error {
	return cp.renderTriageDecision(w, r, core.Form{Values: url.Values{"decision": {r.URL.Query().Get("decision")}}})
}

var deconflictionResults = []struct {
	Result casework.DeconflictionResult
	Text   string
}{{casework.NoTrace, "No trace"}, {casework.KnownNoLiveMatter, "Known to police, no live matter"},
	{casework.LiveInvestigation, "Live investigation"}, {casework.DeconflictionOther, "Other"}}

func (cp *casePages) handleDeconflictionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	in := casework.DeconflictionInput{Result: casework.DeconflictionResult(f.Get("result")), Note: f.Get("note")}
	switch f.Get("marking") {
	case "secret":
		in.Marking = prevent.Secret
	case "official-sensitive":
		in.Marking = prevent.OfficialSensitive
	}
	_, err = cp.svc.RecordDeconfliction(r.Context(), principalOf(r), id, in)
	if err == nil {
		return cp.Flash(w, r, TriagePath.Link(pid, id), "Deconfliction result recorded")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return cp.renderTriage(w, r, f.WithErr(err))
}

func (cp *casePages) handleTriageDecisionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	in := casework.TriageInput{Decision: casework.Event(f.Get("decision")), Reason: f.Get("reason"), Service: f.Get("service"),
		ReasonableGrounds: f.Get("reasonable-grounds"), Rationale: f.Get("rationale")}
	next, err := cp.svc.Triage(r.Context(), principalOf(r), id, in)
	if err == nil {
		return cp.Flash(w, r, CasePath.Link(pid, id), "Triage decision recorded: "+next.String())
	}
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		// The decision's own answers: its page again, with what was typed.
		return cp.renderTriageDecision(w, r, f.WithErr(err))
	case prevent.Conflict:
		// A refusal of the decision itself (no deconfliction yet, or already triaged): the triage page,
		// with the decision chosen kept.
		f.Errors = []prevent.FieldError{{Field: "decision", Message: prevent.PublicMessage(err)}}
		return cp.renderTriage(w, r, f)
	}
	return err
}

func (cp *casePages) handleMatch(link bool) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := core.PathIDs(r)
		if err != nil {
			return err
		}
		subject, err := core.PathID(r, "subject")
		if err != nil {
			return err
		}
		if _, err := core.ReadForm(w, r); err != nil {
			return err
		}
		p := principalOf(r)
		msg := "Recorded as not the same person"
		if link {
			err, msg = cp.svc.LinkSubject(r.Context(), p, id, subject), "Linked to the earlier referrals of the same person"
		} else {
			err = cp.svc.DeclineMatch(r.Context(), p, id, subject)
		}
		if err != nil {
			return err
		}
		return cp.Flash(w, r, TriagePath.Link(pid, id), msg)
	}
}
