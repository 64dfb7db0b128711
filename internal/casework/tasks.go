package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/work"
)

// How long each step of the pathway is given, from the moment the case reached the stage that asks for it. They
// are the partnership's working targets, not statutory deadlines; docs/tasks.md lists them.
const (
	officerDays        = 2  // choose a case officer once the police refer to Channel
	assessDays         = 14 // record the assessment of vulnerability
	listDays           = 5  // list for a meeting once screening is done
	panelDays          = 28 // discuss a listed case (when no meeting is chosen)
	decisionDays       = 2  // record the panel's decision after the discussion
	onwardDays         = 5  // consider health or social care after not adopting
	planDays           = 5  // record the support plan after adoption
	consentDays        = 14 // record the consent decision (when the plan gives no date)
	afterRefusalDays   = 5  // decide what follows refused or withdrawn consent
	planReviewMonths   = 3  // review the support plan while support is in progress
	firstSessionDays   = 10 // plan the first session of an intervention
	recordSessionDays  = 2  // record what happened at a session
	returnToPanelDays  = 5  // return a reopened case to panel
	defaultReviewMonth = 6  // the first post-exit review
)

// officerSteps are the steps that are the case officer's to take (the panel's own steps are not).
var officerSteps = map[work.Kind]bool{work.Assess: true, work.ListForPanel: true, work.OnwardReferral: true, work.SupportPlan: true,
	work.RequestConsent: true, work.RecordConsent: true, work.AfterRefusal: true, work.PlanReview: true, work.PostExitReview: true,
	work.ReturnToPanel: true}

// caseScope is the work scope of a case's tasks.
func caseScope(referralID prevent.ID) string { return "case:" + strconv.FormatInt(referralID, 10) }

// touch makes the case's tasks follow what the transaction changed: they are derived again just before it
// commits, once however many changes it made.
func (s *Service) touch(ctx context.Context, tx *database.Tx, referralID prevent.ID) {
	tx.BeforeCommit("casework.tasks:"+strconv.FormatInt(referralID, 10), func() error {
		return s.syncTasks(ctx, tx, referralID)
	})
}

// syncTasks derives the open tasks of a case from its state and records, and makes the task list match.
func (s *Service) syncTasks(ctx context.Context, tx *database.Tx, referralID prevent.ID) error {
	want, err := s.caseTasks(ctx, tx, referralID)
	if err != nil {
		return err
	}
	return work.Sync(ctx, tx, caseScope(referralID), want, s.now())
}

// caseFacts are what the task rules read about a case.
type caseFacts struct {
	id, partnership, officer prevent.ID
	reference                string
	state                    State
	triageDue, entered       time.Time
	officerActions           []access.Action
}

// caseTasks is the task rule: for each state of the pathway, the steps that are open and whose they are. A
// step is the case officer's when there is one whose role permits it; until there is a case officer the case's
// own steps wait with the coordinators; the panel's steps are for whoever's role permits them, triage is the
// police's, and a partner's steps (answering a request, recording sessions) are theirs.
func (s *Service) caseTasks(ctx context.Context, q database.Querier, referralID prevent.ID) ([]work.Task, error) {
	var f caseFacts
	var ref sql.NullString
	var triageDue sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, partnership_id, reference, state, triage_due_at, case_officer_id, updated_at FROM referrals
		WHERE id = $1`, referralID).Scan(&f.id, &f.partnership, &ref, &f.state, &triageDue, &f.officer, &f.entered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("casework: tasks: %w", err)
	}
	f.reference, f.triageDue = ref.String, triageDue.Time
	var entered sql.NullTime
	if err := q.QueryRowContext(ctx, `SELECT at FROM case_events WHERE referral_id = $1 AND to_state = $2 AND from_state <> to_state
		ORDER BY id DESC LIMIT 1`,
		referralID, string(f.state)).Scan(&entered); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("casework: tasks: %w", err)
	}
	if entered.Valid {
		f.entered = entered.Time
	}
	f.entered = f.entered.UTC()
	if f.officer != 0 {
		rows, err := q.QueryContext(ctx, `SELECT role FROM memberships WHERE person_id = $1 AND partnership_id = $2`, f.officer, f.partnership)
		if err != nil {
			return nil, fmt.Errorf("casework: tasks: %w", err)
		}
		for rows.Next() {
			var role string
			if err := rows.Scan(&role); err != nil {
				rows.Close()
				return nil, err
			}
			f.officerActions = append(f.officerActions, access.RoleActions(prevent.Role(role))...)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var out []work.Task
	add := func(kind work.Kind, key string, item prevent.ID, action access.Action, due time.Time) {
		t := work.Task{Key: caseScope(f.id) + ":" + key, Scope: caseScope(f.id), Kind: kind, PartnershipID: f.partnership,
			ReferralID: f.id, Reference: f.reference, ItemID: item, Action: action, Due: due}
		switch {
		case f.officer != 0 && slices.Contains(f.officerActions, action):
			t.PersonID = f.officer
		case f.officer == 0 && officerSteps[kind]:
			// Until there is a case officer, the case's own steps wait with the coordinators, who choose one.
			t.Action = access.CaseScreen
		}
		out = append(out, t)
	}
	days := func(n int) time.Time { return f.entered.AddDate(0, 0, n) }

	switch f.state {
	case Submitted, PoliceTriage:
		due := f.triageDue
		if due.IsZero() {
			due = days(TriageWorkingDays)
		}
		// Triage is for the police of the partnership, never a case officer's.
		out = append(out, work.Task{Key: caseScope(f.id) + ":triage", Scope: caseScope(f.id), Kind: work.Triage,
			PartnershipID: f.partnership, ReferralID: f.id, Reference: f.reference, Action: access.CaseTriage, Due: due})
	case ChannelScreening, ReassessmentDue:
		if f.officer == 0 {
			out = append(out, work.Task{Key: caseScope(f.id) + ":officer", Scope: caseScope(f.id), Kind: work.AssignOfficer,
				PartnershipID: f.partnership, ReferralID: f.id, Reference: f.reference, Action: access.CaseScreen, Due: days(officerDays)})
		}
		var assessed sql.NullTime
		if err := q.QueryRowContext(ctx, `SELECT created_at FROM assessments WHERE referral_id = $1 ORDER BY id DESC LIMIT 1`, f.id).Scan(&assessed); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("casework: tasks: %w", err)
		}
		fresh := assessed.Valid && (f.state == ChannelScreening || !assessed.Time.Before(f.entered))
		if !fresh {
			add(work.Assess, "assess", 0, access.CaseAssess, days(assessDays))
		} else {
			var lastDue sql.NullTime
			if err := q.QueryRowContext(ctx, `SELECT due_at FROM information_requests WHERE referral_id = $1 AND answered_at IS NULL
				ORDER BY due_at DESC LIMIT 1`,
				f.id).Scan(&lastDue); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("casework: tasks: %w", err)
			}
			from := assessed.Time.UTC()
			if lastDue.Valid && lastDue.Time.After(from) {
				from = lastDue.Time.UTC()
			}
			add(work.ListForPanel, "list", 0, access.PanelManage, from.AddDate(0, 0, listDays))
		}
	case PanelListed:
		due := days(panelDays)
		var held sql.NullTime
		if err := q.QueryRowContext(ctx, `SELECT m.held_at FROM panel_agenda a JOIN panel_meetings m ON m.id = a.meeting_id
			WHERE a.referral_id = $1 AND a.added_at >= $2 ORDER BY m.held_at DESC LIMIT 1`, f.id, f.entered).Scan(&held); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("casework: tasks: %w", err)
		}
		if held.Valid {
			due = held.Time.UTC()
		}
		add(work.PanelDiscussion, "discuss", 0, access.PanelManage, due)
	case Discussed:
		add(work.PanelDecision, "decide", 0, access.PanelDecide, days(decisionDays))
	case NotAdopted:
		add(work.OnwardReferral, "onward", 0, access.CaseSupport, days(onwardDays))
	case Adopted:
		sp, ok, err := currentPlan(ctx, q, f.id)
		if err != nil {
			return nil, err
		}
		if ok && sp.ConsentPlanned() {
			add(work.RequestConsent, "request-consent", 0, access.CaseSupport, days(planDays))
		} else {
			add(work.SupportPlan, "plan", 0, access.CaseSupport, days(planDays))
		}
	case ConsentRequested:
		due := days(consentDays)
		if sp, ok, err := currentPlan(ctx, q, f.id); err != nil {
			return nil, err
		} else if ok && sp.ConsentWhen.After(f.entered) {
			due = sp.ConsentWhen.UTC()
		}
		add(work.RecordConsent, "consent", 0, access.CaseSupport, due)
	case ConsentRefused, ConsentWithdrawn:
		add(work.AfterRefusal, "after-refusal", 0, access.CaseSupport, days(afterRefusalDays))
	case SupportActive:
		var reviewed sql.NullTime
		if err := q.QueryRowContext(ctx, `SELECT at FROM case_events WHERE referral_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`,
			f.id, string(EvReviewPlan)).Scan(&reviewed); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("casework: tasks: %w", err)
		}
		from := f.entered
		if reviewed.Valid && reviewed.Time.After(from) {
			from = reviewed.Time.UTC()
		}
		add(work.PlanReview, "plan-review", 0, access.CaseSupport, from.AddDate(0, planReviewMonths, 0))
		if err := s.providerTasks(ctx, q, &f, &out); err != nil {
			return nil, err
		}
	case Exited, PostExitReview6M, PostExitReview12M, ExtendedReview:
		if err := s.reviewTasks(ctx, q, &f, add); err != nil {
			return nil, err
		}
	case Reopened:
		add(work.ReturnToPanel, "return", 0, access.PanelManage, days(returnToPanelDays))
	}
	if f.state == ChannelScreening || f.state == ReassessmentDue || f.state == PanelListed {
		rows, err := q.QueryContext(ctx, `SELECT id, to_org_id, due_at FROM information_requests WHERE referral_id = $1 AND answered_at IS NULL
			ORDER BY id`, f.id)
		if err != nil {
			return nil, fmt.Errorf("casework: tasks: %w", err)
		}
		for rows.Next() {
			var id, org prevent.ID
			var due time.Time
			if err := rows.Scan(&id, &org, &due); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, work.Task{Key: caseScope(f.id) + ":request:" + strconv.FormatInt(id, 10), Scope: caseScope(f.id),
				Kind: work.InformationRequest, PartnershipID: f.partnership, ReferralID: f.id, Reference: f.reference, ItemID: id,
				OrgID: org, Action: access.InformationAnswer, Due: due.UTC()})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// providerTasks are the provider's steps while support is in progress: plan the first session of each
// intervention, and record each planned session. They are the worker's, or their organisation's when no
// worker is named.
func (s *Service) providerTasks(ctx context.Context, q database.Querier, f *caseFacts, out *[]work.Task) error {
	rows, err := q.QueryContext(ctx, `SELECT i.id, COALESCE(i.worker_id, 0), ip.organisation_id, i.created_at,
		(SELECT count(*) FROM intervention_sessions ss WHERE ss.intervention_id = i.id)
		FROM interventions i JOIN intervention_providers ip ON ip.id = i.provider_id WHERE i.referral_id = $1 AND i.ended_at IS NULL ORDER BY i.id`, f.id)
	if err != nil {
		return fmt.Errorf("casework: tasks: %w", err)
	}
	type iv struct {
		id, worker, org prevent.ID
		created         time.Time
		sessions        int
	}
	var ivs []iv
	for rows.Next() {
		var x iv
		if err := rows.Scan(&x.id, &x.worker, &x.org, &x.created, &x.sessions); err != nil {
			rows.Close()
			return err
		}
		ivs = append(ivs, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	task := func(x iv, kind work.Kind, key string, item prevent.ID, due time.Time) work.Task {
		t := work.Task{Key: caseScope(f.id) + ":" + key, Scope: caseScope(f.id), Kind: kind, PartnershipID: f.partnership,
			ReferralID: f.id, Reference: f.reference, ItemID: item, Action: access.SessionRecord, Due: due.UTC()}
		if x.worker != 0 {
			t.PersonID = x.worker
		} else {
			t.OrgID = x.org
		}
		return t
	}
	for _, x := range ivs {
		if x.sessions == 0 {
			from := x.created.UTC()
			if f.entered.After(from) {
				from = f.entered
			}
			*out = append(*out, task(x, work.PlanSessions, "intervention:"+strconv.FormatInt(x.id, 10), x.id, from.AddDate(0, 0, firstSessionDays)))
			continue
		}
		rows, err := q.QueryContext(ctx, `SELECT id, planned_at FROM intervention_sessions WHERE intervention_id = $1 AND attendance = 'planned'
			ORDER BY planned_at, id`, x.id)
		if err != nil {
			return fmt.Errorf("casework: tasks: %w", err)
		}
		for rows.Next() {
			var id prevent.ID
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return err
			}
			*out = append(*out, task(x, work.RecordSession, "session:"+strconv.FormatInt(id, 10), id, at.UTC().AddDate(0, 0, recordSessionDays)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// reviewTasks are the post-exit reviews: each review scheduled and not completed, or, before the next one is
// scheduled, the one the exit makes due (6 months after exit, then 12, then the extended one).
func (s *Service) reviewTasks(ctx context.Context, q database.Querier, f *caseFacts, add func(work.Kind, string, prevent.ID, access.Action, time.Time)) error {
	rows, err := q.QueryContext(ctx, `SELECT id, months, due_at FROM post_exit_reviews WHERE referral_id = $1 AND completed_at IS NULL ORDER BY due_at, id`, f.id)
	if err != nil {
		return fmt.Errorf("casework: tasks: %w", err)
	}
	n := 0
	for rows.Next() {
		var id prevent.ID
		var months int
		var due time.Time
		if err := rows.Scan(&id, &months, &due); err != nil {
			rows.Close()
			return err
		}
		add(work.PostExitReview, "post-exit:"+strconv.Itoa(months), id, access.CaseSupport, due.UTC())
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var exited sql.NullTime
	var reviewMonths sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT exited_at, review_months FROM case_exits WHERE referral_id = $1 ORDER BY id DESC LIMIT 1`, f.id).
		Scan(&exited, &reviewMonths)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("casework: tasks: %w", err)
	}
	months := defaultReviewMonth
	switch f.state {
	case PostExitReview12M:
		months = 12
	case ExtendedReview:
		months = int(reviewMonths.Int64)
	}
	add(work.PostExitReview, "post-exit:"+strconv.Itoa(months), 0, access.CaseSupport, exited.Time.UTC().AddDate(0, months, 0))
	return nil
}

// TaskRulesVersion is the version of the case task rules above. Raising it makes EnsureTasks derive every open
// case's tasks again, once.
const TaskRulesVersion = 2

// taskSource names the case rules in the task store.
const taskSource = "casework"

// EnsureTasks derives the tasks of every open case again when they were derived with older rules (or never,
// as after the upgrade that brought tasks, or cases written without the service), and records the version. It
// does nothing when they are current, so it is cheap to run at every start.
func (s *Service) EnsureTasks(ctx context.Context) (int, error) {
	v, err := work.RulesVersion(ctx, s.db.Read(), taskSource)
	if err != nil || v >= TaskRulesVersion {
		return 0, err
	}
	n, err := s.SyncAllTasks(ctx, 500)
	if err != nil {
		return n, err
	}
	return n, s.db.WithTx(ctx, func(tx *database.Tx) error { return work.SetRulesVersion(ctx, tx, taskSource, TaskRulesVersion) })
}

// SyncAllTasks derives again the tasks of every case still in the pathway, and of every case that has an open
// task, in batches of batch cases each in its own transaction (for cases written without the service, such as
// a scaled demo, and after the task rules change). Closed cases yield no tasks, so they are not read. It
// returns how many cases it synced.
func (s *Service) SyncAllTasks(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	var states []any
	var ph []string
	for _, st := range OpenStages {
		for _, x := range StageStates[st] {
			states = append(states, string(x))
			ph = append(ph, "$"+strconv.Itoa(len(states)+2))
		}
	}
	q := `SELECT id FROM referrals WHERE id > $1 AND (state IN (` + joinComma(ph) + `)
		OR id IN (SELECT referral_id FROM tasks WHERE closed_at IS NULL AND referral_id > $1)) ORDER BY id LIMIT $2`
	var after prevent.ID
	n := 0
	for {
		var ids []prevent.ID
		rows, err := s.db.Read().QueryContext(ctx, q, append([]any{after, batch}, states...)...)
		if err != nil {
			return n, fmt.Errorf("casework: sync tasks: %w", err)
		}
		for rows.Next() {
			var id prevent.ID
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return n, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		if len(ids) == 0 {
			return n, nil
		}
		if err := s.db.WithTx(ctx, func(tx *database.Tx) error {
			for _, id := range ids {
				if err := s.syncTasks(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return n, err
		}
		n += len(ids)
		after = ids[len(ids)-1]
	}
}

// Officer is someone who may hold Channel cases in a partnership: a member whose role permits screening.
type Officer struct {
	ID           prevent.ID
	Name         string
	Organisation string
}

// Officers lists the people who may be made case officer in a partnership, by name.
func (s *Service) Officers(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Officer, error) {
	if !access.Decide(p, access.CaseScreen, access.Resource{Kind: "case", PartnershipID: partnershipID}, s.now()).Allow {
		return nil, access.NotFound("Partnership")
	}
	return officers(ctx, s.db.Read(), partnershipID)
}

func officers(ctx context.Context, q database.Querier, partnershipID prevent.ID) ([]Officer, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT pe.id, pe.name, o.name, m.role FROM memberships m JOIN people pe ON pe.id = m.person_id
		JOIN organisations o ON o.id = pe.organisation_id WHERE m.partnership_id = $1 AND pe.disabled_at IS NULL ORDER BY pe.name, pe.id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("casework: officers: %w", err)
	}
	defer rows.Close()
	var out []Officer
	for rows.Next() {
		var o Officer
		var role string
		if err := rows.Scan(&o.ID, &o.Name, &o.Organisation, &role); err != nil {
			return nil, err
		}
		if !slices.Contains(access.RoleActions(prevent.Role(role)), access.CaseScreen) {
			continue
		}
		if len(out) > 0 && out[len(out)-1].ID == o.ID {
			continue
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// AssignOfficer makes a person the case officer of a case (or another, replacing the first): someone of the
// partnership whose role permits screening. The case officer is assigned to the case and takes its steps.
func (s *Service) AssignOfficer(ctx context.Context, p prevent.Principal, referralID, personID prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseScreen, referralID)
		if err != nil {
			return err
		}
		if c.State.AwaitingTriage() || c.State == Draft {
			return prevent.Errorf(prevent.Conflict, "A case officer can be chosen once the police have referred the case to Channel")
		}
		os, err := officers(ctx, tx, c.PartnershipID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(os, func(o Officer) bool { return o.ID == personID })
		if i < 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "officer", Message: "Select a case officer from the list"}})
		}
		var current prevent.ID
		if err := tx.QueryRowContext(ctx, `SELECT case_officer_id FROM referrals WHERE id = $1`, referralID).Scan(&current); err != nil {
			return fmt.Errorf("casework: case officer: %w", err)
		}
		if current == personID {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET case_officer_id = $1, updated_at = $2 WHERE id = $3`, personID, s.now(), referralID); err != nil {
			return fmt.Errorf("casework: case officer: %w", err)
		}
		if err := s.assign(ctx, tx, referralID, personID, prevent.Coordinator); err != nil {
			return err
		}
		detail := "case officer: " + os[i].Name + " chosen"
		if current != 0 {
			detail = "case officer: changed to " + os[i].Name
		}
		if err := s.event(ctx, tx, p, referralID, "case_officer", c.State, c.State, detail); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "referral", referralID, c.PartnershipID, fmt.Sprintf("case officer: person %d", personID))
	})
}

// CaseloadRow is one row of the team view: the open cases of one case officer (or of none), by stage, and how
// many of them have an overdue step.
type CaseloadRow struct {
	OfficerID prevent.ID
	Officer   string // empty for cases with no case officer
	ByStage   map[Stage]int
	Open      int
	Overdue   int
}

// Caseload is the coordinator's team view of a partnership's open cases: by stage and by case officer, with
// what is overdue.
type Caseload struct {
	Stages   []Stage
	ByStage  map[Stage]int
	Overdue  map[Stage]int
	Officers []CaseloadRow
	Open     int
}

// OpenStages are the stages of cases still in the pathway, in order.
var OpenStages = []Stage{StageTriage, StageScreening, StagePanel, StageSupport, StageReview}

// Caseload counts a partnership's open cases by stage and by case officer, with the cases that have an overdue
// step at now. It shows numbers and staff names only; the read is audited.
func (s *Service) Caseload(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, now time.Time) (Caseload, error) {
	cl := Caseload{Stages: OpenStages, ByStage: map[Stage]int{}, Overdue: map[Stage]int{}}
	if !access.Decide(p, access.CaseScreen, access.Resource{Kind: "case", PartnershipID: partnershipID}, now).Allow {
		return cl, access.NotFound("Partnership")
	}
	stageOf := map[State]Stage{}
	var states []any
	var ph []string
	for _, st := range OpenStages {
		for _, x := range StageStates[st] {
			stageOf[x] = st
			states = append(states, string(x))
			ph = append(ph, "$"+strconv.Itoa(len(states)+1))
		}
	}
	in := "(" + joinComma(ph) + ")"
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.state, r.case_officer_id, COALESCE(pe.name, ''), count(*) FROM referrals r
			LEFT JOIN people pe ON pe.id = r.case_officer_id WHERE r.partnership_id = $1 AND r.state IN `+in+`
			GROUP BY r.state, r.case_officer_id, pe.name`, append([]any{partnershipID}, states...)...)
		if err != nil {
			return fmt.Errorf("casework: caseload: %w", err)
		}
		byOfficer := map[prevent.ID]*CaseloadRow{}
		for rows.Next() {
			var st State
			var officer prevent.ID
			var name string
			var n int
			if err := rows.Scan(&st, &officer, &name, &n); err != nil {
				rows.Close()
				return err
			}
			row := byOfficer[officer]
			if row == nil {
				row = &CaseloadRow{OfficerID: officer, Officer: name, ByStage: map[Stage]int{}}
				byOfficer[officer] = row
			}
			row.ByStage[stageOf[st]] += n
			row.Open += n
			cl.ByStage[stageOf[st]] += n
			cl.Open += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT r.state, r.case_officer_id, count(DISTINCT r.id) FROM tasks t JOIN referrals r ON r.id = t.referral_id
			WHERE t.closed_at IS NULL AND t.partnership_id = $1 AND t.referral_id <> 0 AND t.due_at < $2 GROUP BY r.state, r.case_officer_id`,
			partnershipID, now.UTC())
		if err != nil {
			return fmt.Errorf("casework: caseload: %w", err)
		}
		for rows.Next() {
			var st State
			var officer prevent.ID
			var n int
			if err := rows.Scan(&st, &officer, &n); err != nil {
				rows.Close()
				return err
			}
			stage, ok := stageOf[st]
			if !ok {
				continue
			}
			cl.Overdue[stage] += n
			if row := byOfficer[officer]; row != nil {
				row.Overdue += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, row := range byOfficer {
			cl.Officers = append(cl.Officers, *row)
		}
		slices.SortFunc(cl.Officers, func(a, b CaseloadRow) int {
			switch {
			case a.OfficerID == 0:
				return -1
			case b.OfficerID == 0:
				return 1
			}
			return strings.Compare(a.Officer, b.Officer)
		})
		return s.record(ctx, tx, p, audit.Consult, "referral", 0, partnershipID, fmt.Sprintf("team caseload: %d open cases", cl.Open))
	})
	return cl, err
}

func joinComma(xs []string) string { return strings.Join(xs, ", ") }
