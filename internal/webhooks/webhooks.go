// Package webhooks tells a partnership's registered endpoints that something happened, with signed deliveries
// that carry no personal data.
package webhooks

import (
	"log/slog"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/keyring"
)

// Deps are what the service needs.
type Deps struct {
	DB     *database.DB
	Keys   *keyring.Keyring
	Now    func() time.Time
	Logger *slog.Logger
}

// Service registers endpoints and delivers events to them.
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
	return &Service{d: d}
}

// Jobs are the one-off jobs the service enqueues.
func (s *Service) Jobs() []jobs.Job { return nil }

// Tasks are the periodic tasks the service runs.
func (s *Service) Tasks() []jobs.Task { return nil }
