package notify

import (
	"context"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Pending is one open task as notify sees it: whose it is, a stable key, when it appeared and when it is due. It carries
// no personal data and no case reference.
type Pending struct {
	PersonID  prevent.ID
	TaskKey   string    // stable for the life of the task
	CreatedAt time.Time // when the task appeared
	Due       time.Time // zero when it has no due date
}

// Source lists every open task of every person (tasks for a role are expanded to each person holding it).
type Source interface {
	Pending(ctx context.Context, now time.Time) ([]Pending, error)
}

// Directory gives a person's email address and whether they may still be told (an active account).
type Directory interface {
	Contact(ctx context.Context, personID prevent.ID) (email string, active bool, err error)
}

// NoTasks is a Source with no tasks, for a service wired before any task source exists.
type NoTasks struct{}

// Pending returns nothing.
func (NoTasks) Pending(context.Context, time.Time) ([]Pending, error) { return nil, nil }
