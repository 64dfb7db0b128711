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

// query builds the condition of one list: the reader's own tasks (group 0) or the unassigned tasks their roles
// and organisation may take (group 1). ok is false when the reader can take no unassigned task.
func (s *Service) query(p prevent.Principal, group int, f Filter, now time.Time) (where string, args []any, ok bool) {
	args = []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var cond []string
	if group == 0 {
		cond = append(cond, "person_id = "+arg(p.PersonID))
	} else {
		var pools []string
		for _, pid := range p.Partnerships() {
			var acts []string
			for _, a := range actionsIn(p, pid) {
				acts = append(acts, arg(string(a)))
			}
			if len(acts) == 0 {
				continue
			}
			pools = append(pools, "(partnership_id = "+arg(pid)+" AND action IN ("+strings.Join(acts, ", ")+"))")
		}
		if len(pools) == 0 {
			return "", nil, false
		}
		cond = append(cond, "person_id = 0", "org_id IN (0, "+arg(p.OrganisationID)+")", "("+strings.Join(pools, " OR ")+")")
	}
	cond = append(cond, "closed_at IS NULL")
	if f.Group != "" {
		var ks []string
		for _, k := range Kinds {
			if k.Group() == f.Group {
				ks = append(ks, arg(string(k)))
			}
		}
		cond = append(cond, "kind IN ("+strings.Join(ks, ", ")+")")
	}
	if f.Reference != "" {
		cond = append(cond, "reference = "+arg(f.Reference))
	}
	switch f.Due {
	case DueOverdue:
		cond = append(cond, "due_at < "+arg(now))
	case DueWeek:
		cond = append(cond, "due_at < "+arg(now.AddDate(0, 0, 7)))
	}
	return strings.Join(cond, " AND "), args, true
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
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		for group := cur.group; group <= 1 && len(pg.Tasks) < f.Limit+1; group++ {
			where, args, ok := s.query(p, group, f, now)
			if !ok {
				continue
			}
			if group == cur.group && f.After != "" {
				n := len(args)
				args = append(args, cur.due, cur.id)
				where += fmt.Sprintf(" AND (due_at > $%d OR (due_at = $%d AND id > $%d))", n+1, n+1, n+2)
			}
			args = append(args, f.Limit+1-len(pg.Tasks))
			rows, err := tx.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE `+where+
				fmt.Sprintf(` ORDER BY due_at, id LIMIT $%d`, len(args)), args...)
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
		where, args, ok := s.query(p, group, f, now)
		if !ok {
			return 0, nil
		}
		if overdue {
			args = append(args, now)
			where += fmt.Sprintf(" AND due_at < $%d", len(args))
		}
		args = append(args, Counted)
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM tasks WHERE `+where+
			fmt.Sprintf(` LIMIT $%d) AS t`, len(args)), args...).Scan(&n)
		if err != nil {
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
