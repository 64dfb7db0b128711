package main

import (
	"sort"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/access"
)

// Every action a page can take has an API operation making the same domain call under the same access action.
// apiTwins maps each page route that changes something ("METHOD pattern") to its API operation ("METHOD pattern"
// under /api/v1); pageOnly lists the few that are only pages, each with its reason. TestAPIParity fails when a
// page action is in neither, when a twin does not exist or needs another access action, and when either list
// names a route that no longer exists.
var apiTwins = map[string]string{
	// The person's own account and notifications.
	"POST /account/notifications":           "PUT /me/notification-preferences",
	"POST /account/tokens/{id}/revoke":      "DELETE /tokens/{id}",
	"POST /notifications/read":              "POST /notifications/read",
	"POST /partnerships/{pid}/edit":         "PUT /partnerships/{pid}",
	"POST /partnerships/{pid}/notices/{id}": "POST /partnerships/{pid}/notices/{id}/complete",

	// Administration: organisations and people.
	"POST /partnerships/{pid}/organisations/new":               "POST /partnerships/{pid}/organisations",
	"POST /partnerships/{pid}/organisations/{id}/edit":         "PUT /partnerships/{pid}/organisations/{id}",
	"POST /partnerships/{pid}/people/new":                      "POST /partnerships/{pid}/people",
	"POST /partnerships/{pid}/people/{id}/edit":                "PUT /partnerships/{pid}/people/{id}",
	"POST /partnerships/{pid}/people/{id}/disable":             "POST /partnerships/{pid}/people/{id}/disable",
	"POST /partnerships/{pid}/people/{id}/enable":              "POST /partnerships/{pid}/people/{id}/enable",
	"POST /partnerships/{pid}/people/{id}/vetting":             "POST /partnerships/{pid}/people/{id}/vetting",
	"POST /partnerships/{pid}/people/{id}/unlock":              "POST /partnerships/{pid}/people/{id}/unlock",
	"POST /partnerships/{pid}/people/{id}/reset-second-factor": "POST /partnerships/{pid}/people/{id}/reset-second-factor",
	"POST /partnerships/{pid}/people/{id}/set-up-link":         "POST /partnerships/{pid}/people/{id}/set-up-link",
	"POST /partnerships/{pid}/imports":                         "POST /partnerships/{pid}/imports",

	// Referrals: the pages build a referral question by question as a draft; the API takes it whole.
	"POST /partnerships/{pid}/referrals":                  "POST /referrals",
	"POST /partnerships/{pid}/referrals/{id}/{step}":      "POST /referrals",
	"POST /partnerships/{pid}/referrals/{id}/check":       "POST /referrals",
	"POST /partnerships/{pid}/referrals/{id}/submit":      "POST /referrals",
	"POST /partnerships/{pid}/cases/{id}/triage/decision": "POST /referrals/{id}/triage",
	"POST /partnerships/{pid}/cases/{id}/rectify":         "POST /referrals/{id}/rectify",

	// Cases.
	"POST /partnerships/{pid}/cases/{id}/officer":                     "PUT /partnerships/{pid}/cases/{id}/officer",
	"POST /partnerships/{pid}/cases/{id}/share":                       "POST /partnerships/{pid}/cases/{id}/shares",
	"POST /partnerships/{pid}/cases/{id}/information-requests/new":    "POST /partnerships/{pid}/cases/{id}/information-requests",
	"POST /partnerships/{pid}/cases/{id}/assessment/new":              "POST /partnerships/{pid}/cases/{id}/assessments",
	"POST /partnerships/{pid}/cases/{id}/assessment/draft/delete":     "DELETE /partnerships/{pid}/cases/{id}/assessment-draft",
	"POST /partnerships/{pid}/cases/{id}/consent/new":                 "POST /partnerships/{pid}/cases/{id}/consents",
	"POST /partnerships/{pid}/cases/{id}/interventions/new":           "POST /partnerships/{pid}/cases/{id}/interventions",
	"POST /partnerships/{pid}/cases/{id}/interventions/{iv}/sessions": "POST /partnerships/{pid}/cases/{id}/interventions/{iid}/sessions",
	"POST /partnerships/{pid}/cases/{id}/sessions/{session}":          "PUT /partnerships/{pid}/cases/{id}/sessions/{sid}",
	"POST /partnerships/{pid}/signposting":                            "POST /partnerships/{pid}/signposting",

	// Information sharing and the rights of data subjects.
	"POST /partnerships/{pid}/sharing/gateways/new":                    "POST /partnerships/{pid}/sharing/gateways",
	"POST /partnerships/{pid}/sharing/agreements/new":                  "POST /partnerships/{pid}/sharing/agreements",
	"POST /partnerships/{pid}/sharing/agreements/{id}/edit":            "PUT /partnerships/{pid}/sharing/agreements/{id}",
	"POST /partnerships/{pid}/sharing/agreements/{id}/signatories/new": "POST /partnerships/{pid}/sharing/agreements/{id}/signatories",
	"POST /partnerships/{pid}/sharing/agreements/{id}/status":          "POST /partnerships/{pid}/sharing/agreements/{id}/status",
	"POST /partnerships/{pid}/sharing/acknowledgements/new":            "POST /partnerships/{pid}/sharing/organisations/{id}/acknowledgements",
	"POST /partnerships/{pid}/sharing/retention/set":                   "POST /partnerships/{pid}/sharing/retention",
	"POST /partnerships/{pid}/sharing/holds/new":                       "POST /partnerships/{pid}/sharing/holds",
	"POST /partnerships/{pid}/sharing/holds/{id}/release":              "POST /partnerships/{pid}/sharing/holds/{id}/release",
	"POST /partnerships/{pid}/sharing/subject-access/new":              "POST /partnerships/{pid}/sharing/subject-access",
	"POST /partnerships/{pid}/sharing/subject-access/{id}/extend":      "POST /partnerships/{pid}/sharing/subject-access/{id}/extend",
	"POST /partnerships/{pid}/sharing/subject-access/{id}/complete":    "POST /partnerships/{pid}/sharing/subject-access/{id}/complete",
	"POST /partnerships/{pid}/subject-access/{id}/subject":             "POST /partnerships/{pid}/subject-access/{id}/subject",
	"POST /partnerships/{pid}/subject-access/{id}/redactions":          "POST /partnerships/{pid}/subject-access/{id}/redactions",
	"POST /partnerships/{pid}/subject-access/{id}/redactions/release":  "POST /partnerships/{pid}/subject-access/{id}/redactions/release",

	// Statistics, returns and self-assessment.
	"POST /partnerships/{pid}/statistics/senders":                    "POST /partnerships/{pid}/return-senders",
	"POST /partnerships/{pid}/statistics/tier":                       "PUT /partnerships/{pid}/returns-tier",
	"POST /partnerships/{pid}/statistics/populations/{kind}":         "PUT /partnerships/{pid}/statistics/populations/{characteristic}",
	"POST /partnerships/{pid}/statistics/quarterly":                  "POST /partnerships/{pid}/quarterly-returns",
	"POST /partnerships/{pid}/statistics/quarterly/{id}/approve":     "POST /partnerships/{pid}/quarterly-returns/{id}/approve",
	"POST /partnerships/{pid}/statistics/quarterly/{id}/text":        "PUT /partnerships/{pid}/quarterly-returns/{id}/projects/{project}",
	"POST /partnerships/{pid}/statistics/regional/imports":           "POST /partnerships/{pid}/return-imports",
	"POST /partnerships/{pid}/statistics/returns":                    "POST /partnerships/{pid}/annual-returns",
	"POST /partnerships/{pid}/statistics/returns/{id}/check":         "POST /partnerships/{pid}/annual-returns/{id}/check",
	"POST /partnerships/{pid}/statistics/returns/{id}/approve":       "POST /partnerships/{pid}/annual-returns/{id}/approve",
	"POST /partnerships/{pid}/assurance-frameworks/{id}/edit":        "PUT /partnerships/{pid}/assurance-frameworks/{id}",
	"POST /partnerships/{pid}/assurance-frameworks/{id}/revise":      "POST /partnerships/{pid}/assurance-frameworks/{id}/revisions",
	"POST /partnerships/{pid}/self-assessments/start":                "POST /partnerships/{pid}/self-assessments",
	"POST /partnerships/{pid}/self-assessments/{id}/section":         "PUT /partnerships/{pid}/self-assessments/{id}/ratings",
	"POST /partnerships/{pid}/self-assessments/{id}/evidence":        "POST /partnerships/{pid}/self-assessments/{id}/evidence",
	"POST /partnerships/{pid}/self-assessments/{id}/evidence/remove": "DELETE /partnerships/{pid}/self-assessments/{id}/evidence/{eid}",
	"POST /partnerships/{pid}/self-assessments/{id}/actions":         "POST /partnerships/{pid}/self-assessments/{id}/actions",
	"POST /partnerships/{pid}/self-assessments/{id}/action":          "PUT /partnerships/{pid}/self-assessments/{id}/actions/{aid}",
	"POST /partnerships/{pid}/self-assessments/{id}/action/remove":   "DELETE /partnerships/{pid}/self-assessments/{id}/actions/{aid}",
	"POST /partnerships/{pid}/self-assessments/{id}/submit":          "POST /partnerships/{pid}/self-assessments/{id}/submit",
	"POST /partnerships/{pid}/self-assessments/{id}/approve":         "POST /partnerships/{pid}/self-assessments/{id}/approve",
	"POST /partnerships/{pid}/self-assessments/{id}/return":          "POST /partnerships/{pid}/self-assessments/{id}/return",

	// Funding.
	"POST /partnerships/{pid}/programme/funding/allocations/new": "POST /partnerships/{pid}/programme/funding/allocations",

	// The Channel pathway: triage, panels and meetings, support.
	"POST /partnerships/{pid}/cases/{id}/triage/deconfliction":                "POST /partnerships/{pid}/cases/{id}/deconfliction-notes",
	"POST /partnerships/{pid}/cases/{id}/triage/matches/{subject}/link":       "POST /partnerships/{pid}/cases/{id}/matches/{subject}/link",
	"POST /partnerships/{pid}/cases/{id}/triage/matches/{subject}/decline":    "POST /partnerships/{pid}/cases/{id}/matches/{subject}/decline",
	"POST /partnerships/{pid}/cases/{id}/information-requests/{rid}":          "POST /partnerships/{pid}/cases/{id}/information-requests/{rid}/answer",
	"POST /partnerships/{pid}/cases/{id}/panel/list":                          "POST /partnerships/{pid}/cases/{id}/panel-listing",
	"POST /partnerships/{pid}/panels":                                         "POST /partnerships/{pid}/panels",
	"POST /partnerships/{pid}/panels/{panel}/members":                         "POST /partnerships/{pid}/panels/{panel}/members",
	"POST /partnerships/{pid}/panels/{panel}/meetings":                        "POST /partnerships/{pid}/panels/{panel}/meetings",
	"POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/attendance":   "PUT /partnerships/{pid}/panels/{panel}/meetings/{meeting}/attendance",
	"POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/agenda":       "POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/agenda",
	"POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/papers":       "POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/papers",
	"POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/cases/{case}": "POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/cases/{case}/decision",
	"POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/minutes":      "POST /partnerships/{pid}/panels/{panel}/meetings/{meeting}/minutes/exports",
	"POST /partnerships/{pid}/cases/{id}/plan/edit":                           "PUT /partnerships/{pid}/cases/{id}/support-plan",
	"POST /partnerships/{pid}/cases/{id}/plan/request-consent":                "POST /partnerships/{pid}/cases/{id}/consent-requests",
	"POST /partnerships/{pid}/cases/{id}/childrens-services":                  "POST /partnerships/{pid}/cases/{id}/childrens-services-consultations",
	"POST /partnerships/{pid}/cases/{id}/after-refusal":                       "POST /partnerships/{pid}/cases/{id}/after-refusal",
	"POST /partnerships/{pid}/cases/{id}/reviews/{review}":                    "POST /partnerships/{pid}/cases/{id}/reviews/{review}",
	"POST /partnerships/{pid}/providers":                                      "POST /partnerships/{pid}/providers",

	// The programme of action.
	"POST /partnerships/{pid}/programme/plans/new":                               "POST /partnerships/{pid}/programme/plans",
	"POST /partnerships/{pid}/programme/plans/{id}/sections/{key}":               "PUT /partnerships/{pid}/programme/plans/{id}/sections/{key}",
	"POST /partnerships/{pid}/programme/plans/{id}/status":                       "POST /partnerships/{pid}/programme/plans/{id}/status",
	"POST /partnerships/{pid}/programme/lessons/new":                             "POST /partnerships/{pid}/programme/lessons",
	"POST /partnerships/{pid}/programme/projects/new":                            "POST /partnerships/{pid}/programme/projects",
	"POST /partnerships/{pid}/programme/projects/{id}/edit":                      "PUT /partnerships/{pid}/programme/projects/{id}",
	"POST /partnerships/{pid}/programme/projects/{id}/milestones":                "POST /partnerships/{pid}/programme/projects/{id}/milestones",
	"POST /partnerships/{pid}/programme/projects/{id}/milestones/done":           "PUT /partnerships/{pid}/programme/projects/{id}/milestones/{mid}",
	"POST /partnerships/{pid}/programme/projects/{id}/impacts/new":               "POST /partnerships/{pid}/programme/projects/{id}/impacts",
	"POST /partnerships/{pid}/programme/projects/{id}/actuals/new":               "PUT /partnerships/{pid}/programme/projects/{id}/impacts/{iid}/actuals/{quarter}",
	"POST /partnerships/{pid}/programme/projects/{id}/evaluation":                "PUT /partnerships/{pid}/programme/projects/{id}/evaluation",
	"POST /partnerships/{pid}/programme/governance/meetings/new":                 "POST /partnerships/{pid}/programme/governance/meetings",
	"POST /partnerships/{pid}/programme/governance/meetings/{id}/decisions":      "POST /partnerships/{pid}/programme/governance/meetings/{id}/decisions",
	"POST /partnerships/{pid}/programme/governance/actions/new":                  "POST /partnerships/{pid}/programme/governance/actions",
	"POST /partnerships/{pid}/programme/governance/actions/{id}/status":          "PUT /partnerships/{pid}/programme/governance/actions/{id}/status",
	"POST /partnerships/{pid}/programme/funding/streams/new":                     "POST /partnerships/{pid}/programme/funding/streams",
	"POST /partnerships/{pid}/programme/funding/spend/new":                       "POST /partnerships/{pid}/programme/funding/allocations/{id}/spend",
	"POST /partnerships/{pid}/programme/funding/commissioning/new":               "POST /partnerships/{pid}/programme/funding/commissioning",
	"POST /partnerships/{pid}/programme/training/courses/new":                    "POST /partnerships/{pid}/programme/training/courses",
	"POST /partnerships/{pid}/programme/training/courses/{id}/completions":       "POST /partnerships/{pid}/programme/training/courses/{id}/completions",
	"POST /partnerships/{pid}/programme/training/courses/{id}/targets":           "PUT /partnerships/{pid}/programme/training/courses/{id}/targets",
	"POST /partnerships/{pid}/programme/questions-and-answers/new":               "POST /partnerships/{pid}/programme/questions-and-answers",
	"POST /partnerships/{pid}/programme/questions-and-answers/{id}/edit":         "PUT /partnerships/{pid}/programme/questions-and-answers/{id}",
	"POST /partnerships/{pid}/programme/questions-and-answers/{id}/delete":       "DELETE /partnerships/{pid}/programme/questions-and-answers/{id}",
	"POST /partnerships/{pid}/programme/due-diligence/organisations/{id}/review": "POST /partnerships/{pid}/programme/due-diligence/organisations/{id}/reviews",
	"POST /partnerships/{pid}/programme/library/new":                             "POST /partnerships/{pid}/programme/library",
	"POST /partnerships/{pid}/programme/library/{id}/versions":                   "POST /partnerships/{pid}/programme/library/{id}/versions",

	// Webhooks.
	"POST /partnerships/{pid}/webhooks/new":                              "POST /partnerships/{pid}/webhooks",
	"POST /partnerships/{pid}/webhooks/{id}/delete":                      "DELETE /partnerships/{pid}/webhooks/{id}",
	"POST /partnerships/{pid}/webhooks/{id}/disable":                     "POST /partnerships/{pid}/webhooks/{id}/disable",
	"POST /partnerships/{pid}/webhooks/{id}/enable":                      "POST /partnerships/{pid}/webhooks/{id}/enable",
	"POST /partnerships/{pid}/webhooks/{id}/secret":                      "POST /partnerships/{pid}/webhooks/{id}/secret",
	"POST /partnerships/{pid}/webhooks/{id}/deliveries/{did}/send-again": "POST /partnerships/{pid}/webhooks/{id}/deliveries/{did}/send-again",
}

// pageOnly are the page routes with no API twin, and why.
var pageOnly = map[string]string{
	"POST /sign-in":                      "signing in is how a browser session starts; API callers present a token instead",
	"POST /sign-in/second-factor":        "part of a browser sign-in",
	"POST /sign-in/passkey/begin":        "a passkey ceremony runs in the person's browser (WebAuthn)",
	"POST /sign-in/passkey/finish":       "a passkey ceremony runs in the person's browser (WebAuthn)",
	"POST /sign-out":                     "ends a browser session; a token is revoked with DELETE /tokens/{id}",
	"POST /account/set-up/{token}":       "a new person chooses a password from the link they were sent, before they have any credential",
	"POST /account/second-factor/set-up": "sign-in credentials are set up in a signed-in browser; a token must not add the credentials that mint tokens",
	"POST /account/passkeys/begin":       "a passkey ceremony runs in the person's browser (WebAuthn)",
	"POST /account/passkeys/finish":      "a passkey ceremony runs in the person's browser (WebAuthn)",
	"POST /account/passkeys/{id}/remove": "sign-in credentials are managed in a signed-in browser; a token must not remove the credentials that guard it",
	"POST /account/tokens":               "a token is created in a signed-in browser with a second factor; a token must not mint tokens",
}

func TestAPIParity(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, demoDB(t))
	apiAction := map[string]access.Action{}
	for _, r := range ta.API.Routes() {
		apiAction[r.Method+" "+strings.TrimPrefix(r.Pattern, "/api/v1")] = r.Action
	}
	seen := map[string]bool{}
	var missing []string
	for _, r := range ta.Web.Routes() {
		if r.Method == "GET" || r.Method == "HEAD" {
			continue
		}
		key := r.Method + " " + r.Pattern
		seen[key] = true
		if _, ok := pageOnly[key]; ok {
			continue
		}
		twin, ok := apiTwins[key]
		if !ok {
			missing = append(missing, key+" ("+string(r.Action)+")")
			continue
		}
		action, ok := apiAction[twin]
		switch {
		case !ok:
			t.Errorf("%s: its API twin %s is not an API route", key, twin)
		case action != r.Action:
			t.Errorf("%s needs %s but its API twin %s needs %s", key, r.Action, twin, action)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("page action %s has no API twin (add one, or list it in pageOnly with a reason)", m)
	}
	for _, list := range []map[string]string{apiTwins, pageOnly} {
		for key := range list {
			if !seen[key] {
				t.Errorf("%s is listed but is not a page route that changes something", key)
			}
		}
	}
	if len(pageOnly) > 12 {
		t.Errorf("%d page-only actions: keep the list short and reasoned", len(pageOnly))
	}
}
