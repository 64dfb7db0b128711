package web

import (
	"fmt"
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The partnership administration pages are in internal/web/admin. These helpers came with them and stay here
// for the pages still in this package.

// may reports whether the signed-in principal may take action in the partnership, for showing links and buttons.
// The service decides again when the action is taken.
func (s *Server) may(r *http.Request, pid prevent.ID, action access.Action) bool {
	p := prevent.PrincipalFrom(r.Context())
	return access.Decide(p, action, access.Resource{Kind: "partnership", PartnershipID: pid}, s.deps.Now()).Allow
}

// partnershipPath is an address under the partnership's, /partnerships/{pid}/rest….
func partnershipPath(pid prevent.ID, rest ...any) string {
	out := fmt.Sprintf("/partnerships/%d", pid)
	for _, x := range rest {
		out += fmt.Sprintf("/%v", x)
	}
	return out
}
