package web

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/admin"
	"github.com/preventplatform/prevent/internal/web/assurance"
	"github.com/preventplatform/prevent/internal/web/auditlog"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/channel"
	importpages "github.com/preventplatform/prevent/internal/web/imports"
	"github.com/preventplatform/prevent/internal/web/mywork"
	"github.com/preventplatform/prevent/internal/web/notifications"
	"github.com/preventplatform/prevent/internal/web/programme"
	"github.com/preventplatform/prevent/internal/web/rights"
	sharingpages "github.com/preventplatform/prevent/internal/web/sharing"
	"github.com/preventplatform/prevent/internal/web/signpost"
	"github.com/preventplatform/prevent/internal/web/statistics"
	webhookpages "github.com/preventplatform/prevent/internal/web/webhooks"
)

// register is the whole HTML URL surface. Each route names the access action it needs; a route without
// one cannot be registered, and the route-by-role test walks this list.
func (s *Server) register() {
	// Public information pages.
	s.handle(http.MethodGet, "/cookies", access.Public, s.handleInfo("cookies"))
	s.handle(http.MethodGet, "/accessibility", access.Public, s.handleInfo("accessibility"))
	s.handle(http.MethodGet, "/privacy", access.Public, s.handleInfo("privacy"))

	// Signing in and out, the second factor, choosing a password from a set-up link, passkeys, and the account
	// page with its API tokens.
	accountDeps := account.Deps{Auth: s.deps.Auth, Partnership: s.deps.Partnership, Session: sessions{s},
		Notice: s.leaveFlash, Logger: s.deps.Logger, Notify: s.deps.Notify, Now: s.deps.Now}
	account.Register(site{s}, accountDeps)

	// The signed-in person's home page.
	s.handle(http.MethodGet, "/{$}", access.Account, s.handleHome)

	// The audit log.
	auditlog.Register(site{s}, auditlog.Deps{AuditLog: s.deps.AuditLog, Partnership: s.deps.Partnership, Casework: s.deps.Casework,
		CheckpointDir: s.deps.AuditDir, Now: s.deps.Now})

	admin.Register(site{s}, admin.Deps{Partnership: s.deps.Partnership, Auth: s.deps.Auth, Now: s.deps.Now, HTTPS: s.deps.SecureCookies})
	// My work and the team caseload, then the casework pages (referrals, triage, cases, disclosure) and the
	// Channel pages of a case, which are given the casework pages' case loading and "Share information".
	mywork.Register(site{s}, mywork.Deps{Work: s.deps.Work, Casework: s.deps.Casework, Sharing: s.deps.Sharing, Now: s.deps.Now})
	caseDeps := casepages.Deps{Casework: s.deps.Casework, Sharing: s.deps.Sharing, Partnership: s.deps.Partnership,
		Now: s.deps.Now, HTTPS: s.deps.SecureCookies, MyWork: mywork.WorkPath}
	casepages.Register(site{s}, caseDeps)
	channel.Register(site{s}, casepages.ChannelDeps(site{s}, caseDeps))
	programme.Register(site{s}, programme.Deps{Programme: s.deps.Programme, Partnership: s.deps.Partnership, Now: s.deps.Now})
	sharingpages.Register(site{s}, sharingpages.Deps{Sharing: s.deps.Sharing, Rights: s.deps.Rights, Casework: s.deps.Casework,
		Partnership: s.deps.Partnership, Now: s.deps.Now, CasePath: casepages.CasePath.Link})
	rights.Register(site{s}, rights.Deps{Rights: s.deps.Rights, Sharing: s.deps.Sharing, Casework: s.deps.Casework, Now: s.deps.Now})
	signpost.Register(site{s}, signpost.Deps{Casework: s.deps.Casework, Now: s.deps.Now,
		CasePath: casepages.CasePath.Link})
	notifications.Register(site{s}, notifications.Deps{Notify: s.deps.Notify,
		Account: account.Redraw(site{s}, accountDeps)})

	// Areas in packages of their own, on the shared core.
	statistics.Register(site{s}, statistics.Deps{Returns: s.deps.Returns, Now: s.deps.Now, Names: s.personNames})
	assurance.Register(site{s}, assurance.Deps{Assurance: s.deps.Assurance, Programme: s.deps.Programme, Partnership: s.deps.Partnership, Now: s.deps.Now})
	webhookpages.Register(site{s}, webhookpages.Deps{Webhooks: s.deps.Webhooks, Now: s.deps.Now})
	importpages.Register(site{s}, importpages.Deps{Imports: s.deps.Imports, Now: s.deps.Now})
}
