package web

import (
	"net/http"
)

// The public information pages: cookies, the accessibility statement and the privacy notice.

func (s *Server) handleInfo(which string) handler {
	titles := map[string]string{"cookies": "Cookies", "accessibility": "Accessibility statement", "privacy": "Privacy notice"}
	return func(w http.ResponseWriter, r *http.Request) error {
		l := s.layout(r, titles[which])
		return s.page(w, r, l, infoPage(l, which))
	}
}
