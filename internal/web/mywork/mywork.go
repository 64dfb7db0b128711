// Package mywork holds "My work", the signed-in person's tasks across the partnership's cases, and the
// coordinator's team caseload. The pages a task leads to are those of the casework and Channel areas; the
// services decide access again on every call.
//
// It is an area of its own, on the casework pages (internal/web/casework) for a case list's address and
// how a due date and a stage are said; the casework pages are given My work's address through their Deps.
package mywork

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/work"
)

// Deps are what the pages need.
type Deps struct {
	// Work lists the reader's tasks.
	Work *work.Service
	// Casework gives the bank holidays that due dates count working days around, and the team's caseload.
	Casework *casework.Service
	// Sharing counts the open notices to the reader's organisation.
	Sharing *sharing.Service
	Now     func() time.Time
}

// The pages' addresses.
var (
	// WorkPath is "My work".
	WorkPath = core.NewPath0("/work")
	// TeamPath is the team caseload: open cases by stage and by case officer.
	TeamPath = core.NewPath1("/partnerships/{pid}/team")
)

type casePages struct {
	core.Pages
	deps  Deps
	svc   *casework.Service
	share *sharing.Service
	work  *work.Service
}

// Register adds My work and the team caseload to the site.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	cp := &casePages{Pages: site, deps: d, svc: d.Casework, share: d.Sharing, work: d.Work}
	site.Handle(http.MethodGet, WorkPath.Pattern(), access.CaseStatusView, cp.handleMyWork)
	site.Handle(http.MethodGet, TeamPath.Pattern(), access.CaseScreen, cp.handleTeam)
}

// principalOf is the signed-in principal of the request.
func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }
