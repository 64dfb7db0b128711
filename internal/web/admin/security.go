package admin

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// handlePersonSecurity unlocks an account after repeated failed sign-ins, or removes a person's second factors
// (a lost phone or passkey) so that they set one up again at their next sign-in. The person must be one the
// administrator may manage in this partnership; the partnership service decides that, then auth acts and audits.
func (p *pages) handlePersonSecurity(what string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := core.PathIDs(r)
		if err != nil {
			return err
		}
		if _, err := core.ReadForm(w, r); err != nil {
			return err
		}
		pr := principalOf(r)
		if _, err := p.d.Partnership.PersonToManage(r.Context(), pr, pid, id); err != nil {
			return err
		}
		msg := "Account unlocked. They can sign in again"
		switch what {
		case "unlock":
			err = p.d.Auth.Unlock(r.Context(), id)
		default:
			if id == pr.PersonID {
				return prevent.Errorf(prevent.Invalid, "You cannot reset your own second factor; ask another administrator")
			}
			err = p.d.Auth.ResetSecondFactors(r.Context(), id)
			msg = "Second factor reset. They have been signed out and will set up a new one when they next sign in"
		}
		if err != nil {
			return err
		}
		return p.Flash(w, r, PersonPath.Link(pid, id), msg)
	}
}
