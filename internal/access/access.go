// Package access is the platform's one authorisation policy. Decide answers whether a principal may take an
// action on a resource, and why; every page, API route and store query asks it, so a rule lives here once.
package access

import (
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Action is something a principal does. Routes are registered with one, so that none is left unguarded.
type Action string

// Actions that need no role.
const (
	// Public pages anyone may see, signed in or not.
	Public Action = "public"
	// SignIn pages (sign-in form) for people not yet signed in, or part way through.
	SignIn Action = "sign-in"
	// SecondFactor pages: set up or pass the second factor after the password.
	SecondFactor Action = "second-factor"
	// Account pages: any fully signed-in person's own account, tokens and passkeys.
	Account Action = "account"
)

// Actions on partnership records.
const (
	PartnershipView    Action = "partnership.view"
	PartnershipManage  Action = "partnership.manage"
	OrganisationView   Action = "organisation.view"
	OrganisationManage Action = "organisation.manage"
	PersonView         Action = "person.view"
	PersonManage       Action = "person.manage"
	AuditView          Action = "audit.view"
	OperationsView     Action = "operations.view"
	// ImportRun: bring people or an existing caseload in from a file (a partnership's move onto the service).
	ImportRun Action = "import.run"
)

// Actions on referrals and Channel cases (internal/casework).
const (
	// CaseCreate: write, save and submit a referral.
	CaseCreate Action = "case.create"
	// CaseStatusView: see a referral's reference and status (a referrer, for their own referrals).
	CaseStatusView Action = "case.status"
	// CaseView: see a case record in full.
	CaseView Action = "case.view"
	// CaseTriage: police triage, deconfliction and repeat-referral matching.
	CaseTriage Action = "case.triage"
	// CaseScreen: Channel screening, information requests and assignments.
	CaseScreen Action = "case.screen"
	// DeconflictionView: read a police deconfliction note.
	DeconflictionView Action = "deconfliction.view"
	// InformationAnswer: answer a screening information request sent to one's organisation.
	InformationAnswer Action = "information.answer"
)

// Actions on Channel assessment, panels, consent, support and exit (internal/casework).
const (
	// CaseAssess: record a structured assessment (VAF or another template) of a case.
	CaseAssess Action = "case.assess"
	// PanelView: see the partnership's Channel panels, their members and meetings, and minutes.
	PanelView Action = "panel.view"
	// PanelManage: set up panels and members, schedule meetings, agendas, attendance, papers, list cases.
	PanelManage Action = "panel.manage"
	// PanelDecide: record a panel's decision on a case.
	PanelDecide Action = "panel.decide"
	// CaseSupport: consent records, children's services consultations, support plans, interventions,
	// post-exit reviews.
	CaseSupport Action = "case.support"
	// SessionRecord: record planned and delivered intervention sessions (a provider, on interventions
	// assigned to them).
	SessionRecord Action = "session.record"
)

// roleActions is the permission table: which role may take which action in its partnership.
var roleActions = map[prevent.Role][]Action{
	prevent.Administrator: {PartnershipView, PartnershipManage, OrganisationView, OrganisationManage, PersonView, PersonManage, ImportRun},
	prevent.Coordinator: {PartnershipView, OrganisationView, PersonView,
		CaseCreate, CaseStatusView, CaseView, CaseScreen,
		CaseAssess, PanelView, PanelManage, PanelDecide, CaseSupport, SessionRecord},
	prevent.PoliceOfficer: {PartnershipView, OrganisationView,
		CaseCreate, CaseStatusView, CaseView, CaseTriage, DeconflictionView, InformationAnswer,
		CaseAssess, PanelView},
	prevent.Referrer: {PartnershipView, OrganisationView, CaseCreate, CaseStatusView, InformationAnswer},
	prevent.PanelChair: {PartnershipView, OrganisationView, CaseStatusView, CaseView, InformationAnswer,
		PanelView, PanelManage, PanelDecide},
	prevent.PanelMember:    {PartnershipView, OrganisationView, CaseStatusView, CaseView, InformationAnswer, PanelView},
	prevent.Provider:       {PartnershipView, OrganisationView, CaseStatusView, CaseView, SessionRecord},
	prevent.Analyst:        {PartnershipView, OrganisationView},
	prevent.DataProtection: {PartnershipView, OrganisationView, PersonView, AuditView},
	prevent.Auditor:        {PartnershipView, OrganisationView, AuditView},
}

// restrictedKinds are record kinds that only the listed roles may see, whatever the action: a police
// deconfliction result is police information, never shown to partners.
var restrictedKinds = map[string][]prevent.Role{
	"deconfliction": {prevent.PoliceOfficer},
}

// coordinating roles have need-to-know across their partnership's records without being assigned.
var coordinating = []prevent.Role{prevent.Coordinator, prevent.PoliceOfficer}

// Resource describes a record for a decision, without its content.
type Resource struct {
	Kind          string
	PartnershipID prevent.ID
	OwnerOrg      prevent.ID   // the organisation that holds the record
	DisclosedTo   []prevent.ID // organisations a recorded disclosure let it reach
	// DisclosedFields are, for each organisation in DisclosedTo, the fields disclosed to it ("category:<code>"
	// for a whole data category); FieldVisible minimises what the organisation sees to them.
	DisclosedFields map[prevent.ID][]string
	Assigned        []prevent.ID // people assigned to it
	Marking         prevent.Marking
	// Personal is true for records about a person referred or supported: these need need-to-know.
	Personal bool
}

// Decision is the answer, with a reason for the audit log and for developers; users never see it.
type Decision struct {
	Allow  bool
	Reason string
}

func deny(reason string) Decision { return Decision{Reason: reason} }

// RoleActions returns the actions a role permits (for the help pages and tests).
func RoleActions(r prevent.Role) []Action { return permitted(r) }

// permitted is every action a role permits: the partnership and casework table, the programme table, the
// information-sharing table, the signposting table, the statistics table and the self-assessment table.
func permitted(r prevent.Role) []Action {
	return slices.Concat(roleActions[r], programmeActions[r], sharingActions[r], signpostActions[r], statisticsActions[r], assuranceActions[r])
}

// Permits reports whether the principal may take action on some record: the check made at the route.
// Record-level checks then call Decide with the record.
func Permits(p prevent.Principal, action Action) Decision {
	switch action {
	case Public:
		return Decision{Allow: true, Reason: "public"}
	case SignIn:
		if !p.Anonymous() && (p.MFA || !p.NeedsSecondFactor()) {
			return deny("already signed in")
		}
		return Decision{Allow: true, Reason: "signing in"}
	case SecondFactor:
		if p.Anonymous() {
			return deny("not signed in")
		}
		return Decision{Allow: true, Reason: "second factor"}
	}
	if p.Anonymous() {
		return deny("not signed in")
	}
	if p.NeedsSecondFactor() && !p.MFA {
		return deny("second factor not passed")
	}
	if action == Account {
		return Decision{Allow: true, Reason: "own account"}
	}
	for _, m := range p.Memberships {
		if slices.Contains(permitted(m.Role), action) {
			return Decision{Allow: true, Reason: "role " + string(m.Role)}
		}
	}
	return deny("no role permits " + string(action))
}

// Decide answers whether p may take action on r at now. Everything not allowed by a rule is denied:
// membership of the record's partnership, a role there that permits the action, clearance (unexpired)
// that covers the marking, and, for personal records, need-to-know and an organisational route
// (the owner, or a disclosure to the principal's organisation).
func Decide(p prevent.Principal, action Action, r Resource, now time.Time) Decision {
	route := Permits(p, action)
	if !route.Allow || action == Public || action == SignIn || action == SecondFactor || action == Account {
		return route
	}
	roles := p.RolesIn(r.PartnershipID)
	if len(roles) == 0 {
		return deny("not a member of the record's partnership")
	}
	allowed := false
	for _, role := range roles {
		if slices.Contains(permitted(role), action) {
			allowed = true
			break
		}
	}
	if !allowed {
		return deny("no role in the partnership permits " + string(action))
	}
	if only, ok := restrictedKinds[r.Kind]; ok && !slices.ContainsFunc(roles, func(x prevent.Role) bool { return slices.Contains(only, x) }) {
		return deny("only " + string(only[0]) + " may see a " + r.Kind + " record")
	}
	if r.Marking != 0 {
		if !r.Marking.Valid() {
			return deny("record has an unknown marking")
		}
		if !p.Clearance.Covers(r.Marking, now) {
			return deny("clearance does not cover " + r.Marking.String())
		}
	}
	if r.Personal {
		coord := false
		for _, role := range roles {
			if slices.Contains(coordinating, role) {
				coord = true
			}
		}
		if !coord && !slices.Contains(r.Assigned, p.PersonID) {
			return deny("no need to know: not assigned")
		}
		if !coord && p.OrganisationID != r.OwnerOrg && !slices.Contains(r.DisclosedTo, p.OrganisationID) {
			return deny("not disclosed to the principal's organisation")
		}
	}
	return Decision{Allow: true, Reason: "allowed"}
}

// NotFound is the error for a record the principal may not see: its existence is not revealed.
func NotFound(what string) error { return prevent.Errorf(prevent.NotFound, "%s not found", what) }
