package web

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
)

// registerSignpost adds the routes for signposting search: "known to organisation X, contact Y" without disclosure.
// The search is posted, so that the name searched for stays out of addresses, history and logs.
func (s *Server) registerSignpost() {
	sp := &signpostPages{Server: s, svc: s.deps.Casework}
	s.handle(http.MethodGet, "/partnerships/{pid}/signposting", access.Signpost, sp.handleForm)
	s.handle(http.MethodPost, "/partnerships/{pid}/signposting", access.Signpost, sp.handleSearch)
}
