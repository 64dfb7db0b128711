// Package statistics holds the pages of the partnership's figures: its statistical return for a financial
// year, shown as tables with charts beside them and downloadable as XLSX, ODS and CSV. Every figure comes from
// internal/returns under a named disclosure control policy; these pages show counts only, never a record about
// a person, so an analyst can use them without seeing a case.
package statistics

import (
	"context"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	Returns *returns.Service
	Now     func() time.Time
	// Names gives the names of the partnership's people in ids that the reader may see (others are left
	// out), for showing who drafted, checked and approved a return.
	Names func(ctx context.Context, p prevent.Principal, pid prevent.ID, ids []prevent.ID) (map[prevent.ID]string, error)
}

// The pages' addresses.
var (
	// ReturnPath is the return for a financial year, chosen with the year and policy query parameters.
	ReturnPath = core.NewPath1("/partnerships/{pid}/statistics/return")
	// DownloadPath serves the return as a workbook or one of its tables as CSV.
	DownloadPath = core.NewPath1("/partnerships/{pid}/statistics/return/download")
)

type pages struct {
	core.Pages
	d Deps
}

// Register adds the statistics pages to the site.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	p := &pages{Pages: site, d: d}
	site.Handle("GET", ReturnPath.Pattern(), access.StatisticsView, p.handleReturn)
	site.Handle("GET", DownloadPath.Pattern(), access.StatisticsView, p.handleDownload)
	p.registerApproval(site)
	p.registerRegion(site)
	p.registerDashboard(site)
	p.registerMonitoring(site)
	p.registerPopulations(site)
}
