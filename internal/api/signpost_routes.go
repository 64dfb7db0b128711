package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
)

// registerSignpost adds the routes for signposting search: "known to organisation X, contact Y" without disclosure.
// The search is posted, so that the name searched for stays out of addresses and logs.
func (s *Server) registerSignpost() {
	a := &signpostAPI{cw: s.deps.Casework}
	s.handle(http.MethodPost, "/partnerships/{pid}/signposting", access.Signpost, operation{id: "signpostSearch",
		summary: "Signposting without disclosure: which partner organisations hold a record about a person (by name and, " +
			"optionally, date of birth) and whom to contact there. A record is linked only if the caller may already see it; " +
			"otherwise only the organisation and contact are given. reason is one of " + signpostReasonCodes() +
			"; purpose is required. The search is audited with its purpose, as a consultation of each record it finds",
		request: SignpostSearch{}, response: SignpostResults{}}, a.search)
}
