package prevent

import (
	"context"
	"slices"
)

// ID identifies a stored record.
type ID = int64

// Role is a person's function within one partnership.
type Role string

// The roles of a partnership.
const (
	Administrator  Role = "administrator"
	Coordinator    Role = "coordinator"
	PoliceOfficer  Role = "police_officer"
	Referrer       Role = "referrer"
	PanelChair     Role = "panel_chair"
	PanelMember    Role = "panel_member"
	Provider       Role = "provider"
	Analyst        Role = "analyst"
	DataProtection Role = "dpo"
	Auditor        Role = "auditor"
)

// Roles lists every role in display order.
var Roles = []Role{Administrator, Coordinator, PoliceOfficer, Referrer, PanelChair, PanelMember, Provider, Analyst, DataProtection, Auditor}

var roleNames = map[Role]string{
	Administrator:  "Administrator",
	Coordinator:    "Prevent coordinator",
	PoliceOfficer:  "Police Prevent officer",
	Referrer:       "Referrer",
	PanelChair:     "Panel chair",
	PanelMember:    "Panel member",
	Provider:       "Intervention provider",
	Analyst:        "Analyst",
	DataProtection: "Data protection officer",
	Auditor:        "Auditor",
}

// String is the role's display name.
func (r Role) String() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleNames[r]; return ok }

// SeesPersonalData reports whether the role can see personal data of people supported or referred,
// and so needs a second authentication factor. Every role but the analyst (aggregates only) does:
// administrators see staff personal data, auditors and data protection officers see the access log.
func (r Role) SeesPersonalData() bool { return r != Analyst }

// Membership is a role held in a partnership.
type Membership struct {
	PartnershipID ID
	Role          Role
}

// Principal is who is acting: a signed-in person or an API token's owner. The zero value is anonymous.
type Principal struct {
	PersonID       ID
	Name           string
	Email          string
	OrganisationID ID
	Memberships    []Membership
	Clearance      Clearance
	// MFA is true once a second factor was passed in this session (always true for API tokens,
	// which are issued only to people who have one).
	MFA bool
	// SessionID or TokenID says how the principal was authenticated.
	SessionID ID
	TokenID   ID
}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.PersonID == 0 }

// NeedsSecondFactor reports whether any of the principal's roles sees personal data.
func (p Principal) NeedsSecondFactor() bool {
	for _, m := range p.Memberships {
		if m.Role.SeesPersonalData() {
			return true
		}
	}
	return false
}

// RolesIn returns the roles held in one partnership.
func (p Principal) RolesIn(partnership ID) []Role {
	var out []Role
	for _, m := range p.Memberships {
		if m.PartnershipID == partnership {
			out = append(out, m.Role)
		}
	}
	return out
}

// HasRole reports whether the principal holds role in partnership.
func (p Principal) HasRole(partnership ID, role Role) bool {
	return slices.Contains(p.RolesIn(partnership), role)
}

// Partnerships returns the partnerships the principal is a member of, each once.
func (p Principal) Partnerships() []ID {
	var out []ID
	for _, m := range p.Memberships {
		if !slices.Contains(out, m.PartnershipID) {
			out = append(out, m.PartnershipID)
		}
	}
	return out
}

type principalKey struct{}

// NewContextWithPrincipal returns ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, anonymous if none.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

type requestIDKey struct{}

// NewContextWithRequestID returns ctx carrying the request id used in logs and audit entries.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}
