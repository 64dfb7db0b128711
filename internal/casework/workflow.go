package casework

import (
	"fmt"
	"slices"

	"github.com/preventplatform/prevent/internal/prevent"
)

// State is where a referral or Channel case is in its pathway.
type State string

// Referral states.
const (
	Draft               State = "draft"
	Submitted           State = "submitted"
	PoliceTriage        State = "police_triage"
	ClosedNFA           State = "closed_nfa"
	Signposted          State = "signposted"
	PoliceLedManagement State = "police_led_management"
	PursueHandover      State = "pursue_handover"
	ChannelScreening    State = "channel_screening"
	PanelListed         State = "panel_listed"
)

// Channel case states, including the post-exit and retention ones.
const (
	Discussed          State = "discussed"
	Adopted            State = "adopted"
	NotAdopted         State = "not_adopted"
	ConsentRequested   State = "consent_requested"
	SupportActive      State = "support_active"
	ConsentRefused     State = "consent_refused"
	ConsentWithdrawn   State = "consent_withdrawn"
	ReassessmentDue    State = "reassessment_due"
	TransferredOut     State = "transferred_out"
	Exited             State = "exited"
	PostExitReview6M   State = "post_exit_review_6m"
	PostExitReview12M  State = "post_exit_review_12m"
	ExtendedReview     State = "extended_review"
	ClosedFinal        State = "closed_final"
	Reopened           State = "reopened"
	RetentionReviewDue State = "retention_review_due"
	Deleted            State = "deleted"
	Retained           State = "retained"
)

// States lists every state in pathway order.
var States = []State{Draft, Submitted, PoliceTriage, ClosedNFA, Signposted, PoliceLedManagement, PursueHandover,
	ChannelScreening, PanelListed, Discussed, Adopted, NotAdopted, ConsentRequested, SupportActive, ConsentRefused,
	ConsentWithdrawn, ReassessmentDue, TransferredOut, Exited, PostExitReview6M, PostExitReview12M, ExtendedReview,
	ClosedFinal, Reopened, RetentionReviewDue, Deleted, Retained}

var stateLabels = map[State]string{
	Draft:               "Draft",
	Submitted:           "Submitted",
	PoliceTriage:        "Police triage",
	ClosedNFA:           "Closed: no further action",
	Signposted:          "Signposted to other services",
	PoliceLedManagement: "Police-led management",
	PursueHandover:      "Handed over to Pursue",
	ChannelScreening:    "Channel screening",
	PanelListed:         "Listed for panel",
	Discussed:           "Discussed at panel",
	Adopted:             "Adopted as a Channel case",
	NotAdopted:          "Not adopted",
	ConsentRequested:    "Consent requested",
	SupportActive:       "Support in progress",
	ConsentRefused:      "Consent refused",
	ConsentWithdrawn:    "Consent withdrawn",
	ReassessmentDue:     "Reassessment due",
	TransferredOut:      "Transferred to another panel",
	Exited:              "Exited Channel",
	PostExitReview6M:    "6-month post-exit review",
	PostExitReview12M:   "12-month post-exit review",
	ExtendedReview:      "Extended post-exit review",
	ClosedFinal:         "Closed",
	Reopened:            "Reopened",
	RetentionReviewDue:  "Retention review due",
	Deleted:             "Deleted",
	Retained:            "Retained",
}

// String is the state's display name.
func (s State) String() string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return string(s)
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := stateLabels[s]; return ok }

// ReferrerStatus is what the referrer is told: never the police outcome, which may reveal an investigation.
func (s State) ReferrerStatus() string {
	switch s {
	case Draft:
		return "Draft"
	case Submitted, PoliceTriage:
		return "Received, being assessed"
	case ClosedNFA, Signposted, PoliceLedManagement, PursueHandover, ClosedFinal, RetentionReviewDue, Deleted, Retained, TransferredOut:
		return "Assessment complete"
	}
	return "Being considered by partners"
}

// Masked is the state as partners outside the police see it: a handover to Pursue means a live
// investigation, which must not be revealed, so it shows as police-led management.
func (s State) Masked() State {
	if s == PursueHandover {
		return PoliceLedManagement
	}
	return s
}

// AwaitingTriage reports whether the police have still to decide on the referral.
func (s State) AwaitingTriage() bool { return s == Submitted || s == PoliceTriage }

// Event is something that moves a case on.
type Event string

// The events of the pathway.
const (
	EvSubmit           Event = "submit"
	EvStartTriage      Event = "start_triage"
	EvCloseNFA         Event = "close_nfa"
	EvSignpost         Event = "signpost"
	EvPoliceLed        Event = "police_led"
	EvPursueHandover   Event = "pursue_handover"
	EvReferToChannel   Event = "refer_to_channel"
	EvListForPanel     Event = "list_for_panel"
	EvDiscuss          Event = "discuss"
	EvAdopt            Event = "adopt"
	EvNotAdopt         Event = "not_adopt"
	EvRequestConsent   Event = "request_consent"
	EvConsentGiven     Event = "consent_given"
	EvConsentRefused   Event = "consent_refused"
	EvConsentWithdrawn Event = "consent_withdrawn"
	EvReassess         Event = "reassess"
	EvReviewPlan       Event = "review_plan"
	EvTransferOut      Event = "transfer_out"
	EvExit             Event = "exit"
	EvReviewDue        Event = "review_due"
	EvReviewNoConcerns Event = "review_no_concerns"
	EvExtendReview     Event = "extend_review"
	EvReopen           Event = "reopen"
	EvReturnToPanel    Event = "return_to_panel"
	EvRetentionDue     Event = "retention_due"
	EvDelete           Event = "delete"
	EvRetain           Event = "retain"
)

// Events lists every event.
var Events = []Event{EvSubmit, EvStartTriage, EvCloseNFA, EvSignpost, EvPoliceLed, EvPursueHandover, EvReferToChannel,
	EvListForPanel, EvDiscuss, EvAdopt, EvNotAdopt, EvRequestConsent, EvConsentGiven, EvConsentRefused, EvConsentWithdrawn,
	EvReassess, EvReviewPlan, EvTransferOut, EvExit, EvReviewDue, EvReviewNoConcerns, EvExtendReview, EvReopen,
	EvReturnToPanel, EvRetentionDue, EvDelete, EvRetain}

// eventVerbs complete "You cannot …" and name the step in the audit trail.
var eventVerbs = map[Event]string{
	EvSubmit:           "submit the referral",
	EvStartTriage:      "start police triage",
	EvCloseNFA:         "close with no further action",
	EvSignpost:         "signpost to another service",
	EvPoliceLed:        "move to police-led management",
	EvPursueHandover:   "hand over to Pursue",
	EvReferToChannel:   "refer to Channel",
	EvListForPanel:     "list the case for panel",
	EvDiscuss:          "record the panel discussion",
	EvAdopt:            "adopt the case",
	EvNotAdopt:         "record that the case is not adopted",
	EvRequestConsent:   "request consent to support",
	EvConsentGiven:     "record consent to support",
	EvConsentRefused:   "record that consent was refused",
	EvConsentWithdrawn: "record that consent was withdrawn",
	EvReassess:         "mark the case for reassessment",
	EvReviewPlan:       "review the support plan",
	EvTransferOut:      "transfer the case to another panel",
	EvExit:             "exit the case from Channel",
	EvReviewDue:        "start the post-exit review",
	EvReviewNoConcerns: "complete the review with no concerns",
	EvExtendReview:     "extend the post-exit review",
	EvReopen:           "reopen the case",
	EvReturnToPanel:    "return the case to panel",
	EvRetentionDue:     "start the retention review",
	EvDelete:           "delete the record",
	EvRetain:           "retain the record",
}

// String is the event as a step name, for the timeline and the audit trail.
func (e Event) String() string {
	if v, ok := eventVerbs[e]; ok {
		return v
	}
	return string(e)
}

var triageEvents = []Event{EvCloseNFA, EvSignpost, EvPoliceLed, EvPursueHandover, EvReferToChannel}

// Facts are what the guards check, gathered by the service from the case before a transition.
type Facts struct {
	DeconflictionRecorded      bool   // a deconfliction result is on the case
	OutcomeReason              string // reason code for no further action
	SignpostService            string // service code when signposting
	ReasonableGrounds          string // the s36(3) statement when referring to Channel
	InformationRequestsOpen    int    // screening requests neither answered nor past their due date
	AssessmentDraftExists      bool   // a VAF/PAF assessment has been started
	ChairPresent               bool   // the local authority chair is recorded present
	PolicePresent              bool   // a police representative for the person's area is recorded present
	HealthSocialCareConsidered bool   // s36(6) consideration recorded after not adopting
	Under18                    bool   // the person is under 18 at the time of the decision
	ChildrensServicesConsulted bool   // consultation with children's services recorded
	ConsentRequestPlanned      bool   // the plan says how, when and by whom consent will be requested
	ConsentValid               bool   // consent to support given by the right person for the person's age
	ReceivingPanelAccepted     bool   // the receiving panel accepts a transfer
	ExitOutcome                string // exit outcome code
	MonthsSinceExit            int    // for extending reviews (at most 24 months from exit)
	Rationale                  string // the reason recorded for a decision
	RetentionJustification     string // why a record is kept past its review
}

// guard is one condition on a transition. A guard with a Field is an input the user has to give (Invalid);
// one without is a state of the case that must first be reached (Conflict).
type guard struct {
	ok      func(Facts) bool
	field   string
	message string
}

func nonEmpty(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return true
		}
	}
	return false
}

var (
	needDeconfliction = guard{func(f Facts) bool { return f.DeconflictionRecorded }, "",
		"Record the deconfliction result before making a triage decision"}
	needReason = guard{func(f Facts) bool { return nonEmpty(f.OutcomeReason) }, "reason",
		"Select the reason for no further action"}
	needService = guard{func(f Facts) bool { return nonEmpty(f.SignpostService) }, "service",
		"Select the service the person is signposted to"}
	needGrounds = guard{func(f Facts) bool { return nonEmpty(f.ReasonableGrounds) }, "reasonable-grounds",
		"Enter why there are reasonable grounds to believe the person is vulnerable to being drawn into terrorism"}
	needRationale = guard{func(f Facts) bool { return nonEmpty(f.Rationale) }, "rationale",
		"Enter the reason for this decision"}
	needScreeningDone = guard{func(f Facts) bool { return f.InformationRequestsOpen == 0 }, "",
		"Wait until every information request is answered or past its due date before listing the case for panel"}
	needAssessment = guard{func(f Facts) bool { return f.AssessmentDraftExists }, "",
		"Start the assessment before listing the case for panel"}
	needQuorum = guard{func(f Facts) bool { return f.ChairPresent && f.PolicePresent }, "",
		"A case can only be discussed when the chair and a police representative for the person’s area are present"}
	needChildrensServices = guard{func(f Facts) bool { return !f.Under18 || f.ChildrensServicesConsulted }, "",
		"The person is under 18: record the consultation with children’s services before adopting the case"}
	needS366 = guard{func(f Facts) bool { return f.HealthSocialCareConsidered }, "",
		"Record whether the person should be referred to health or social care services before closing the case"}
	needConsentPlan = guard{func(f Facts) bool { return f.ConsentRequestPlanned }, "",
		"Record in the support plan how, when and by whom consent will be requested"}
	needConsent = guard{func(f Facts) bool { return f.ConsentValid }, "",
		"Support can only start with consent from the person, or from a parent or guardian if they are under 18"}
	needChildrensServicesForSupport = guard{func(f Facts) bool { return !f.Under18 || f.ChildrensServicesConsulted }, "",
		"The person is under 18: record the consultation with children’s services before support starts"}
	needReceiving = guard{func(f Facts) bool { return f.ReceivingPanelAccepted }, "",
		"The receiving panel must accept the transfer first"}
	needExitOutcome = guard{func(f Facts) bool { return nonEmpty(f.ExitOutcome) }, "outcome",
		"Select the exit outcome"}
	needWithin24 = guard{func(f Facts) bool { return f.MonthsSinceExit < 24 }, "",
		"Post-exit reviews can be extended to at most 24 months after exit"}
	needJustification = guard{func(f Facts) bool { return nonEmpty(f.RetentionJustification) }, "justification",
		"Enter why the record must be kept"}
)

type edge struct {
	next   State
	guards []guard
}

// transitions is the whole workflow: for each state, the events it accepts.
var transitions = map[State]map[Event]edge{
	Draft:     {EvSubmit: {Submitted, nil}},
	Submitted: {EvStartTriage: {PoliceTriage, nil}},
	PoliceTriage: {
		EvCloseNFA:       {ClosedNFA, []guard{needDeconfliction, needReason}},
		EvSignpost:       {Signposted, []guard{needDeconfliction, needService}},
		EvPoliceLed:      {PoliceLedManagement, []guard{needDeconfliction, needRationale}},
		EvPursueHandover: {PursueHandover, []guard{needDeconfliction}},
		EvReferToChannel: {ChannelScreening, []guard{needDeconfliction, needGrounds}},
	},
	ChannelScreening: {
		EvListForPanel: {PanelListed, []guard{needScreeningDone, needAssessment}},
		EvSignpost:     {Signposted, []guard{needService}},
		EvCloseNFA:     {ClosedNFA, []guard{needReason}},
	},
	PanelListed: {EvDiscuss: {Discussed, []guard{needQuorum}}},
	Discussed: {
		EvAdopt:    {Adopted, []guard{needChildrensServices, needRationale}},
		EvNotAdopt: {NotAdopted, []guard{needRationale}},
	},
	NotAdopted: {
		EvSignpost: {Signposted, []guard{needS366, needService}},
		EvCloseNFA: {ClosedNFA, []guard{needS366, needReason}},
	},
	Adopted: {EvRequestConsent: {ConsentRequested, []guard{needConsentPlan}}},
	ConsentRequested: {
		EvConsentGiven:   {SupportActive, []guard{needConsent, needChildrensServicesForSupport}},
		EvConsentRefused: {ConsentRefused, nil},
	},
	ConsentRefused: {
		EvReassess:  {ReassessmentDue, nil},
		EvPoliceLed: {PoliceLedManagement, []guard{needRationale}},
		EvSignpost:  {Signposted, []guard{needService}},
	},
	SupportActive: {
		EvReviewPlan:       {SupportActive, nil},
		EvConsentWithdrawn: {ConsentWithdrawn, nil},
		EvTransferOut:      {TransferredOut, []guard{needReceiving}},
		EvExit:             {Exited, []guard{needExitOutcome, needRationale}},
	},
	ConsentWithdrawn:  {EvReassess: {ReassessmentDue, nil}},
	ReassessmentDue:   {EvListForPanel: {PanelListed, []guard{needScreeningDone, needAssessment}}},
	Exited:            {EvReviewDue: {PostExitReview6M, nil}},
	PostExitReview6M:  {EvReviewNoConcerns: {PostExitReview12M, nil}, EvReopen: {Reopened, []guard{needRationale}}},
	PostExitReview12M: {EvReviewNoConcerns: {ClosedFinal, nil}, EvExtendReview: {ExtendedReview, []guard{needWithin24}}, EvReopen: {Reopened, []guard{needRationale}}},
	ExtendedReview:    {EvReviewNoConcerns: {ClosedFinal, nil}, EvReopen: {Reopened, []guard{needRationale}}},
	Reopened:          {EvReturnToPanel: {PanelListed, nil}},
	ClosedNFA:         {EvRetentionDue: {RetentionReviewDue, nil}},
	ClosedFinal:       {EvRetentionDue: {RetentionReviewDue, nil}},
	RetentionReviewDue: {
		EvDelete: {Deleted, nil},
		EvRetain: {Retained, []guard{needJustification}},
	},
}

// Next returns the events state s accepts, in Events order (for offering actions on a page).
func Next(s State) []Event {
	var out []Event
	for _, e := range Events {
		if _, ok := transitions[s][e]; ok {
			out = append(out, e)
		}
	}
	return out
}

// Transition is the workflow: from state s, event e leads to the next state if every guard holds on f.
// An event the state does not accept is a Conflict with a message the user understands; a guard that needs
// an input is Invalid on that field; a guard on the case's progress is a Conflict. It is pure.
func Transition(s State, e Event, f Facts) (State, error) {
	ed, ok := transitions[s][e]
	if !ok {
		return s, &prevent.Error{Kind: prevent.Conflict, Message: illegalMessage(s, e)}
	}
	var fields prevent.Fields
	for _, g := range ed.guards {
		if g.ok(f) {
			continue
		}
		if g.field == "" {
			return s, &prevent.Error{Kind: prevent.Conflict, Message: g.message}
		}
		fields.Add(g.field, g.message)
	}
	if err := fields.Err(); err != nil {
		return s, err
	}
	return ed.next, nil
}

func illegalMessage(s State, e Event) string {
	if !s.Valid() {
		return "This case is in an unknown state; ask an administrator for help"
	}
	if _, ok := eventVerbs[e]; !ok {
		return "That action is not part of the referral pathway"
	}
	triaged := !slices.Contains([]State{Draft, Submitted, PoliceTriage}, s)
	switch {
	case e == EvSubmit && s != Draft:
		return "This referral has already been submitted"
	case e == EvStartTriage && s == PoliceTriage:
		return "Police triage of this referral has already started"
	case (e == EvStartTriage || slices.Contains(triageEvents, e)) && triaged:
		return "This referral has already been triaged"
	case s == Draft:
		return fmt.Sprintf("You cannot %s: this referral has not been submitted yet", e)
	case s == Deleted:
		return "This record has been deleted"
	}
	return fmt.Sprintf("You cannot %s while the case is at the stage ‘%s’", e, s)
}
