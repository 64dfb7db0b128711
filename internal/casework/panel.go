package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// PanelRole is a member's role in a Channel panel.
type PanelRole string

// The roles in a panel: the local authority chair, a police representative, and other members.
const (
	RoleChair  PanelRole = "chair"
	RolePolice PanelRole = "police"
	RoleMember PanelRole = "member"
)

func (r PanelRole) valid() bool { return r == RoleChair || r == RolePolice || r == RoleMember }

// Panel is a Channel panel of one local authority, or a combined panel of several.
type Panel struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	Name          string
	Areas         []string // local authorities covered
	// Member reports whether the reader sits on the panel.
	Member bool
}

// PanelMemberInput adds a person to a panel. Areas, for a police representative, are the local authorities
// their force covers (none: all of the panel's).
type PanelMemberInput struct {
	PersonID prevent.ID
	Role     PanelRole
	Areas    []string
}

// DecisionKind is what a panel decides on a case.
type DecisionKind string

// The panel decisions.
const (
	DecideAdopt    DecisionKind = "adopt"
	DecideNotAdopt DecisionKind = "not_adopt"
	DecideContinue DecisionKind = "continue_support"
	DecideRevise   DecisionKind = "revise_plan"
	DecideExit     DecisionKind = "exit"
	DecideTransfer DecisionKind = "transfer"
)

var decisionNames = map[DecisionKind]string{
	DecideAdopt: "adopted", DecideNotAdopt: "not adopted", DecideContinue: "support continued",
	DecideRevise: "plan revised", DecideExit: "exited", DecideTransfer: "transferred to another panel",
}

// String is the decision as the minutes name it.
func (k DecisionKind) String() string {
	if n, ok := decisionNames[k]; ok {
		return n
	}
	return string(k)
}

// Reached is how a decision was reached (CTSA 2015 s37(6) where there is no consensus).
type Reached string

// How decisions are reached.
const (
	Unanimous    Reached = "unanimous"
	Majority     Reached = "majority"
	ChairCasting Reached = "chair_casting"
)

func (r Reached) valid() bool { return r == Unanimous || r == Majority || r == ChairCasting }

// DecisionInput is a panel's decision on a case at a meeting.
type DecisionInput struct {
	Kind      DecisionKind
	Rationale string
	Reached   Reached
	// Not adopting: the s36(6) consideration of a referral to health or social care services, and where
	// the person goes next: a signposting service, or else a reason for no further action.
	HealthSocialCareConsideration string
	SignpostService               string // SignpostServices code
	CloseReason                   string // TriageReasons code
	// Exit: the outcome code (ExitOutcomes, one of the EXIT_ codes).
	ExitOutcome string
	// Transfer: the receiving panel, and that it has accepted.
	TransferTo             string
	ReceivingPanelAccepted bool
}

func splitAreas(areas []string) string {
	var out []string
	for _, a := range areas {
		if a = strings.TrimSpace(a); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return strings.Join(out, "\n")
}

func parseAreas(s string) []string {
	var out []string
	for _, a := range strings.Split(s, "\n") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func panelResource(partnershipID prevent.ID) access.Resource {
	return access.Resource{Kind: "panel", PartnershipID: partnershipID}
}

// panelPartnership returns the partnership of a panel, or NotFound unless p may take action there.
func (s *Service) panelPartnership(ctx context.Context, q database.Querier, p prevent.Principal, action access.Action, panelID prevent.ID) (Panel, error) {
	pn := Panel{ID: panelID}
	var areas string
	err := q.QueryRowContext(ctx, `SELECT partnership_id, name, areas FROM panels WHERE id = $1`, panelID).Scan(&pn.PartnershipID, &pn.Name, &areas)
	if errors.Is(err, sql.ErrNoRows) {
		return pn, access.NotFound("Panel")
	}
	if err != nil {
		return pn, fmt.Errorf("casework: panel: %w", err)
	}
	pn.Areas = parseAreas(areas)
	if !access.Decide(p, action, panelResource(pn.PartnershipID), s.now()).Allow {
		return pn, access.NotFound("Panel")
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM panel_members WHERE panel_id = $1 AND person_id = $2`, panelID, p.PersonID).Scan(&n); err != nil {
		return pn, fmt.Errorf("casework: panel: %w", err)
	}
	pn.Member = n > 0
	return pn, nil
}

// meetingPanel returns the panel of a meeting, or NotFound unless p may take action there.
func (s *Service) meetingPanel(ctx context.Context, q database.Querier, p prevent.Principal, action access.Action, meetingID prevent.ID) (Panel, time.Time, error) {
	var panelID prevent.ID
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT panel_id, held_at FROM panel_meetings WHERE id = $1`, meetingID).Scan(&panelID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Panel{}, at, access.NotFound("Panel meeting")
	}
	if err != nil {
		return Panel{}, at, fmt.Errorf("casework: meeting: %w", err)
	}
	pn, err := s.panelPartnership(ctx, q, p, action, panelID)
	if err != nil {
		return pn, at, access.NotFound("Panel meeting")
	}
	return pn, at, nil
}

func (s *Service) panelAudit(ctx context.Context, tx *database.Tx, p prevent.Principal, kind string, id, partnershipID prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), audit.Admin, kind, id)
	e.ActorID, e.ActorOrg, e.PartnershipID = p.PersonID, p.OrganisationID, partnershipID
	e.Purpose, e.Detail = "Channel panel administration", detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("casework: audit: %w", err)
	}
	return nil
}

// CreatePanel sets up a Channel panel for one local authority or, with several areas, a combined panel.
func (s *Service) CreatePanel(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, name string, areas []string) (prevent.ID, error) {
	var f prevent.Fields
	if strings.TrimSpace(name) == "" || len(name) > 200 {
		f.Add("name", "Enter the panel’s name, in 200 characters or fewer")
	}
	if splitAreas(areas) == "" {
		f.Add("areas", "Enter the local authorities the panel covers")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if !access.Decide(p, access.PanelManage, panelResource(partnershipID), s.now()).Allow {
			return access.NotFound("Partnership")
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO panels (partnership_id, name, areas, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			partnershipID, strings.TrimSpace(name), splitAreas(areas), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("casework: create panel: %w", err)
		}
		return s.panelAudit(ctx, tx, p, "panel", id, partnershipID, "panel: created")
	})
	return id, err
}

// Panels lists the partnership's panels.
func (s *Service) Panels(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Panel, error) {
	if !access.Decide(p, access.PanelView, panelResource(partnershipID), s.now()).Allow {
		return nil, access.NotFound("Partnership")
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, name, areas,
		EXISTS (SELECT 1 FROM panel_members m WHERE m.panel_id = panels.id AND m.person_id = $2)
		FROM panels WHERE partnership_id = $1 ORDER BY name, id`, partnershipID, p.PersonID)
	if err != nil {
		return nil, fmt.Errorf("casework: panels: %w", err)
	}
	defer rows.Close()
	var out []Panel
	for rows.Next() {
		pn := Panel{PartnershipID: partnershipID}
		var areas string
		if err := rows.Scan(&pn.ID, &pn.Name, &areas, &pn.Member); err != nil {
			return nil, err
		}
		pn.Areas = parseAreas(areas)
		out = append(out, pn)
	}
	return out, rows.Err()
}

// AddPanelMember adds a member of the partnership to a panel. The chair must be of a local authority and a
// police representative of a police force.
func (s *Service) AddPanelMember(ctx context.Context, p prevent.Principal, panelID prevent.ID, in PanelMemberInput) (prevent.ID, error) {
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, err := s.panelPartnership(ctx, tx, p, access.PanelManage, panelID)
		if err != nil {
			return err
		}
		if !in.Role.valid() {
			return prevent.Validation([]prevent.FieldError{{Field: "role", Message: "Select the member’s role in the panel"}})
		}
		var org prevent.ID
		var sector string
		err = tx.QueryRowContext(ctx, `SELECT o.id, o.sector FROM people pe JOIN organisations o ON o.id = pe.organisation_id
			WHERE pe.id = $1 AND EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = pe.id AND m.partnership_id = $2)`,
			in.PersonID, pn.PartnershipID).Scan(&org, &sector)
		if errors.Is(err, sql.ErrNoRows) {
			return prevent.Validation([]prevent.FieldError{{Field: "person", Message: "Select a member of the partnership"}})
		}
		if err != nil {
			return fmt.Errorf("casework: panel member: %w", err)
		}
		if in.Role == RoleChair && sector != "local_authority" {
			return prevent.Validation([]prevent.FieldError{{Field: "person", Message: "The chair must be from the local authority"}})
		}
		if in.Role == RolePolice && sector != "police" {
			return prevent.Validation([]prevent.FieldError{{Field: "person", Message: "A police representative must be from a police force"}})
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO panel_members (panel_id, person_id, organisation_id, panel_role, areas, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (panel_id, person_id, panel_role) DO UPDATE SET areas = excluded.areas RETURNING id`,
			panelID, in.PersonID, org, string(in.Role), splitAreas(in.Areas), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("casework: panel member: %w", err)
		}
		return s.panelAudit(ctx, tx, p, "panel", panelID, pn.PartnershipID, "panel: member added as "+string(in.Role))
	})
	return id, err
}

// ScheduleMeeting creates a meeting of a panel.
func (s *Service) ScheduleMeeting(ctx context.Context, p prevent.Principal, panelID prevent.ID, at time.Time) (prevent.ID, error) {
	if at.IsZero() {
		return 0, prevent.Validation([]prevent.FieldError{{Field: "date", Message: "Enter the date of the meeting"}})
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, err := s.panelPartnership(ctx, tx, p, access.PanelManage, panelID)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO panel_meetings (panel_id, held_at, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			panelID, at.UTC().Truncate(time.Microsecond), p.PersonID, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("casework: meeting: %w", err)
		}
		return s.panelAudit(ctx, tx, p, "panel_meeting", id, pn.PartnershipID, "panel: meeting scheduled")
	})
	return id, err
}

// ListForPanel lists a case in screening (or due reassessment) for a panel and puts it on the agenda of one
// of the panel's meetings that has not yet taken place: every information request must be answered or past
// due, and an assessment recorded. The panel pack goes to the panel: the case is disclosed to each member
// organisation of the panel other than the coordinator's (share says what and why; the recipients are that
// organisation's panel members), and every member of the panel is assigned to the case, so that they may see
// the cases listed at their panel. All of it commits or fails together.
func (s *Service) ListForPanel(ctx context.Context, p prevent.Principal, referralID, panelID, meetingID prevent.ID, share sharing.DisclosureInput) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseScreen, referralID)
		if err != nil {
			return err
		}
		pn, err := s.panelPartnership(ctx, tx, p, access.PanelManage, panelID)
		if err != nil || pn.PartnershipID != c.PartnershipID {
			return prevent.Validation([]prevent.FieldError{{Field: "panel", Message: "Select a panel of the partnership"}})
		}
		now := s.now()
		var meetingPanel prevent.ID
		var held time.Time
		err = tx.QueryRowContext(ctx, `SELECT panel_id, held_at FROM panel_meetings WHERE id = $1`, meetingID).Scan(&meetingPanel, &held)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && meetingPanel != pn.ID) {
			return prevent.Validation([]prevent.FieldError{{Field: "meeting", Message: "Select a meeting of the panel"}})
		}
		if err != nil {
			return fmt.Errorf("casework: list for panel: %w", err)
		}
		if (Meeting{HeldAt: held}).Past(now) {
			return prevent.Validation([]prevent.FieldError{{Field: "meeting", Message: "Select a meeting that has not yet taken place"}})
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM information_requests WHERE referral_id = $1 AND answered_at IS NULL AND due_at >= $2`,
			referralID, now).Scan(&open); err != nil {
			return fmt.Errorf("casework: list for panel: %w", err)
		}
		assessed, err := hasAssessment(ctx, tx, referralID)
		if err != nil {
			return err
		}
		if c.State, err = s.transition(ctx, tx, p, c, EvListForPanel, Facts{InformationRequestsOpen: open, AssessmentDraftExists: assessed},
			"panel: listed for "+pn.Name); err != nil {
			return err
		}
		members, err := panelPeople(ctx, tx, pn.ID)
		if err != nil {
			return err
		}
		var orgs []prevent.ID
		byOrg := map[prevent.ID][]prevent.ID{}
		for _, m := range members {
			if !slices.Contains(orgs, m.org) {
				orgs = append(orgs, m.org)
			}
			if !slices.Contains(byOrg[m.org], m.person) {
				byOrg[m.org] = append(byOrg[m.org], m.person)
			}
		}
		for _, org := range orgs {
			if _, err := s.disclose(ctx, tx, p, c, org, byOrg[org], share); err != nil {
				return err
			}
		}
		for _, m := range members {
			role, ok, err := partnershipRole(ctx, tx, c.PartnershipID, m.person)
			if err != nil {
				return err
			}
			if ok {
				if err := s.assign(ctx, tx, referralID, m.person, role); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO case_panels (referral_id, panel_id, since) VALUES ($1, $2, $3)
			ON CONFLICT (referral_id) DO UPDATE SET panel_id = excluded.panel_id, since = excluded.since`, referralID, panelID, now)
		if err != nil {
			return fmt.Errorf("casework: list for panel: %w", err)
		}
		return s.putOnAgenda(ctx, tx, p, c, pn, meetingID)
	})
}

// panelPerson is a member of a panel: the person and the organisation they sit for.
type panelPerson struct{ person, org prevent.ID }

// panelPeople lists a panel's members, chair first.
func panelPeople(ctx context.Context, q database.Querier, panelID prevent.ID) ([]panelPerson, error) {
	rows, err := q.QueryContext(ctx, `SELECT person_id, organisation_id FROM panel_members WHERE panel_id = $1 ORDER BY panel_role, id`, panelID)
	if err != nil {
		return nil, fmt.Errorf("casework: panel members: %w", err)
	}
	defer rows.Close()
	var out []panelPerson
	for rows.Next() {
		var m panelPerson
		if err := rows.Scan(&m.person, &m.org); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// agendaStates are the states in which a case comes before its panel: newly listed, or under review.
var agendaStates = []State{PanelListed, Discussed, SupportActive, ConsentRequested, Adopted}

// AddToAgenda puts a case held by the meeting's panel on the meeting's agenda.
func (s *Service) AddToAgenda(ctx context.Context, p prevent.Principal, meetingID, referralID prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, _, err := s.meetingPanel(ctx, tx, p, access.PanelManage, meetingID)
		if err != nil {
			return err
		}
		c, err := s.authorise(ctx, tx, p, access.CaseScreen, referralID)
		if err != nil || c.PartnershipID != pn.PartnershipID {
			return access.NotFound("Referral")
		}
		var held prevent.ID
		if err := tx.QueryRowContext(ctx, `SELECT panel_id FROM case_panels WHERE referral_id = $1`, referralID).Scan(&held); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("casework: agenda: %w", err)
		}
		if held != pn.ID {
			return prevent.Errorf(prevent.Conflict, "This case is not listed for this panel")
		}
		return s.putOnAgenda(ctx, tx, p, c, pn, meetingID)
	})
}

// putOnAgenda adds case c, held by panel pn, to the agenda of one of its meetings, inside tx.
func (s *Service) putOnAgenda(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow, pn Panel, meetingID prevent.ID) error {
	if !slices.Contains(agendaStates, c.State) {
		return prevent.Errorf(prevent.Conflict, "A case at the stage ‘%s’ cannot go on a panel agenda", c.State)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO panel_agenda (meeting_id, referral_id, position, added_at)
		VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM panel_agenda WHERE meeting_id = $1), $3)
		ON CONFLICT DO NOTHING`, meetingID, c.ID, s.now()); err != nil {
		return fmt.Errorf("casework: agenda: %w", err)
	}
	detail := "panel: on the agenda of " + pn.Name
	if err := s.event(ctx, tx, p, c.ID, "panel_agenda", c.State, c.State, detail); err != nil {
		return err
	}
	return s.record(ctx, tx, p, audit.Alter, "referral", c.ID, c.PartnershipID, detail)
}

// notHeldYet refuses what can only be recorded once a meeting has taken place, or is nil.
func notHeldYet(held, now time.Time) error {
	if (Meeting{HeldAt: held}).Started(now) {
		return nil
	}
	return prevent.Errorf(prevent.Conflict, "This meeting has not happened yet: attendance and decisions can be recorded from %s, the day of the meeting",
		held.UTC().Format("2 January 2006"))
}

// RecordAttendance records whether a panel member is present at a meeting. Attendance is recorded from the
// day of the meeting.
func (s *Service) RecordAttendance(ctx context.Context, p prevent.Principal, meetingID, memberID prevent.ID, present bool) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, held, err := s.meetingPanel(ctx, tx, p, access.PanelManage, meetingID)
		if err != nil {
			return err
		}
		if err := notHeldYet(held, s.now()); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM panel_members WHERE id = $1 AND panel_id = $2`, memberID, pn.ID).Scan(&n); err != nil {
			return fmt.Errorf("casework: attendance: %w", err)
		}
		if n == 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "member", Message: "Select a member of this panel"}})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO panel_attendance (meeting_id, member_id, present, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (meeting_id, member_id) DO UPDATE SET present = excluded.present,
			recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`, meetingID, memberID, present, p.PersonID, s.now()); err != nil {
			return fmt.Errorf("casework: attendance: %w", err)
		}
		word := "absent"
		if present {
			word = "present"
		}
		return s.panelAudit(ctx, tx, p, "panel_meeting", meetingID, pn.PartnershipID, "panel: attendance recorded, member "+word)
	})
}

// SetAttendance records which of a panel's members are present at a meeting: those in present, and the
// others absent (a member never recorded and not present stays unrecorded). It is recorded from the day of the
// meeting, in one transaction.
func (s *Service) SetAttendance(ctx context.Context, p prevent.Principal, meetingID prevent.ID, present []prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, held, err := s.meetingPanel(ctx, tx, p, access.PanelManage, meetingID)
		if err != nil {
			return err
		}
		if err := notHeldYet(held, s.now()); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT m.id, COALESCE(a.present, FALSE) FROM panel_members m
			LEFT JOIN panel_attendance a ON a.member_id = m.id AND a.meeting_id = $1 WHERE m.panel_id = $2 ORDER BY m.id`, meetingID, pn.ID)
		if err != nil {
			return fmt.Errorf("casework: attendance: %w", err)
		}
		current := map[prevent.ID]bool{}
		var members []prevent.ID
		for rows.Next() {
			var id prevent.ID
			var was bool
			if err := rows.Scan(&id, &was); err != nil {
				rows.Close()
				return err
			}
			members, current[id] = append(members, id), was
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range present {
			if !slices.Contains(members, id) {
				return prevent.Validation([]prevent.FieldError{{Field: "present", Message: "Select members of this panel"}})
			}
		}
		changed := 0
		for _, id := range members {
			want := slices.Contains(present, id)
			if want == current[id] {
				continue
			}
			changed++
			if _, err := tx.ExecContext(ctx, `INSERT INTO panel_attendance (meeting_id, member_id, present, recorded_by, recorded_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (meeting_id, member_id) DO UPDATE SET present = excluded.present,
				recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`, meetingID, id, want, p.PersonID, s.now()); err != nil {
				return fmt.Errorf("casework: attendance: %w", err)
			}
		}
		return s.panelAudit(ctx, tx, p, "panel_meeting", meetingID, pn.PartnershipID,
			fmt.Sprintf("panel: attendance recorded, %d members present, %d changed", len(present), changed))
	})
}

// AddPaper records a paper for a meeting: a title and where it is held, for one case or (referralID 0) the
// whole meeting.
func (s *Service) AddPaper(ctx context.Context, p prevent.Principal, meetingID, referralID prevent.ID, title, location string) (prevent.ID, error) {
	var f prevent.Fields
	if strings.TrimSpace(title) == "" || len(title) > 500 {
		f.Add("title", "Enter the paper’s title, in 500 characters or fewer")
	}
	if len(location) > 2000 {
		f.Add("location", "Location must be 2,000 characters or fewer")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, _, err := s.meetingPanel(ctx, tx, p, access.PanelManage, meetingID)
		if err != nil {
			return err
		}
		var ref any
		if referralID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM panel_agenda WHERE meeting_id = $1 AND referral_id = $2`, meetingID, referralID).Scan(&n); err != nil {
				return fmt.Errorf("casework: paper: %w", err)
			}
			if n == 0 {
				return prevent.Errorf(prevent.Conflict, "Put the case on the meeting’s agenda before adding its papers")
			}
			ref = referralID
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO panel_papers (meeting_id, referral_id, title, location, added_by, added_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, meetingID, ref, strings.TrimSpace(title), strings.TrimSpace(location), p.PersonID, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("casework: paper: %w", err)
		}
		if referralID != 0 {
			return s.record(ctx, tx, p, audit.Collect, "referral", referralID, pn.PartnershipID, "panel: paper added")
		}
		return s.panelAudit(ctx, tx, p, "panel_meeting", meetingID, pn.PartnershipID, "panel: paper added")
	})
	return id, err
}

// quorum reports whether the chair and a police representative covering the person's area are recorded
// present at the meeting, and the area.
func quorum(ctx context.Context, q database.Querier, meetingID, referralID prevent.ID) (chair, police bool, area string, err error) {
	if err = q.QueryRowContext(ctx, `SELECT COALESCE(s.local_authority, '') FROM referrals r LEFT JOIN case_subjects s ON s.id = r.subject_id
		WHERE r.id = $1`, referralID).Scan(&area); err != nil {
		return false, false, "", fmt.Errorf("casework: quorum: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT m.panel_role, m.areas, pn.areas FROM panel_attendance a
		JOIN panel_members m ON m.id = a.member_id JOIN panels pn ON pn.id = m.panel_id
		WHERE a.meeting_id = $1 AND a.present`, meetingID)
	if err != nil {
		return false, false, area, fmt.Errorf("casework: quorum: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var role PanelRole
		var memberAreas, panelAreas string
		if err := rows.Scan(&role, &memberAreas, &panelAreas); err != nil {
			return false, false, area, err
		}
		switch role {
		case RoleChair:
			chair = true
		case RolePolice:
			covers := parseAreas(memberAreas)
			if len(covers) == 0 {
				covers = parseAreas(panelAreas)
			}
			if strings.TrimSpace(area) == "" || slices.ContainsFunc(covers, func(a string) bool { return strings.EqualFold(a, strings.TrimSpace(area)) }) {
				police = true
			}
		}
	}
	return chair, police, area, rows.Err()
}

// quorumError explains what is missing for a case to be discussed, or is nil.
func quorumError(chair, police bool, area string) error {
	if chair && police {
		return nil
	}
	var missing []string
	if !chair {
		missing = append(missing, "the chair")
	}
	if !police {
		if strings.TrimSpace(area) != "" {
			missing = append(missing, "a police representative for "+area)
		} else {
			missing = append(missing, "a police representative")
		}
	}
	return prevent.Errorf(prevent.Conflict, "This case cannot be discussed: record %s as present at the meeting first", strings.Join(missing, " and "))
}

// subjectUnder18 reports whether the person is under 18 at now. With neither a date of birth nor an
// approximate age the person is treated as a child, so that the stricter safeguards apply.
func subjectUnder18(ctx context.Context, q database.Querier, referralID prevent.ID, now time.Time) (bool, error) {
	var dob sql.NullString
	var approx sql.NullInt64
	var created sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT s.date_of_birth, s.approximate_age, s.created_at FROM referrals r
		LEFT JOIN case_subjects s ON s.id = r.subject_id WHERE r.id = $1`, referralID).Scan(&dob, &approx, &created)
	if err != nil {
		return false, fmt.Errorf("casework: age: %w", err)
	}
	if dob.Valid && dob.String != "" {
		if d, err := time.Parse(dateLayout, dob.String); err == nil {
			return now.Before(d.AddDate(18, 0, 0)), nil
		}
	}
	if approx.Valid {
		years := 0
		for created.Valid && !created.Time.AddDate(years+1, 0, 0).After(now) {
			years++
		}
		return int(approx.Int64)+years < 18, nil
	}
	return true, nil
}

// ErrChildrensServicesFirst is wrapped in the Conflict that refuses to adopt the case of a person under 18
// before the consultation with children's services is recorded (errors.Is), so that a page can lead to
// recording it.
var ErrChildrensServicesFirst = errors.New("children's services not yet consulted")

// RecordDecision records a panel's decision on a case on the meeting's agenda, and moves the case on. The
// meeting must have taken place (its day has come), and the chair and a police representative for the
// person's area must be recorded present; a case listed for panel is first recorded as discussed.
func (s *Service) RecordDecision(ctx context.Context, p prevent.Principal, meetingID, referralID prevent.ID, in DecisionInput) (State, error) {
	name, ok := decisionNames[in.Kind]
	var f prevent.Fields
	if !ok {
		f.Add("decision", "Select the panel’s decision")
	}
	if !in.Reached.valid() {
		f.Add("reached", "Select how the decision was reached")
	}
	if strings.TrimSpace(in.Rationale) == "" {
		f.Add("rationale", "Enter the reason for this decision")
	}
	for _, x := range []string{in.Rationale, in.HealthSocialCareConsideration, in.TransferTo} {
		if len(x) > maxText {
			f.Add("rationale", "Answers must be 10,000 characters or fewer")
			break
		}
	}
	switch in.Kind {
	case DecideNotAdopt:
		if strings.TrimSpace(in.HealthSocialCareConsideration) == "" {
			f.Add("health-social-care", "Record whether the person should be referred to health or social care services")
		}
		if in.SignpostService == "" && in.CloseReason == "" {
			f.Add("service", "Select the service the person is signposted to, or the reason for no further action")
		}
	case DecideTransfer:
		if strings.TrimSpace(in.TransferTo) == "" {
			f.Add("transfer-to", "Enter the panel the case is transferred to")
		}
	case DecideExit:
		if !strings.HasPrefix(in.ExitOutcome, "EXIT_") {
			f.Add("outcome", "Select the exit outcome")
		}
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	var next State
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, held, err := s.meetingPanel(ctx, tx, p, access.PanelView, meetingID)
		if err != nil {
			return err
		}
		c, err := s.authorise(ctx, tx, p, access.PanelDecide, referralID)
		if err != nil || c.PartnershipID != pn.PartnershipID {
			return access.NotFound("Referral")
		}
		now := s.now()
		if err := notHeldYet(held, now); err != nil {
			return err
		}
		for _, ref := range []struct {
			list List
			code string
		}{{SignpostServices, in.SignpostService}, {TriageReasons, in.CloseReason}, {ExitOutcomes, in.ExitOutcome}} {
			if ref.code == "" {
				continue
			}
			if _, ok, err := referenceItem(ctx, tx, ref.list, ref.code, now); err != nil {
				return err
			} else if !ok {
				return prevent.Validation([]prevent.FieldError{{Field: string(ref.list), Message: "Select an option from the list"}})
			}
		}
		var onAgenda int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM panel_agenda WHERE meeting_id = $1 AND referral_id = $2`, meetingID, referralID).Scan(&onAgenda); err != nil {
			return fmt.Errorf("casework: decision: %w", err)
		}
		if onAgenda == 0 {
			return prevent.Errorf(prevent.Conflict, "Put the case on this meeting’s agenda before recording a decision")
		}
		chair, police, area, err := quorum(ctx, tx, meetingID, referralID)
		if err != nil {
			return err
		}
		if err := quorumError(chair, police, area); err != nil {
			return err
		}
		facts := Facts{ChairPresent: chair, PolicePresent: police, Rationale: in.Rationale}
		from := c.State
		if c.State == PanelListed {
			if c.State, err = s.transition(ctx, tx, p, c, EvDiscuss, facts, "panel: discussed"); err != nil {
				return err
			}
		}
		step := func(e Event, detail string) error {
			var err error
			c.State, err = s.transition(ctx, tx, p, c, e, facts, detail)
			return err
		}
		switch in.Kind {
		case DecideAdopt:
			if facts.Under18, err = subjectUnder18(ctx, tx, referralID, now); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM childrens_services_consultations WHERE referral_id = $1`, referralID).Scan(&n); err != nil {
				return fmt.Errorf("casework: decision: %w", err)
			}
			facts.ChildrensServicesConsulted = n > 0
			err = step(EvAdopt, "panel: adopted")
			if prevent.ErrorKind(err) == prevent.Conflict && facts.Under18 && !facts.ChildrensServicesConsulted {
				err = fmt.Errorf("%w (%w)", err, ErrChildrensServicesFirst)
			}
		case DecideNotAdopt:
			if err = step(EvNotAdopt, "panel: not adopted"); err != nil {
				return err
			}
			facts.HealthSocialCareConsidered = true
			if in.SignpostService != "" {
				facts.SignpostService = in.SignpostService
				err = step(EvSignpost, "panel: signposted")
			} else {
				facts.OutcomeReason = in.CloseReason
				err = step(EvCloseNFA, "panel: no further action")
			}
		case DecideContinue:
			err = step(EvReviewPlan, "panel: support continued")
		case DecideRevise:
			err = step(EvReviewPlan, "panel: plan revised")
		case DecideExit:
			facts.ExitOutcome = in.ExitOutcome
			err = step(EvExit, "panel: exited ("+in.ExitOutcome+")")
		case DecideTransfer:
			facts.ReceivingPanelAccepted = in.ReceivingPanelAccepted
			err = step(EvTransferOut, "panel: transferred")
		}
		if err != nil {
			return err
		}
		next = c.State
		var decisionID prevent.ID
		if err := tx.QueryRowContext(ctx, `INSERT INTO panel_decisions (meeting_id, referral_id, decision, rationale, reached,
			health_social_care_notes, signpost_service, close_reason, transfer_to, exit_outcome, from_state, to_state, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`, meetingID, referralID, string(in.Kind),
			strings.TrimSpace(in.Rationale), string(in.Reached), strings.TrimSpace(in.HealthSocialCareConsideration), in.SignpostService,
			in.CloseReason, strings.TrimSpace(in.TransferTo), in.ExitOutcome, string(from), string(next), p.PersonID, now).Scan(&decisionID); err != nil {
			return fmt.Errorf("casework: decision: %w", err)
		}
		if in.Kind == DecideExit {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_exits (referral_id, decision_id, outcome, exited_at) VALUES ($1, $2, $3, $4)`,
				referralID, decisionID, in.ExitOutcome, now); err != nil {
				return fmt.Errorf("casework: exit: %w", err)
			}
		}
		return s.record(ctx, tx, p, audit.Alter, "referral", referralID, c.PartnershipID,
			fmt.Sprintf("panel: decision recorded (%s, %s)", name, in.Reached))
	})
	return next, err
}

// Attendee is a panel member as the minutes list them.
type Attendee struct {
	MemberID       prevent.ID
	PersonID       prevent.ID
	Name           string
	OrganisationID prevent.ID
	Organisation   string
	Role           PanelRole
	Present        bool
}

// MinuteItem is one decision in the minutes.
type MinuteItem struct {
	ReferralID                    prevent.ID
	Reference                     string
	Decision                      DecisionKind
	Rationale                     string
	Reached                       Reached
	HealthSocialCareConsideration string
	SignpostService               string
	CloseReason                   string
	TransferTo                    string
	ExitOutcome                   string
	From, To                      State
	RecordedAt                    time.Time
}

// Minutes are generated from a meeting's attendance and decisions. ForOrganisation is the attendee
// organisation they were exported for (0: the full minutes).
type Minutes struct {
	MeetingID       prevent.ID
	PanelID         prevent.ID
	PanelName       string
	HeldAt          time.Time
	Attendees       []Attendee
	Items           []MinuteItem
	ForOrganisation prevent.ID
}

// Minutes generates a meeting's minutes. With orgID 0 they are whole (for those who run the panel); with
// an attendee organisation, they hold only the cases that organisation may see: those it referred, those
// disclosed to it, and all of them for an organisation attending in a coordinating role. A panel member may
// export only for their own organisation. Exporting for another organisation than one's own discloses each
// case in them to it (share says what and why), in the same transaction; the export is audited as a
// disclosure.
func (s *Service) Minutes(ctx context.Context, p prevent.Principal, meetingID, orgID prevent.ID, share sharing.DisclosureInput) (Minutes, error) {
	m := Minutes{MeetingID: meetingID, ForOrganisation: orgID}
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, at, err := s.meetingPanel(ctx, tx, p, access.PanelView, meetingID)
		if err != nil {
			return err
		}
		manager := access.Decide(p, access.PanelManage, panelResource(pn.PartnershipID), s.now()).Allow
		if (orgID == 0 || orgID != p.OrganisationID) && !manager {
			return access.NotFound("Panel meeting")
		}
		m.PanelID, m.PanelName, m.HeldAt = pn.ID, pn.Name, at
		rows, err := tx.QueryContext(ctx, `SELECT m.id, m.person_id, pe.name, m.organisation_id, o.name, m.panel_role, COALESCE(a.present, FALSE)
			FROM panel_members m JOIN people pe ON pe.id = m.person_id JOIN organisations o ON o.id = m.organisation_id
			LEFT JOIN panel_attendance a ON a.member_id = m.id AND a.meeting_id = $1
			WHERE m.panel_id = $2 ORDER BY m.panel_role, pe.name, m.id`, meetingID, pn.ID)
		if err != nil {
			return fmt.Errorf("casework: minutes: %w", err)
		}
		attending := false
		for rows.Next() {
			var a Attendee
			if err := rows.Scan(&a.MemberID, &a.PersonID, &a.Name, &a.OrganisationID, &a.Organisation, &a.Role, &a.Present); err != nil {
				rows.Close()
				return err
			}
			attending = attending || (a.Present && a.OrganisationID == orgID)
			m.Attendees = append(m.Attendees, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if orgID != 0 && !attending {
			return prevent.Validation([]prevent.FieldError{{Field: "organisation", Message: "Select an organisation that attended the meeting"}})
		}
		rows, err = tx.QueryContext(ctx, `SELECT d.referral_id, COALESCE(r.reference, ''), d.decision, d.rationale, d.reached,
			d.health_social_care_notes, d.signpost_service, d.close_reason, d.transfer_to, d.exit_outcome, d.from_state, d.to_state, d.recorded_at
			FROM panel_decisions d JOIN referrals r ON r.id = d.referral_id
			WHERE d.meeting_id = $1 AND ($2 = 0 OR r.referrer_org_id = $2
				OR EXISTS (SELECT 1 FROM sharing_disclosures sd WHERE sd.record_kind = 'referral' AND sd.record_id = r.id AND sd.to_org = $2)
				OR EXISTS (SELECT 1 FROM panel_members pm JOIN panel_attendance pa ON pa.member_id = pm.id AND pa.meeting_id = d.meeting_id AND pa.present
					JOIN memberships ms ON ms.person_id = pm.person_id AND ms.partnership_id = r.partnership_id
					WHERE pm.organisation_id = $2 AND ms.role IN ('coordinator', 'police_officer')))
			ORDER BY d.id`, meetingID, orgID)
		if err != nil {
			return fmt.Errorf("casework: minutes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var it MinuteItem
			if err := rows.Scan(&it.ReferralID, &it.Reference, &it.Decision, &it.Rationale, &it.Reached, &it.HealthSocialCareConsideration,
				&it.SignpostService, &it.CloseReason, &it.TransferTo, &it.ExitOutcome, &it.From, &it.To, &it.RecordedAt); err != nil {
				return err
			}
			m.Items = append(m.Items, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if orgID != 0 {
			var shared []prevent.ID
			for _, it := range m.Items {
				if slices.Contains(shared, it.ReferralID) {
					continue
				}
				shared = append(shared, it.ReferralID)
				c, err := s.loadCase(ctx, tx, it.ReferralID)
				if err != nil {
					return err
				}
				if _, err := s.disclose(ctx, tx, p, c, orgID, nil, share); err != nil {
					return err
				}
			}
		}
		e := audit.New(ctx, s.now(), audit.Consult, "panel_meeting", meetingID)
		e.ActorID, e.ActorOrg, e.PartnershipID, e.Purpose = p.PersonID, p.OrganisationID, pn.PartnershipID, "Channel panel minutes"
		e.Detail = fmt.Sprintf("panel: minutes generated with %d decisions", len(m.Items))
		if orgID != 0 {
			e.Action, e.RecipientOrg = audit.Disclose, orgID
			e.Detail = fmt.Sprintf("panel: minutes exported for an attendee organisation with %d decisions", len(m.Items))
		}
		_, err = audit.Append(ctx, tx, e)
		return err
	})
	return m, err
}

// AgendaItem is a case on a meeting's agenda.
type AgendaItem struct {
	ReferralID prevent.ID
	Reference  string
	State      State
	Decided    bool // a decision on it was recorded at this meeting
}

// Paper is a meeting paper.
type Paper struct {
	ID         prevent.ID
	ReferralID prevent.ID // 0 for the whole meeting
	Title      string
	Location   string
	AddedAt    time.Time
}

// Meeting is a panel meeting as those who run the panel see it.
type Meeting struct {
	ID        prevent.ID
	Panel     Panel
	HeldAt    time.Time
	Attendees []Attendee
	Agenda    []AgendaItem
	Papers    []Paper
	// Quorate reports whether the chair and a police representative are recorded present (whether the
	// police representative covers each person's area is checked per case).
	Quorate bool
}

// Started reports whether the meeting's day (in UTC) has come at now: attendance and decisions are recorded
// from the day of the meeting.
func (m Meeting) Started(now time.Time) bool { return !day(m.HeldAt.UTC()).After(day(now.UTC())) }

// Past reports whether the meeting's day (in UTC) is over at now: a case is no longer listed for it.
func (m Meeting) Past(now time.Time) bool { return day(m.HeldAt.UTC()).Before(day(now.UTC())) }

// Meetings lists a panel's meetings, newest first (dates only).
func (s *Service) Meetings(ctx context.Context, p prevent.Principal, panelID prevent.ID) ([]Meeting, error) {
	pn, err := s.panelPartnership(ctx, s.db.Read(), p, access.PanelView, panelID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, held_at FROM panel_meetings WHERE panel_id = $1 ORDER BY held_at DESC, id DESC`, panelID)
	if err != nil {
		return nil, fmt.Errorf("casework: meetings: %w", err)
	}
	defer rows.Close()
	var out []Meeting
	for rows.Next() {
		m := Meeting{Panel: pn}
		if err := rows.Scan(&m.ID, &m.HeldAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Meeting returns a meeting with its attendance, agenda and papers: all of it for those who run the panel;
// for a member of the panel, the agenda items (and their papers) of the cases they may read. Anyone else is
// told it does not exist. The read is audited.
func (s *Service) Meeting(ctx context.Context, p prevent.Principal, meetingID prevent.ID) (Meeting, error) {
	m := Meeting{ID: meetingID}
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, at, err := s.meetingPanel(ctx, tx, p, access.PanelView, meetingID)
		if err != nil {
			return err
		}
		// Those who run the panel see the whole meeting; a member sees the meetings of the panels they sit on,
		// with only the cases they may read on the agenda (and their papers).
		manage := access.Decide(p, access.PanelManage, panelResource(pn.PartnershipID), s.now()).Allow
		if !manage && !pn.Member {
			return access.NotFound("Panel meeting")
		}
		m.Panel, m.HeldAt = pn, at
		rows, err := tx.QueryContext(ctx, `SELECT m.id, m.person_id, pe.name, m.organisation_id, o.name, m.panel_role, COALESCE(a.present, FALSE)
			FROM panel_members m JOIN people pe ON pe.id = m.person_id JOIN organisations o ON o.id = m.organisation_id
			LEFT JOIN panel_attendance a ON a.member_id = m.id AND a.meeting_id = $1
			WHERE m.panel_id = $2 ORDER BY m.panel_role, pe.name, m.id`, meetingID, pn.ID)
		if err != nil {
			return fmt.Errorf("casework: meeting: %w", err)
		}
		chair, police := false, false
		for rows.Next() {
			var a Attendee
			if err := rows.Scan(&a.MemberID, &a.PersonID, &a.Name, &a.OrganisationID, &a.Organisation, &a.Role, &a.Present); err != nil {
				rows.Close()
				return err
			}
			chair = chair || (a.Present && a.Role == RoleChair)
			police = police || (a.Present && a.Role == RolePolice)
			m.Attendees = append(m.Attendees, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		m.Quorate = chair && police
		rows, err = tx.QueryContext(ctx, `SELECT g.referral_id, COALESCE(r.reference, ''), r.state,
			EXISTS (SELECT 1 FROM panel_decisions d WHERE d.meeting_id = g.meeting_id AND d.referral_id = g.referral_id)
			FROM panel_agenda g JOIN referrals r ON r.id = g.referral_id WHERE g.meeting_id = $1 ORDER BY g.position`, meetingID)
		if err != nil {
			return fmt.Errorf("casework: agenda: %w", err)
		}
		for rows.Next() {
			var it AgendaItem
			if err := rows.Scan(&it.ReferralID, &it.Reference, &it.State, &it.Decided); err != nil {
				rows.Close()
				return err
			}
			if !s.policeView(p, pn.PartnershipID) {
				it.State = it.State.Masked()
			}
			m.Agenda = append(m.Agenda, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		hidden := map[prevent.ID]bool{}
		if !manage {
			var shown []AgendaItem
			for _, it := range m.Agenda {
				if _, err := s.authorise(ctx, tx, p, access.CaseView, it.ReferralID); err != nil {
					if prevent.ErrorKind(err) != prevent.NotFound {
						return err
					}
					hidden[it.ReferralID] = true
					continue
				}
				shown = append(shown, it)
			}
			m.Agenda = shown
		}
		rows, err = tx.QueryContext(ctx, `SELECT id, COALESCE(referral_id, 0), title, location, added_at FROM panel_papers
			WHERE meeting_id = $1 ORDER BY id`, meetingID)
		if err != nil {
			return fmt.Errorf("casework: papers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var pp Paper
			if err := rows.Scan(&pp.ID, &pp.ReferralID, &pp.Title, &pp.Location, &pp.AddedAt); err != nil {
				return err
			}
			if hidden[pp.ReferralID] {
				continue
			}
			m.Papers = append(m.Papers, pp)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		e := audit.New(ctx, s.now(), audit.Consult, "panel_meeting", meetingID)
		e.ActorID, e.ActorOrg, e.PartnershipID, e.Purpose = p.PersonID, p.OrganisationID, pn.PartnershipID, "Channel panel administration"
		e.Detail = fmt.Sprintf("panel: meeting viewed with %d cases on the agenda", len(m.Agenda))
		_, err = audit.Append(ctx, tx, e)
		return err
	})
	return m, err
}

// MeetingCase is a case on a meeting's agenda, as the panel's case page shows it to the panel's members.
type MeetingCase struct {
	// Meeting holds the meeting's panel and date only (no attendance, agenda or papers).
	Meeting Meeting
	Item    AgendaItem
	// ChildrensServicesDue reports that the person is under 18 (or of unknown age) and no consultation with
	// children's services is recorded: the panel cannot adopt the case until one is.
	ChildrensServicesDue bool
}

// MeetingCase returns a case on a meeting's agenda for someone who may see the panel and the case (its
// members are assigned to the cases listed at their panel). The read is audited; the case itself is read
// with Referral, which minimises it for the reader's organisation.
func (s *Service) MeetingCase(ctx context.Context, p prevent.Principal, meetingID, referralID prevent.ID) (MeetingCase, error) {
	var mc MeetingCase
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		pn, held, err := s.meetingPanel(ctx, tx, p, access.PanelView, meetingID)
		if err != nil {
			return err
		}
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil || c.PartnershipID != pn.PartnershipID {
			return access.NotFound("Agenda item")
		}
		mc.Meeting = Meeting{ID: meetingID, Panel: pn, HeldAt: held}
		err = tx.QueryRowContext(ctx, `SELECT g.referral_id, COALESCE(r.reference, ''), r.state,
			EXISTS (SELECT 1 FROM panel_decisions d WHERE d.meeting_id = g.meeting_id AND d.referral_id = g.referral_id)
			FROM panel_agenda g JOIN referrals r ON r.id = g.referral_id WHERE g.meeting_id = $1 AND g.referral_id = $2`,
			meetingID, referralID).Scan(&mc.Item.ReferralID, &mc.Item.Reference, &mc.Item.State, &mc.Item.Decided)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Agenda item")
		}
		if err != nil {
			return fmt.Errorf("casework: agenda item: %w", err)
		}
		if mc.Item.State == PanelListed || mc.Item.State == Discussed {
			under18, err := subjectUnder18(ctx, tx, referralID, s.now())
			if err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM childrens_services_consultations WHERE referral_id = $1`, referralID).Scan(&n); err != nil {
				return fmt.Errorf("casework: agenda item: %w", err)
			}
			mc.ChildrensServicesDue = under18 && n == 0
		}
		if !s.policeView(p, pn.PartnershipID) {
			mc.Item.State = mc.Item.State.Masked()
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, "panel: case viewed on the agenda of "+pn.Name)
	})
	return mc, err
}

// CaseDecision is a panel decision as the case page shows it.
type CaseDecision struct {
	MeetingID prevent.ID
	HeldAt    time.Time
	PanelName string
	MinuteItem
	// Withheld labels what was not disclosed to the reader's organisation (the rationale and the health and
	// social care consideration, zeroed); see CaseFields.
	Withheld []string
}

// PanelDecisions lists the panel decisions on a case, oldest first. The read is audited.
func (s *Service) PanelDecisions(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]CaseDecision, error) {
	var out []CaseDecision
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT d.meeting_id, mt.held_at, pn.name, d.referral_id, COALESCE(r.reference, ''), d.decision, d.rationale,
			d.reached, d.health_social_care_notes, d.signpost_service, d.close_reason, d.transfer_to, d.exit_outcome, d.from_state, d.to_state, d.recorded_at
			FROM panel_decisions d JOIN referrals r ON r.id = d.referral_id JOIN panel_meetings mt ON mt.id = d.meeting_id
			JOIN panels pn ON pn.id = mt.panel_id WHERE d.referral_id = $1 ORDER BY d.id`, referralID)
		if err != nil {
			return fmt.Errorf("casework: decisions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var d CaseDecision
			if err := rows.Scan(&d.MeetingID, &d.HeldAt, &d.PanelName, &d.ReferralID, &d.Reference, &d.Decision, &d.Rationale, &d.Reached,
				&d.HealthSocialCareConsideration, &d.SignpostService, &d.CloseReason, &d.TransferTo, &d.ExitOutcome, &d.From, &d.To, &d.RecordedAt); err != nil {
				return err
			}
			if w := (&withheld{p: p, c: c}); !w.keep(FieldPanelDecisions) {
				d.Rationale, d.HealthSocialCareConsideration, d.Withheld = "", "", w.labels
			}
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, "panel: decisions viewed")
	})
	return out, err
}
