package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Post-exit review points, in months after exit.
const (
	FirstReviewMonths  = 6
	SecondReviewMonths = 12
	MaxReviewMonths    = 24
)

// PostExitReview is a review task after a case left Channel.
type PostExitReview struct {
	ID          prevent.ID
	ReferralID  prevent.ID
	Reference   string
	ExitID      prevent.ID
	Months      int
	Due         time.Time
	Outcome     ReviewOutcome
	Notes       string
	CompletedBy prevent.ID
	CompletedAt time.Time // zero while open
}

// ReviewOutcome is what a post-exit review found.
type ReviewOutcome string

// The outcomes of a post-exit review.
const (
	ReviewNoConcerns ReviewOutcome = "no_concerns"
	ReviewReopen     ReviewOutcome = "reopen" // radicalisation concerns: the case returns to panel
	ReviewExtend     ReviewOutcome = "extend" // keep reviewing, up to 24 months after exit
)

// scheduler is the principal the daily job acts as: nobody.
var scheduler = prevent.Principal{}

// reviewBatch bounds how many reviews one transaction of SchedulePostExitReviews creates.
const reviewBatch = 500

// reviewSlack covers what AddDate gives at the end of a month, for the cutoff read through the index: a case
// that exited up to a few days after it may already be due (31 August + 6 months = 3 March).
const reviewSlack = 7

// postExitDueSQL lists the latest exit of each case resting in a post-exit state whose review of that state
// ($2 months for an exited case, 12 after the first review, the exit's review point when extended) has not
// been created, and that exited at or before $1 unless it is extended (the cutoff of the shortest review
// point, read through referrals_state; the exact test is in Go). Cases are read by their state, so the
// query reads the cases in their first two years after exit, never the whole table.
const postExitDueSQL = `SELECT x.id, x.referral_id, x.exited_at, x.review_months, r.state FROM referrals r
	JOIN case_exits x ON x.referral_id = r.id
	WHERE r.state IN ('exited', 'post_exit_review_12m', 'extended_review')
	AND x.id = (SELECT MAX(y.id) FROM case_exits y WHERE y.referral_id = r.id)
	AND (r.state = 'extended_review' OR x.exited_at <= $1)
	AND NOT EXISTS (SELECT 1 FROM post_exit_reviews v WHERE v.exit_id = x.id
		AND v.months = CASE r.state WHEN 'exited' THEN $2 WHEN 'post_exit_review_12m' THEN $3 ELSE x.review_months END)
	ORDER BY x.id`

// SchedulePostExitReviews creates the post-exit review tasks that have fallen due by now: the 6-month review
// (moving an exited case to its first review), the 12-month review once the first found no concerns, and
// any extended review. It is meant to run daily and is idempotent: a review is created once. It returns how
// many reviews it created.
func (s *Service) SchedulePostExitReviews(ctx context.Context, now time.Time) (int, error) {
	n, _, err := s.SchedulePostExitReviewsUpTo(ctx, now, 0)
	return n, err
}

// SchedulePostExitReviewsUpTo is SchedulePostExitReviews creating the reviews in transactions of at most
// reviewBatch, stopping after limit (none when 0) or when three quarters of the time to ctx's deadline has
// passed (jobs.Budget); more reports that reviews were left for the next run, which finds them again (a
// review created is no longer due).
func (s *Service) SchedulePostExitReviewsUpTo(ctx context.Context, now time.Time, limit int) (created int, more bool, err error) {
	now = now.UTC().Truncate(time.Microsecond)
	budget := jobs.Budget(ctx)
	type due struct {
		exitID, referralID prevent.ID
		exitedAt           time.Time
		months             int
		state              State
	}
	var todo []due
	rows, err := s.db.Read().QueryContext(ctx, postExitDueSQL, now.AddDate(0, -FirstReviewMonths, reviewSlack), FirstReviewMonths, SecondReviewMonths)
	if err != nil {
		return 0, false, fmt.Errorf("casework: schedule reviews: %w", err)
	}
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.exitID, &d.referralID, &d.exitedAt, &d.months, &d.state); err != nil {
			rows.Close()
			return 0, false, err
		}
		switch d.state {
		case Exited:
			d.months = FirstReviewMonths
		case PostExitReview12M:
			d.months = SecondReviewMonths
		}
		if !d.exitedAt.AddDate(0, d.months, 0).After(now) {
			todo = append(todo, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	if limit > 0 && len(todo) > limit {
		todo, more = todo[:limit], true
	}
	for len(todo) > 0 {
		if !budget() {
			return created, true, nil
		}
		batch := todo[:min(len(todo), reviewBatch)]
		todo = todo[len(batch):]
		n := 0
		err := s.db.WithTx(ctx, func(tx *database.Tx) error {
			for _, d := range batch {
				c, err := s.loadCase(ctx, tx, d.referralID)
				if err != nil {
					return err
				}
				if c.State != d.state {
					continue // moved on since it was read
				}
				dueAt := d.exitedAt.AddDate(0, d.months, 0)
				res, err := tx.ExecContext(ctx, `INSERT INTO post_exit_reviews (exit_id, referral_id, months, due_at, created_at)
					VALUES ($1, $2, $3, $4, $5) ON CONFLICT (exit_id, months) DO NOTHING`, d.exitID, d.referralID, d.months, dueAt, now)
				if err != nil {
					return fmt.Errorf("casework: schedule reviews: %w", err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue
				}
				n++
				detail := fmt.Sprintf("post-exit review: %d-month review due", d.months)
				if c.State == Exited {
					if _, err := s.transition(ctx, tx, scheduler, c, EvReviewDue, Facts{}, detail); err != nil {
						return err
					}
					continue
				}
				if err := s.event(ctx, tx, scheduler, d.referralID, "post_exit_review_due", c.State, c.State, detail); err != nil {
					return err
				}
				if err := s.record(ctx, tx, scheduler, audit.Alter, "referral", d.referralID, c.PartnershipID, detail); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return created, false, err
		}
		created += n
	}
	return created, more, nil
}

const reviewColumns = `v.id, v.referral_id, COALESCE(r.reference, ''), v.exit_id, v.months, v.due_at, v.outcome, v.notes, v.completed_by, v.completed_at`

func scanReview(sc interface{ Scan(...any) error }) (PostExitReview, error) {
	var v PostExitReview
	var by sql.NullInt64
	var at sql.NullTime
	err := sc.Scan(&v.ID, &v.ReferralID, &v.Reference, &v.ExitID, &v.Months, &v.Due, &v.Outcome, &v.Notes, &by, &at)
	v.CompletedBy, v.CompletedAt = by.Int64, at.Time
	return v, err
}

// PostExitReviews lists a case's post-exit reviews, oldest first. The read is audited.
func (s *Service) PostExitReviews(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]PostExitReview, error) {
	var out []PostExitReview
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+reviewColumns+` FROM post_exit_reviews v JOIN referrals r ON r.id = v.referral_id
			WHERE v.referral_id = $1 ORDER BY v.id`, referralID)
		if err != nil {
			return fmt.Errorf("casework: reviews: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanReview(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, "post-exit reviews viewed")
	})
	return out, err
}

// ReviewInput completes a post-exit review.
type ReviewInput struct {
	Outcome ReviewOutcome
	Notes   string
	// ExtendToMonths is the next review point, in months after exit (at most 24), when extending.
	ExtendToMonths int
}

// CompletePostExitReview records a post-exit review's outcome. No concerns moves the case on to its next
// review or closes it; an extension sets a later review point (at most 24 months after exit); reopening
// returns the case to its panel with its history.
func (s *Service) CompletePostExitReview(ctx context.Context, p prevent.Principal, reviewID prevent.ID, in ReviewInput) (State, error) {
	var f prevent.Fields
	switch in.Outcome {
	case ReviewNoConcerns, ReviewReopen:
	case ReviewExtend:
		if in.ExtendToMonths <= SecondReviewMonths || in.ExtendToMonths > MaxReviewMonths {
			f.Add("months", "Enter a review point between 13 and 24 months after exit")
		}
	default:
		f.Add("outcome", "Select the outcome of the review")
	}
	if strings.TrimSpace(in.Notes) == "" {
		f.Add("notes", "Enter what the review found")
	} else if len(in.Notes) > maxText {
		f.Add("notes", "Notes must be 10,000 characters or fewer")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	var next State
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		v, err := scanReview(tx.QueryRowContext(ctx, `SELECT `+reviewColumns+` FROM post_exit_reviews v JOIN referrals r ON r.id = v.referral_id
			WHERE v.id = $1`, reviewID))
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Review")
		}
		if err != nil {
			return fmt.Errorf("casework: review: %w", err)
		}
		c, err := s.authorise(ctx, tx, p, access.CaseSupport, v.ReferralID)
		if err != nil {
			return access.NotFound("Review")
		}
		if !v.CompletedAt.IsZero() {
			return prevent.Errorf(prevent.Conflict, "This review has already been completed")
		}
		var exitedAt time.Time
		if err := tx.QueryRowContext(ctx, `SELECT exited_at FROM case_exits WHERE id = $1`, v.ExitID).Scan(&exitedAt); err != nil {
			return fmt.Errorf("casework: review: %w", err)
		}
		now := s.now()
		facts := Facts{Rationale: in.Notes}
		switch in.Outcome {
		case ReviewNoConcerns:
			next, err = s.transition(ctx, tx, p, c, EvReviewNoConcerns, facts, fmt.Sprintf("post-exit review: %d months, no concerns", v.Months))
		case ReviewExtend:
			facts.MonthsSinceExit = v.Months
			if next, err = s.transition(ctx, tx, p, c, EvExtendReview, facts, fmt.Sprintf("post-exit review: extended to %d months", in.ExtendToMonths)); err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE case_exits SET review_months = $1 WHERE id = $2`, in.ExtendToMonths, v.ExitID)
			}
		case ReviewReopen:
			if c.State, err = s.transition(ctx, tx, p, c, EvReopen, facts, fmt.Sprintf("post-exit review: %d months, reopened", v.Months)); err == nil {
				next, err = s.transition(ctx, tx, p, c, EvReturnToPanel, facts, "reopened: returned to panel")
			}
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE post_exit_reviews SET outcome = $1, notes = $2, completed_by = $3, completed_at = $4 WHERE id = $5`,
			string(in.Outcome), strings.TrimSpace(in.Notes), p.PersonID, now, reviewID)
		if err != nil {
			return fmt.Errorf("casework: review: %w", err)
		}
		return nil
	})
	return next, err
}
