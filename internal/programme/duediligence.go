package programme

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
)

// Shared-values due diligence, before an organisation is funded. The same questions are asked of every organisation
// whatever its faith or ethnicity: the review records nothing about either, and no criterion names a faith.

// ItemKind separates the "will not fund" criteria from the commitments a funded organisation shows.
type ItemKind string

// The kinds of item.
const (
	Criterion  ItemKind = "criterion"
	Commitment ItemKind = "commitment"
)

// Item is one point a review answers.
type Item struct {
	Key  string
	Kind ItemKind
	Text string
}

// DueDiligenceItems are the five criteria the partnership will not fund and the five commitments it looks for.
var DueDiligenceItems = []Item{
	{"discrimination", Criterion, "Expresses racist or intolerant views that publicly and directly encourage discrimination against people because of their sex, ethnicity, religion or belief, or sexuality"},
	{"democracy", Criterion, "Promotes beliefs or activity that publicly and directly reject or undermine democracy in the UK"},
	{"law", Criterion, "Is ambiguous about observing and recognising UK law"},
	{"terrorism", Criterion, "Is ambiguous in its stance towards terrorism"},
	{"isolation", Criterion, "Advocates the isolation and autonomy of religious or ethnic groups in the UK"},
	{"rule-of-law", Commitment, "Respects and is committed to the rule of law"},
	{"rejects-violence", Commitment, "Rejects and condemns violent extremism and terrorist acts"},
	{"free-speech", Commitment, "Supports freedom of speech"},
	{"equality", Commitment, "Supports equality of opportunity"},
	{"respect", Commitment, "Shows respect for and responsibility towards others"},
}

// Result is the finding on one item.
type Result string

// The results. Clear means the organisation meets the shared values on this point (for a criterion: it does
// not do this; for a commitment: it shows it); Adverse means it does not.
const (
	Clear   Result = "clear"
	Concern Result = "concern"
	Adverse Result = "adverse"
)

// DueDiligenceIndicators are what the reviewer may consider.
var DueDiligenceIndicators = []struct{ Key, Text string }{
	{"stated-aims", "The organisation’s stated aims"},
	{"nature-of-work", "The nature of its work"},
	{"public-statements", "Public statements by its representatives and members"},
	{"internal-consistency", "Whether those statements are consistent with its internal practice"},
	{"engagement", "Its engagement with wider society"},
}

// Decision is the outcome of a review.
type Decision string

// The decisions.
const (
	Positive Decision = "positive"
	Negative Decision = "negative"
)

// ReviewInput is a due-diligence review as entered; DecidedBy is the principal recording it.
type ReviewInput struct {
	OrganisationID prevent.ID        // "organisation"
	Basis          string            // "basis": "funding", "venue" or "both"
	Findings       map[string]string // item key -> Result; errors on "item-<key>"
	Notes          map[string]string // item key -> note
	Indicators     []string          // "indicators"
	Evidence       string            // "evidence"
	Decision       string            // "decision"
	SecondReviewer prevent.ID        // "second-reviewer": required for a positive decision with any concern
	DecidedOn      string            // "decided-on"
	ReviewDue      string            // "review-due"
}

// Finding is the recorded result on one item.
type Finding struct {
	Item
	Result Result
	Note   string
}

// Review is a recorded due-diligence review.
type Review struct {
	ID                 prevent.ID
	Organisation       OrgRef
	Basis              string
	Findings           []Finding
	Indicators         []string
	Evidence           string
	Decision           Decision
	DecidedBy          prevent.ID
	DecidedByName      string
	SecondReviewer     prevent.ID
	SecondReviewerName string
	DecidedOn          string
	ReviewDue          string
	CreatedAt          time.Time
}

func (s *Service) validateReview(ctx context.Context, q database.Querier, partnershipID prevent.ID, p prevent.Principal, in ReviewInput) error {
	var f prevent.Fields
	if ok, err := memberOrg(ctx, q, partnershipID, in.OrganisationID); err != nil {
		return err
	} else if !ok {
		f.Add("organisation", "Select the organisation reviewed")
	}
	if !slices.Contains([]string{"funding", "venue", "both"}, in.Basis) {
		f.Add("basis", "Select whether the organisation is funded, uses a venue, or both")
	}
	adverse, concern := false, false
	for _, it := range DueDiligenceItems {
		switch Result(in.Findings[it.Key]) {
		case Clear:
		case Concern:
			concern = true
		case Adverse:
			adverse = true
		default:
			f.Add("item-"+it.Key, "Select a finding for: "+it.Text)
		}
		checkText(&f, "note-"+it.Key, in.Notes[it.Key], "", 2000)
	}
	if len(in.Indicators) == 0 {
		f.Add("indicators", "Select the indicators considered")
	}
	for _, x := range in.Indicators {
		if !slices.ContainsFunc(DueDiligenceIndicators, func(i struct{ Key, Text string }) bool { return i.Key == x }) {
			f.Add("indicators", "Select indicators from the list")
			break
		}
	}
	checkText(&f, "evidence", in.Evidence, "Enter the evidence the decision rests on", 10000)
	switch Decision(in.Decision) {
	case Positive:
		if adverse {
			f.Add("decision", "A positive decision cannot be recorded when any finding is adverse")
		}
		if concern {
			switch {
			case in.SecondReviewer == 0:
				f.Add("second-reviewer", "Select a second reviewer: a positive decision with a concern needs one")
			case in.SecondReviewer == p.PersonID:
				f.Add("second-reviewer", "The second reviewer must be someone other than you")
			default:
				if ok, err := memberPerson(ctx, q, partnershipID, in.SecondReviewer); err != nil {
					return err
				} else if !ok {
					f.Add("second-reviewer", "Select a second reviewer from the partnership")
				}
			}
		}
	case Negative:
	default:
		f.Add("decision", "Select the decision")
	}
	today := s.today()
	if !validDate(in.DecidedOn) || in.DecidedOn > today {
		f.Add("decided-on", "Enter the date of the decision as a real date, not in the future")
	}
	if !validDate(in.ReviewDue) {
		f.Add("review-due", "Enter the date the review is next due as a real date")
	} else if validDate(in.DecidedOn) {
		d, _ := time.Parse(DateLayout, in.DecidedOn)
		if in.ReviewDue <= in.DecidedOn || in.ReviewDue > d.AddDate(2, 0, 0).Format(DateLayout) {
			f.Add("review-due", "The next review must be after the decision and within two years of it")
		}
	}
	return f.Err()
}

// RecordReview records a shared-values review of an organisation, decided by the principal.
func (s *Service) RecordReview(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in ReviewInput) (prevent.ID, error) {
	if err := s.decide(p, access.DueDiligenceEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := s.validateReview(ctx, tx, partnershipID, p, in); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO due_diligence_reviews (partnership_id, organisation_id, basis, indicators, evidence,
			decision, decided_by, second_reviewer, decided_on, review_due, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			partnershipID, in.OrganisationID, in.Basis, strings.Join(in.Indicators, ","), strings.TrimSpace(in.Evidence), in.Decision,
			p.PersonID, nullID(in.SecondReviewer), in.DecidedOn, in.ReviewDue, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: record review: %w", err)
		}
		for _, it := range DueDiligenceItems {
			if _, err := tx.ExecContext(ctx, `INSERT INTO due_diligence_findings (review_id, item, result, note) VALUES ($1, $2, $3, $4)`,
				id, it.Key, in.Findings[it.Key], strings.TrimSpace(in.Notes[it.Key])); err != nil {
				return fmt.Errorf("programme: record finding: %w", err)
			}
		}
		return s.record(ctx, tx, p, audit.Collect, "due_diligence_review", id, partnershipID, "recorded "+in.Decision+" review")
	})
	return id, err
}

const reviewColumns = `r.id, r.organisation_id, o.name, r.basis, r.indicators, r.evidence, r.decision, r.decided_by, COALESCE(d.name, ''),
	COALESCE(r.second_reviewer, 0), COALESCE(s2.name, ''), r.decided_on, r.review_due, r.created_at`

const reviewFrom = ` FROM due_diligence_reviews r JOIN organisations o ON o.id = r.organisation_id
	LEFT JOIN people d ON d.id = r.decided_by LEFT JOIN people s2 ON s2.id = r.second_reviewer`

func scanReview(sc interface{ Scan(...any) error }) (Review, error) {
	var r Review
	var indicators string
	err := sc.Scan(&r.ID, &r.Organisation.ID, &r.Organisation.Name, &r.Basis, &indicators, &r.Evidence, &r.Decision, &r.DecidedBy, &r.DecidedByName,
		&r.SecondReviewer, &r.SecondReviewerName, &r.DecidedOn, &r.ReviewDue, &r.CreatedAt)
	if indicators != "" {
		r.Indicators = strings.Split(indicators, ",")
	}
	return r, err
}

// Reviews lists an organisation's reviews, latest decision first, with their findings.
func (s *Service) Reviews(ctx context.Context, p prevent.Principal, partnershipID, organisationID prevent.ID) ([]Review, error) {
	if err := s.decide(p, access.DueDiligenceView, partnershipID, 0, "Organisation"); err != nil {
		return nil, err
	}
	q := s.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT `+reviewColumns+reviewFrom+` WHERE r.partnership_id = $1 AND r.organisation_id = $2
		ORDER BY r.decided_on DESC, r.id DESC`, partnershipID, organisationID)
	if err != nil {
		return nil, fmt.Errorf("programme: reviews: %w", err)
	}
	var out []Review
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	for i := range out {
		frows, err := q.QueryContext(ctx, `SELECT item, result, note FROM due_diligence_findings WHERE review_id = $1`, out[i].ID)
		if err != nil {
			return nil, fmt.Errorf("programme: findings: %w", err)
		}
		got := map[string]Finding{}
		for frows.Next() {
			var key string
			var fd Finding
			if err := frows.Scan(&key, &fd.Result, &fd.Note); err != nil {
				frows.Close()
				return nil, err
			}
			got[key] = fd
		}
		frows.Close()
		for _, it := range DueDiligenceItems {
			fd := got[it.Key]
			fd.Item = it
			out[i].Findings = append(out[i].Findings, fd)
		}
	}
	return out, nil
}

// StandingState summarises an organisation's due diligence.
type StandingState string

// The standing states. Only Current allows new allocations to a non-public organisation's projects.
const (
	Exempt  StandingState = "exempt"  // a public body, itself under the Prevent duty
	NoneYet StandingState = "none"    // never reviewed
	Current StandingState = "current" // latest review positive and not yet due
	Overdue StandingState = "overdue" // latest review positive but its review date has passed
	Refused StandingState = "refused" // latest review negative
)

// Standing is an organisation's due-diligence position today, as the funding pages flag it.
type Standing struct {
	Organisation OrgRef
	PublicBody   bool
	State        StandingState
	DecidedOn    string
	ReviewDue    string
	// Message says why new allocations are blocked; empty when they are not.
	Message string
}

// Blocks reports whether new allocations to the organisation's projects are refused.
func (st Standing) Blocks() bool { return st.Message != "" }

func standing(ctx context.Context, q database.Querier, partnershipID, org prevent.ID, today string) (Standing, error) {
	st := Standing{Organisation: OrgRef{ID: org}}
	if err := q.QueryRowContext(ctx, `SELECT name, public_body FROM organisations WHERE id = $1`, org).Scan(&st.Organisation.Name, &st.PublicBody); err != nil {
		return st, fmt.Errorf("programme: standing: %w", err)
	}
	var decision string
	err := q.QueryRowContext(ctx, `SELECT decision, decided_on, review_due FROM due_diligence_reviews
		WHERE partnership_id = $1 AND organisation_id = $2 ORDER BY decided_on DESC, id DESC LIMIT 1`, partnershipID, org).
		Scan(&decision, &st.DecidedOn, &st.ReviewDue)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		st.State = NoneYet
	case err != nil:
		return st, fmt.Errorf("programme: standing: %w", err)
	case Decision(decision) == Negative:
		st.State = Refused
	case st.ReviewDue < today:
		st.State = Overdue
	default:
		st.State = Current
	}
	name := st.Organisation.Name
	switch {
	case st.State == Current:
	case st.PublicBody && st.State != Refused:
		st.State = Exempt
	case st.State == NoneYet:
		st.Message = name + " has no shared-values due-diligence review: record one before allocating funding"
	case st.State == Overdue:
		st.Message = name + "’s shared-values review was due on " + FormatDate(st.ReviewDue) + " and is overdue: record a fresh review before allocating funding"
	case st.State == Refused:
		st.Message = name + "’s latest shared-values review, decided on " + FormatDate(st.DecidedOn) + ", found that it does not uphold the shared values: no new funding can be allocated to its projects"
	}
	return st, nil
}

// Standings lists the due-diligence position of every member organisation today, for the funding pages.
func (s *Service) Standings(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Standing, error) {
	if s.decide(p, access.DueDiligenceView, partnershipID, 0, "Partnership") != nil {
		if err := s.decide(p, access.FundingView, partnershipID, 0, "Partnership"); err != nil {
			return nil, err
		}
	}
	q := s.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT o.id FROM organisations o JOIN partnership_organisations po ON po.organisation_id = o.id
		WHERE po.partnership_id = $1 ORDER BY lower(o.name)`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: standings: %w", err)
	}
	var ids []prevent.ID
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []Standing
	for _, id := range ids {
		st, err := standing(ctx, q, partnershipID, id, s.today())
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}
