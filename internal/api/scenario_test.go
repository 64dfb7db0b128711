package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// scenario is one request to the API and what it must answer, for tests written as tables: who asks (a key of the
// tokens given to play), what is asked, the status, and text the body must and must not hold. A status of 400 or
// more must come as a problem document.
type scenario struct {
	name   string
	as     string
	method string
	path   string
	body   any
	status int
	want   []string
	not    []string
}

// requester sends one request as the holder of token.
type requester func(method, path, token string, body any) *httptest.ResponseRecorder

// muxRequester sends requests to h, with a JSON body when body is not nil.
func muxRequester(t *testing.T, h http.Handler) requester {
	return func(method, path, token string, body any) *httptest.ResponseRecorder {
		t.Helper()
		var r *http.Request
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			r = httptest.NewRequest(method, path, bytes.NewReader(b))
			r.Header.Set("Content-Type", "application/json")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		checkResponse(t, r, rec)
		return rec
	}
}

// play runs the scenarios in order, each as a subtest named by the scenario.
func play(t *testing.T, do requester, tokens map[string]string, ss []scenario) {
	t.Helper()
	for _, s := range ss {
		t.Run(s.name, func(t *testing.T) {
			token, ok := tokens[s.as]
			if !ok && s.as != "" {
				t.Fatalf("no token for %q", s.as)
			}
			method := s.method
			if method == "" {
				method = http.MethodGet
			}
			rec := do(method, s.path, token, s.body)
			body := rec.Body.String()
			if rec.Code != s.status {
				t.Fatalf("%s %s as %s: status %d, want %d: %.300s", method, s.path, s.as, rec.Code, s.status, body)
			}
			if s.status >= 400 {
				var p struct {
					Type, Title, Detail string
					Status              int
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil ||
					p.Status != s.status || p.Title == "" || p.Detail == "" {
					t.Errorf("not a problem document (%q): %.300s", ct, body)
				}
			}
			for _, w := range s.want {
				if !strings.Contains(body, w) {
					t.Errorf("body does not hold %q: %.300s", w, body)
				}
			}
			for _, n := range s.not {
				if strings.Contains(body, n) {
					t.Errorf("body holds %q", n)
				}
			}
		})
	}
}
