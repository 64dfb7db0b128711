package casework_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/channel"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	"github.com/preventplatform/prevent/internal/web/mywork"
	rightspages "github.com/preventplatform/prevent/internal/web/rights"
)

// caseFixture is the casework world (caseworktest) served by the casework pages, with the Channel pages of a
// case, the rights pages a case links to (rectification) and My work, which they lead to and return to, on the
// shared core's test site.
type caseFixture struct {
	caseworktest.World
	s *coretest.Site
}

func newCaseFixture(t *testing.T) caseFixture {
	t.Helper()
	w := caseworktest.New(t, dbtest.NewSQLite(t))
	site := coretest.New(w.Now)
	d := casepages.Deps{Casework: w.Casework, Sharing: w.Sharing, Partnership: w.Partnership, Now: w.Now, MyWork: mywork.WorkPath}
	mywork.Register(site, mywork.Deps{Work: w.Work, Casework: w.Casework, Sharing: w.Sharing, Now: w.Now})
	casepages.Register(site, d)
	channel.Register(site, casepages.ChannelDeps(site, d))
	rightspages.Register(site, rightspages.Deps{Rights: w.Rights, Sharing: w.Sharing, Casework: w.Casework, Now: w.Now})
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

// flashOf is the message a redirect leaves for the next page's banner.
func flashOf(w *httptest.ResponseRecorder) string { return w.Header().Get("X-Flash") }
