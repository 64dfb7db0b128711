package access

import (
	"slices"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Signpost: search the partnership for a person by name (and date of birth) and learn only which organisation
// knows them and whom to contact there, never the record itself (internal/casework).
const Signpost Action = "signpost.search"

// signpostActions is the signposting part of the permission table, merged into permitted.
//
// Signposting is for the professionals who work cases with partners and so need to know whom to ask: the
// coordinator, the police Prevent officer and the panel's chair and members. Referrers make referrals and do
// not search for people; providers work the cases assigned to them; analysts, the data protection officer,
// auditors and administrators see no one by name.
var signpostActions = map[prevent.Role][]Action{
	prevent.Coordinator:   {Signpost},
	prevent.PoliceOfficer: {Signpost},
	prevent.PanelChair:    {Signpost},
	prevent.PanelMember:   {Signpost},
}

// SignpostActions returns the signposting actions a role permits (for help pages and tests).
func SignpostActions(r prevent.Role) []Action { return slices.Clone(signpostActions[r]) }
