package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
)

// register is the whole URL surface of the API. Each route names its access action (deny by default: a
// route cannot be added without one) and its documentation, from which the OpenAPI document is built.
func (s *Server) register() {
	s.handle(http.MethodGet, "/openapi.json", access.Public, operation{id: "getOpenAPI",
		summary: "This OpenAPI 3.1 document", response: OpenAPIDocument{}}, s.openapi)
	s.handle(http.MethodGet, "/me", access.Account, operation{id: "getMe",
		summary: "The account the token belongs to: roles per partnership and clearance", response: Me{}}, s.me)

	s.handle(http.MethodGet, "/partnerships", access.PartnershipView, operation{id: "listPartnerships",
		summary: "The partnerships the token's owner belongs to", response: PartnershipList{}}, s.listPartnerships)
	s.handle(http.MethodGet, "/partnerships/{pid}", access.PartnershipView, operation{id: "getPartnership",
		summary: "One partnership with its member organisations", response: Partnership{}}, s.getPartnership)
	s.handle(http.MethodPut, "/partnerships/{pid}", access.PartnershipManage, operation{id: "replacePartnership",
		summary: "Replace a partnership's name, area and region", request: PartnershipInput{}, response: Partnership{}}, s.putPartnership)
	s.handle(http.MethodPatch, "/partnerships/{pid}", access.PartnershipManage, operation{id: "updatePartnership",
		summary: "Change some of a partnership's name, area and region", request: PartnershipPatch{}, response: Partnership{}}, s.patchPartnership)

	s.handle(http.MethodGet, "/partnerships/{pid}/organisations", access.OrganisationView, operation{id: "listOrganisations",
		summary: "The partnership's member organisations", response: OrganisationList{}}, listOf[OrganisationList](s.deps.Partnership.Organisations, organisationOut))
	s.handle(http.MethodPost, "/partnerships/{pid}/organisations", access.OrganisationManage, operation{id: "createOrganisation",
		summary: "Add an organisation to the partnership", request: OrganisationInput{}, response: Organisation{},
		status: http.StatusCreated}, s.createOrganisation)
	s.handle(http.MethodGet, "/partnerships/{pid}/organisations/{id}", access.OrganisationView, operation{id: "getOrganisation",
		summary: "One member organisation", response: Organisation{}}, getOf(s.deps.Partnership.Organisation, organisationOut))
	s.handle(http.MethodPut, "/partnerships/{pid}/organisations/{id}", access.OrganisationManage, operation{id: "replaceOrganisation",
		summary: "Replace a member organisation's details", request: OrganisationInput{}, response: Organisation{}}, s.putOrganisation)

	s.handle(http.MethodGet, "/partnerships/{pid}/people", access.PersonView, operation{id: "listPeople",
		summary: "The partnership's people, by name, a page at a time (audited)", response: PersonList{},
		query: []param{
			{name: "limit", description: "Page size, 1 to 200 (default 50)", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit}},
			{name: "after", description: "The next cursor of the previous page", schema: map[string]any{"type": "string"}},
			{name: "organisation_id", description: "Only people of this organisation", schema: map[string]any{"type": "integer", "format": "int64"}},
		}}, s.listPeople)
	s.handle(http.MethodPost, "/partnerships/{pid}/people", access.PersonManage, operation{id: "createPerson",
		summary: "Add a person with roles; returns their one-time account set-up link", request: PersonInput{},
		response: PersonCreated{}, status: http.StatusCreated}, s.createPerson)
	s.handle(http.MethodGet, "/partnerships/{pid}/people/{id}", access.PersonView, operation{id: "getPerson",
		summary: "One person with roles and vetting history (audited)", response: Person{}}, getOf(s.deps.Partnership.Person, personOut))
	s.handle(http.MethodPut, "/partnerships/{pid}/people/{id}", access.PersonManage, operation{id: "replacePerson",
		summary: "Replace a person's details and roles", request: PersonInput{}, response: Person{}}, s.putPerson)
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/disable", access.PersonManage, operation{id: "disablePerson",
		summary: "Disable an account and end its sessions", response: Person{}}, s.setDisabled(true))
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/enable", access.PersonManage, operation{id: "enablePerson",
		summary: "Re-enable a disabled account", response: Person{}}, s.setDisabled(false))
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/vetting", access.PersonManage, operation{id: "recordVetting",
		summary: "Record a vetting grant", request: VettingInput{}, response: Person{}, status: http.StatusCreated}, s.recordVetting)
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/unlock", access.PersonManage, operation{id: "unlockPerson",
		summary: "Unlock an account locked after repeated failed sign-ins", response: Person{}}, s.personSecurity(false))
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/reset-second-factor", access.PersonManage, operation{id: "resetSecondFactor",
		summary: "Remove a person's second factors and end their sessions, so that they set one up at their next sign-in; " +
			"refused (422) for the caller's own account", response: Person{}}, s.personSecurity(true))
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/set-up-link", access.PersonManage, operation{id: "newSetUpLink",
		summary: "Make a new one-time account set-up link for a person; earlier links stop working", response: SetupLink{},
		status: http.StatusCreated}, s.newSetupLink)

	s.handle(http.MethodGet, "/tokens", access.Account, operation{id: "listTokens",
		summary: "The token owner's API tokens (never their secrets)", response: TokenList{}}, s.listTokens)
	s.handle(http.MethodDelete, "/tokens/{id}", access.Account, operation{id: "revokeToken",
		summary: "Revoke one of the token owner's API tokens", status: http.StatusNoContent}, s.revokeToken)

	s.registerProgramme()
	s.registerCasework()
	s.registerSupport()
	s.registerAssessment()
	s.registerPanels()
	s.registerProgress()
	s.registerTasks()
	s.registerSharing()
	s.registerRights()
	s.registerSignpost()
	s.registerReturns()
	s.registerAssurance()
	s.registerNotifications()
	s.registerPanelWrites()
	s.registerChannelWrites()
	s.registerProgrammeWrites()
	s.registerWebhooks()
	s.registerImports()
	s.registerAuditLog()

	s.doc = s.buildDocument()
}
