package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/prevent"
)

// JobName is the job that sends one queued email.
const JobName = "notify-email"

// MaxAttempts is how many times an email is tried. With River's back-off the last try is about four hours after
// the first.
const MaxAttempts = 10

// Job is the job queue's handler for queued emails; register it with jobs.Deps.Jobs.
func (s *Service) Job() jobs.Job {
	return jobs.Job{Name: JobName, MaxAttempts: MaxAttempts, Run: func(ctx context.Context, r jobs.Run) error {
		id, err := strconv.ParseInt(r.Arg, 10, 64)
		if err != nil {
			return fmt.Errorf("notify: email job argument %q is not an id", r.Arg)
		}
		return s.Deliver(ctx, id, r.Attempt, r.Final)
	}}
}

// Deliver sends queued email id: it looks up the person's address, composes the message from the stored counts
// and sends it. A person whose account is inactive is not emailed (the email is cancelled). A failed send is
// recorded with a short reason and returned, so that the job is retried; final says this is the last attempt,
// after which the email is marked failed. The error returned carries no personal data.
func (s *Service) Deliver(ctx context.Context, id prevent.ID, attempt int, final bool) error {
	var person prevent.ID
	var day, status string
	var c Counts
	err := s.d.DB.Read().QueryRowContext(ctx, `SELECT person_id, digest_day, new_tasks, due_soon_tasks, overdue_tasks, status
		FROM notification_emails WHERE id = $1`, id).Scan(&person, &day, &c.New, &c.DueSoon, &c.Overdue, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("notify: email %d: %w", id, err)
	}
	if status != "queued" && status != "retrying" {
		return nil
	}
	if s.d.Mailer == nil || s.d.Directory == nil {
		s.d.Logger.WarnContext(ctx, "notification email cancelled: email is off", "email_id", id)
		return s.finish(ctx, id, person, "cancelled", "email off", attempt, false)
	}
	to, active, err := s.d.Directory.Contact(ctx, person)
	if err != nil {
		return fmt.Errorf("notify: email %d: contact: %w", id, err)
	}
	if !active || to == "" {
		return s.finish(ctx, id, person, "cancelled", "inactive", attempt, true)
	}
	msg, err := s.compose(to, c, day != "")
	if err != nil {
		return err
	}
	if err := s.d.Mailer.Send(ctx, msg); err != nil {
		reason := failureReason(err)
		st := "retrying"
		if final {
			st = "failed"
		}
		s.d.Logger.WarnContext(ctx, "notification email not sent", "email_id", id, "attempt", attempt, "reason", reason, "final", final)
		if ferr := s.finish(ctx, id, person, st, reason, attempt, true); ferr != nil {
			return ferr
		}
		return fmt.Errorf("notify: email %d not sent: %s", id, reason)
	}
	return s.finish(ctx, id, person, "sent", "", attempt, true)
}

// finish records the outcome of an attempt. When the attempt read the person's address from the Directory, the
// reading is audited in the same transaction.
func (s *Service) finish(ctx context.Context, id, person prevent.ID, status, reason string, attempt int, addressRead bool) error {
	now := s.now()
	return s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		var sentAt any
		if status == "sent" {
			sentAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notification_emails SET status = $1, last_error = $2, attempts = $3,
			sent_at = COALESCE($4, sent_at) WHERE id = $5`, status, reason, attempt, sentAt, id); err != nil {
			return fmt.Errorf("notify: email %d: record %s: %w", id, status, err)
		}
		if !addressRead {
			return nil
		}
		e := audit.New(ctx, now, audit.Consult, "person", person)
		e.Purpose = "notification email"
		e.Detail = "email address read to send notification email " + strconv.FormatInt(id, 10) + ": " + status
		_, err := audit.Append(ctx, tx, e)
		return err
	})
}
