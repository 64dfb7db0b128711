package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// hashKey is how a task is stored: whatever a Source puts in its key, nothing of it is kept here.
func hashKey(key string) string {
	h := sha256.Sum256([]byte("notify-task\x00" + key))
	return hex.EncodeToString(h[:])
}

// stagesDue are the stages a task has reached at now: new always, then overdue once its due date has passed,
// or due soon within DueSoon of it. A task first seen when already overdue is told as new and overdue.
func (s *Service) stagesDue(p Pending, now time.Time) []Stage {
	out := []Stage{StageNew}
	switch {
	case p.Due.IsZero():
	case !now.Before(p.Due):
		out = append(out, StageOverdue)
	case !now.Before(p.Due.Add(-s.d.DueSoon)):
		out = append(out, StageDueSoon)
	}
	return out
}

// Scan compares every open task with what its person has been told. For each person it records what is newly
// told and adds in-service notifications (one per stage, with a count), and forgets the tasks that have closed.
// With email on, it then queues an email for each person who wants one now, and a digest for each person who
// wants one a day, once the day's digest hour has come and when there is something to say.
func (s *Service) Scan(ctx context.Context) error {
	now := s.now()
	var pending []Pending
	if s.d.Source != nil {
		var err error
		if pending, err = s.d.Source.Pending(ctx, now); err != nil {
			return fmt.Errorf("notify: scan: source: %w", err)
		}
	}
	open := map[prevent.ID]map[string]Pending{}
	for _, p := range pending {
		if p.PersonID <= 0 || p.TaskKey == "" {
			continue
		}
		if open[p.PersonID] == nil {
			open[p.PersonID] = map[string]Pending{}
		}
		open[p.PersonID][hashKey(p.TaskKey)] = p
	}
	told, err := s.loadTold(ctx)
	if err != nil {
		return err
	}
	people := make([]prevent.ID, 0, len(open)+len(told))
	for id := range open {
		people = append(people, id)
	}
	for id := range told {
		if _, ok := open[id]; !ok {
			people = append(people, id)
		}
	}
	slices.Sort(people)
	for _, person := range people {
		var adds []toldRow
		var gone []string
		for h, p := range open[person] {
			for _, st := range s.stagesDue(p, now) {
				if !told[person][h][st] && !(st == StageDueSoon && told[person][h][StageOverdue]) {
					adds = append(adds, toldRow{hash: h, stage: st})
				}
			}
		}
		for h := range told[person] {
			if _, ok := open[person][h]; !ok {
				gone = append(gone, h)
			}
		}
		if len(adds) == 0 && len(gone) == 0 {
			continue
		}
		if err := s.tell(ctx, person, adds, gone, now); err != nil {
			return err
		}
	}
	if s.d.Mailer == nil {
		return nil
	}
	return s.queueEmails(ctx, now)
}

type toldRow struct {
	hash  string
	stage Stage
}

// loadTold reads what everyone has been told: person → task hash → stages.
func (s *Service) loadTold(ctx context.Context) (map[prevent.ID]map[string]map[Stage]bool, error) {
	rows, err := s.d.DB.Read().QueryContext(ctx, `SELECT person_id, task_hash, stage FROM notification_told`)
	if err != nil {
		return nil, fmt.Errorf("notify: told: %w", err)
	}
	defer rows.Close()
	out := map[prevent.ID]map[string]map[Stage]bool{}
	for rows.Next() {
		var person prevent.ID
		var h string
		var st Stage
		if err := rows.Scan(&person, &h, &st); err != nil {
			return nil, fmt.Errorf("notify: told: %w", err)
		}
		if out[person] == nil {
			out[person] = map[string]map[Stage]bool{}
		}
		if out[person][h] == nil {
			out[person][h] = map[Stage]bool{}
		}
		out[person][h][st] = true
	}
	return out, rows.Err()
}

// tell records, in one transaction for one person, what is newly told and the notifications that say so, and
// forgets the tasks that are no longer open. A row another scan recorded first is not counted again.
func (s *Service) tell(ctx context.Context, person prevent.ID, adds []toldRow, gone []string, now time.Time) error {
	emailPending := s.d.Mailer != nil
	return s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		for _, h := range gone {
			if _, err := tx.ExecContext(ctx, `DELETE FROM notification_told WHERE person_id = $1 AND task_hash = $2`, person, h); err != nil {
				return fmt.Errorf("notify: forget closed task: %w", err)
			}
		}
		var c Counts
		for _, a := range adds {
			res, err := tx.ExecContext(ctx, `INSERT INTO notification_told (person_id, task_hash, stage, told_at, email_pending)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, person, a.hash, string(a.stage), now, emailPending)
			if err != nil {
				return fmt.Errorf("notify: record told: %w", err)
			}
			if n, err := res.RowsAffected(); err == nil {
				c.add(a.stage, int(n))
			}
		}
		for _, st := range Stages {
			n := c.Of(st)
			if n == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (person_id, stage, tasks, text, created_at)
				VALUES ($1, $2, $3, $4, $5)`, person, string(st), n, Text(st, n), now); err != nil {
				return fmt.Errorf("notify: add notification: %w", err)
			}
		}
		return nil
	})
}

// digestDay returns the UTC day whose digest may be sent at now, or "" before that day's digest hour.
func (s *Service) digestDay(now time.Time) string {
	if now.Hour() < s.d.DigestHour {
		return ""
	}
	return now.Format(time.DateOnly)
}

// queueEmails queues an email for each person with told rows waiting to be emailed: now for those who want it
// immediately, and for the others today's digest once its hour has come, unless it was already sent.
func (s *Service) queueEmails(ctx context.Context, now time.Time) error {
	day := s.digestDay(now)
	rows, err := s.d.DB.Read().QueryContext(ctx, `
		SELECT t.person_id, COALESCE(p.email_when, 'daily'),
		       EXISTS (SELECT 1 FROM notification_emails e WHERE e.person_id = t.person_id AND e.digest_day = $1)
		FROM (SELECT DISTINCT person_id FROM notification_told WHERE email_pending) t
		LEFT JOIN notification_preferences p ON p.person_id = t.person_id
		ORDER BY t.person_id`, day)
	if err != nil {
		return fmt.Errorf("notify: waiting emails: %w", err)
	}
	type waiting struct {
		person   prevent.ID
		when     Frequency
		digested bool
	}
	var ws []waiting
	for rows.Next() {
		var w waiting
		if err := rows.Scan(&w.person, &w.when, &w.digested); err != nil {
			rows.Close()
			return fmt.Errorf("notify: waiting emails: %w", err)
		}
		ws = append(ws, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("notify: waiting emails: %w", err)
	}
	for _, w := range ws {
		switch {
		case w.when == Immediate:
			err = s.queueEmail(ctx, w.person, "", now)
		case day != "" && !w.digested:
			err = s.queueEmail(ctx, w.person, day, now)
		default:
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// queueEmail takes, in one transaction, everything waiting to be emailed to the person, records the email with
// its counts and enqueues its delivery. digestDay is "" for an immediate email; a second digest for the same day
// is refused by the outbox's unique index, and then nothing changes.
func (s *Service) queueEmail(ctx context.Context, person prevent.ID, digestDay string, now time.Time) error {
	if s.d.Queue == nil {
		return errors.New("notify: email is on but no job queue was given")
	}
	err := s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE notification_told SET email_pending = FALSE
			WHERE person_id = $1 AND email_pending RETURNING stage`, person)
		if err != nil {
			return fmt.Errorf("notify: take waiting: %w", err)
		}
		var c Counts
		for rows.Next() {
			var st Stage
			if err := rows.Scan(&st); err != nil {
				rows.Close()
				return fmt.Errorf("notify: take waiting: %w", err)
			}
			c.add(st, 1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("notify: take waiting: %w", err)
		}
		if c.Empty() {
			return errSkip
		}
		var id prevent.ID
		err = tx.QueryRowContext(ctx, `INSERT INTO notification_emails
			(person_id, digest_day, new_tasks, due_soon_tasks, overdue_tasks, created_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, 'queued') ON CONFLICT DO NOTHING RETURNING id`,
			person, digestDay, c.New, c.DueSoon, c.Overdue, now).Scan(&id)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errSkip // today's digest was queued by another scan
			}
			return fmt.Errorf("notify: queue email: %w", err)
		}
		return s.d.Queue.Enqueue(ctx, tx, JobName, strconv.FormatInt(id, 10))
	})
	if errors.Is(err, errSkip) {
		return nil
	}
	return err
}
