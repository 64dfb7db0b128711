package casework

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// HistoryEntry is a step of a case's timeline told in plain words.
type HistoryEntry struct {
	TimelineEvent
	// Title says what happened, and Text adds what more there is to say (empty when nothing).
	Title string
	Text  string
	// Stage is the stage the step moved the case to; empty when it stayed where it was.
	Stage State
}

// Labeller returns the label of a code of a reference list as it was on a day, or the code itself when
// there is none (Service.Label).
type Labeller func(list List, code string, on time.Time) string

// History returns a case's timeline, newest first, each step told in plain words with the labels of the
// reference data in force when it happened. The read is audited (Timeline).
func (s *Service) History(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]HistoryEntry, error) {
	events, err := s.Timeline(ctx, p, referralID)
	if err != nil {
		return nil, err
	}
	label := func(list List, code string, on time.Time) string { return s.Label(ctx, list, code, on) }
	out := make([]HistoryEntry, 0, len(events))
	for _, e := range slices.Backward(events) {
		out = append(out, DescribeEvent(e, label))
	}
	return out, nil
}

var (
	inParentheses = regexp.MustCompile(`\(([^()]*)\)\s*$`)
	numberBefore  = func(words string) *regexp.Regexp { return regexp.MustCompile(`(\d+)` + words) }
	versionNo     = regexp.MustCompile(`version (\d+)`)
	monthsNo      = numberBefore(`[- ]months?`)
	extendedTo    = regexp.MustCompile(`extended to (\d+) months`)
	peopleNo      = numberBefore(` of its people assigned`)
	possibleNo    = numberBefore(` possible`)
	notifiedNo    = numberBefore(` organisations notified`)
)

// eventTitles name the steps of the workflow as the timeline tells them.
var eventTitles = map[Event]string{
	EvSubmit:           "Referral submitted",
	EvStartTriage:      "Police triage started",
	EvCloseNFA:         "Closed with no further action",
	EvSignpost:         "Signposted to another service",
	EvPoliceLed:        "Moved to police-led management",
	EvPursueHandover:   "Handed over to Pursue",
	EvReferToChannel:   "Referred to Channel",
	EvListForPanel:     "Listed for a Channel panel",
	EvDiscuss:          "Discussed at the panel",
	EvAdopt:            "Adopted as a Channel case",
	EvNotAdopt:         "Not adopted by the panel",
	EvRequestConsent:   "Consent to support requested",
	EvConsentGiven:     "Consent to support given",
	EvConsentRefused:   "Consent to support refused",
	EvConsentWithdrawn: "Consent to support withdrawn",
	EvReassess:         "Marked for reassessment",
	EvReviewPlan:       "Support reviewed by the panel",
	EvTransferOut:      "Transferred to another panel",
	EvExit:             "Exited Channel",
	EvReviewDue:        "Post-exit review due",
	EvReviewNoConcerns: "Post-exit review completed",
	EvExtendReview:     "Post-exit reviews extended",
	EvReopen:           "Case reopened",
	EvReturnToPanel:    "Returned to the panel",
	EvRetentionDue:     "Retention review started",
	EvDelete:           "Record deleted",
	EvRetain:           "Record kept past its retention period",
}

// otherTitles name the timeline's steps that do not move the case on.
var otherTitles = map[string]string{
	"draft":                        "Referral started",
	"possible_repeat":              "Possible earlier referrals found",
	"deconfliction":                "Deconfliction recorded",
	"linked":                       "Linked to an earlier referral",
	"match_declined":               "Possible earlier referral checked",
	"information_requested":        "Information requested from a partner",
	"information_answered":         "A partner answered an information request",
	"assigned":                     "Someone was assigned to the case",
	"shared":                       "Case shared with another organisation",
	"assessment_recorded":          "Assessment recorded",
	"panel_agenda":                 "Put on a panel meeting’s agenda",
	"childrens_services_consulted": "Children’s services consulted",
	"support_plan":                 "Support plan recorded",
	"consent_recorded":             "Consent recorded",
	"intervention_added":           "Intervention added",
	"intervention_drafted":         "Intervention drafted, for when consent to support is given",
	"intervention_disclosed":       "Intervention shared with its provider",
	"session_planned":              "Intervention session planned",
	"session_recorded":             "Intervention session recorded",
	"post_exit_review_due":         "Post-exit review due",
	"rectified":                    "Personal details corrected",
}

var consentDecisionWords = map[string]string{"given": "Given", "refused": "Refused", "withdrawn": "Withdrawn", "not_sought": "Not sought"}

var giverWords = map[string]string{string(GiverSelf): "the person", string(GiverParent): "a parent", string(GiverGuardian): "a guardian",
	string(GiverLocalAuthority): "a local authority with parental responsibility"}

var attendanceWords = map[string]string{string(Attended): "Attended", string(DidNotAttend): "Did not attend", string(Cancelled): "Cancelled"}

// DescribeEvent tells a timeline step in plain words: what happened, and what more the step recorded, with
// the labels of reference codes (intervention types, exit outcomes) from label. It shows no internal code:
// a step of a kind it does not know is "Case updated".
func DescribeEvent(e TimelineEvent, label Labeller) HistoryEntry {
	h := HistoryEntry{TimelineEvent: e}
	if e.To != "" && e.From != e.To {
		h.Stage = e.To
	}
	d := e.Detail
	num := func(re *regexp.Regexp) string {
		if m := re.FindStringSubmatch(d); m != nil {
			return m[1]
		}
		return ""
	}
	coded := func(list List) string {
		m := inParentheses.FindStringSubmatch(d)
		if m == nil {
			return ""
		}
		if l := label(list, m[1], e.At); l != m[1] {
			return l
		}
		return ""
	}
	if t, ok := eventTitles[Event(e.Kind)]; ok {
		h.Title = t
	} else if t, ok := otherTitles[e.Kind]; ok {
		h.Title = t
	} else {
		h.Title = "Case updated"
	}
	switch e.Kind {
	case string(EvCloseNFA), string(EvSignpost), string(EvPoliceLed), string(EvPursueHandover), string(EvReferToChannel):
		switch {
		case strings.HasPrefix(d, "triage:"):
			h.Text = "Decided at police triage"
		case strings.HasPrefix(d, "screening:"):
			h.Text = "Decided at Channel screening"
		case strings.HasPrefix(d, "panel:"):
			h.Text = "Decided by the panel"
		case strings.HasPrefix(d, "consent:"):
			h.Text = "Decided after consent to support was refused or withdrawn"
		}
	case "possible_repeat":
		if n := num(possibleNo); n != "" {
			h.Text = plural(n, "possible earlier referral", "possible earlier referrals") + " of the same person to check"
		}
	case "deconfliction":
		h.Text = "The result is held by the police"
	case "match_declined":
		h.Text = "It was not the same person"
	case "assigned":
		if role := strings.TrimPrefix(d, "assigned a "); role != d && prevent.Role(roleCode(role)).Valid() {
			h.Text = "Role on the case: " + role
		}
	case "shared":
		if n := num(peopleNo); n != "" {
			h.Text = plural(n, "person", "people") + " of that organisation assigned to the case"
		}
	case "assessment_recorded", "support_plan":
		if n := num(versionNo); n != "" {
			h.Text = "Version " + n
		}
	case string(EvListForPanel):
		if name, ok := strings.CutPrefix(d, "panel: listed for "); ok && strings.TrimSpace(name) != "" {
			h.Text = "Listed for " + name
		}
	case "panel_agenda":
		if name, ok := strings.CutPrefix(d, "panel: on the agenda of "); ok && strings.TrimSpace(name) != "" {
			h.Text = "On the agenda of " + name
		}
	case "consent_recorded":
		h.Title, h.Text = describeConsent(d)
	case "intervention_added", "intervention_drafted", "intervention_disclosed":
		h.Text = coded(InterventionTypes)
	case "session_recorded":
		if m := inParentheses.FindStringSubmatch(d); m != nil {
			h.Text = attendanceWords[m[1]]
		}
	case string(EvReviewPlan):
		switch {
		case strings.Contains(d, "support continued"):
			h.Text = "Support continues"
		case strings.Contains(d, "plan revised"):
			h.Text = "The support plan is to be revised"
		}
	case string(EvExit):
		if o := coded(ExitOutcomes); o != "" {
			h.Text = "Outcome: " + o
		}
	case string(EvReviewDue), "post_exit_review_due":
		if n := num(monthsNo); n != "" {
			h.Text = "The " + n + "-month review is due"
		}
	case string(EvReviewNoConcerns):
		if n := num(monthsNo); n != "" {
			h.Text = "The " + n + "-month review found no concerns"
		}
	case string(EvExtendReview):
		if n := num(extendedTo); n != "" {
			h.Text = "The next review is " + n + " months after exit"
		}
	case string(EvReopen):
		if n := num(monthsNo); n != "" {
			h.Text = "At the " + n + "-month post-exit review"
		}
	case "rectified":
		if what, ok := strings.CutPrefix(d, "rectified: "); ok {
			what, reason, _ := strings.Cut(what, " corrected (")
			if what != "" {
				h.Text = strings.ToUpper(what[:1]) + what[1:] + " corrected"
				if reason = strings.TrimSuffix(reason, ")"); strings.TrimSpace(reason) != "" {
					h.Text += ": " + reason
				}
			}
		}
	}
	if n := num(notifiedNo); n != "" {
		told := plural(n, "organisation", "organisations") + " told"
		if h.Text != "" {
			told = h.Text + ". " + strings.ToUpper(told[:1]) + told[1:]
		}
		h.Text = told
	}
	return h
}

// describeConsent tells a consent decision recorded without a change of stage, from its detail
// ("consent: information sharing consent given by self").
func describeConsent(d string) (title, text string) {
	title = "Consent recorded"
	rest, ok := strings.CutPrefix(d, "consent: ")
	if !ok {
		return title, ""
	}
	scope, rest, ok := strings.Cut(rest, " consent ")
	if !ok {
		return title, ""
	}
	switch scope {
	case "support":
		title = "Consent to support recorded"
	case "information sharing":
		title = "Consent to information sharing recorded"
	}
	rest, _, _ = strings.Cut(rest, ";")
	decision, giver, _ := strings.Cut(rest, " by ")
	text = consentDecisionWords[decision]
	if w := giverWords[strings.TrimSpace(giver)]; text != "" && w != "" && decision != "not_sought" {
		text += " by " + w
	}
	return title, text
}

// roleCode is the code of a role from its display name, empty when there is none.
func roleCode(name string) string {
	for _, r := range prevent.Roles {
		if r.String() == name {
			return string(r)
		}
	}
	return ""
}

// plural is a count with the noun that agrees with it.
func plural(n, one, many string) string {
	if i, err := strconv.Atoi(n); err == nil && i == 1 {
		return n + " " + one
	}
	return n + " " + many
}
