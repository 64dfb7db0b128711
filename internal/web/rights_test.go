package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/web/rights/rightstest"
)

// newRightsServer is the service's pages on the subject rights world (internal/web/rights/rightstest).
func newRightsServer(t *testing.T) (*Server, rightstest.World) {
	t.Helper()
	w := rightstest.New(t, dbtest.NewSQLite(t))
	return New(testDeps(w.DB, nil, w.Partnership, w.Now)), w
}

// TestRightsPagesInTheService: the subject rights pages (internal/web/rights, tested there) are served in the
// service's frame, and a notice sent when the coordinator corrects a person's details is counted on the
// receiving organisation's My work, with a link to its notices.
func TestRightsPagesInTheService(t *testing.T) {
	s, w := newRightsServer(t)
	rectify := fmt.Sprintf("/partnerships/%d/cases/%d/rectify", w.PID, w.CaseID)
	r, err := w.Casework.Referral(context.Background(), w.Coordinator, w.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	res := serve(t, s, w.Coordinator, http.MethodGet, rectify, nil)
	if res.Code != http.StatusOK {
		t.Fatalf("rectify: status %d", res.Code)
	}
	if title := parse(t, res).Find("title").Text(); !strings.Contains(title, "Correct the person’s details: Case "+r.Reference) {
		t.Errorf("rectify page title %q", title)
	}
	if res := serve(t, s, w.Referrer, http.MethodGet, rectify, nil); res.Code != http.StatusNotFound {
		t.Errorf("referrer: status %d, want 404", res.Code)
	}
	wantRedirect(t, serve(t, s, w.Coordinator, http.MethodPost, rectify, url.Values{"field": {"family_name"}, "value": {"Smyth"},
		"reason": {"Passport seen"}}), fmt.Sprintf("/partnerships/%d/cases/%d", w.PID, w.CaseID))

	// The police, who received the case, have a notice on My work and in their list.
	list := fmt.Sprintf("/partnerships/%d/notices", w.PID)
	res = serve(t, s, w.Officer, http.MethodGet, "/work", nil)
	if !strings.Contains(res.Body.String(), "1 notice to your organisation needs action") {
		t.Errorf("My work does not count the notice:\n%s", res.Body.String())
	}
	if parse(t, res).Find(`main a[href="`+list+`"]`).Length() == 0 {
		t.Errorf("My work does not link to the notices at %s", list)
	}
	res = serve(t, s, w.Officer, http.MethodGet, list, nil)
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Record corrected") || !strings.Contains(res.Body.String(), r.Reference) {
		t.Fatalf("notice list: status %d\n%s", res.Code, res.Body.String())
	}
}
