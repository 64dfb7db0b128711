// Package imports holds the administrator's pages for bringing people and an existing caseload in from a
// file: the list of imports with the templates, checking or importing a file, and one import's report or
// progress. The importer decides every action again.
package imports

import (
	"time"

	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	Imports *importer.Service
	Now     func() time.Time
}

// Register adds the import pages to the site.
func Register(site core.Site, d Deps) {}
