package work

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Service reads tasks.
type Service struct {
	db  *database.DB
	now func() time.Time
}

// Deps are what the Service needs.
type Deps struct {
	DB  *database.DB
	Now func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{db: d.DB, now: func() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }}
}

// Due filters tasks by when they are due.
type Due string

// The due-date filters.
const (
	DueAny     Due = ""
	DueOverdue Due = "overdue"
	DueWeek    Due = "week" // overdue or due within seven days
)

// Filter selects a page of the reader's tasks.
type Filter struct {
	Group     Group  // one group of kinds, or all
	Reference string // one case, by its reference
	Due       Due
	// After is the cursor of the previous page ("" for the first).
	After string
	Limit int
}

// Counted caps the counts on My work, so that a count costs the same however much work there is.
const Counted = 1000

// Counts says how much work there is, each up to Counted (a count of Counted means "Counted or more").
type Counts struct {
	Mine, Unassigned, Overdue int
}

// Page is a page of the reader's tasks: their own first, then the unassigned tasks of their organisation, each
// soonest due (so overdue) first.
type Page struct {
	Tasks []Item
	// Next is the cursor of the next page, "" when there is none.
	Next   string
	Counts Counts
}

// Item is a task as its reader sees it.
type Item struct {
	Task
	// Mine is true for a task for the reader; false for one for their organisation or role.
	Mine bool
}

// cursor is a position in the two lists: the group (0 mine, 1 unassigned), and the last due date and id.
type cursor struct {
	group int
	due   time.Time
	id    prevent.ID
}

func (c cursor) String() string {
	return fmt.Sprintf("%d.%d.%d", c.group, c.due.UnixMicro(), c.id)
}

func parseCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return cursor{}, prevent.Validation([]prevent.FieldError{{Field: "after", Message: "The page link is not valid: go back to the first page"}})
	}
	g, e1 := strconv.Atoi(parts[0])
	us, e2 := strconv.ParseInt(parts[1], 10, 64)
	id, e3 := strconv.ParseInt(parts[2], 10, 64)
	if e1 != nil || e2 != nil || e3 != nil || g < 0 || g > 1 || id < 0 {
		return cursor{}, prevent.Validation([]prevent.FieldError{{Field: "after", Message: "The page link is not valid: go back to the first page"}})
	}
	return cursor{group: g, due: time.UnixMicro(us).UTC(), id: id}, nil
}

const taskColumns = `id, task_key, scope, kind, partnership_id, referral_id, reference, item_id, person_id, org_id, action, due_at, created_at`

func scanTask(sc interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var kind, action string
	err := sc.Scan(&t.ID, &t.Key, &t.Scope, &kind, &t.PartnershipID, &t.ReferralID, &t.Reference, &t.ItemID, &t.PersonID, &t.OrgID,
		&action, &t.Due, &t.Created)
	t.Kind, t.Action = Kind(kind), access.Action(action)
	t.Due, t.Created = t.Due.UTC(), t.Created.UTC()
	return t, err
}

// list is the SQL of one of the reader's lists: the reader's own tasks (group 0) or the unassigned tasks their
// roles and organisation may take (group 1). The unassigned list is the union of one branch per partnership,
// action and organisation (theirs, or any), each read in due order from its own index range and cut to the
// page, so that a page costs the same however many tasks there are.
type list struct {
	branches []string // each a condition on tasks; the list is their union
	args     []any
}

func (l *list) arg(v any) string {
	l.args = append(l.args, v)
	return "$" + strconv.Itoa(len(l.args))
}

// taskActions are the actions tasks are for; an unassigned list needs a branch only for these.
var taskActions = []access.Action{access.CaseTriage, access.CaseScreen, access.InformationAnswer, access.CaseAssess,
	access.PanelManage, access.PanelDecide, access.CaseSupport, access.SessionRecord, access.SubjectAccessManage,
	access.NoticeWork, access.AgreementManage, access.DueDiligenceEdit}

// query builds one list under the filter (and after the cursor when after is set). ok is false when the list is
// empty by construction (the reader can take no unassigned task).
func (s *Service) query(p prevent.Principal, group int, f Filter, now time.Time, after *cursor) (l list, ok bool) {
	var common []string
	common = append(common, "closed_at IS NULL")
	var parts []string
	if group == 0 {
		parts = append(parts, "person_id = "+l.arg(p.PersonID))
	} else {
		for _, pid := range p.Partnerships() {
			for _, a := range actionsIn(p, pid) {
				if !slices.Contains(taskActions, a) {
					continue
				}
				for _, org := range []prevent.ID{0, p.OrganisationID} {
					parts = append(parts, "person_id = 0 AND partnership_id = "+l.arg(pid)+" AND action = "+l.arg(string(a))+
						" AND org_id = "+l.arg(org))
				}
			}
		}
		if len(parts) == 0 {
			return l, false
		}
	}
	if f.Group != "" {
		var ks []string
		for _, k := range Kinds {
			if k.Group() == f.Group {
				ks = append(ks, l.arg(string(k)))
			}
		}
		common = append(common, "kind IN ("+strings.Join(ks, ", ")+")")
	}
	if f.Reference != "" {
		common = append(common, "reference = "+l.arg(f.Reference))
	}
	switch f.Due {
	case DueOverdue:
		common = append(common, "due_at < "+l.arg(now))
	case DueWeek:
		common = append(common, "due_at < "+l.arg(now.AddDate(0, 0, 7)))
	}
	if after != nil {
		d, id := l.arg(after.due), l.arg(after.id)
		common = append(common, "(due_at > "+d+" OR (due_at = "+d+" AND id > "+id+"))")
	}
	tail := strings.Join(common, " AND ")
	for _, part := range parts {
		l.branches = append(l.branches, part+" AND "+tail)
	}
	return l, true
}

// page is the SQL of a page of n tasks of the list, soonest due first.
func (l *list) page(n int) string {
	lim := l.arg(n)
	if len(l.branches) == 1 {
		return `SELECT ` + taskColumns + ` FROM tasks WHERE ` + l.branches[0] + ` ORDER BY due_at, id LIMIT ` + lim
	}
	subs := make([]string, len(l.branches))
	for i, b := range l.branches {
		subs[i] = `SELECT * FROM (SELECT ` + taskColumns + ` FROM tasks WHERE ` + b + ` ORDER BY due_at, id LIMIT ` + lim + `) AS b` + strconv.Itoa(i)
	}
	return `SELECT ` + taskColumns + ` FROM (` + strings.Join(subs, " UNION ALL ") + `) AS u ORDER BY due_at, id LIMIT ` + lim
}

// count is the SQL of the list's size, up to Counted.
func (l *list) count() string {
	return `SELECT count(*) FROM (SELECT 1 FROM tasks WHERE (` + strings.Join(l.branches, ") OR (") + `) LIMIT ` + l.arg(Counted) + `) AS t`
}

// actionsIn is every action the principal's roles in a partnership permit.
func actionsIn(p prevent.Principal, pid prevent.ID) []access.Action {
	var out []access.Action
	for _, r := range p.RolesIn(pid) {
		for _, a := range access.RoleActions(r) {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}

// allowed is the policy's last word on a task: the reader's role in the task's partnership must permit its
// action (the page the task links to decides again on the record itself).
func allowed(p prevent.Principal, t Task, now time.Time) bool {
	assigned := []prevent.ID{t.PersonID}
	return access.Decide(p, t.Action, access.Resource{Kind: "task", PartnershipID: t.PartnershipID, OwnerOrg: t.OrgID,
		Assigned: assigned}, now).Allow
}

// Mine returns a page of the reader's tasks, with counts. The read is audited (it lists case references).
func (s *Service) Mine(ctx context.Context, p prevent.Principal, f Filter) (Page, error) {
	var pg Page
	if p.Anonymous() {
		return pg, access.NotFound("Tasks")
	}
	if f.Group != "" && !f.Group.Valid() {
		return pg, prevent.Validation([]prevent.FieldError{{Field: "type", Message: "Select a type of task from the list"}})
	}
	switch f.Due {
	case DueAny, DueOverdue, DueWeek:
	default:
		return pg, prevent.Validation([]prevent.FieldError{{Field: "due", Message: "Select when the tasks are due from the list"}})
	}
	f.Reference = strings.ToUpper(strings.TrimSpace(f.Reference))
	if len(f.Reference) > 64 {
		return pg, prevent.Validation([]prevent.FieldError{{Field: "case", Message: "Enter a case reference of 64 characters or fewer"}})
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	cur, err := parseCursor(f.After)
	if err != nil {
		return pg, err
	}
	now := s.now()
	err = s.db.WithRead(ctx, func(tx *database.Tx) error {
		for group := cur.group; group <= 1 && len(pg.Tasks) < f.Limit+1; group++ {
			var after *cursor
			if group == cur.group && f.After != "" {
				after = &cur
			}
			l, ok := s.query(p, group, f, now, after)
			if !ok {
				continue
			}
			rows, err := tx.QueryContext(ctx, l.page(f.Limit+1-len(pg.Tasks)), l.args...)
			if err != nil {
				return fmt.Errorf("work: my tasks: %w", err)
			}
			for rows.Next() {
				t, err := scanTask(rows)
				if err != nil {
					rows.Close()
					return err
				}
				pg.Tasks = append(pg.Tasks, Item{Task: t, Mine: group == 0})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if len(pg.Tasks) > f.Limit {
			last := pg.Tasks[f.Limit-1]
			g := 1
			if last.Mine {
				g = 0
			}
			pg.Next = cursor{group: g, due: last.Due, id: last.ID}.String()
			pg.Tasks = pg.Tasks[:f.Limit]
		}
		kept := pg.Tasks[:0]
		for _, t := range pg.Tasks {
			if t.Mine || allowed(p, t.Task, now) {
				kept = append(kept, t)
			}
		}
		pg.Tasks = kept
		var err error
		if pg.Counts, err = s.counts(ctx, tx, p, f, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, fmt.Sprintf("my work: %d tasks listed", len(pg.Tasks)))
	})
	return pg, err
}

// counts counts the reader's tasks under the filter's type and case (not its due date), each up to Counted.
func (s *Service) counts(ctx context.Context, tx *database.Tx, p prevent.Principal, f Filter, now time.Time) (Counts, error) {
	var c Counts
	f.Due = DueAny
	count := func(group int, overdue bool) (int, error) {
		g := f
		if overdue {
			g.Due = DueOverdue
		}
		l, ok := s.query(p, group, g, now, nil)
		if !ok {
			return 0, nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, l.count(), l.args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("work: count tasks: %w", err)
		}
		return n, nil
	}
	var err error
	if c.Mine, err = count(0, false); err != nil {
		return c, err
	}
	if c.Unassigned, err = count(1, false); err != nil {
		return c, err
	}
	om, err := count(0, true)
	if err != nil {
		return c, err
	}
	ou, err := count(1, true)
	if err != nil {
		return c, err
	}
	c.Overdue = min(om+ou, Counted)
	return c, nil
}

func (s *Service) audit(ctx context.Context, tx *database.Tx, p prevent.Principal, detail string) error {
	e := audit.New(ctx, s.now(), audit.Consult, "task", 0)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.Purpose = "Prevent casework"
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("work: audit: %w", err)
	}
	return nil
}

// Pending is one open task for one person: for notifications, which carry neither the task's case nor any
// personal data.
type Pending struct {
	PersonID  prevent.ID
	TaskKey   string
	CreatedAt time.Time
	Due       time.Time
}

// Pending lists every open task of every person, tasks for an organisation or a role expanded to each member of
// the partnership whose organisation and role fit. It reads no personal data.
func (s *Service) Pending(ctx context.Context, now time.Time) ([]Pending, error) {
	type member struct {
		person, org prevent.ID
		role        prevent.Role
	}
	members := map[prevent.ID][]member{}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT m.partnership_id, m.person_id, m.role, pe.organisation_id
		FROM memberships m JOIN people pe ON pe.id = m.person_id ORDER BY m.person_id`)
	if err != nil {
		return nil, fmt.Errorf("work: pending: %w", err)
	}
	for rows.Next() {
		var pid prevent.ID
		var m member
		var role string
		if err := rows.Scan(&pid, &m.person, &role, &m.org); err != nil {
			rows.Close()
			return nil, err
		}
		m.role = prevent.Role(role)
		members[pid] = append(members[pid], m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.Read().QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE closed_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("work: pending: %w", err)
	}
	defer rows.Close()
	var out []Pending
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		if t.PersonID != 0 {
			out = append(out, Pending{PersonID: t.PersonID, TaskKey: t.Key, CreatedAt: t.Created, Due: t.Due})
			continue
		}
		var told []prevent.ID
		for _, m := range members[t.PartnershipID] {
			if (t.OrgID != 0 && m.org != t.OrgID) || slices.Contains(told, m.person) || !slices.Contains(access.RoleActions(m.role), t.Action) {
				continue
			}
			told = append(told, m.person)
			out = append(out, Pending{PersonID: m.person, TaskKey: t.Key, CreatedAt: t.Created, Due: t.Due})
		}
	}
	return out, rows.Err()
}

// OpenForCases returns the open tasks of some cases, for a case page or a team view; the caller has decided
// that the reader may see those cases.
func OpenForCases(ctx context.Context, q database.Querier, referralIDs []prevent.ID) ([]Task, error) {
	if len(referralIDs) == 0 {
		return nil, nil
	}
	ph := make([]string, len(referralIDs))
	args := make([]any, len(referralIDs))
	for i, id := range referralIDs {
		ph[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	rows, err := q.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE closed_at IS NULL AND referral_id IN (`+
		strings.Join(ph, ", ")+`) ORDER BY due_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("work: case tasks: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Statement is one SQL statement with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// MineSQL returns the statements Mine runs for the first page of a filter (both lists, then the four counts), for
// benchmarks that compare Mine with its raw SQL and for tests of their query plans.
func (s *Service) MineSQL(p prevent.Principal, f Filter) []Statement {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	now := s.now()
	var out []Statement
	for group := 0; group <= 1; group++ {
		if l, ok := s.query(p, group, f, now, nil); ok {
			out = append(out, Statement{SQL: l.page(f.Limit + 1), Args: l.args})
		}
	}
	for _, overdue := range []bool{false, true} {
		g := f
		g.Due = DueAny
		if overdue {
			g.Due = DueOverdue
		}
		for group := 0; group <= 1; group++ {
			if l, ok := s.query(p, group, g, now, nil); ok {
				out = append(out, Statement{SQL: l.count(), Args: l.args})
			}
		}
	}
	return out
}
