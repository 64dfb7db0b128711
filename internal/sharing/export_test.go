package sharing

import (
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// SetDecide replaces the service's authorisation policy in tests, until the sharing table is merged
// into access.permitted.
func SetDecide(s *Service, f func(prevent.Principal, access.Action, access.Resource, time.Time) access.Decision) {
	s.decide = f
}
