package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// PanelName is the name of the demo partnership's Channel panel; another partnership's is its area's name
// followed by "Channel Panel" too.
const PanelName = "Elmshire Channel Panel"

// channelRows are the Channel-stage rows of one batch, per table.
type channelRows struct {
	assessments, factors, agenda, casePanels, decisions, consents, consultations, plans, interventions, sessions, exits, reviews [][]any
}

// channelIDs are the next explicit ids of the Channel tables.
type channelIDs struct {
	assessment, decision, consent, consultation, plan, intervention, session, exit, review prevent.ID
}

// channelIDTables names the Channel tables with generated ids, with where the next id is kept.
func (ids *nextIDs) channelIDTables() []struct {
	table string
	dst   *prevent.ID
} {
	return []struct {
		table string
		dst   *prevent.ID
	}{{"assessments", &ids.assessment}, {"panel_decisions", &ids.decision}, {"consent_records", &ids.consent},
		{"childrens_services_consultations", &ids.consultation}, {"support_plans", &ids.plan}, {"interventions", &ids.intervention},
		{"intervention_sessions", &ids.session}, {"case_exits", &ids.exit}, {"post_exit_reviews", &ids.review}}
}

// channelInserts lists the Channel tables of a batch in the order their foreign keys need.
func (out *rows) channelInserts() []struct {
	table string
	cols  []string
	rows  [][]any
} {
	return []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"assessments", []string{"id", "referral_id", "version", "template_code", "template_version", "assessor_id", "summary_conclusion",
			"management_plan", "changes_since_last", "professional_judgement", "created_at"}, out.assessments},
		{"assessment_factors", []string{"assessment_id", "item_no", "presence", "evidence", "source"}, out.factors},
		{"case_panels", []string{"referral_id", "panel_id", "since"}, out.casePanels},
		{"panel_agenda", []string{"meeting_id", "referral_id", "position", "added_at"}, out.agenda},
		{"panel_decisions", []string{"id", "meeting_id", "referral_id", "decision", "rationale", "reached", "health_social_care_notes",
			"signpost_service", "close_reason", "transfer_to", "exit_outcome", "from_state", "to_state", "recorded_by", "recorded_at"}, out.decisions},
		{"childrens_services_consultations", []string{"id", "referral_id", "consulted_at", "consulted_with", "notes", "recorded_by", "recorded_at"}, out.consultations},
		{"support_plans", []string{"id", "referral_id", "version", "consent_how", "consent_when", "consent_by", "objectives", "review_cadence",
			"created_by", "created_at"}, out.plans},
		{"consent_records", []string{"id", "referral_id", "scope", "giver_name", "giver_role", "capacity_notes", "method", "evidence",
			"decision", "reason", "decided_at", "under_18", "recorded_by", "recorded_at"}, out.consents},
		{"interventions", []string{"id", "referral_id", "type_code", "provider_id", "worker_id", "description", "created_by", "created_at", "ended_at",
			"disclosed_at"}, out.interventions},
		{"intervention_sessions", []string{"id", "intervention_id", "planned_at", "attendance", "delivered_at", "progress_notes", "created_by",
			"created_at", "recorded_by", "recorded_at"}, out.sessions},
		{"case_exits", []string{"id", "referral_id", "decision_id", "outcome", "exited_at", "review_months"}, out.exits},
		{"post_exit_reviews", []string{"id", "exit_id", "referral_id", "months", "due_at", "created_at", "outcome", "notes", "completed_by",
			"completed_at"}, out.reviews},
	}
}

// channelLockTables are locked, on PostgreSQL, with the referral tables while a batch writes explicit ids.
const channelLockTables = "assessments, panel_decisions, consent_records, childrens_services_consultations, support_plans, interventions, intervention_sessions, case_exits, post_exit_reviews"

// meeting is a monthly panel meeting.
type meeting struct {
	id prevent.ID
	at time.Time
}

// provider is an intervention provider with a worker (0: none).
type provider struct {
	id, worker prevent.ID
	approved   bool
}

// panelSetup is the demo panel: who chairs it and sits for the police, its meetings and the providers.
type panelSetup struct {
	id        prevent.ID
	chair     member
	seats     []member  // everyone on the panel, with the partnership role their seat goes with
	meetings  []meeting // oldest first
	providers []provider
}

// seatRole is the partnership role a panel seat goes with: panel members are assigned to the cases listed
// at their panel in that role.
func seatRole(r casework.PanelRole) prevent.Role {
	switch r {
	case casework.RoleChair:
		return prevent.PanelChair
	case casework.RolePolice:
		return prevent.PoliceOfficer
	}
	return prevent.PanelMember
}

// setupPanel finds the partnership's demo panel, or creates it with its members and providers, and gives it
// monthly meetings over the years generated and two months after, with attendance at those already held. It
// writes in one transaction, with an audit entry by the system, when it adds anything.
func (g *generator) setupPanel(ctx context.Context, db *database.DB) error {
	chairs, police := g.role(prevent.PanelChair), g.role(prevent.PoliceOfficer)
	if len(chairs) == 0 {
		return nil // no chair: the cases stay at screening
	}
	g.panel = &panelSetup{chair: chairs[0]}
	return db.WithTx(ctx, func(tx *database.Tx) error {
		if tx.Dialect == database.Postgres {
			if _, err := tx.ExecContext(ctx, `LOCK TABLE panels, panel_members, panel_meetings, intervention_providers IN EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("demo: lock: %w", err)
			}
		}
		var added []string
		err := tx.QueryRowContext(ctx, `SELECT id FROM panels WHERE partnership_id = $1 AND name = $2`, g.pid, g.area+" Channel Panel").Scan(&g.panel.id)
		if errors.Is(err, sql.ErrNoRows) {
			if err := tx.QueryRowContext(ctx, `INSERT INTO panels (partnership_id, name, areas, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
				g.pid, g.area+" Channel Panel", g.area, g.start).Scan(&g.panel.id); err != nil {
				return fmt.Errorf("demo: panel: %w", err)
			}
			type seat struct {
				m    member
				role casework.PanelRole
			}
			seats := []seat{{chairs[0], casework.RoleChair}, {police[0], casework.RolePolice}}
			for _, m := range g.role(prevent.PanelMember) {
				seats = append(seats, seat{m, casework.RoleMember})
			}
			for _, s := range seats {
				if _, err := tx.ExecContext(ctx, `INSERT INTO panel_members (panel_id, person_id, organisation_id, panel_role, areas, created_at)
					VALUES ($1, $2, $3, $4, '', $5)`, g.panel.id, s.m.id, s.m.org, string(s.role), g.start); err != nil {
					return fmt.Errorf("demo: panel member: %w", err)
				}
			}
			added = append(added, fmt.Sprintf("panel %d with %d members", g.panel.id, len(seats)))
		} else if err != nil {
			return fmt.Errorf("demo: panel: %w", err)
		}

		srows, err := tx.QueryContext(ctx, `SELECT person_id, organisation_id, panel_role FROM panel_members WHERE panel_id = $1 ORDER BY id`, g.panel.id)
		if err != nil {
			return fmt.Errorf("demo: panel members: %w", err)
		}
		for srows.Next() {
			var m member
			var role casework.PanelRole
			if err := srows.Scan(&m.id, &m.org, &role); err != nil {
				srows.Close()
				return err
			}
			m.role = seatRole(role)
			g.panel.seats = append(g.panel.seats, m)
		}
		srows.Close()
		if err := srows.Err(); err != nil {
			return err
		}

		// Providers: the approved Intervention Provider, and the health trust.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM intervention_providers WHERE partnership_id = $1`, g.pid).Scan(&n); err != nil {
			return fmt.Errorf("demo: providers: %w", err)
		}
		if n == 0 {
			for _, m := range g.role(prevent.Provider) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO intervention_providers (partnership_id, organisation_id, home_office_approved,
					approval_reference, specialisms, created_at) VALUES ($1, $2, TRUE, 'IP-DEMO-0042', 'Ideological mentoring', $3) ON CONFLICT DO NOTHING`,
					g.pid, m.org, g.start); err != nil {
					return fmt.Errorf("demo: provider: %w", err)
				}
			}
			for _, p := range g.partners {
				if p.sector == "health" {
					if _, err := tx.ExecContext(ctx, `INSERT INTO intervention_providers (partnership_id, organisation_id, home_office_approved,
						approval_reference, specialisms, created_at) VALUES ($1, $2, FALSE, '', 'Mental and emotional health', $3) ON CONFLICT DO NOTHING`,
						g.pid, p.org, g.start); err != nil {
						return fmt.Errorf("demo: provider: %w", err)
					}
				}
			}
			added = append(added, "intervention providers")
		}
		prows, err := tx.QueryContext(ctx, `SELECT ip.id, ip.organisation_id, ip.home_office_approved FROM intervention_providers ip
			WHERE ip.partnership_id = $1 ORDER BY ip.id`, g.pid)
		if err != nil {
			return fmt.Errorf("demo: providers: %w", err)
		}
		for prows.Next() {
			var p provider
			var org prevent.ID
			if err := prows.Scan(&p.id, &org, &p.approved); err != nil {
				prows.Close()
				return err
			}
			for _, m := range g.people {
				if m.org == org && m.role == prevent.Provider {
					p.worker = m.id
				}
			}
			g.panel.providers = append(g.panel.providers, p)
		}
		prows.Close()
		if err := prows.Err(); err != nil {
			return err
		}

		// Monthly meetings, on the second Tuesday at ten, to two months after the end.
		var last sql.NullTime
		err = tx.QueryRowContext(ctx, `SELECT held_at FROM panel_meetings WHERE panel_id = $1 ORDER BY held_at DESC LIMIT 1`, g.panel.id).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("demo: meetings: %w", err)
		}
		made := 0
		for m := time.Date(g.start.Year(), g.start.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(g.end.AddDate(0, 2, 0)); m = m.AddDate(0, 1, 0) {
			at := m
			for at.Weekday() != time.Tuesday {
				at = at.AddDate(0, 0, 1)
			}
			at = at.AddDate(0, 0, 7).Add(10 * time.Hour)
			if last.Valid && !at.After(last.Time) {
				continue
			}
			created := at.AddDate(0, 0, -28)
			if _, err := tx.ExecContext(ctx, `INSERT INTO panel_meetings (panel_id, held_at, created_by, created_at) VALUES ($1, $2, $3, $4)`,
				g.panel.id, at, g.panel.chair.id, created); err != nil {
				return fmt.Errorf("demo: meeting: %w", err)
			}
			made++
		}
		if made > 0 {
			added = append(added, fmt.Sprintf("%d meetings", made))
		}
		// Attendance at meetings held, where none is recorded: the chair and the police always, others mostly.
		res, err := tx.ExecContext(ctx, `INSERT INTO panel_attendance (meeting_id, member_id, present, recorded_by, recorded_at)
			SELECT mt.id, pm.id, (pm.panel_role <> 'member' OR (mt.id + pm.id) % 5 <> 0), $2, mt.held_at FROM panel_meetings mt
			JOIN panel_members pm ON pm.panel_id = mt.panel_id
			WHERE mt.panel_id = $1 AND mt.held_at < $3 AND NOT EXISTS (SELECT 1 FROM panel_attendance a WHERE a.meeting_id = mt.id)`,
			g.panel.id, g.panel.chair.id, g.end)
		if err != nil {
			return fmt.Errorf("demo: attendance: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added = append(added, "attendance")
		}
		mrows, err := tx.QueryContext(ctx, `SELECT id, held_at FROM panel_meetings WHERE panel_id = $1 ORDER BY held_at`, g.panel.id)
		if err != nil {
			return fmt.Errorf("demo: meetings: %w", err)
		}
		for mrows.Next() {
			var mt meeting
			if err := mrows.Scan(&mt.id, &mt.at); err != nil {
				mrows.Close()
				return err
			}
			mt.at = mt.at.UTC()
			g.panel.meetings = append(g.panel.meetings, mt)
		}
		mrows.Close()
		if err := mrows.Err(); err != nil {
			return err
		}
		if len(added) == 0 {
			return nil
		}
		e := audit.New(ctx, g.end, audit.Collect, "panel", g.panel.id)
		e.PartnershipID = g.pid
		e.Purpose = "Demonstration data"
		e.Detail = "demo: set up the Channel panel: " + strings.Join(added, ", ")
		if _, err := audit.Append(ctx, tx, e); err != nil {
			return fmt.Errorf("demo: audit: %w", err)
		}
		return nil
	})
}

// meetingAfter is the first meeting at least two working days after t, if any.
func (g *generator) meetingAfter(t time.Time) (meeting, bool) {
	for _, m := range g.panel.meetings {
		if m.at.After(t.Add(48 * time.Hour)) {
			return m, true
		}
	}
	return meeting{}, false
}

// chanCase is a Channel case being generated: its state and timeline so far.
type chanCase struct {
	g     *generator
	out   *rows
	ids   *nextIDs
	id    prevent.ID
	subj  subjectRef
	state casework.State
	steps *[]step
	coord member
	at    time.Time // the time of the last step
	plans int       // support plan versions written
	fate  Fate      // of a planned referral: FateDiscussed or FateAdopted decides the panel's decision
	script
}

// script steers a showcase referral to its target stage: the random choices on the way give way to the ones
// that lead there, and exitBy (when set) is when support should end, so that the case is at the target at
// the end of generation.
type script struct {
	target casework.State
	exitBy time.Time
}

// showcases are the Channel stages the demo always has a case at, with how many days before the end the
// referral is submitted and, for those past support, how many days before the end the case leaves Channel.
var showcases = []struct {
	target           casework.State
	submitted, exits int
}{
	{casework.PoliceTriage, 1, 0}, {casework.ChannelScreening, 20, 0}, {casework.PanelListed, 60, 0}, {casework.Discussed, 100, 0}, {casework.NotAdopted, 105, 0}, {casework.Adopted, 100, 0},
	{casework.ConsentRequested, 110, 0}, {casework.ConsentRefused, 120, 0}, {casework.ReassessmentDue, 130, 0},
	{casework.SupportActive, 200, 0}, {casework.SupportActive, 260, 0}, {casework.ConsentWithdrawn, 250, 0},
	{casework.TransferredOut, 330, 40}, {casework.Exited, 320, 60}, {casework.PostExitReview6M, 430, 200},
	{casework.Reopened, 450, 215}, {casework.PostExitReview12M, 520, 280}, {casework.ExtendedReview, 660, 420},
	{casework.ClosedFinal, 760, 560},
}

// showcase replaces some of the submission times with the showcase referrals' and records their scripts.
func (g *generator) showcase(times []time.Time) {
	if g.panel == nil || len(times) < 4*len(showcases) {
		return
	}
	g.scripts = map[time.Time]script{}
	for i, sc := range showcases {
		at := g.end.AddDate(0, 0, -sc.submitted).Add(time.Duration(g.r.IntN(8*60)) * time.Minute).Truncate(time.Second)
		s := script{target: sc.target}
		if sc.exits > 0 {
			s.exitBy = g.end.AddDate(0, 0, -sc.exits)
		}
		// Spread over the times, away from the newest few (still awaiting triage).
		times[len(times)/4+i*len(times)/(2*len(showcases))] = at
		g.scripts[at] = s
	}
}

// adoptPath reports whether the script leads past adoption.
func (s script) adoptPath() bool {
	return s.target != "" && s.target != casework.PanelListed && s.target != casework.Discussed && s.target != casework.NotAdopted
}

// facts satisfy every guard: the generator only takes steps the workflow allows with them.
var allFacts = casework.Facts{DeconflictionRecorded: true, OutcomeReason: "x", SignpostService: "x", ReasonableGrounds: "x",
	ChairPresent: true, PolicePresent: true, HealthSocialCareConsidered: true, ChildrensServicesConsulted: true,
	ConsentRequestPlanned: true, ConsentValid: true, ReceivingPanelAccepted: true, ExitOutcome: "x", Rationale: "x",
	AssessmentDraftExists: true}

// move takes a workflow step at t; a step the workflow refuses is a fault of the generator, kept to report.
func (c *chanCase) move(t time.Time, actor prevent.ID, e casework.Event, detail string) {
	if t.Before(c.at) {
		t = c.at
	}
	next, err := casework.Transition(c.state, e, allFacts)
	if err != nil {
		if c.g.err == nil {
			c.g.err = fmt.Errorf("demo: referral %d: %s from %s: %w", c.id, e, c.state, err)
		}
		return
	}
	*c.steps = append(*c.steps, step{t, actor, string(e), c.state, next, detail})
	c.state, c.at = next, t
}

// assign assigns a person to the case in a role at t, once.
func (c *chanCase) assign(m member, role prevent.Role, t time.Time) {
	k := assignKey{c.id, m.id, role}
	if c.out.assigned[k] {
		return
	}
	if c.out.assigned == nil {
		c.out.assigned = map[assignKey]bool{}
	}
	c.out.assigned[k] = true
	c.out.assignments = append(c.out.assignments, []any{c.id, m.id, string(role), t})
}

// note records an event that leaves the state as it is.
func (c *chanCase) note(t time.Time, actor prevent.ID, kind, detail string) {
	if t.Before(c.at) {
		t = c.at
	}
	*c.steps = append(*c.steps, step{t, actor, kind, c.state, c.state, detail})
	c.at = t
}

func (c *chanCase) under18(t time.Time) bool {
	if !c.subj.d.DateOfBirth.IsZero() {
		return t.Before(c.subj.d.DateOfBirth.AddDate(18, 0, 0))
	}
	return true // approximate ages: the stricter safeguards, as the service applies them
}

var presences = []weighted[string]{{"present", 35}, {"not_present", 45}, {"unknown", 20}}

// channel carries a case on from screening through panel, consent, support, exit and post-exit review, as far
// as g.end allows. listFrom is when screening can end.
func (g *generator) channel(c *chanCase, listFrom time.Time) {
	r := g.r
	if g.panel == nil || c.target == casework.ChannelScreening {
		return
	}
	// The assessment is started during screening.
	assessAt := g.minutes(c.at, 60*24*3, 60*24*14)
	if !assessAt.Before(g.end) {
		return
	}
	c.out.assessments = append(c.out.assessments, []any{c.ids.assessment, c.id, 1, casework.VAF, 1, c.coord.id,
		"Vulnerable to being drawn in; support through Channel should be considered (synthetic).",
		"Discuss at the Channel panel (synthetic).", "", "Based on the information partners shared (synthetic).", assessAt})
	for item := 1; item <= 22; item++ {
		c.out.factors = append(c.out.factors, []any{c.ids.assessment, item, pick(r, presences), "From the referral and partners' answers (synthetic).", "Screening"})
	}
	c.ids.assessment++
	c.note(assessAt, c.coord.id, "assessment_recorded", "assessment: version 1 recorded")

	listAt := g.minutes(listFrom, 60*24*20, 60*24*35)
	for round := 0; round < 2 && c.state != ""; round++ {
		if !listAt.Before(g.end) {
			return
		}
		if c.state == casework.ChannelScreening || c.state == casework.ReassessmentDue {
			c.move(listAt, c.coord.id, casework.EvListForPanel, "listed for panel")
		}
		if round == 0 {
			c.out.casePanels = append(c.out.casePanels, []any{c.id, g.panel.id, listAt})
			// As casework's ListForPanel does: everyone on the panel is assigned, so that members from other
			// organisations can see the case once the panel pack is disclosed to them (see shareDemo).
			for _, m := range g.panel.seats {
				c.assign(m, m.role, listAt)
			}
		}
		mt, ok := g.meetingAfter(listAt)
		if c.target == casework.PanelListed {
			mt, ok = g.meetingAfter(g.end.Add(-48 * time.Hour))
		}
		if !ok {
			return
		}
		c.out.agenda = append(c.out.agenda, []any{mt.id, c.id, 1 + r.IntN(8), listAt})
		c.note(listAt, c.coord.id, "panel_agenda", "panel: added to the agenda")
		if !mt.at.Before(g.end) {
			return // listed for the next meeting
		}
		if !g.panelDecides(c, mt) {
			return
		}
		if c.state != casework.ReassessmentDue && c.state != casework.PanelListed {
			return
		}
		listAt = g.minutes(c.at, 60*24*7, 60*24*21)
	}
}

// decision appends a panel decision row and returns its id.
func (g *generator) decision(c *chanCase, mt meeting, kind casework.DecisionKind, rationale, hsc, service, reason, transfer, exit string,
	from casework.State, at time.Time) prevent.ID {
	id := c.ids.decision
	c.ids.decision++
	reached := casework.Unanimous
	if g.r.Float64() < 0.1 {
		reached = casework.Majority
	}
	c.out.decisions = append(c.out.decisions, []any{id, mt.id, c.id, string(kind), rationale, string(reached), hsc, service, reason, transfer,
		exit, string(from), string(c.state), c.coord.id, at})
	return id
}

// panelDecides discusses the case at meeting mt and follows the decision as far as g.end. It reports whether the
// case went on (false: it stopped at a stage).
func (g *generator) panelDecides(c *chanCase, mt meeting) bool {
	r := g.r
	at := g.minutes(mt.at, 15, 150)
	chair := g.panel.chair.id
	c.move(at, chair, casework.EvDiscuss, "panel: discussed")
	recent := g.end.Sub(mt.at) < 45*24*time.Hour
	if (recent && r.Float64() < 0.25 && c.target == "" && c.fate == FateFree) || c.target == casework.Discussed {
		return false // discussed; the decision waits for more information
	}
	// About a third of the cases screened are adopted: the share of those reaching panel is higher.
	adopt := r.Float64() < 0.45
	switch c.fate {
	case FateAdopted:
		adopt = true
	case FateDiscussed:
		adopt = false
	}
	if (!adopt && !c.adoptPath()) || c.target == casework.NotAdopted {
		from := c.state
		c.move(at, chair, casework.EvNotAdopt, "panel: not adopted")
		hsc := "Considered a referral to health or social care services under s36(6) (synthetic)."
		if (recent && r.Float64() < 0.3 && c.target == "") || c.target == casework.NotAdopted {
			g.decision(c, mt, casework.DecideNotAdopt, "Not vulnerable to being drawn into terrorism at present (synthetic).", "", "", "", "", "", from, at)
			return false // the s36(6) consideration is still to record
		}
		service, reason := "", ""
		if r.Float64() < 0.7 {
			service = signposts[r.IntN(len(signposts))]
			c.move(at, chair, casework.EvSignpost, "panel: signposted")
		} else {
			reason = nfaReasons[r.IntN(len(nfaReasons))]
			c.move(at, chair, casework.EvCloseNFA, "panel: no further action")
		}
		g.decision(c, mt, casework.DecideNotAdopt, "Not vulnerable to being drawn into terrorism at present (synthetic).", hsc, service, reason, "", "", from, at)
		return false
	}
	if c.under18(mt.at) {
		consulted := g.minutes(mt.at.AddDate(0, 0, -10), 0, 60*24*5)
		c.out.consultations = append(c.out.consultations, []any{c.ids.consultation, c.id, consulted, g.area + " children's services duty team",
			"Consulted before the panel (synthetic).", c.coord.id, consulted})
		c.ids.consultation++
		c.note(consulted, c.coord.id, "childrens_services_consulted", "children's services consulted")
	}
	from := c.state
	c.move(at, chair, casework.EvAdopt, "panel: adopted")
	g.decision(c, mt, casework.DecideAdopt, "Vulnerable to being drawn into terrorism; support through Channel is appropriate (synthetic).",
		"", "", "", "", "", from, at)
	if c.target == casework.Adopted {
		return false
	}

	// The plan says how consent will be asked; then it is asked.
	planAt := g.minutes(at, 60*24, 60*24*5)
	if !planAt.Before(g.end) {
		return false
	}
	giver, giverRole := c.subj.d.FullName(), "self"
	if c.under18(planAt) {
		giver, giverRole = "Parent of "+c.subj.d.GivenNames, "parent"
	}
	consentWhen := planAt.Add(3 * 24 * time.Hour)
	c.plans++
	c.out.plans = append(c.out.plans, []any{c.ids.plan, c.id, c.plans, "In person, with the allocated case officer", consentWhen,
		"Prevent coordinator", "Reduce isolation; challenge the views expressed; support at school or work (synthetic).", "Monthly at panel",
		c.coord.id, planAt})
	c.ids.plan++
	c.note(planAt, c.coord.id, "support_plan", fmt.Sprintf("support plan: version %d recorded", c.plans))
	askAt := g.minutes(planAt, 60*24, 60*24*4)
	if !askAt.Before(g.end) {
		return false
	}
	c.move(askAt, c.coord.id, casework.EvRequestConsent, "consent requested")
	if c.target == casework.ConsentRequested {
		return false
	}
	decidedAt := g.minutes(askAt, 60*24*2, 60*24*14)
	if !decidedAt.Before(g.end) {
		return false
	}
	consent := func(t time.Time, decision, reason string) {
		c.out.consents = append(c.out.consents, []any{c.ids.consent, c.id, "support", giver, giverRole, "", "In person", "Signed form (synthetic)",
			decision, reason, t, c.under18(t), c.coord.id, t})
		c.ids.consent++
		if given, _, _ := consentFor(c.id, ""); decision == "given" && given != sharing.ConsentGiven {
			// Not asked at screening: asked now with consent to support, before anything goes to a provider.
			c.out.consents = append(c.out.consents, []any{c.ids.consent, c.id, string(casework.ScopeInformationSharing), giver, giverRole, "",
				"In person", "Signed form (synthetic)", "given", "", t, c.under18(t), c.coord.id, t})
			c.ids.consent++
			c.note(t, c.coord.id, "consent_recorded", "consent: information sharing consent given by "+giverRole)
		}
	}
	refuse := r.Float64() < 0.13
	if c.target == casework.ConsentRefused || c.target == casework.ReassessmentDue || (c.target != "" && c.target != casework.NotAdopted) {
		refuse = c.target == casework.ConsentRefused || c.target == casework.ReassessmentDue
	}
	if refuse {
		consent(decidedAt, "refused", "Did not want to take part (synthetic).")
		c.move(decidedAt, c.coord.id, casework.EvConsentRefused, "consent: support consent refused")
		next := g.minutes(decidedAt, 60*24*7, 60*24*28)
		if !next.Before(g.end) {
			return false
		}
		x := r.Float64()
		switch c.target {
		case casework.ConsentRefused:
			x = 0.9
		case casework.ReassessmentDue:
			x = 0
		}
		switch {
		case x < 0.3:
			c.move(next, c.coord.id, casework.EvReassess, "after refusal: reassessment")
		case x < 0.6:
			c.move(next, c.coord.id, casework.EvPoliceLed, "after refusal: police-led management")
		case x < 0.85:
			c.move(next, c.coord.id, casework.EvSignpost, "after refusal: signposted")
		}
		return false
	}
	consent(decidedAt, "given", "")
	c.move(decidedAt, c.coord.id, casework.EvConsentGiven, "consent: support consent given")
	return g.support(c, decidedAt)
}

var interventionTypes = []string{"MENTORING_COUNSELLING", "SPECIALIST_IP_MENTORING", "EDUCATIONAL", "DIVERSIONARY",
	"MENTAL_EMOTIONAL_HEALTH", "FAMILY_AND_PEER_NETWORK_SUPPORT", "SUPPORT_AT_SCHOOL_OR_WORK"}

// support generates interventions and fortnightly sessions from start, monthly panel reviews, and the end of
// support: exit (mostly with vulnerability reduced), transfer, or withdrawn consent.
func (g *generator) support(c *chanCase, start time.Time) bool {
	r := g.r
	// Support lasts four to nine months, reviewed at each panel meeting.
	until := start.AddDate(0, 4+r.IntN(6), 0)
	endKind := casework.DecideExit
	x := r.Float64()
	switch c.target {
	case "":
	case casework.TransferredOut:
		x = 0
	case casework.ConsentWithdrawn:
		x = 0.1
	default:
		x = 0.5
	}
	switch {
	case x < 0.05:
		endKind = casework.DecideTransfer
	case x < 0.12:
		endKind = "" // consent withdrawn
		until = start.AddDate(0, 1+r.IntN(3), 0)
	}
	if !c.exitBy.IsZero() {
		until = c.exitBy.AddDate(0, 0, -25)
	}
	if c.target == casework.SupportActive {
		until = g.end.AddDate(0, 2, 0)
	}
	if until.Before(start.AddDate(0, 1, 0)) {
		until = start.AddDate(0, 1, 0)
	}
	var ends time.Time // when sessions stop
	for _, m := range g.panel.meetings {
		if m.at.After(until) {
			ends = m.at
			break
		}
	}
	if ends.IsZero() || ends.After(g.end) {
		ends = g.end
	}
	if endKind == "" {
		ends = until
		if ends.After(g.end) {
			ends = g.end
		}
	}
	type sess struct {
		at time.Time
		iv prevent.ID
	}
	var sessions []sess
	for k := range 1 + r.IntN(2) {
		if len(g.panel.providers) == 0 {
			break
		}
		p := g.panel.providers[r.IntN(len(g.panel.providers))]
		typ := interventionTypes[r.IntN(len(interventionTypes))]
		if p.approved && k == 0 {
			typ = "SPECIALIST_IP_MENTORING"
		}
		added := g.minutes(start, 60*24*(1+k*10), 60*24*(5+k*10))
		if !added.Before(ends) {
			break
		}
		var worker, ended any
		if p.worker != 0 {
			worker = p.worker
			c.assign(member{id: p.worker}, prevent.Provider, added)
		}
		if ends.Before(g.end) {
			ended = ends
		}
		iv := c.ids.intervention
		c.ids.intervention++
		// Added during support, so disclosed to the provider when added.
		c.out.interventions = append(c.out.interventions, []any{iv, c.id, typ, p.id, worker, "Fortnightly sessions (synthetic).", c.coord.id, added, ended, added})
		c.note(added, c.coord.id, "intervention_added", "support: intervention added ("+typ+")")
		for at := added.Add(7 * 24 * time.Hour); at.Before(ends.AddDate(0, 0, 14)); at = at.Add(14 * 24 * time.Hour) {
			if !at.Before(ends) && ends.Before(g.end) {
				break
			}
			sessions = append(sessions, sess{at, iv})
		}
	}
	for _, s := range sessions {
		attendance, notes := "planned", ""
		var delivered, by, recorded any
		recordAt := s.at.Add(time.Duration(2+r.IntN(48)) * time.Hour)
		if recordAt.Before(g.end) && r.Float64() < 0.97 {
			switch x := r.Float64(); {
			case x < 0.1:
				attendance = "did_not_attend"
			case x < 0.15:
				attendance = "cancelled"
			default:
				attendance, notes, delivered = "attended", "Engaged well; discussed the material seen online (synthetic).", s.at
			}
			by, recorded = c.coord.id, recordAt
		}
		c.out.sessions = append(c.out.sessions, []any{c.ids.session, s.iv, s.at, attendance, delivered, notes, c.coord.id, s.at.AddDate(0, 0, -7), by, recorded})
		c.ids.session++
	}
	// Panel reviews while support lasts.
	var last meeting
	for _, m := range g.panel.meetings {
		if !m.at.After(start.Add(14*24*time.Hour)) || !m.at.Before(g.end) {
			continue
		}
		if endKind == "" && m.at.After(until) {
			break
		}
		at := g.minutes(m.at, 15, 150)
		if m.at.After(until) {
			last = m
			break
		}
		c.move(at, g.panel.chair.id, casework.EvReviewPlan, "panel: support continued")
		g.decision(c, m, casework.DecideContinue, "Progress is being made; support continues (synthetic).", "", "", "", "", "", casework.SupportActive, at)
	}
	if endKind == "" {
		if !until.Before(g.end) {
			return false
		}
		c.out.consents = append(c.out.consents, []any{c.ids.consent, c.id, "support", c.subj.d.FullName(), "self", "", "By telephone", "Call note (synthetic)",
			"withdrawn", "No longer wished to take part (synthetic).", until, c.under18(until), c.coord.id, until})
		c.ids.consent++
		c.move(until, c.coord.id, casework.EvConsentWithdrawn, "consent: support consent withdrawn")
		if next := g.minutes(until, 60*24*7, 60*24*21); next.Before(g.end) && g.r.Float64() < 0.5 && c.target == "" {
			c.move(next, c.coord.id, casework.EvReassess, "after withdrawal: reassessment")
			return true // back to panel
		}
		return false
	}
	if last.id == 0 {
		return false // support continues
	}
	at := g.minutes(last.at, 15, 150)
	if endKind == casework.DecideTransfer {
		c.move(at, g.panel.chair.id, casework.EvTransferOut, "panel: transferred")
		g.decision(c, last, casework.DecideTransfer, "The person has moved out of the area (synthetic).", "", "", "", "Northshire Channel Panel", "", casework.SupportActive, at)
		return false
	}
	// Most adopted cases leave with vulnerability reduced.
	outcome := "EXIT_NO_CONCERNS"
	if r.Float64() < 0.18 {
		outcome = "EXIT_CONCERNS_REFERRED"
	}
	c.move(at, g.panel.chair.id, casework.EvExit, "panel: exited ("+outcome+")")
	did := g.decision(c, last, casework.DecideExit, "The support plan's objectives are met (synthetic).", "", "", "", "", outcome, casework.SupportActive, at)
	exitID := c.ids.exit
	c.ids.exit++
	reviewMonths := casework.SecondReviewMonths
	exitRow := []any{exitID, c.id, did, outcome, at, reviewMonths}
	c.out.exits = append(c.out.exits, exitRow)
	return g.postExit(c, exitID, exitRow, at)
}

// postExit generates the 6- and 12-month reviews (and an extended one) that have fallen due.
func (g *generator) postExit(c *chanCase, exitID prevent.ID, exitRow []any, exited time.Time) bool {
	r := g.r
	months := casework.FirstReviewMonths
	for range 3 {
		due := exited.AddDate(0, months, 0)
		if due.After(g.end) {
			return false
		}
		if months == casework.FirstReviewMonths {
			c.move(due, 0, casework.EvReviewDue, fmt.Sprintf("post-exit review: %d-month review due", months))
		} else {
			c.note(due, 0, "post_exit_review_due", fmt.Sprintf("post-exit review: %d-month review due", months))
		}
		done := g.minutes(due, 60*24, 60*24*25)
		row := []any{c.ids.review, exitID, c.id, months, due, due, "", "", nil, nil}
		c.ids.review++
		c.out.reviews = append(c.out.reviews, row)
		if !done.Before(g.end) || r.Float64() < 0.08 || c.target == casework.PostExitReview6M {
			return false // due, not yet done
		}
		row[8], row[9] = c.coord.id, done
		x := r.Float64()
		switch {
		case c.target == casework.Reopened:
			x = 0
		case c.target == casework.ExtendedReview && months == casework.SecondReviewMonths:
			x = 0.1
		case c.target != "":
			x = 0.5
		}
		switch {
		case x < 0.06:
			row[6], row[7] = string(casework.ReviewReopen), "New concerns reported by the school (synthetic)."
			c.move(done, c.coord.id, casework.EvReopen, fmt.Sprintf("post-exit review: %d months, reopened", months))
			if r.Float64() < 0.5 || c.target == casework.Reopened {
				return false // waiting to return to panel
			}
			c.move(done, c.coord.id, casework.EvReturnToPanel, "reopened: returned to panel")
			return true
		case x < 0.2 && months == casework.SecondReviewMonths:
			row[6], row[7] = string(casework.ReviewExtend), "Keep in view a little longer (synthetic)."
			c.move(done, c.coord.id, casework.EvExtendReview, "post-exit review: extended to 18 months")
			months = 18
			exitRow[5] = months
		default:
			row[6], row[7] = string(casework.ReviewNoConcerns), "No concerns (synthetic)."
			c.move(done, c.coord.id, casework.EvReviewNoConcerns, fmt.Sprintf("post-exit review: %d months, no concerns", months))
			if c.state == casework.ClosedFinal {
				return false
			}
			months = casework.SecondReviewMonths
		}
	}
	return false
}
