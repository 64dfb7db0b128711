package web

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
)

// registerSignpost adds the routes for signposting search: "known to organisation X, contact Y" without disclosure.
// The search is posted, so that the name searched for stays out of addresses, history and logs.
func (s *Server) registerSignpost() {
	sp := &signpostPages{Server: s, svc: casework.New(casework.Deps{DB: s.deps.DB, Now: s.deps.Now, Keys: s.deps.Keys})}
	s.handle(http.MethodGet, "/partnerships/{pid}/signposting", access.Signpost, sp.handleForm)
	s.handle(http.MethodPost, "/partnerships/{pid}/signposting", access.Signpost, sp.handleSearch)
}
