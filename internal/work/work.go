// Package work is the task model: every step of the partnership's work that someone has to take has an owner
// and a due date. Domain packages derive their tasks from their own records and keep them in step, in the same
// transaction as each change, with Sync; a task closes itself when the step it names is done, because the
// record no longer yields it. A task is for one person, or for the people of an organisation (or of any
// organisation of the partnership) whose role permits the task's action. Tasks carry references only, never
// personal data, so that lists of them, counts and notifications can go where case data may not.
package work

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
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Kind names a kind of task.
type Kind string

// The kinds of task. Each has a plain title (Title) and belongs to a group that My work filters on.
const (
	Triage             Kind = "triage"              // police: triage a submitted referral
	AssignOfficer      Kind = "assign_officer"      // coordinator: choose the case officer of a Channel case
	InformationRequest Kind = "information_request" // a partner: answer a screening information request
	Assess             Kind = "assess"              // case officer: record the assessment of vulnerability
	ListForPanel       Kind = "list_for_panel"      // case officer: put the case on a panel meeting's agenda
	PanelDiscussion    Kind = "panel_discussion"    // panel: discuss the case at the meeting
	PanelDecision      Kind = "panel_decision"      // panel: decide whether to adopt
	OnwardReferral     Kind = "onward_referral"     // case officer: health or social care after not adopting
	SupportPlan        Kind = "support_plan"        // case officer: say how, when and by whom consent is sought
	RequestConsent     Kind = "request_consent"     // case officer: request consent to support
	RecordConsent      Kind = "record_consent"      // case officer: record the consent decision
	AfterRefusal       Kind = "after_refusal"       // case officer: decide what follows refused or withdrawn consent
	PlanReview         Kind = "plan_review"         // case officer: review the support plan
	PlanSessions       Kind = "plan_sessions"       // provider: plan the first session of an intervention
	RecordSession      Kind = "record_session"      // provider: record what happened at a session
	PostExitReview     Kind = "post_exit_review"    // case officer: carry out a post-exit review
	ReturnToPanel      Kind = "return_to_panel"     // case officer: return a reopened case to panel
	SubjectAccess      Kind = "subject_access"      // data protection officer: answer a subject access request
	Notice             Kind = "notice"              // a recipient organisation: act on a notice
	AgreementReview    Kind = "agreement_review"    // data protection officer: review a sharing agreement
	DueDiligence       Kind = "due_diligence"       // programme: review a funded group's due diligence
)

// Group gathers kinds for the My work filter.
type Group string

// The groups, in pathway order.
const (
	GroupTriage     Group = "triage"
	GroupScreening  Group = "screening"
	GroupPanel      Group = "panel"
	GroupSupport    Group = "support"
	GroupReview     Group = "review"
	GroupGovernance Group = "governance"
)

type kindInfo struct {
	title string
	group Group
}

var kinds = map[Kind]kindInfo{
	Triage:             {"Triage the referral", GroupTriage},
	AssignOfficer:      {"Choose a case officer", GroupScreening},
	InformationRequest: {"Answer an information request", GroupScreening},
	Assess:             {"Record the assessment", GroupScreening},
	ListForPanel:       {"List the case for a panel meeting", GroupScreening},
	PanelDiscussion:    {"Discuss the case at the panel meeting", GroupPanel},
	PanelDecision:      {"Record the panel’s decision", GroupPanel},
	OnwardReferral:     {"Consider health or social care, then close the case", GroupPanel},
	SupportPlan:        {"Record the support plan", GroupSupport},
	RequestConsent:     {"Request consent to support", GroupSupport},
	RecordConsent:      {"Record the consent decision", GroupSupport},
	AfterRefusal:       {"Decide what happens after consent was refused or withdrawn", GroupSupport},
	PlanReview:         {"Review the support plan", GroupSupport},
	PlanSessions:       {"Plan the first session of an intervention", GroupSupport},
	RecordSession:      {"Record what happened at a session", GroupSupport},
	PostExitReview:     {"Carry out the post-exit review", GroupReview},
	ReturnToPanel:      {"Return the reopened case to panel", GroupReview},
	SubjectAccess:      {"Answer a subject access request", GroupGovernance},
	Notice:             {"Act on a notice about information your organisation received", GroupGovernance},
	AgreementReview:    {"Review an information-sharing agreement", GroupGovernance},
	DueDiligence:       {"Review a funded group’s due diligence", GroupGovernance},
}

// Kinds lists every kind, in pathway order.
var Kinds = []Kind{Triage, AssignOfficer, InformationRequest, Assess, ListForPanel, PanelDiscussion, PanelDecision,
	OnwardReferral, SupportPlan, RequestConsent, RecordConsent, AfterRefusal, PlanReview, PlanSessions, RecordSession,
	PostExitReview, ReturnToPanel, SubjectAccess, Notice, AgreementReview, DueDiligence}

// Groups lists the groups with their names, in pathway order.
var Groups = []struct {
	Group Group
	Name  string
}{{GroupTriage, "Triage"}, {GroupScreening, "Screening"}, {GroupPanel, "Panel"}, {GroupSupport, "Support"},
	{GroupReview, "Reviews after exit"}, {GroupGovernance, "Information governance and programme"}}

// Title is what the task asks, in plain words.
func (k Kind) Title() string {
	if i, ok := kinds[k]; ok {
		return i.title
	}
	return "A task"
}

// Group is the kind's group.
func (k Kind) Group() Group { return kinds[k].group }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kinds[k]; return ok }

// Valid reports whether g is a known group.
func (g Group) Valid() bool {
	return slices.ContainsFunc(Groups, func(x struct {
		Group Group
		Name  string
	}) bool {
		return x.Group == g
	})
}

// Task is one step someone has to take.
type Task struct {
	ID prevent.ID
	// Key is unique among open tasks and stable for the task's life, for example "case:12:triage".
	Key string
	// Scope is the record the task belongs to, for example "case:12"; Sync replaces a scope's tasks at once.
	Scope         string
	Kind          Kind
	PartnershipID prevent.ID
	// ReferralID is the case the task is about (0 for none) and Reference its reference.
	ReferralID prevent.ID
	Reference  string
	// ItemID is the record within the case or scope the task is about (a request, a session, a review).
	ItemID prevent.ID
	// PersonID is the person the task is for; when 0 it is for the people of OrgID (0: of any organisation of
	// the partnership) whose role permits Action.
	PersonID prevent.ID
	OrgID    prevent.ID
	Action   access.Action
	Due      time.Time
	Created  time.Time
}

// Overdue reports whether the task is past its due date at now.
func (t Task) Overdue(now time.Time) bool { return now.After(t.Due) }

// Title is what the task asks, in plain words.
func (t Task) Title() string { return t.Kind.Title() }

type openRow struct {
	id               prevent.ID
	kind             string
	reference        string
	item, person, or prevent.ID
	action           string
	due              time.Time
}

// Sync makes the open tasks of scope exactly want, inside tx: tasks no longer wanted are closed (at now), new
// ones are opened, and changed ones (owner, due date) are updated in place, keeping their age. Every task in
// want must have the scope, a key, a kind, a partnership, an action and a due date.
func Sync(ctx context.Context, tx *database.Tx, scope string, want []Task, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	for _, t := range want {
		if t.Scope != scope || t.Key == "" || !t.Kind.Valid() || t.PartnershipID == 0 || t.Action == "" || t.Due.IsZero() {
			return fmt.Errorf("work: sync %s: incomplete task %+v", scope, t)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, task_key, kind, reference, item_id, person_id, org_id, action, due_at FROM tasks
		WHERE scope = $1 AND closed_at IS NULL`, scope)
	if err != nil {
		return fmt.Errorf("work: sync %s: %w", scope, err)
	}
	have := map[string]openRow{}
	for rows.Next() {
		var r openRow
		var key string
		if err := rows.Scan(&r.id, &key, &r.kind, &r.reference, &r.item, &r.person, &r.or, &r.action, &r.due); err != nil {
			rows.Close()
			return err
		}
		have[key] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, t := range want {
		if seen[t.Key] {
			continue
		}
		seen[t.Key] = true
		due := t.Due.UTC().Truncate(time.Microsecond)
		if r, ok := have[t.Key]; ok {
			if r.kind == string(t.Kind) && r.reference == t.Reference && r.item == t.ItemID && r.person == t.PersonID &&
				r.or == t.OrgID && r.action == string(t.Action) && r.due.Equal(due) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE tasks SET kind = $1, reference = $2, item_id = $3, person_id = $4, org_id = $5,
				action = $6, due_at = $7 WHERE id = $8`, string(t.Kind), t.Reference, t.ItemID, t.PersonID, t.OrgID, string(t.Action),
				due, r.id); err != nil {
				return fmt.Errorf("work: sync %s: %w", scope, err)
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tasks (task_key, scope, kind, partnership_id, referral_id, reference, item_id,
			person_id, org_id, action, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			t.Key, scope, string(t.Kind), t.PartnershipID, t.ReferralID, t.Reference, t.ItemID, t.PersonID, t.OrgID,
			string(t.Action), due, now); err != nil {
			return fmt.Errorf("work: sync %s: %w", scope, err)
		}
	}
	for key, r := range have {
		if seen[key] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET closed_at = $1 WHERE id = $2`, now, r.id); err != nil {
			return fmt.Errorf("work: sync %s: %w", scope, err)
		}
	}
	return nil
}

// SyncPrefix replaces the open tasks of every scope that starts with prefix (for example "sharing:3:") with
// want, grouped by their scopes: the way a domain reconciles tasks it derives from time or from records it
// does not change itself.
func SyncPrefix(ctx context.Context, tx *database.Tx, prefix string, want []Task, now time.Time) error {
	byScope := map[string][]Task{}
	for _, t := range want {
		if !strings.HasPrefix(t.Scope, prefix) {
			return fmt.Errorf("work: sync %s: task of scope %s", prefix, t.Scope)
		}
		byScope[t.Scope] = append(byScope[t.Scope], t)
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT scope FROM tasks WHERE closed_at IS NULL AND scope >= $1 AND scope < $2`,
		prefix, prefix+"\uffff")
	if err != nil {
		return fmt.Errorf("work: sync %s: %w", prefix, err)
	}
	var scopes []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		scopes = append(scopes, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for s := range byScope {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	slices.Sort(scopes)
	for _, s := range scopes {
		if err := Sync(ctx, tx, s, byScope[s], now); err != nil {
			return err
		}
	}
	return nil
}

// Path is the service path of the page that takes the task's step (the page decides access again).
func (t Task) Path() string {
	p := "/partnerships/" + strconv.FormatInt(t.PartnershipID, 10)
	c := p + "/cases/" + strconv.FormatInt(t.ReferralID, 10)
	item := strconv.FormatInt(t.ItemID, 10)
	switch t.Kind {
	case Triage:
		return c + "/triage"
	case AssignOfficer:
		return c + "/officer"
	case InformationRequest:
		return c + "/information-requests/" + item
	case Assess:
		return c + "/assessment/new"
	case ListForPanel:
		return c + "/panel/list"
	case PanelDiscussion, PanelDecision, OnwardReferral, ReturnToPanel:
		return c + "/panel"
	case SupportPlan:
		return c + "/plan/edit"
	case RecordConsent:
		return c + "/consent/new"
	case AfterRefusal:
		return c + "/after-refusal"
	case RequestConsent, PlanReview, PlanSessions:
		return c + "/plan"
	case RecordSession:
		return c + "/sessions/" + item
	case PostExitReview:
		if t.ItemID != 0 {
			return c + "/reviews/" + item
		}
		return c + "/plan"
	case SubjectAccess:
		return p + "/sharing/subject-access/" + item
	case Notice:
		return p + "/notices/" + item
	case AgreementReview:
		return p + "/sharing/agreements/" + item
	case DueDiligence:
		return p + "/programme/due-diligence/organisations/" + item + "/review"
	}
	if t.ReferralID != 0 {
		return c
	}
	return "/work"
}

// RulesVersion returns the version of a source's task rules that its open tasks were derived with (0: never).
func RulesVersion(ctx context.Context, q database.Querier, source string) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT version FROM task_rules WHERE source = $1`, source).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("work: rules version: %w", err)
	}
	return v, nil
}

// SetRulesVersion records that a source's open tasks were derived with version v of its rules.
func SetRulesVersion(ctx context.Context, tx *database.Tx, source string, v int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO task_rules (source, version) VALUES ($1, $2)
		ON CONFLICT (source) DO UPDATE SET version = excluded.version`, source, v)
	if err != nil {
		return fmt.Errorf("work: rules version: %w", err)
	}
	return nil
}
