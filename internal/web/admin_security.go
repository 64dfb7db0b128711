package web

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/prevent"
)

// handlePersonSecurity unlocks an account after repeated failed sign-ins, or removes a person's second factors
// (a lost phone or passkey) so that they set one up again at their next sign-in. The person must be one the
// administrator may manage in this partnership; the partnership service decides that, then auth acts and audits.
func (s *Server) handlePersonSecurity(what string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := pathIDs(r)
		if err != nil {
			return err
		}
		if _, err := readForm(w, r); err != nil {
			return err
		}
		p := prevent.PrincipalFrom(r.Context())
		if _, err := s.deps.Partnership.PersonToManage(r.Context(), p, pid, id); err != nil {
			return err
		}
		msg := "Account unlocked. They can sign in again"
		switch what {
		case "unlock":
			err = s.deps.Auth.Unlock(r.Context(), id)
		default:
			if id == p.PersonID {
				return prevent.Errorf(prevent.Invalid, "You cannot reset your own second factor; ask another administrator")
			}
			err = s.deps.Auth.ResetSecondFactors(r.Context(), id)
			msg = "Second factor reset. They have been signed out and will set up a new one when they next sign in"
		}
		if err != nil {
			return err
		}
		return s.flash(w, r, partnershipPath(pid, "people", id), msg)
	}
}
