package casework

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Stage groups states for work lists.
type Stage string

// The stages.
const (
	StageAll       Stage = ""
	StageTriage    Stage = "triage"
	StageScreening Stage = "screening"
	StagePanel     Stage = "panel"
	StageSupport   Stage = "support"
	StageReview    Stage = "review"
	StageClosed    Stage = "closed"
)

// StageStates lists the states of each stage.
var StageStates = map[Stage][]State{
	StageTriage:    {Submitted, PoliceTriage},
	StageScreening: {ChannelScreening, ReassessmentDue},
	StagePanel:     {PanelListed, Discussed, Adopted, NotAdopted, Reopened},
	StageSupport:   {ConsentRequested, SupportActive, ConsentRefused, ConsentWithdrawn},
	StageReview:    {Exited, PostExitReview6M, PostExitReview12M, ExtendedReview},
	StageClosed: {ClosedNFA, Signposted, PoliceLedManagement, PursueHandover, TransferredOut, ClosedFinal,
		RetentionReviewDue, Deleted, Retained},
}

// Summary is one row of a work list. State is empty for someone who may see only the status.
type Summary struct {
	ID          prevent.ID
	Reference   string
	Name        string
	State       State
	Status      string
	SubmittedAt time.Time
	TriageDueAt time.Time
	UpdatedAt   time.Time
	// Officer is the name of the case officer who holds the case (empty when there is none, or for someone who
	// may see only the status).
	Officer string
}

// ListFilter selects a page of a partnership's cases, newest first. After is the keyset cursor: the last
// ID of the previous page (0 for the first page).
type ListFilter struct {
	PartnershipID prevent.ID
	Stage         Stage
	After         prevent.ID
	Limit         int
}

// scope is the SQL condition (on referrals r) for what the principal may see in partnership $1: submitted
// referrals only; everything for a coordinating role ($4); otherwise referrals of their own organisation ($3),
// or disclosed to it, that they wrote or are assigned to ($2).
const scope = `r.partnership_id = $1 AND r.state <> 'draft' AND ($4 OR ((r.referrer_org_id = $3
		OR EXISTS (SELECT 1 FROM sharing_disclosures sd WHERE sd.record_kind = 'referral' AND sd.record_id = r.id AND sd.to_org = $3))
	AND (r.author_id = $2 OR EXISTS (SELECT 1 FROM case_assignments a WHERE a.referral_id = r.id AND a.person_id = $2))))`

func coordinatingIn(p prevent.Principal, partnershipID prevent.ID) bool {
	return p.HasRole(partnershipID, prevent.Coordinator) || p.HasRole(partnershipID, prevent.PoliceOfficer)
}

// fullView reports whether the principal may see more than the status of cases in the partnership.
func fullView(p prevent.Principal, partnershipID prevent.ID, now time.Time) bool {
	return access.Decide(p, access.CaseView, access.Resource{Kind: "case", PartnershipID: partnershipID}, now).Allow
}

// listRows runs the scoped query. With limit > 0 the query must fetch limit+1 rows: the extra one says whether
// there is a next page, whose cursor is the last ID within the limit (before the policy's last word drops any).
func (s *Service) listRows(ctx context.Context, tx *database.Tx, p prevent.Principal, partnershipID prevent.ID, limit int, where string, args ...any) ([]Summary, prevent.ID, error) {
	q := `SELECT r.id, r.reference, r.state, r.submitted_at, r.triage_due_at, r.updated_at, r.author_id, r.referrer_org_id, r.marking,
		COALESCE(cs.given_names, ''), COALESCE(cs.family_name, ''), COALESCE(pe.name, '')
		FROM referrals r LEFT JOIN case_subjects cs ON cs.id = r.subject_id LEFT JOIN people pe ON pe.id = r.case_officer_id
		WHERE ` + scope + where
	all := append([]any{partnershipID, p.PersonID, p.OrganisationID, coordinatingIn(p, partnershipID)}, args...)
	rows, err := tx.QueryContext(ctx, q, all...)
	if err != nil {
		return nil, 0, fmt.Errorf("casework: list: %w", err)
	}
	type row struct {
		Summary
		author, org prevent.ID
		marking     prevent.Marking
	}
	var got []row
	for rows.Next() {
		var r row
		var ref sql.NullString
		var submitted, due sql.NullTime
		var given, family string
		var marking int
		if err := rows.Scan(&r.ID, &ref, &r.State, &submitted, &due, &r.UpdatedAt, &r.author, &r.org, &marking, &given, &family, &r.Officer); err != nil {
			rows.Close()
			return nil, 0, err
		}
		r.Reference, r.SubmittedAt, r.TriageDueAt, r.marking = ref.String, submitted.Time, due.Time, prevent.Marking(marking)
		r.Name = strings.TrimSpace(given + " " + family)
		got = append(got, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next prevent.ID
	if limit > 0 && len(got) > limit {
		got = got[:limit]
		next = got[limit-1].ID
	}
	now := s.now()
	full := fullView(p, partnershipID, now)
	police := s.policeView(p, partnershipID)
	out := make([]Summary, 0, len(got))
	for _, r := range got {
		// The SQL applied the scope; the policy has the last word (clearance for the marking, for one).
		action := access.CaseStatusView
		if full {
			action = access.CaseView
		}
		c := caseRow{ID: r.ID, PartnershipID: partnershipID, AuthorID: r.author, ReferrerOrg: r.org, Marking: r.marking}
		if !coordinatingIn(p, partnershipID) && r.author != p.PersonID {
			c.Assigned = []prevent.ID{p.PersonID} // the scope matched an assignment
		}
		if !coordinatingIn(p, partnershipID) && r.org != p.OrganisationID {
			c.DisclosedTo = []prevent.ID{p.OrganisationID} // the scope matched a disclosure
		}
		if !access.Decide(p, action, c.resource(), now).Allow {
			continue
		}
		if !police {
			r.State = r.State.Masked()
		}
		r.Status = r.State.String()
		if !full {
			r.Status, r.State, r.TriageDueAt, r.Officer = r.State.ReferrerStatus(), "", time.Time{}, ""
		}
		out = append(out, r.Summary)
	}
	return out, next, nil
}

// List returns a page of the cases the principal may see in a partnership, newest first, using keyset
// pagination (no count of everything). It returns the cursor for the next page, 0 when there is none.
func (s *Service) List(ctx context.Context, p prevent.Principal, f ListFilter) ([]Summary, prevent.ID, error) {
	if !access.Decide(p, access.CaseStatusView, access.Resource{Kind: "case", PartnershipID: f.PartnershipID}, s.now()).Allow {
		return nil, 0, access.NotFound("Partnership")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	states := StageStates[f.Stage]
	if f.Stage != StageAll && states == nil {
		return nil, 0, prevent.Validation([]prevent.FieldError{{Field: "stage", Message: "Select a stage from the list"}})
	}
	var out []Summary
	var next prevent.ID
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		// A plain bound (no "$5 = 0 OR ...") lets the planner use the primary key to start the scan at the
		// cursor, so a deep page costs what the first page costs.
		after := f.After
		if after <= 0 {
			after = math.MaxInt64
		}
		where := ` AND r.id < $5`
		args := []any{after}
		if len(states) > 0 {
			ph := make([]string, len(states))
			for i, st := range states {
				args = append(args, string(st))
				ph[i] = fmt.Sprintf("$%d", 5+len(args)-1)
			}
			where += ` AND r.state IN (` + strings.Join(ph, ", ") + `)`
		}
		args = append(args, f.Limit+1)
		where += fmt.Sprintf(` ORDER BY r.id DESC LIMIT $%d`, 4+len(args))
		var err error
		if out, next, err = s.listRows(ctx, tx, p, f.PartnershipID, f.Limit, where, args...); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", 0, f.PartnershipID,
			fmt.Sprintf("listed %d cases (stage %q)", len(out), f.Stage))
	})
	return out, next, err
}

// TimelineEvent is one step in a case's history.
type TimelineEvent struct {
	At      time.Time
	ActorID prevent.ID
	Kind    string
	From    State
	To      State
	Detail  string
}

// Timeline returns every event on a case, oldest first. The read is audited.
func (s *Service) Timeline(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil {
			return err
		}
		police := s.policeView(p, c.PartnershipID)
		rows, err := tx.QueryContext(ctx, `SELECT at, actor_id, kind, from_state, to_state, detail FROM case_events
			WHERE referral_id = $1 ORDER BY id`, referralID)
		if err != nil {
			return fmt.Errorf("casework: timeline: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e TimelineEvent
			if err := rows.Scan(&e.At, &e.ActorID, &e.Kind, &e.From, &e.To, &e.Detail); err != nil {
				return err
			}
			if !police {
				if e.Kind == string(EvPursueHandover) {
					e.Kind, e.Detail = string(EvPoliceLed), "triage: "+triageNames[EvPoliceLed]
				}
				e.From, e.To = e.From.Masked(), e.To.Masked()
			}
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, "timeline viewed")
	})
	return out, err
}
