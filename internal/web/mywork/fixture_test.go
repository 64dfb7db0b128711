package mywork_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	"github.com/preventplatform/prevent/internal/web/mywork"
)

// caseFixture is the casework world (caseworktest) served by My work and the casework pages its tasks lead
// to, on the shared core's test site.
type caseFixture struct {
	caseworktest.World
	s *coretest.Site
}

func newCaseFixture(t *testing.T) caseFixture {
	t.Helper()
	w := caseworktest.New(t, dbtest.NewSQLite(t))
	site := coretest.New(w.Now)
	mywork.Register(site, mywork.Deps{Work: w.Work, Casework: w.Casework, Sharing: w.Sharing, Now: w.Now})
	casepages.Register(site, casepages.Deps{Casework: w.Casework, Sharing: w.Sharing, Partnership: w.Partnership, Now: w.Now, MyWork: mywork.WorkPath})
	return caseFixture{World: w, s: site}
}

// serve makes a request to the pages as p: a GET of target, or a POST of form when form is not nil.
func serve(t *testing.T, s *coretest.Site, p prevent.Principal, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return s.Serve(t, p, method, target, form)
}

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func wantRedirect(t *testing.T, w *httptest.ResponseRecorder, prefix string) string {
	t.Helper()
	res := w.Result()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("status %d to %q, want 303 to %s…", res.StatusCode, loc, prefix)
	}
	return loc
}
