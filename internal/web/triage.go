package web

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// triageView is the police triage page: possible repeat referrals, deconfliction and the decision.
type triageView struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Matches       []casework.Match
	Notes         []casework.DeconflictionNote
	Reasons       []casework.Item
	Services      []casework.Item
	Form          form
}

func (cp *casePages) renderTriage(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := triageView{PartnershipID: pid, Form: f}
	if v.Referral, err = cp.svc.Referral(ctx, p, id); err != nil {
		return err
	}
	if v.Referral.PartnershipID != pid || v.Referral.State == casework.Draft {
		return access.NotFound("Referral")
	}
	if v.Matches, err = cp.svc.Matches(ctx, p, id); err != nil {
		return err
	}
	if v.Notes, err = cp.svc.DeconflictionNotes(ctx, p, id); err != nil {
		return err
	}
	now := cp.deps.Now()
	if v.Reasons, err = cp.svc.Reference(ctx, casework.TriageReasons, now); err != nil {
		return err
	}
	if v.Services, err = cp.svc.Reference(ctx, casework.SignpostServices, now); err != nil {
		return err
	}
	l := cp.layout(r, "Triage: "+v.Referral.Reference)
	l.Errors = f.Errors
	l.Marking = v.Referral.Marking
	for _, n := range v.Notes {
		l.Marking = max(l.Marking, n.Marking)
	}
	l.Back = casePath(pid, id)
	return cp.page(w, r, l, triagePage(l, v))
}

func (cp *casePages) handleTriage(w http.ResponseWriter, r *http.Request) error {
	return cp.renderTriage(w, r, form{Values: url.Values{}})
}

var deconflictionResults = []struct {
	Result casework.DeconflictionResult
	Text   string
}{{casework.NoTrace, "No trace"}, {casework.KnownNoLiveMatter, "Known to police, no live matter"},
	{casework.LiveInvestigation, "Live investigation"}, {casework.DeconflictionOther, "Other"}}

func (cp *casePages) handleDeconflictionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in := casework.DeconflictionInput{Result: casework.DeconflictionResult(f.get("result")), Note: f.get("note")}
	switch f.get("marking") {
	case "secret":
		in.Marking = prevent.Secret
	case "official-sensitive":
		in.Marking = prevent.OfficialSensitive
	}
	_, err = cp.svc.RecordDeconfliction(r.Context(), principalOf(r), id, in)
	if err == nil {
		return cp.flash(w, r, casePath(pid, id, "triage"), "Deconfliction result recorded")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return cp.renderTriage(w, r, f.withErr(err))
}

func (cp *casePages) handleTriageDecisionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in := casework.TriageInput{Decision: casework.Event(f.get("decision")), Reason: f.get("reason"), Service: f.get("service"),
		ReasonableGrounds: f.get("reasonable-grounds"), Rationale: f.get("rationale")}
	next, err := cp.svc.Triage(r.Context(), principalOf(r), id, in)
	if err == nil {
		return cp.flash(w, r, casePath(pid, id), "Triage decision recorded: "+next.String())
	}
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		return cp.renderTriage(w, r, f.withErr(err))
	case prevent.Conflict:
		f.Errors = []prevent.FieldError{{Field: "decision", Message: prevent.PublicMessage(err)}}
		return cp.renderTriage(w, r, f)
	}
	return err
}

func (cp *casePages) handleMatch(link bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := pathIDs(r)
		if err != nil {
			return err
		}
		subject, err := pathID(r, "subject")
		if err != nil {
			return err
		}
		if _, err := readForm(w, r); err != nil {
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
		return cp.flash(w, r, casePath(pid, id, "triage"), msg)
	}
}
