// Package notify tells people of their open tasks: in the service (a count in the header and a Notifications
// page) and by email, as soon as there is something new or in one digest a day. It compares what a Source says
// is open with what each person has already been told, so that nobody is told twice about the same task.
//
// Nothing notify stores or sends holds personal data or a case reference: a task is known by a hash of its key,
// notifications and emails say only how many tasks are new, due soon or overdue, and an email's address is looked
// up from the Directory when it is sent and never stored.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Defaults of Deps.
const (
	// DefaultDueSoon is how long before its due date a task is "due soon": about two working days.
	DefaultDueSoon = 48 * time.Hour
	// DefaultDigestHour is the hour of the day (UTC) from which daily digests are sent.
	DefaultDigestHour = 7
)

// Queue enqueues a named job inside a transaction; *jobs.Queue is one.
type Queue interface {
	Enqueue(ctx context.Context, tx *database.Tx, name, arg string) error
}

// Deps are what the service needs. Only DB is required: without a Source there are no tasks, and without a
// Mailer no email is queued (in-service notifications still work).
type Deps struct {
	DB        *database.DB
	Now       func() time.Time
	Source    Source
	Directory Directory
	Mailer    Mailer
	Logger    *slog.Logger
	// PublicURL is the address people use; emails link to PublicURL + "/work".
	PublicURL string
	// DueSoon is how long before its due date a task is due soon (DefaultDueSoon when zero).
	DueSoon time.Duration
	// DigestHour is the hour of the day, UTC, from which the daily digest is sent (1 to 23; DefaultDigestHour
	// when zero).
	DigestHour int
	// Queue delivers emails as retried jobs; it may instead be given later with UseQueue.
	Queue Queue
}

// Service tells people of their tasks.
type Service struct {
	d Deps
}

// New returns the service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.DueSoon <= 0 {
		d.DueSoon = DefaultDueSoon
	}
	if d.DigestHour <= 0 || d.DigestHour > 23 {
		d.DigestHour = DefaultDigestHour
	}
	d.PublicURL = strings.TrimRight(d.PublicURL, "/")
	return &Service{d: d}
}

// UseQueue sets the job queue that delivers emails. The queue runs the service's own job (Job), so it is made
// after the service; call UseQueue before the queue starts.
func (s *Service) UseQueue(q Queue) { s.d.Queue = q }

// EmailOn reports whether the service sends email.
func (s *Service) EmailOn() bool { return s.d.Mailer != nil }

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// Stage is what a person is told about a task: that it is new, due soon, or overdue.
type Stage string

// The stages, each told once per task.
const (
	StageNew     Stage = "new"
	StageDueSoon Stage = "due_soon"
	StageOverdue Stage = "overdue"
)

// Stages lists the stages in the order messages give them.
var Stages = []Stage{StageNew, StageDueSoon, StageOverdue}

// Text is the message for n tasks at a stage: "You have 2 new tasks", "1 task is due soon", "3 tasks are overdue".
func Text(stage Stage, n int) string {
	switch stage {
	case StageNew:
		if n == 1 {
			return "You have 1 new task"
		}
		return fmt.Sprintf("You have %d new tasks", n)
	case StageDueSoon:
		if n == 1 {
			return "1 task is due soon"
		}
		return fmt.Sprintf("%d tasks are due soon", n)
	case StageOverdue:
		if n == 1 {
			return "1 task is overdue"
		}
		return fmt.Sprintf("%d tasks are overdue", n)
	}
	return ""
}

// Counts are how many tasks a message is about, by stage.
type Counts struct {
	New, DueSoon, Overdue int
}

// Of returns the count for a stage.
func (c Counts) Of(stage Stage) int {
	switch stage {
	case StageNew:
		return c.New
	case StageDueSoon:
		return c.DueSoon
	case StageOverdue:
		return c.Overdue
	}
	return 0
}

func (c *Counts) add(stage Stage, n int) {
	switch stage {
	case StageNew:
		c.New += n
	case StageDueSoon:
		c.DueSoon += n
	case StageOverdue:
		c.Overdue += n
	}
}

// Empty reports whether there is nothing to say.
func (c Counts) Empty() bool { return c.New == 0 && c.DueSoon == 0 && c.Overdue == 0 }

// Lines are the messages for the non-zero counts, in stage order.
func (c Counts) Lines() []string {
	var out []string
	for _, st := range Stages {
		if n := c.Of(st); n > 0 {
			out = append(out, Text(st, n))
		}
	}
	return out
}

// Frequency is how often a person wants email about their tasks.
type Frequency string

// The email preferences. Daily is the default.
const (
	Immediate Frequency = "immediate"
	Daily     Frequency = "daily"
)

// Frequencies lists the preferences with their wording, as the account page offers them.
var Frequencies = []struct {
	Value Frequency
	Text  string
}{
	{Immediate, "As soon as there is something new"},
	{Daily, "Once a day"},
}

// Valid reports whether f is one of the preferences.
func (f Frequency) Valid() bool { return f == Immediate || f == Daily }

// own checks that p is a signed-in person acting on their own account: every read and change here is of the
// principal's own notifications and preferences, and never anyone else's.
func own(p prevent.Principal) error {
	if p.Anonymous() {
		return prevent.Errorf(prevent.Unauthenticated, "Sign in to continue")
	}
	if !access.Permits(p, access.Account).Allow {
		return access.NotFound("Page")
	}
	return nil
}

// errSkip rolls back a transaction that found nothing to do.
var errSkip = errors.New("notify: nothing to do")
