// Package admin holds the partnership administration pages: the partnership's details, its member
// organisations, and its people with their roles, vetting and account security. The partnership service checks
// each record again against the partnership; the auth service unlocks accounts and resets second factors.
package admin

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	// Partnership holds the partnership, its organisations and its people, and decides who may manage whom.
	Partnership *partnership.Service
	// Auth unlocks accounts and resets second factors.
	Auth *auth.Service
	Now  func() time.Time
	// HTTPS makes the set-up links the pages show start with https also when the request did not come over TLS
	// (the service behind a proxy that ends it).
	HTTPS bool
}

// The pages' addresses.
var (
	// PartnershipPath is the partnership: its details and member organisations.
	PartnershipPath = core.NewPath1("/partnerships/{pid}")
	// PartnershipEditPath changes the partnership's details.
	PartnershipEditPath = core.NewPath1("/partnerships/{pid}/edit")

	// OrganisationsPath lists the member organisations.
	OrganisationsPath = core.NewPath1("/partnerships/{pid}/organisations")
	// NewOrganisationPath adds an organisation.
	NewOrganisationPath = core.NewPath1("/partnerships/{pid}/organisations/new")
	// OrganisationPath is one organisation.
	OrganisationPath = core.NewPath2("/partnerships/{pid}/organisations/{id}")
	// OrganisationEditPath changes an organisation's details.
	OrganisationEditPath = core.NewPath2("/partnerships/{pid}/organisations/{id}/edit")

	// PeoplePath lists the partnership's people, a page at a time, optionally of one organisation.
	PeoplePath = core.NewPath1("/partnerships/{pid}/people")
	// NewPersonPath adds a person and shows their set-up link.
	NewPersonPath = core.NewPath1("/partnerships/{pid}/people/new")
	// PersonPath is one person: their details, roles, account status and vetting.
	PersonPath = core.NewPath2("/partnerships/{pid}/people/{id}")
	// PersonEditPath changes a person's details and roles.
	PersonEditPath = core.NewPath2("/partnerships/{pid}/people/{id}/edit")
	// DisablePath disables a person's account.
	DisablePath = core.NewPath2("/partnerships/{pid}/people/{id}/disable")
	// EnablePath enables a disabled account again.
	EnablePath = core.NewPath2("/partnerships/{pid}/people/{id}/enable")
	// SetupLinkPath makes a new one-time set-up link and shows it.
	SetupLinkPath = core.NewPath2("/partnerships/{pid}/people/{id}/set-up-link")
	// UnlockPath unlocks an account locked after repeated failed sign-ins.
	UnlockPath = core.NewPath2("/partnerships/{pid}/people/{id}/unlock")
	// ResetSecondFactorPath removes a person's second factors.
	ResetSecondFactorPath = core.NewPath2("/partnerships/{pid}/people/{id}/reset-second-factor")
	// VettingPath records a person's vetting.
	VettingPath = core.NewPath2("/partnerships/{pid}/people/{id}/vetting")
)

type pages struct {
	core.Pages
	d Deps
}

// Register adds the partnership administration pages to the site.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	p := &pages{Pages: site, d: d}
	get, post := http.MethodGet, http.MethodPost

	site.Handle(get, PartnershipPath.Pattern(), access.PartnershipView, p.handlePartnership)
	site.Handle(get, PartnershipEditPath.Pattern(), access.PartnershipManage, p.handlePartnershipEdit)
	site.Handle(post, PartnershipEditPath.Pattern(), access.PartnershipManage, p.handlePartnershipEditPost)

	site.Handle(get, OrganisationsPath.Pattern(), access.OrganisationView, p.handleOrganisations)
	site.Handle(get, NewOrganisationPath.Pattern(), access.OrganisationManage, p.handleOrganisationNew)
	site.Handle(post, NewOrganisationPath.Pattern(), access.OrganisationManage, p.handleOrganisationNewPost)
	site.Handle(get, OrganisationPath.Pattern(), access.OrganisationView, p.handleOrganisation)
	site.Handle(get, OrganisationEditPath.Pattern(), access.OrganisationManage, p.handleOrganisationEdit)
	site.Handle(post, OrganisationEditPath.Pattern(), access.OrganisationManage, p.handleOrganisationEditPost)

	site.Handle(get, PeoplePath.Pattern(), access.PersonView, p.handlePeople)
	site.Handle(get, NewPersonPath.Pattern(), access.PersonManage, p.handlePersonNew)
	site.Handle(post, NewPersonPath.Pattern(), access.PersonManage, p.handlePersonNewPost)
	site.Handle(get, PersonPath.Pattern(), access.PersonView, p.handlePerson)
	site.Handle(get, PersonEditPath.Pattern(), access.PersonManage, p.handlePersonEdit)
	site.Handle(post, PersonEditPath.Pattern(), access.PersonManage, p.handlePersonEditPost)
	site.Handle(post, DisablePath.Pattern(), access.PersonManage, p.handlePersonDisable(true))
	site.Handle(post, EnablePath.Pattern(), access.PersonManage, p.handlePersonDisable(false))
	site.Handle(post, SetupLinkPath.Pattern(), access.PersonManage, p.handlePersonSetupLink)
	site.Handle(post, UnlockPath.Pattern(), access.PersonManage, p.handlePersonSecurity("unlock"))
	site.Handle(post, ResetSecondFactorPath.Pattern(), access.PersonManage, p.handlePersonSecurity("reset"))
	site.Handle(get, VettingPath.Pattern(), access.PersonManage, p.handleVetting)
	site.Handle(post, VettingPath.Pattern(), access.PersonManage, p.handleVettingPost)
}

func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }
