package programme

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

// MeetingInput is a board meeting as entered.
type MeetingInput struct {
	HeldOn    string       // "held-on"
	Title     string       // "title"
	Present   []prevent.ID // "present": people of the partnership who attended
	Apologies []prevent.ID // "apologies"
}

// Attendee is one person's attendance at a meeting.
type Attendee struct {
	PersonID prevent.ID
	Name     string
	Present  bool
}

// Meeting is a partnership board meeting with its attendance and decisions.
type Meeting struct {
	ID         prevent.ID
	HeldOn     string
	Title      string
	Attendance []Attendee
	Decisions  []BoardDecision
}

// BoardDecision is a decision the board recorded.
type BoardDecision struct {
	ID   prevent.ID
	Text string
}

// ActionStatus is the state of an action-log entry.
type ActionStatus string

// The action statuses.
const (
	ActionOpen      ActionStatus = "open"
	ActionDone      ActionStatus = "done"
	ActionCancelled ActionStatus = "cancelled"
)

// ActionInput is an action-log entry as entered.
type ActionInput struct {
	MeetingID   prevent.ID // "meeting", optional
	Description string     // "description"
	OwnerID     prevent.ID // "owner"
	DueOn       string     // "due-on"
}

// BoardAction is an entry in the partnership's action log.
type BoardAction struct {
	ID          prevent.ID
	MeetingID   prevent.ID
	Description string
	OwnerID     prevent.ID
	OwnerName   string
	DueOn       string
	Status      ActionStatus
	Overdue     bool // open and past its due date
}

// CreateMeeting records a board meeting and who attended or sent apologies.
func (s *Service) CreateMeeting(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in MeetingInput) (prevent.ID, error) {
	if err := s.decide(p, access.GovernanceEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var f prevent.Fields
		if !validDate(in.HeldOn) {
			f.Add("held-on", "Enter the date of the meeting as a real date")
		}
		checkText(&f, "title", in.Title, "Enter a title for the meeting", 200)
		for field, people := range map[string][]prevent.ID{"present": in.Present, "apologies": in.Apologies} {
			for _, person := range people {
				ok, err := memberPerson(ctx, tx, partnershipID, person)
				if err != nil {
					return err
				}
				if !ok || (field == "apologies" && slices.Contains(in.Present, person)) {
					f.Add(field, "Select people of the partnership, each either present or sending apologies")
					break
				}
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO board_meetings (partnership_id, held_on, title, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			partnershipID, in.HeldOn, strings.TrimSpace(in.Title), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: create meeting: %w", err)
		}
		for present, people := range map[bool][]prevent.ID{true: in.Present, false: in.Apologies} {
			for _, person := range people {
				if _, err := tx.ExecContext(ctx, `INSERT INTO board_attendance (meeting_id, person_id, present) VALUES ($1, $2, $3)
					ON CONFLICT DO NOTHING`, id, person, present); err != nil {
					return fmt.Errorf("programme: attendance: %w", err)
				}
			}
		}
		return s.record(ctx, tx, p, audit.Collect, "board_meeting", id, partnershipID, "recorded meeting")
	})
	return id, err
}

func meetingExists(ctx context.Context, q database.Querier, partnershipID, id prevent.ID) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM board_meetings WHERE id = $1 AND partnership_id = $2`, id, partnershipID).Scan(&n); err != nil {
		return false, fmt.Errorf("programme: meeting: %w", err)
	}
	return n > 0, nil
}

// RecordDecision records a decision of a board meeting.
func (s *Service) RecordDecision(ctx context.Context, p prevent.Principal, partnershipID, meetingID prevent.ID, text string) (prevent.ID, error) {
	if err := s.decide(p, access.GovernanceEdit, partnershipID, 0, "Meeting"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	checkText(&f, "decision", text, "Enter the decision", 5000)
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if ok, err := meetingExists(ctx, tx, partnershipID, meetingID); err != nil {
			return err
		} else if !ok {
			return access.NotFound("Meeting")
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO board_decisions (meeting_id, text, created_at) VALUES ($1, $2, $3) RETURNING id`,
			meetingID, strings.TrimSpace(text), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: record decision: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "board_meeting", meetingID, partnershipID, "recorded decision "+strconv.FormatInt(id, 10))
	})
	return id, err
}

// AddAction adds an entry to the action log.
func (s *Service) AddAction(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in ActionInput) (prevent.ID, error) {
	if err := s.decide(p, access.GovernanceEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var f prevent.Fields
		checkText(&f, "description", in.Description, "Enter the action", 2000)
		if ok, err := memberPerson(ctx, tx, partnershipID, in.OwnerID); err != nil {
			return err
		} else if !ok {
			f.Add("owner", "Select who owns the action")
		}
		if !validDate(in.DueOn) {
			f.Add("due-on", "Enter the date the action is due as a real date")
		}
		if in.MeetingID != 0 {
			if ok, err := meetingExists(ctx, tx, partnershipID, in.MeetingID); err != nil {
				return err
			} else if !ok {
				f.Add("meeting", "Select one of the partnership’s meetings")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO board_actions (partnership_id, meeting_id, description, owner_id, due_on, status, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, partnershipID, nullID(in.MeetingID), strings.TrimSpace(in.Description),
			in.OwnerID, in.DueOn, string(ActionOpen), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: add action: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "board_action", id, partnershipID, "added action")
	})
	return id, err
}

// SetActionStatus marks an action open, done or cancelled.
func (s *Service) SetActionStatus(ctx context.Context, p prevent.Principal, partnershipID, actionID prevent.ID, status ActionStatus) error {
	if err := s.decide(p, access.GovernanceEdit, partnershipID, 0, "Action"); err != nil {
		return err
	}
	if status != ActionOpen && status != ActionDone && status != ActionCancelled {
		return prevent.Validation([]prevent.FieldError{{Field: "status", Message: "Select the action’s status"}})
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE board_actions SET status = $1, updated_at = $2 WHERE id = $3 AND partnership_id = $4`,
			string(status), s.now(), actionID, partnershipID)
		if err != nil {
			return fmt.Errorf("programme: action status: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.NotFound("Action")
		}
		return s.record(ctx, tx, p, audit.Alter, "board_action", actionID, partnershipID, "status "+string(status))
	})
}

// Meetings lists the partnership's board meetings, newest first, with attendance and decisions.
func (s *Service) Meetings(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Meeting, error) {
	if err := s.decide(p, access.GovernanceView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	q := s.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT id, held_on, title FROM board_meetings WHERE partnership_id = $1 ORDER BY held_on DESC, id DESC`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: meetings: %w", err)
	}
	var out []Meeting
	for rows.Next() {
		var m Meeting
		if err := rows.Scan(&m.ID, &m.HeldOn, &m.Title); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	rows.Close()
	for i := range out {
		m := &out[i]
		rows, err := q.QueryContext(ctx, `SELECT a.person_id, pe.name, a.present FROM board_attendance a JOIN people pe ON pe.id = a.person_id
			WHERE a.meeting_id = $1 ORDER BY a.present DESC, lower(pe.name)`, m.ID)
		if err != nil {
			return nil, fmt.Errorf("programme: attendance: %w", err)
		}
		for rows.Next() {
			var a Attendee
			if err := rows.Scan(&a.PersonID, &a.Name, &a.Present); err != nil {
				rows.Close()
				return nil, err
			}
			m.Attendance = append(m.Attendance, a)
		}
		rows.Close()
		rows, err = q.QueryContext(ctx, `SELECT id, text FROM board_decisions WHERE meeting_id = $1 ORDER BY id`, m.ID)
		if err != nil {
			return nil, fmt.Errorf("programme: decisions: %w", err)
		}
		for rows.Next() {
			var d BoardDecision
			if err := rows.Scan(&d.ID, &d.Text); err != nil {
				rows.Close()
				return nil, err
			}
			m.Decisions = append(m.Decisions, d)
		}
		rows.Close()
	}
	return out, nil
}

// Actions lists the action log: open actions first by due date, then the rest.
func (s *Service) Actions(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]BoardAction, error) {
	if err := s.decide(p, access.GovernanceView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	return s.actions(ctx, s.db.Read(), partnershipID)
}

func (s *Service) actions(ctx context.Context, q database.Querier, partnershipID prevent.ID) ([]BoardAction, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, COALESCE(a.meeting_id, 0), a.description, a.owner_id, pe.name, a.due_on, a.status
		FROM board_actions a JOIN people pe ON pe.id = a.owner_id WHERE a.partnership_id = $1
		ORDER BY CASE WHEN a.status = 'open' THEN 0 ELSE 1 END, a.due_on, a.id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: actions: %w", err)
	}
	defer rows.Close()
	today := s.today()
	var out []BoardAction
	for rows.Next() {
		var a BoardAction
		if err := rows.Scan(&a.ID, &a.MeetingID, &a.Description, &a.OwnerID, &a.OwnerName, &a.DueOn, &a.Status); err != nil {
			return nil, err
		}
		a.Overdue = a.Status == ActionOpen && a.DueOn < today
		out = append(out, a)
	}
	return out, rows.Err()
}

// Briefing is a summary of the programme for elected members and MPs, generated from the
// plan's current state. It uses projects' public titles only, and carries no names of people.
type Briefing struct {
	PartnershipName string
	Area            string
	PreparedAt      time.Time
	Plan            *BriefingPlan // nil when the partnership has no plan
	Projects        []BriefingProject
	RAGCounts       map[RAG]int
	Funding         Line // totals across all streams
	OpenActions     int
	OverdueActions  int
	LastMeetingOn   string
}

// BriefingPlan is the plan the briefing describes: the active plan, else the newest.
type BriefingPlan struct {
	Year              int
	Title             string
	Status            PlanStatus
	ApprovedAt        time.Time
	SectionsCompleted int
	SectionsTotal     int
	Aims              string
}

// BriefingProject is one project as elected members see it.
type BriefingProject struct {
	PublicTitle    string
	Lead           string
	Objectives     []string // titles of the current framework's objectives it addresses
	Scope          Scope
	RAG            RAG
	RAGReason      string
	MilestonesDone int
	MilestonesAll  int
}

// Briefing prepares the briefing for elected members from the current state of the programme.
func (s *Service) Briefing(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) (Briefing, error) {
	if err := s.decide(p, access.GovernanceView, partnershipID, 0, "Partnership"); err != nil {
		return Briefing{}, err
	}
	q := s.db.Read()
	b := Briefing{PreparedAt: s.now(), RAGCounts: map[RAG]int{}}
	if err := q.QueryRowContext(ctx, `SELECT name, area FROM partnerships WHERE id = $1`, partnershipID).Scan(&b.PartnershipName, &b.Area); err != nil {
		return b, fmt.Errorf("programme: briefing: %w", err)
	}
	var planID prevent.ID
	err := q.QueryRowContext(ctx, `SELECT id FROM delivery_plans WHERE partnership_id = $1
		ORDER BY CASE WHEN status = 'active' THEN 0 ELSE 1 END, year DESC LIMIT 1`, partnershipID).Scan(&planID)
	if err == nil {
		pl, err := loadPlan(ctx, q, partnershipID, planID)
		if err != nil {
			return b, err
		}
		b.Plan = &BriefingPlan{Year: pl.Year, Title: pl.Title, Status: pl.Status, ApprovedAt: pl.ApprovedAt,
			SectionsCompleted: pl.Completed(), SectionsTotal: len(pl.Sections), Aims: pl.Sections[0].Body}
	}
	projects, err := listProjects(ctx, q, partnershipID)
	if err != nil {
		return b, err
	}
	today := s.today()
	for _, pr := range projects {
		bp := BriefingProject{PublicTitle: pr.PublicTitle, Lead: pr.Lead.Name, Scope: pr.Scope, RAG: pr.RAG, RAGReason: pr.RAGReason}
		for _, o := range pr.Objectives {
			if o.Current(today) {
				bp.Objectives = append(bp.Objectives, o.Title)
			}
		}
		if err := q.QueryRowContext(ctx, `SELECT count(*), count(done_on) FROM project_milestones WHERE project_id = $1`, pr.ID).
			Scan(&bp.MilestonesAll, &bp.MilestonesDone); err != nil {
			return b, fmt.Errorf("programme: briefing milestones: %w", err)
		}
		b.Projects = append(b.Projects, bp)
		b.RAGCounts[pr.RAG]++
	}
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_pence), 0) FROM funding_streams WHERE partnership_id = $1`, partnershipID).Scan(&b.Funding.Awarded); err != nil {
		return b, fmt.Errorf("programme: briefing funding: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(a.amount_pence), 0) FROM funding_allocations a JOIN funding_streams st ON st.id = a.stream_id
		WHERE st.partnership_id = $1`, partnershipID).Scan(&b.Funding.Allocated); err != nil {
		return b, fmt.Errorf("programme: briefing funding: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(sp.amount_pence), 0) FROM funding_spend sp JOIN funding_allocations a ON a.id = sp.allocation_id
		JOIN funding_streams st ON st.id = a.stream_id WHERE st.partnership_id = $1`, partnershipID).Scan(&b.Funding.Spent); err != nil {
		return b, fmt.Errorf("programme: briefing funding: %w", err)
	}
	b.Funding.Name, b.Funding.Variance = "Total", b.Funding.Allocated-b.Funding.Spent
	actions, err := s.actions(ctx, q, partnershipID)
	if err != nil {
		return b, err
	}
	for _, a := range actions {
		if a.Status == ActionOpen {
			b.OpenActions++
		}
		if a.Overdue {
			b.OverdueActions++
		}
	}
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(held_on), '') FROM board_meetings WHERE partnership_id = $1`, partnershipID).Scan(&b.LastMeetingOn); err != nil {
		return b, fmt.Errorf("programme: briefing meetings: %w", err)
	}
	return b, nil
}
