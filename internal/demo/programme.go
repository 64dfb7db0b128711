package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// demoProject is one project of the demo delivery plan. Objectives are indexes into the current framework's
// objectives and the 2009 framework's objectives and enablers.
type demoProject struct {
	public, internal string
	lead             string
	partners         []string
	current, legacy  []int
	scope            programme.Scope
	areas            string
	rag              programme.RAG
	ragReason        string
	indicator, unit  string
	baseline, target float64
}

var demoProjects = []demoProject{
	{"Kestlecombe Schools Together", "Schools resilience workshops (Prevent objective: support those vulnerable)", "county", []string{"primary", "secondary"},
		[]int{0}, []int{2}, programme.Community, "Kestlecombe and Oldmoor", programme.Green, "Workshops running in all four schools", "Pupils taking part", "pupils", 0, 400},
	{"Safer Online Elmshire", "Online harms and extremist content awareness for parents", "county", []string{"college"},
		[]int{0}, []int{1}, programme.Community, "County-wide", programme.Amber, "Take-up by parents slower than planned", "Parents attending a session", "parents", 0, 250},
	{"Brightwater Mentoring", "One-to-one mentoring for young people at risk of being drawn in", "provider", []string{"yjs"},
		[]int{0}, []int{2, 4}, programme.Individuals, "Marlowbridge and Fennick Vale", programme.Green, "Mentors recruited and trained", "Young people completing mentoring", "young people", 0, 30},
	{"Marlowbridge Youth Voices", "Youth forum on belonging and identity", "community-trust", nil,
		[]int{0}, []int{0, 3}, programme.Community, "Marlowbridge", programme.Green, "Forum meets monthly", "Young people attending the forum", "young people", 12, 60},
	{"Faith and Community Dialogue", "Interfaith dialogue events (Prevent objective: challenge the ideology)", "interfaith", []string{"district-north"},
		[]int{0}, []int{0}, programme.Community, "Marlowbridge", programme.Amber, "Review of the lead organisation is overdue", "Events held", "events", 0, 8},
	{"Front-line Prevent awareness", "Prevent awareness training for front-line staff", "county", []string{"nhs", "district-south"},
		[]int{1}, []int{6}, programme.Community, "County-wide", programme.Green, "On track against the training target", "Staff trained", "staff", 150, 900},
	{"Channel panel development", "Strengthening multi-agency support through the panel", "county", []string{"police", "nhs"},
		[]int{1}, []int{2, 6}, programme.Individuals, "County-wide", programme.Green, "Panel terms of reference refreshed", "Panel members trained", "people", 4, 16},
	{"Higher and further education liaison", "Work with the college on speakers and welfare", "college", []string{"police"},
		[]int{0, 1}, []int{1, 3}, programme.Community, "Elmshire", programme.Amber, "Speaker policy awaiting governors' approval", "Events reviewed under the speaker policy", "events", 0, 20},
	{"Prison and probation resettlement", "Support on release for people of Prevent concern", "probation", []string{"prison"},
		[]int{1}, []int{2}, programme.Individuals, "Fennick Moor", programme.Red, "Referral route with the prison not yet agreed", "Cases with a resettlement plan", "cases", 0, 10},
	{"Community reporting confidence", "Building confidence to report concerns", "police", []string{"community-trust"},
		[]int{2}, []int{3, 5}, programme.Community, "Marlowbridge and Fennick Vale", programme.Green, "Drop-in sessions well attended", "Drop-in sessions held", "sessions", 0, 24},
	{"Local profile and needs assessment", "Counter-terrorism local profile briefing for partners", "police", []string{"county"},
		[]int{2}, []int{5}, programme.Community, "County-wide", programme.Green, "Profile briefed to the board", "Partners briefed", "organisations", 0, 14},
	{"Explaining Prevent locally", "Communications: explaining Prevent and answering questions", "county", []string{"district-north", "district-south"},
		[]int{0, 2}, []int{0}, programme.Community, "County-wide", programme.Amber, "Newsletter delayed by one issue", "Newsletter readers", "readers", 300, 1500},
}

// loadProgramme gives the demo partnership a year's programme of action: an active delivery plan with a dozen
// projects across the objectives, funding streams with allocations and spend, due-diligence reviews (one
// overdue), governance, training records and library documents. Everything goes through the programme
// service, as the coordinator or the administrator, so that it is access-checked and audited.
func loadProgramme(ctx context.Context, d Deps, pid prevent.ID, orgIDs map[string]prevent.ID, ids []prevent.ID) error {
	now := d.Now()
	svc := d.Programme
	principal := func(id prevent.ID) (prevent.Principal, error) {
		p, err := auth.LoadPrincipal(ctx, d.DB.Read(), id, now)
		p.MFA = true
		return p, err
	}
	admin, err := principal(ids[0])
	if err != nil {
		return fmt.Errorf("demo: programme: %w", err)
	}
	coord, err := principal(ids[1])
	if err != nil {
		return fmt.Errorf("demo: programme: %w", err)
	}
	cctx := prevent.NewContextWithPrincipal(ctx, coord)
	actx := prevent.NewContextWithPrincipal(ctx, admin)
	date := func(days int) string { return day(now, days).Format(programme.DateLayout) }
	wrap := func(what string, err error) error { return fmt.Errorf("demo: programme: %s: %w", what, err) }

	// The delivery plan for this financial year, drafted by the coordinator, approved by the administrator.
	year := now.Year()
	if now.Month() < time.April {
		year--
	}
	planID, err := svc.CreatePlan(cctx, coord, pid, year, fmt.Sprintf("Elmshire Prevent delivery plan %d to %d", year, year+1))
	if err != nil {
		return wrap("plan", err)
	}
	for _, sec := range programme.PlanSections {
		if err := svc.SaveSection(cctx, coord, pid, planID, sec.Key, planText[sec.Key], true); err != nil {
			return wrap("plan section "+sec.Key, err)
		}
	}
	for _, to := range []programme.PlanStatus{programme.PlanApproved, programme.PlanActive} {
		if err := svc.TransitionPlan(actx, admin, pid, planID, to); err != nil {
			return wrap("plan status", err)
		}
	}

	// Due diligence: the three voluntary-sector organisations; the interfaith forum's review is overdue.
	clear := func(basis string) programme.ReviewInput {
		in := programme.ReviewInput{Basis: basis, Findings: map[string]string{}, Notes: map[string]string{},
			Indicators: []string{"stated-aims", "nature-of-work", "public-statements", "internal-consistency"}, Decision: string(programme.Positive)}
		for _, it := range programme.DueDiligenceItems {
			in.Findings[it.Key] = string(programme.Clear)
		}
		return in
	}
	reviews := []struct {
		org             string
		decided, due    int
		basis, evidence string
	}{
		{"community-trust", -200, 165, "funding", "Constitution, annual report and trustee statements reviewed; references from two partners."},
		{"provider", -120, 245, "funding", "Safeguarding policy, mentor vetting records and published materials reviewed."},
		{"interfaith", -500, -20, "both", "Governing document and public events programme reviewed; venue visited."},
	}
	for _, rv := range reviews {
		in := clear(rv.basis)
		in.OrganisationID, in.Evidence, in.DecidedOn, in.ReviewDue = orgIDs[rv.org], rv.evidence, date(rv.decided), date(rv.due)
		if _, err := svc.RecordReview(cctx, coord, pid, in); err != nil {
			return wrap("review of "+rv.org, err)
		}
	}

	// Projects across the objectives.
	objs, err := svc.Objectives(ctx)
	if err != nil {
		return wrap("objectives", err)
	}
	var current, legacy []programme.Objective
	for _, o := range objs {
		switch o.Framework {
		case programme.Contest2023:
			current = append(current, o)
		case programme.Prevent2009:
			legacy = append(legacy, o)
		}
	}
	projectIDs := make([]prevent.ID, len(demoProjects))
	impactIDs := make([]prevent.ID, len(demoProjects))
	start, end := fmt.Sprintf("%d-04-01", year), fmt.Sprintf("%d-03-31", year+1)
	for i, dp := range demoProjects {
		in := programme.ProjectInput{PlanID: planID, PublicTitle: dp.public, InternalTitle: dp.internal, LeadOrganisation: orgIDs[dp.lead],
			Scope: string(dp.scope), Areas: dp.areas, StartsOn: start, EndsOn: end, RAG: string(dp.rag), RAGReason: dp.ragReason,
			Risks: "Staff turnover in partner organisations; take-up lower than planned."}
		for _, p := range dp.partners {
			in.Partners = append(in.Partners, orgIDs[p])
		}
		for _, k := range dp.current {
			in.Objectives = append(in.Objectives, current[k%len(current)].Tag())
		}
		for _, k := range dp.legacy {
			in.Objectives = append(in.Objectives, legacy[k%len(legacy)].Tag())
		}
		if projectIDs[i], err = svc.CreateProject(cctx, coord, pid, in); err != nil {
			return wrap("project "+dp.public, err)
		}
		if impactIDs[i], err = svc.AddImpact(cctx, coord, pid, projectIDs[i], programme.ImpactInput{Indicator: dp.indicator, Unit: dp.unit,
			Baseline: strconv.FormatFloat(dp.baseline, 'f', -1, 64), Target: strconv.FormatFloat(dp.target, 'f', -1, 64),
			Evidence: "Attendance registers kept by the lead organisation"}); err != nil {
			return wrap("impact", err)
		}
		for m, title := range []string{"Delivery partners confirmed", "Mid-year review to the board", "Year-end evaluation report"} {
			mid, err := svc.AddMilestone(cctx, coord, pid, projectIDs[i], title, date(-60+m*120))
			if err != nil {
				return wrap("milestone", err)
			}
			if m == 0 {
				if err := svc.SetMilestoneDone(cctx, coord, pid, mid, date(-55)); err != nil {
					return wrap("milestone done", err)
				}
			}
		}
		if i%3 == 0 {
			if err := svc.SaveEvaluation(cctx, coord, pid, projectIDs[i], programme.Evaluation{
				Why: "To learn whether the activity builds resilience and is worth continuing.", What: "Delivery and outcomes against the impact indicator.",
				Questions: "Did it reach the people intended? Did their confidence change?", Success: "The target is met and participants report greater confidence.",
				Data: "Attendance registers and short surveys before and after.", Analysis: "Comparison of survey answers; counts by quarter.",
				Use: "Reported to the board; informs next year's plan.", Resources: "Two days of the coordinator's time each quarter."}); err != nil {
				return wrap("evaluation", err)
			}
		}
	}
	// Actuals for the quarters already begun.
	quarter := int((now.Month()+8)%12)/3 + 1
	for i := range demoProjects {
		for q := 1; q <= quarter; q++ {
			v := demoProjects[i].baseline + float64(q)*(demoProjects[i].target-demoProjects[i].baseline)/5
			if err := svc.RecordActual(cctx, coord, pid, impactIDs[i], fmt.Sprintf("%d-Q%d", year, q), strconv.FormatFloat(float64(int(v)), 'f', -1, 64),
				"Quarterly return from the lead organisation"); err != nil {
				return wrap("actual", err)
			}
		}
	}

	// Funding streams (the 2009 streams, as names; the amounts are invented), allocations and spend.
	streams := []programme.StreamInput{
		{Funder: "Communities and Local Government", Name: "Area Based Grant: Prevent allocation", Amount: "185000",
			Conditions: "Spent on the agreed delivery plan; quarterly monitoring to the local strategic partnership."},
		{Funder: "Home Office (via Elmshire Constabulary)", Name: "Police Prevent funding", Amount: "90000",
			Conditions: "For police-led activity and joint work agreed with the partnership."},
		{Funder: "Communities and Local Government", Name: "Challenge and Innovation Fund", Amount: "40000",
			Conditions: "New approaches only; evaluation required."},
	}
	streamIDs := make([]prevent.ID, len(streams))
	for i, st := range streams {
		st.Year = strconv.Itoa(year)
		if streamIDs[i], err = svc.CreateStream(actx, admin, pid, st); err != nil {
			return wrap("stream", err)
		}
	}
	for i, dp := range demoProjects {
		if dp.lead == "interfaith" {
			continue // its review is overdue: the funding pages flag it and new allocations are refused
		}
		stream := streamIDs[0]
		switch {
		case dp.lead == "police":
			stream = streamIDs[1]
		case i%4 == 1:
			stream = streamIDs[2]
		}
		amount := 6000 + 1500*(i%5)
		aid, err := svc.Allocate(cctx, coord, pid, programme.AllocationInput{StreamID: stream, ProjectID: projectIDs[i], Amount: strconv.Itoa(amount),
			Note: "Agreed at the partnership board"})
		if err != nil {
			return wrap("allocation to "+dp.public, err)
		}
		for q := 1; q <= quarter; q++ {
			spent := amount / 4 * (90 + 5*((i+q)%4)) / 100
			if _, err := svc.RecordSpend(cctx, coord, pid, aid, year, q, strconv.Itoa(spent)); err != nil {
				return wrap("spend", err)
			}
		}
	}
	if _, err := svc.RecordCommissioning(cctx, coord, pid, programme.CommissioningInput{ProjectID: projectIDs[2],
		Decision: "Commission Brightwater Mentoring CIC to deliver one-to-one mentoring for the year", DecidedBy: ids[0], DecidedOn: date(-50),
		Evidence: "Three quotes compared; shared-values review current; references from the youth justice service."}); err != nil {
		return wrap("commissioning", err)
	}

	// Governance: a board meeting with decisions and actions.
	mid, err := svc.CreateMeeting(cctx, coord, pid, programme.MeetingInput{HeldOn: date(-45), Title: "Prevent partnership board",
		Present: []prevent.ID{ids[0], ids[1], ids[2], ids[3]}, Apologies: []prevent.ID{ids[8]}})
	if err != nil {
		return wrap("meeting", err)
	}
	for _, text := range []string{"The delivery plan was approved.", "Funding allocations for the year were agreed."} {
		if _, err := svc.RecordDecision(cctx, coord, pid, mid, text); err != nil {
			return wrap("decision", err)
		}
	}
	for _, a := range []programme.ActionInput{
		{MeetingID: mid, Description: "Agree the referral route with HMP Fennick Moor", OwnerID: ids[3], DueOn: date(-5)},
		{MeetingID: mid, Description: "Circulate the refreshed local profile briefing", OwnerID: ids[2], DueOn: date(30)},
	} {
		if _, err := svc.AddAction(cctx, coord, pid, a); err != nil {
			return wrap("action", err)
		}
	}
	if _, err := svc.ShareLesson(cctx, coord, pid, projectIDs[0], "Start with the teachers",
		"Schools took part sooner when the first session was for staff, not pupils: staff then asked for the pupil sessions."); err != nil {
		return wrap("lesson", err)
	}

	// Training: courses, targets per organisation and completions.
	courses := []struct{ title, kind string }{
		{"Prevent awareness e-learning", "prevent-awareness"}, {"Channel awareness", "channel-awareness"}, {"Recognising vulnerability: local workshop", "workshop"},
	}
	for c, co := range courses {
		cid, err := svc.CreateCourse(cctx, coord, pid, co.title, co.kind)
		if err != nil {
			return wrap("course", err)
		}
		for k, org := range []string{"county", "police", "primary", "secondary", "college", "nhs"} {
			if err := svc.SetTarget(cctx, coord, pid, cid, orgIDs[org], 2+(k+c)%3); err != nil {
				return wrap("target", err)
			}
		}
		for i, person := range ids {
			if (i+c)%3 == 2 {
				continue
			}
			if _, err := svc.RecordCompletion(cctx, coord, pid, cid, person, date(-30-7*i-c)); err != nil {
				return wrap("completion", err)
			}
		}
	}

	// The resources library: two OFFICIAL and two OFFICIAL-SENSITIVE documents.
	docs := []programme.DocumentInput{
		{Title: "Elmshire counter-terrorism local profile", Kind: "ctlp", Marking: "OFFICIAL-SENSITIVE", Originator: "Elmshire Constabulary",
			Audience: "Partnership board members", Filename: "ctlp-summary.txt"},
		{Title: "Analysis of local community tensions", Kind: "analysis", Marking: "OFFICIAL-SENSITIVE", Originator: "Elmshire County Council community safety",
			Audience: "Coordinators and panel members", Filename: "tensions-analysis.txt"},
		{Title: "Prevent: a guide for partners in Elmshire", Kind: "guidance", Marking: "OFFICIAL", Originator: "Elmshire Prevent Partnership",
			Audience: "All partners", Filename: "partner-guide.txt"},
		{Title: "Prevent partnership newsletter", Kind: "newsletter", Marking: "OFFICIAL", Originator: "Elmshire Prevent Partnership",
			Audience: "All partners and the public", Filename: "newsletter.txt"},
	}
	for _, doc := range docs {
		doc.ReviewOn = date(180)
		doc.Content = []byte(doc.Marking + "\n\n" + doc.Title + "\n\nSynthetic demonstration document: " + strings.ToLower(doc.Audience) + ".\n\n" + doc.Marking + "\n")
		if _, err := svc.Upload(cctx, coord, pid, doc); err != nil {
			return wrap("document "+doc.Title, err)
		}
	}
	return nil
}

// planText is the demo plan's section text.
var planText = map[string]string{
	"aims":             "To stop people becoming terrorists or supporting terrorism in Elmshire, by working together across councils, police, schools, health, probation and communities. Each project below names its lead partner and the objectives it serves.",
	"oversight":        "The Prevent partnership board oversees delivery and meets quarterly. Leads report progress against milestones and impact indicators each quarter; the board reports to the community safety partnership.",
	"commissioning":    "The board decides what to fund on the coordinator's recommendation, with the evidence recorded. Only organisations with a current shared-values review may receive new funding.",
	"coverage":         "All three districts; every secondary school and the college; the prison and probation; faith and community organisations in Marlowbridge and Fennick Vale. Gap: rural primary schools.",
	"shared-learning":  "Lessons learned are shared on this service after each quarter and discussed at the board.",
	"comms-explaining": "A partner guide and a quarterly newsletter explain what Prevent is and is not; the public questions and answers page is kept up to date.",
	"comms-news":       "Local news stories are handled by the council and police press offices together, with an agreed holding line within two hours.",
	"comms-refuting":   "Community partners lead work that challenges the arguments used to justify terrorism, with support from the coordinator.",
	"monitoring":       "Every project has at least one measurable impact indicator with a baseline and target, reported by quarter; a third of projects have a full evaluation plan.",
}
