package access

import (
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// MayShare answers whether p may share case r with another organisation ("Share this case"): a role that
// screens cases (the coordinator) may share any case it may screen; otherwise the person must see the case
// (CaseView, with need-to-know), be allowed to disclose (Disclose), and belong to the organisation that holds
// it. An organisation the case was disclosed to may not pass it on: it holds only what it was given.
func MayShare(p prevent.Principal, r Resource, now time.Time) Decision {
	if d := Decide(p, CaseScreen, r, now); d.Allow {
		return d
	}
	for _, a := range []Action{CaseView, Disclose} {
		if d := Decide(p, a, r, now); !d.Allow {
			return d
		}
	}
	if p.OrganisationID != r.OwnerOrg {
		return deny("only the organisation that holds the case may share it")
	}
	return Decision{Allow: true, Reason: "shares for the organisation that holds the case"}
}
