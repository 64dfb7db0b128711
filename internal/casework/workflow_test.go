package casework

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// legal is the expected workflow, written out independently of the implementation's table.
var legal = map[State]map[Event]State{
	Draft:            {EvSubmit: Submitted},
	Submitted:        {EvStartTriage: PoliceTriage},
	PoliceTriage:     {EvCloseNFA: ClosedNFA, EvSignpost: Signposted, EvPoliceLed: PoliceLedManagement, EvPursueHandover: PursueHandover, EvReferToChannel: ChannelScreening},
	ChannelScreening: {EvListForPanel: PanelListed, EvSignpost: Signposted, EvCloseNFA: ClosedNFA},
	PanelListed:      {EvDiscuss: Discussed},
	Discussed:        {EvAdopt: Adopted, EvNotAdopt: NotAdopted},
	NotAdopted:       {EvSignpost: Signposted, EvCloseNFA: ClosedNFA},
	Adopted:          {EvRequestConsent: ConsentRequested},
	ConsentRequested: {EvConsentGiven: SupportActive, EvConsentRefused: ConsentRefused},
	ConsentRefused:   {EvReassess: ReassessmentDue, EvPoliceLed: PoliceLedManagement, EvSignpost: Signposted},
	SupportActive:    {EvReviewPlan: SupportActive, EvConsentWithdrawn: ConsentWithdrawn, EvTransferOut: TransferredOut, EvExit: Exited},
	ConsentWithdrawn: {EvReassess: ReassessmentDue},
	ReassessmentDue:  {EvListForPanel: PanelListed},
	Exited:           {EvReviewDue: PostExitReview6M},
	PostExitReview6M: {EvReviewNoConcerns: PostExitReview12M, EvReopen: Reopened},
	PostExitReview12M: {EvReviewNoConcerns: ClosedFinal, EvExtendReview: ExtendedReview,
		EvReopen: Reopened},
	ExtendedReview:     {EvReviewNoConcerns: ClosedFinal, EvReopen: Reopened},
	Reopened:           {EvReturnToPanel: PanelListed},
	ClosedNFA:          {EvRetentionDue: RetentionReviewDue},
	ClosedFinal:        {EvRetentionDue: RetentionReviewDue},
	RetentionReviewDue: {EvDelete: Deleted, EvRetain: Retained},
}

// all facts that satisfy every guard.
var satisfied = Facts{DeconflictionRecorded: true, OutcomeReason: "not_ct_related", SignpostService: "early_help",
	ReasonableGrounds: "Expressed intent to harm and sought material", AssessmentDraftExists: true, ChairPresent: true,
	PolicePresent: true, HealthSocialCareConsidered: true, ChildrensServicesConsulted: true, ConsentRequestPlanned: true,
	ConsentValid: true, ReceivingPanelAccepted: true, ExitOutcome: "EXIT_NO_CONCERNS", MonthsSinceExit: 12,
	Rationale: "Agreed by the panel", RetentionJustification: "Live safeguarding concern"}

func TestTransitionEveryPair(t *testing.T) {
	if len(States) != 27 || len(Events) != 27 {
		t.Fatalf("the table covers %d states and %d events; update the test", len(States), len(Events))
	}
	legalCount := 0
	for _, s := range States {
		for _, e := range Events {
			next, err := Transition(s, e, satisfied)
			want, ok := legal[s][e]
			if ok {
				legalCount++
				if err != nil || next != want {
					t.Errorf("%s + %s = %s, %v; want %s", s, e, next, err, want)
				}
				continue
			}
			if err == nil {
				t.Errorf("%s + %s = %s; want refused", s, e, next)
				continue
			}
			if next != s {
				t.Errorf("%s + %s refused but returned state %s", s, e, next)
			}
			var pe *prevent.Error
			if !errors.As(err, &pe) || pe.Kind != prevent.Conflict {
				t.Errorf("%s + %s: %v, want a Conflict", s, e, err)
				continue
			}
			if pe.Message == "" || strings.Contains(pe.Message, "_") {
				t.Errorf("%s + %s: message %q is not for people", s, e, pe.Message)
			}
		}
	}
	if legalCount != 40 {
		t.Errorf("%d legal transitions, want 40", legalCount)
	}
	for s, evs := range legal {
		if got := len(Next(s)); got != len(evs) {
			t.Errorf("Next(%s) has %d events, want %d", s, got, len(evs))
		}
	}
}

func TestIllegalMessages(t *testing.T) {
	cases := []struct {
		s    State
		e    Event
		want string
	}{
		{ChannelScreening, EvReferToChannel, "This referral has already been triaged"},
		{ClosedNFA, EvCloseNFA, "This referral has already been triaged"},
		{Submitted, EvSubmit, "This referral has already been submitted"},
		{Draft, EvStartTriage, "has not been submitted yet"},
		{SupportActive, EvAdopt, "You cannot adopt the case while the case is at the stage ‘Support in progress’"},
	}
	for _, c := range cases {
		_, err := Transition(c.s, c.e, satisfied)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s + %s: %v, want %q", c.s, c.e, err, c.want)
		}
	}
}

// Every guarded transition is refused when its facts are missing, and changes nothing.
func TestGuardsRefuseWithoutFacts(t *testing.T) {
	unguarded := map[[2]string]bool{}
	for _, p := range [][2]string{{"draft", "submit"}, {"submitted", "start_triage"}, {"police_triage", "pursue_handover"},
		{"consent_requested", "consent_refused"}, {"consent_refused", "reassess"}, {"support_active", "review_plan"},
		{"support_active", "consent_withdrawn"}, {"consent_withdrawn", "reassess"}, {"exited", "review_due"},
		{"post_exit_review_6m", "review_no_concerns"}, {"post_exit_review_12m", "review_no_concerns"},
		{"extended_review", "review_no_concerns"}, {"reopened", "return_to_panel"}, {"closed_nfa", "retention_due"},
		{"closed_final", "retention_due"}, {"retention_review_due", "delete"}} {
		unguarded[p] = true
	}
	none := Facts{Under18: true, InformationRequestsOpen: 1, MonthsSinceExit: 24}
	for s, evs := range legal {
		for e := range evs {
			next, err := Transition(s, e, none)
			if unguarded[[2]string{string(s), string(e)}] || (s == PoliceTriage && e == EvPursueHandover) {
				if s == PoliceTriage && e == EvPursueHandover {
					if err == nil {
						t.Errorf("Pursue handover without deconfliction allowed")
					}
					continue
				}
				if err != nil {
					t.Errorf("%s + %s: %v, want no guard", s, e, err)
				}
				continue
			}
			if err == nil || next != s {
				t.Errorf("%s + %s without facts = %s, %v; want refused", s, e, next, err)
			}
		}
	}
}

func TestReasonableGroundsGuard(t *testing.T) {
	f := Facts{DeconflictionRecorded: true, ReasonableGrounds: "  \n"}
	next, err := Transition(PoliceTriage, EvReferToChannel, f)
	if prevent.ErrorKind(err) != prevent.Invalid {
		t.Fatalf("without grounds: %v, want Invalid", err)
	}
	if next != PoliceTriage || len(prevent.FieldErrors(err)) != 1 || prevent.FieldErrors(err)[0].Field != "reasonable-grounds" {
		t.Fatalf("refusal: %s, %+v", next, prevent.FieldErrors(err))
	}
	f.ReasonableGrounds = "Searched for attack manuals and spoke of wanting to hurt people"
	if next, err := Transition(PoliceTriage, EvReferToChannel, f); err != nil || next != ChannelScreening {
		t.Fatalf("with grounds: %s, %v", next, err)
	}
}

func TestUnder18QuorumAndConsentGuards(t *testing.T) {
	child := Facts{Under18: true, Rationale: "Panel agreed"}
	if _, err := Transition(Discussed, EvAdopt, child); err == nil || !strings.Contains(err.Error(), "children’s services") {
		t.Fatalf("under 18 without consultation: %v", err)
	}
	child.ChildrensServicesConsulted = true
	if next, err := Transition(Discussed, EvAdopt, child); err != nil || next != Adopted {
		t.Fatalf("under 18 with consultation: %s, %v", next, err)
	}
	if _, err := Transition(PanelListed, EvDiscuss, Facts{ChairPresent: true}); err == nil {
		t.Fatal("discussed without police present")
	}
	if next, err := Transition(PanelListed, EvDiscuss, Facts{ChairPresent: true, PolicePresent: true}); err != nil || next != Discussed {
		t.Fatalf("quorate: %s, %v", next, err)
	}
	if _, err := Transition(ConsentRequested, EvConsentGiven, Facts{}); err == nil {
		t.Fatal("support without valid consent")
	}
	if next, err := Transition(ConsentRequested, EvConsentGiven, Facts{ConsentValid: true}); err != nil || next != SupportActive {
		t.Fatalf("with consent: %s, %v", next, err)
	}
}

// TestGuardConsentToSupportOfAChildNeedsChildrensServices: a parent's valid consent does not start support
// for a person under 18 until the consultation with children's services is recorded.
func TestGuardConsentToSupportOfAChildNeedsChildrensServices(t *testing.T) {
	child := Facts{ConsentValid: true, Under18: true}
	next, err := Transition(ConsentRequested, EvConsentGiven, child)
	if prevent.ErrorKind(err) != prevent.Conflict || next != ConsentRequested || !strings.Contains(prevent.PublicMessage(err), "children’s services before support starts") {
		t.Fatalf("a child's support without the consultation: %s, %v", next, err)
	}
	child.ChildrensServicesConsulted = true
	if next, err := Transition(ConsentRequested, EvConsentGiven, child); err != nil || next != SupportActive {
		t.Fatalf("a child's support after the consultation: %s, %v", next, err)
	}
}

func TestWorkingDays(t *testing.T) {
	h := Holidays{time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC): true, time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC): true}
	cases := []struct{ from, want time.Time }{
		{time.Date(2026, 11, 6, 15, 0, 0, 0, time.UTC), time.Date(2026, 11, 13, 15, 0, 0, 0, time.UTC)}, // Friday → Friday
		{time.Date(2026, 11, 7, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 13, 9, 0, 0, 0, time.UTC)},   // Saturday → Friday
		{time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC), time.Date(2026, 4, 13, 9, 0, 0, 0, time.UTC)},     // over Easter
	}
	for _, c := range cases {
		if got := h.AddWorkingDays(c.from, 5); !got.Equal(c.want) {
			t.Errorf("%s + 5 working days = %s, want %s", c.from, got, c.want)
		}
	}
}

func TestSimilarNames(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"Zoë O'Brien", "Zoe OBrien", true},
		{"Mohammed Ali", "Muhammad Ali", true},
		{"Jon Smith", "John Smith", true},
		{"JOHN  SMITH", "john smith", true},
		{"John Smith", "Jane Doe", false},
		{"John Smith", "John Brown", false},
		{"J Smith", "John Smith", true},
		{"Smith", "John Smith", true},
		{"", "John Smith", false},
	}
	for _, c := range cases {
		if got := SimilarNames(c.a, c.b); got != c.want {
			t.Errorf("SimilarNames(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if got := NormaliseName("  Zoë  O’Brien-Smith "); got != "zoe obrien smith" {
		t.Errorf("NormaliseName = %q", got)
	}
	if FormatReference(2026, 123) != "PRV-2026-000123" {
		t.Error(FormatReference(2026, 123))
	}
}
