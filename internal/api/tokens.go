package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/prevent"
)

// principal authenticates the request's bearer token with the auth package.
func (s *Server) principal(r *http.Request) (prevent.Principal, error) {
	tok := bearer(r)
	if tok == "" {
		return prevent.Principal{}, prevent.Errorf(prevent.Unauthenticated, "No API token was sent")
	}
	p, err := s.deps.Auth.AuthenticateToken(r.Context(), tok)
	if err != nil {
		return prevent.Principal{}, err
	}
	if p.Anonymous() {
		return p, prevent.Errorf(prevent.Unauthenticated, "The API token was not accepted")
	}
	return p, nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	p := prevent.PrincipalFrom(r.Context())
	toks, err := s.deps.Auth.ListTokens(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	out := TokenList{Items: []Token{}}
	for _, t := range toks {
		out.Items = append(out.Items, Token{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt.UTC(),
			ExpiresAt: timePtr(t.ExpiresAt), LastUsedAt: timePtr(t.LastUsedAt), RevokedAt: timePtr(t.RevokedAt)})
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.deps.Auth.RevokeToken(r.Context(), prevent.PrincipalFrom(r.Context()).PersonID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
