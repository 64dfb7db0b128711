package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// panelState is everything a refused panel call could write.
func panelState(f *caseFixture) string {
	f.t.Helper()
	var b strings.Builder
	for _, q := range []string{`SELECT COUNT(*) FROM panels`, `SELECT COUNT(*) FROM panel_members`, `SELECT COUNT(*) FROM panel_meetings`,
		`SELECT COUNT(*) FROM panel_attendance WHERE present`, `SELECT COUNT(*) FROM panel_agenda`, `SELECT COUNT(*) FROM panel_papers`,
		`SELECT COUNT(*) FROM panel_decisions`, `SELECT COUNT(*) FROM case_panels`, `SELECT COUNT(*) FROM sharing_disclosures`,
		`SELECT COUNT(*) FROM childrens_services_consultations`, `SELECT COUNT(*) FROM case_assignments`, `SELECT COUNT(*) FROM case_events`,
		`SELECT COUNT(*) FROM audit_entries WHERE action <> 'consult'`} {
		var n int
		if err := f.db.Read().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			f.t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %d\n", q, n)
	}
	rows, err := f.db.Read().QueryContext(context.Background(), `SELECT id, state FROM referrals ORDER BY id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id prevent.ID
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			f.t.Fatal(err)
		}
		fmt.Fprintf(&b, "referral %d: %s\n", id, st)
	}
	return b.String()
}

// panelRefused makes the call and wants the status, a detail or error saying says, the errors naming the
// members fields (for a 422), and nothing written.
func panelRefused(f *caseFixture, what, method, path, token string, body any, status int, says string, fields ...string) {
	f.t.Helper()
	before := panelState(f)
	p := f.problem(f.do(method, path, token, body), status)
	text := p.Detail
	var got []string
	for _, e := range p.Errors {
		text += " | " + e.Field + ": " + e.Message
		got = append(got, e.Field)
	}
	if !strings.Contains(text, says) {
		f.t.Errorf("%s: the refusal %q does not say %q", what, text, says)
	}
	for _, want := range fields {
		if !slices.Contains(got, want) {
			f.t.Errorf("%s: the refusal names %v, not %s", what, got, want)
		}
	}
	if after := panelState(f); after != before {
		f.t.Errorf("%s: the refusal wrote something:\nbefore\n%s\nafter\n%s", what, before, after)
	}
}

func panelDisclosure() map[string]any {
	return map[string]any{"categories": []string{"identity", "concern", "assessment"}, "purpose": "channel_panel",
		"expected_outcome": "The panel decides whether to adopt the case", "gateway": "ctsa_2015_s36_38", "consent": "not_sought",
		"consent_reason": "Consent is sought once the panel adopts the case", "necessity": "The panel needs the case to decide on it"}
}

// TestPanelWritesThroughTheAPI drives a child's case through a panel by the API alone: a panel is set up, its
// chair and police representative added, meetings scheduled; the case is listed for the panel (refused
// before its assessment and without an agreement in force with the police), goes on the agenda of a later
// meeting too, gets papers; attendance is recorded (not before the meeting's day); the decision is refused
// without a quorum, and adoption without children's services consulted, then recorded with the consultation
// in the same call; the decision reads back on the agenda and the case; and the minutes are read and
// exported to the police. Each refusal is the page's, names the JSON members, and writes nothing; callers
// without the page's access action meet 404.
func TestPanelWritesThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		id := f.screened("Panelperson")
		other := f.screened("Otherperson")
		coordinatorID, council := f.personOrg("Cara Coordinator")
		officerID, police := f.personOrg("Olu Officer")
		_, school := f.personOrg("Rita Referrer")
		panels := fmt.Sprintf("/api/v1/partnerships/%d/panels", f.pid)
		cases := fmt.Sprintf("/api/v1/partnerships/%d/cases/%d", f.pid, id)

		// Setting up a panel: the page's validation, the guard, and another partnership's panels.
		panelRefused(f, "no name or areas", "POST", panels, f.coordinator, map[string]any{"name": " ", "areas": []string{" "}}, 422,
			"Enter the local authorities", "name", "areas")
		panelRefused(f, "police officer", "POST", panels, f.officer, map[string]any{"name": "P", "areas": []string{"Kirklees"}}, 404, "")
		panelRefused(f, "another partnership", "POST", fmt.Sprintf("/api/v1/partnerships/%d/panels", f.pid2), f.coordinator,
			map[string]any{"name": "P", "areas": []string{"Bristol"}}, 404, "")
		before := f.audits()
		var pn api.PanelView
		rec := f.do("POST", panels, f.coordinator, map[string]any{"name": "Kirklees Channel Panel", "areas": []string{"Kirklees", " Kirklees "}})
		f.want(rec, 201, &pn)
		if pn.ID == 0 || pn.Name != "Kirklees Channel Panel" || !slices.Equal(pn.Areas, []string{"Kirklees"}) || pn.Member {
			t.Errorf("created panel = %+v", pn)
		}
		if f.audits() <= before {
			t.Error("setting up a panel left no audit entry")
		}
		panel := fmt.Sprintf("%s/%d", panels, pn.ID)
		if rec.Header().Get("Location") != panel {
			t.Errorf("Location = %q, want %q", rec.Header().Get("Location"), panel)
		}
		var got api.PanelView
		f.want(f.do("GET", panel, f.officer, nil), 200, &got)
		if got.ID != pn.ID || got.Name != pn.Name {
			t.Errorf("GET panel = %+v", got)
		}
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/panels/%d", f.pid2, pn.ID), f.otherPanel, nil), 404)

		// Members: the chair from the local authority, the police representative from the police.
		members := panel + "/members"
		panelRefused(f, "police chair", "POST", members, f.coordinator, map[string]any{"person_id": officerID, "role": "chair"}, 422,
			"The chair must be from the local authority", "person_id")
		panelRefused(f, "no role", "POST", members, f.coordinator, map[string]any{"person_id": officerID, "role": "boss"}, 422,
			"Select the member’s role", "role")
		panelRefused(f, "no person", "POST", members, f.coordinator, map[string]any{"role": "member"}, 422,
			"Select a member of the partnership", "person_id")
		panelRefused(f, "member by the police", "POST", members, f.officer, map[string]any{"person_id": officerID, "role": "police"}, 404, "")
		panelRefused(f, "panel of another partnership's path", "POST", fmt.Sprintf("/api/v1/partnerships/%d/panels/%d/members", f.pid2, pn.ID),
			f.coordinator, map[string]any{"person_id": officerID, "role": "police"}, 404, "")
		var chair, rep api.PanelMemberView
		f.want(f.do("POST", members, f.coordinator, map[string]any{"person_id": coordinatorID, "role": "chair"}), 201, &chair)
		f.want(f.do("POST", members, f.coordinator, map[string]any{"person_id": officerID, "role": "police", "areas": []string{"Kirklees", ""}}), 201, &rep)
		if chair.ID == 0 || chair.PanelID != pn.ID || chair.PersonID != coordinatorID || chair.Role != "chair" ||
			rep.Role != "police" || !slices.Equal(rep.Areas, []string{"Kirklees"}) {
			t.Errorf("members = %+v, %+v", chair, rep)
		}

		// Meetings: today's, and one next week.
		meetings := panel + "/meetings"
		panelRefused(f, "no date", "POST", meetings, f.coordinator, map[string]any{}, 422, "Enter the date of the meeting", "held_on")
		panelRefused(f, "not a date", "POST", meetings, f.coordinator, map[string]any{"held_on": "next Monday"}, 422, "YYYY-MM-DD", "held_on")
		panelRefused(f, "meeting by the police", "POST", meetings, f.officer, map[string]any{"held_on": "2026-03-02"}, 404, "")
		var today, later api.MeetingView
		rec = f.do("POST", meetings, f.coordinator, map[string]any{"held_on": "2026-03-02"})
		f.want(rec, 201, &today)
		f.want(f.do("POST", meetings, f.coordinator, map[string]any{"held_on": "2026-03-09"}), 201, &later)
		if !today.Started || today.Quorate || later.Started || len(today.Attendees) != 2 || today.HeldAt.Hour() != 10 || today.PanelID != pn.ID {
			t.Errorf("scheduled = %+v, %+v", today, later)
		}
		memberIDs := map[prevent.ID]prevent.ID{}
		for _, a := range today.Attendees {
			memberIDs[a.PersonID] = a.MemberID
		}
		if memberIDs[coordinatorID] != chair.ID || memberIDs[officerID] != rep.ID {
			t.Errorf("attendees' member ids = %v, want the members' ids %d and %d", memberIDs, chair.ID, rep.ID)
		}
		meeting := fmt.Sprintf("%s/%d", meetings, today.ID)
		laterMeeting := fmt.Sprintf("%s/%d", meetings, later.ID)
		if rec.Header().Get("Location") != meeting {
			t.Errorf("Location = %q, want %q", rec.Header().Get("Location"), meeting)
		}
		var ml api.MeetingList
		f.want(f.do("GET", meetings, f.coordinator, nil), 200, &ml)
		if len(ml.Items) != 2 || ml.Items[0].ID != later.ID || ml.Items[1].ID != today.ID {
			t.Errorf("meetings = %+v", ml)
		}

		// Listing the case: refused before its assessment, for a panel or meeting not the partnership's, and
		// without an agreement in force with the police, whose representative sits on the panel.
		listing := cases + "/panel-listing"
		list := map[string]any{"panel_id": pn.ID, "meeting_id": today.ID, "disclosure": panelDisclosure()}
		panelRefused(f, "listing before the assessment", "POST", listing, f.coordinator, list, 409, "")
		f.want(f.do("POST", cases+"/assessments", f.coordinator, map[string]any{"factors": []map[string]any{{"no": 3, "presence": "present",
			"evidence": "Only friends are online"}}, "summary_conclusion": "Seeks belonging; no capability"}), 201, nil)
		panelRefused(f, "listing by a referrer", "POST", listing, f.referrerA, list, 404, "")
		panelRefused(f, "listing for no panel", "POST", listing, f.coordinator, map[string]any{"panel_id": pn.ID + 100, "meeting_id": today.ID,
			"disclosure": panelDisclosure()}, 422, "Select a panel of the partnership", "panel_id")
		panelRefused(f, "listing for no meeting", "POST", listing, f.coordinator, map[string]any{"panel_id": pn.ID, "meeting_id": today.ID + 100,
			"disclosure": panelDisclosure()}, 422, "Select a meeting of the panel", "meeting_id")
		panelRefused(f, "listing with an empty disclosure", "POST", listing, f.coordinator, map[string]any{"panel_id": pn.ID, "meeting_id": today.ID},
			422, "", "disclosure.purpose", "disclosure.necessity")
		panelRefused(f, "listing without an agreement", "POST", listing, f.coordinator, list, 422, "", "disclosure")
		f.agree(council, police)
		before = f.audits()
		var listed api.PanelListing
		f.want(f.do("POST", listing, f.coordinator, list), 201, &listed)
		if listed != (api.PanelListing{CaseID: id, PanelID: pn.ID, MeetingID: today.ID}) {
			t.Errorf("listed = %+v", listed)
		}
		if f.audits() <= before {
			t.Error("listing left no audit entry")
		}
		var seen api.ReferralView
		f.want(f.do("GET", fmt.Sprintf("/api/v1/referrals/%d", id), f.coordinator, nil), 200, &seen)
		if seen.Case == nil || seen.Case.State != "panel_listed" {
			t.Errorf("the listed case = %+v", seen.Case)
		}
		var m api.MeetingView
		f.want(f.do("GET", meeting, f.coordinator, nil), 200, &m)
		if len(m.Agenda) != 1 || m.Agenda[0].CaseID != id || m.Agenda[0].Decided {
			t.Errorf("agenda after listing = %+v", m.Agenda)
		}

		// The agenda of the later meeting: only a case held by the panel.
		agenda := laterMeeting + "/agenda"
		panelRefused(f, "agenda without a case", "POST", agenda, f.coordinator, map[string]any{}, 422, "Select a case", "case_id")
		panelRefused(f, "agenda for a case not listed", "POST", agenda, f.coordinator, map[string]any{"case_id": other}, 409,
			"not listed for this panel")
		panelRefused(f, "agenda by the police", "POST", agenda, f.officer, map[string]any{"case_id": id}, 404, "")
		panelRefused(f, "agenda of another panel's path", "POST", fmt.Sprintf("%s/%d/meetings/%d/agenda", panels, pn.ID+100, later.ID),
			f.coordinator, map[string]any{"case_id": id}, 404, "")
		var item api.AgendaItemView
		f.want(f.do("POST", agenda, f.coordinator, map[string]any{"case_id": id}), 201, &item)
		if item.CaseID != id || item.Reference == "" || item.State != "panel_listed" || item.Decided {
			t.Errorf("agenda item = %+v", item)
		}

		// Papers: for the whole meeting, or a case on its agenda.
		papers := meeting + "/papers"
		panelRefused(f, "paper without a title", "POST", papers, f.coordinator, map[string]any{"location": "Shared drive"}, 422,
			"Enter the paper’s title", "title")
		panelRefused(f, "paper for a case not on the agenda", "POST", papers, f.coordinator, map[string]any{"title": "Pack", "case_id": other}, 409,
			"Put the case on the meeting’s agenda")
		var paper, whole api.PaperView
		f.want(f.do("POST", papers, f.coordinator, map[string]any{"title": "Panel pack", "location": "Shared drive", "case_id": id}), 201, &paper)
		f.want(f.do("POST", papers, f.coordinator, map[string]any{"title": "Terms of reference"}), 201, &whole)
		if paper.CaseID == nil || *paper.CaseID != id || paper.Location != "Shared drive" || whole.CaseID != nil || whole.Title != "Terms of reference" {
			t.Errorf("papers = %+v, %+v", paper, whole)
		}

		// The decision waits for a quorum: the chair and the police representative present.
		decision := fmt.Sprintf("%s/cases/%d/decision", meeting, id)
		adopt := map[string]any{"decision": "adopt", "reached": "unanimous", "rationale": "Vulnerable to grooming online"}
		panelRefused(f, "decision by the police", "POST", decision, f.officer, adopt, 404, "")
		panelRefused(f, "decision without a decision", "POST", decision, f.coordinator, map[string]any{}, 422, "",
			"decision", "reached", "rationale")
		panelRefused(f, "not adopting without where next", "POST", decision, f.coordinator,
			map[string]any{"decision": "not_adopt", "reached": "majority", "rationale": "Needs are elsewhere"}, 422, "",
			"health_social_care_consideration", "signpost_service")
		panelRefused(f, "decision without a quorum", "POST", decision, f.coordinator, adopt, 409, "record the chair and a police representative")
		panelRefused(f, "decision before the meeting", "POST", fmt.Sprintf("%s/cases/%d/decision", laterMeeting, id), f.coordinator, adopt, 409,
			"This meeting has not happened yet")

		// Attendance: by member id, from the meeting's day.
		attendance := meeting + "/attendance"
		panelRefused(f, "attendance before the meeting", "PUT", laterMeeting+"/attendance", f.coordinator,
			map[string]any{"present": []prevent.ID{chair.ID}}, 409, "This meeting has not happened yet")
		panelRefused(f, "attendance of a stranger", "PUT", attendance, f.coordinator, map[string]any{"present": []prevent.ID{chair.ID + 100}}, 422,
			"Select members of this panel", "present")
		panelRefused(f, "attendance by the police", "PUT", attendance, f.officer, map[string]any{"present": []prevent.ID{chair.ID}}, 404, "")
		f.want(f.do("PUT", attendance, f.coordinator, map[string]any{"present": []prevent.ID{chair.ID, rep.ID}}), 200, &m)
		if !m.Quorate || len(m.Attendees) != 2 || !m.Attendees[0].Present || !m.Attendees[1].Present {
			t.Errorf("meeting after attendance = %+v", m)
		}
		// Reference codes are checked against their lists, named by the member that carries them.
		panelRefused(f, "an unknown reason for no further action", "POST", decision, f.coordinator, map[string]any{"decision": "not_adopt",
			"reached": "majority", "rationale": "Needs are elsewhere", "health_social_care_consideration": "Not needed", "close_reason": "NOPE"},
			422, "Select an option from the list", "close_reason")
		panelRefused(f, "exit without an outcome", "POST", decision, f.coordinator, map[string]any{"decision": "exit", "reached": "majority",
			"rationale": "Done", "exit_outcome": "DONE"}, 422, "Select the exit outcome", "exit_outcome")

		// A child's case cannot be adopted before children's services are consulted; the consultation comes
		// with the decision, as on the panel's page, and is checked as that page checks it.
		var ac api.AgendaCaseView
		agendaCase := fmt.Sprintf("%s/cases/%d", meeting, id)
		f.want(f.do("GET", agendaCase, f.officer, nil), 200, &ac)
		if !ac.ChildrensServicesDue || ac.Decided || !ac.Started || ac.Decision != nil || ac.State != "panel_listed" {
			t.Errorf("agenda case before the decision = %+v", ac)
		}
		panelRefused(f, "adopting a child's case without the consultation", "POST", decision, f.coordinator, adopt, 409, "")
		adopt["childrens_services_consultation"] = map[string]any{"consulted_on": "2026-02-27"}
		panelRefused(f, "consultation without who", "POST", decision, f.coordinator, adopt, 422, "Enter who in children’s services",
			"childrens_services_consultation.consulted_with")
		adopt["childrens_services_consultation"] = map[string]any{"consulted_on": "2026-02-27", "consulted_with": "Kirklees MASH duty manager"}
		before = f.audits()
		var decided api.PanelDecisionRecorded
		f.want(f.do("POST", decision, f.coordinator, adopt), 201, &decided)
		if decided != (api.PanelDecisionRecorded{MeetingID: today.ID, CaseID: id, Decision: "adopt", Reached: "unanimous", State: "adopted"}) {
			t.Errorf("decided = %+v", decided)
		}
		if f.audits() <= before {
			t.Error("the decision left no audit entry")
		}
		panelRefused(f, "a second decision at the meeting", "POST", decision, f.coordinator,
			map[string]any{"decision": "adopt", "reached": "unanimous", "rationale": "Again"}, 409, "")
		f.want(f.do("GET", agendaCase, f.officer, nil), 200, &ac)
		if !ac.Decided || ac.ChildrensServicesDue || ac.Decision == nil || ac.Decision.Decision != "adopt" || ac.Decision.ToState != "adopted" ||
			ac.Decision.FromState != "panel_listed" || ac.Decision.Rationale != "Vulnerable to grooming online" {
			t.Errorf("agenda case after the decision = %+v (decision %+v)", ac, ac.Decision)
		}
		var ds api.PanelDecisionList
		f.want(f.do("GET", cases+"/panel-decisions", f.coordinator, nil), 200, &ds)
		if len(ds.Items) != 1 || ds.Items[0].MeetingID != today.ID || ds.Items[0].Panel != "Kirklees Channel Panel" || ds.Items[0].Reached != "unanimous" {
			t.Errorf("the case's panel decisions = %+v", ds)
		}
		f.problem(f.do("GET", cases+"/panel-decisions", f.referrerA, nil), 404)
		f.problem(f.do("GET", fmt.Sprintf("%s/cases/%d", meeting, other), f.coordinator, nil), 404)

		// Minutes: whole for the coordinator; the police's own for the police representative; exported to the
		// police, recorded in the ledger.
		minutes := meeting + "/minutes"
		var mn api.PanelMinutes
		f.want(f.do("GET", minutes, f.coordinator, nil), 200, &mn)
		if mn.OrganisationID != nil || len(mn.Decisions) != 1 || mn.Decisions[0].CaseID != id || len(mn.Attendees) != 2 || mn.Panel != "Kirklees Channel Panel" {
			t.Errorf("whole minutes = %+v", mn)
		}
		f.problem(f.do("GET", minutes, f.officer, nil), 404)
		f.want(f.do("GET", fmt.Sprintf("%s?organisation_id=%d", minutes, police), f.officer, nil), 200, &mn)
		if mn.OrganisationID == nil || *mn.OrganisationID != police || len(mn.Decisions) != 1 {
			t.Errorf("the police's minutes = %+v", mn)
		}
		p := f.problem(f.do("GET", fmt.Sprintf("%s?organisation_id=%d", minutes, police), f.coordinator, nil), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "organisation_id" {
			t.Errorf("another organisation's minutes read: %+v", p)
		}
		exports := minutes + "/exports"
		panelRefused(f, "export without an organisation", "POST", exports, f.coordinator, map[string]any{"disclosure": panelDisclosure()}, 422,
			"", "organisation_id")
		panelRefused(f, "export to a school that did not attend", "POST", exports, f.coordinator,
			map[string]any{"organisation_id": school, "disclosure": panelDisclosure()}, 422, "attended the meeting", "organisation_id")
		panelRefused(f, "export with an empty disclosure", "POST", exports, f.coordinator, map[string]any{"organisation_id": police}, 422, "",
			"disclosure.purpose")
		panelRefused(f, "export by the police", "POST", exports, f.officer, map[string]any{"organisation_id": police, "disclosure": panelDisclosure()}, 404, "")
		var shares int
		count := func() int {
			var n int
			if err := db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM sharing_disclosures WHERE to_org = $1`, police).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		shares = count()
		f.want(f.do("POST", exports, f.coordinator, map[string]any{"organisation_id": police, "disclosure": panelDisclosure()}), 200, &mn)
		if mn.OrganisationID == nil || *mn.OrganisationID != police || len(mn.Decisions) != 1 || mn.Decisions[0].Reference == "" {
			t.Errorf("exported minutes = %+v", mn)
		}
		if count() != shares+1 {
			t.Errorf("the export recorded %d disclosures to the police, want 1", count()-shares)
		}
	})
}
