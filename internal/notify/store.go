package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Notification is one in-service notification: a count of tasks at a stage, as text.
type Notification struct {
	ID        prevent.ID
	Stage     Stage
	Tasks     int
	Text      string
	CreatedAt time.Time
	// ReadAt is zero while the notification is unread.
	ReadAt time.Time
}

// The page sizes of List.
const (
	DefaultPage = 20
	MaxPage     = 200
)

// Unread returns how many of the principal's notifications are unread, for the header.
func (s *Service) Unread(ctx context.Context, p prevent.Principal) (int, error) {
	if err := own(p); err != nil {
		return 0, err
	}
	var n int
	if err := s.d.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL`,
		p.PersonID).Scan(&n); err != nil {
		return 0, fmt.Errorf("notify: unread: %w", err)
	}
	return n, nil
}

// List returns a page of the principal's notifications, newest first: those with an id below before (all when
// before is 0), at most limit of them (DefaultPage when limit is 0).
func (s *Service) List(ctx context.Context, p prevent.Principal, before prevent.ID, limit int) ([]Notification, error) {
	if err := own(p); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultPage
	}
	limit = min(limit, MaxPage)
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.d.DB.Read().QueryContext(ctx, `SELECT id, stage, tasks, text, created_at, read_at FROM notifications
		WHERE person_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, p.PersonID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("notify: list: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.Stage, &n.Tasks, &n.Text, &n.CreatedAt, &read); err != nil {
			return nil, fmt.Errorf("notify: list: %w", err)
		}
		n.CreatedAt = n.CreatedAt.UTC()
		if read.Valid {
			n.ReadAt = read.Time.UTC()
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkRead marks the principal's unread notifications read: those with an id up to upTo (the newest one the
// person was shown, so that one arriving meanwhile stays unread), or all of them when upTo is 0. It returns how
// many it marked.
func (s *Service) MarkRead(ctx context.Context, p prevent.Principal, upTo prevent.ID) (int, error) {
	if err := own(p); err != nil {
		return 0, err
	}
	if upTo < 0 {
		return 0, prevent.Validation([]prevent.FieldError{{Field: "up_to", Message: "up_to must be a notification’s id"}})
	}
	if upTo == 0 {
		upTo = 1<<63 - 1
	}
	var n int64
	err := s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND id <= $3 AND read_at IS NULL`,
			s.now(), p.PersonID, upTo)
		if err != nil {
			return fmt.Errorf("notify: mark read: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Preference returns how often the principal wants email (Daily unless they chose otherwise).
func (s *Service) Preference(ctx context.Context, p prevent.Principal) (Frequency, error) {
	if err := own(p); err != nil {
		return "", err
	}
	var f Frequency
	err := s.d.DB.Read().QueryRowContext(ctx, `SELECT email_when FROM notification_preferences WHERE person_id = $1`, p.PersonID).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return Daily, nil
	}
	if err != nil {
		return "", fmt.Errorf("notify: preference: %w", err)
	}
	return f, nil
}

// SetPreference records how often the principal wants email: "immediate" or "daily". An empty or unknown value is
// a validation error on the field "email". The change is audited.
func (s *Service) SetPreference(ctx context.Context, p prevent.Principal, value string) error {
	if err := own(p); err != nil {
		return err
	}
	f := Frequency(value)
	if !f.Valid() {
		return prevent.Validation([]prevent.FieldError{{Field: "email", Message: "Select how often you want to be emailed about your tasks"}})
	}
	now := s.now()
	return s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notification_preferences (person_id, email_when, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (person_id) DO UPDATE SET email_when = excluded.email_when, updated_at = excluded.updated_at`,
			p.PersonID, string(f), now); err != nil {
			return fmt.Errorf("notify: set preference: %w", err)
		}
		e := audit.New(ctx, now, audit.Alter, "notification_preferences", p.PersonID)
		e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
		e.Purpose = "own account"
		e.Detail = "email " + string(f)
		if _, err := audit.Append(ctx, tx, e); err != nil {
			return err
		}
		return nil
	})
}
