// Package webhooks holds the administrator's pages for the partnership's webhook endpoints.
package webhooks

import (
	"time"

	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/webhooks"
)

// Deps are what the pages need.
type Deps struct {
	Webhooks *webhooks.Service
	Now      func() time.Time
}

// Register adds the webhook pages to the site.
func Register(site core.Site, d Deps) {}
