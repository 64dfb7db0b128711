package auditlog_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/admin/admintest"
	"github.com/preventplatform/prevent/internal/web/auditlog"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

// TestRoutes: the page's address and the access action it needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	auditlog.Register(site, auditlog.Deps{})
	want := []coretest.Route{{Method: http.MethodGet, Pattern: "/audit", Action: access.AuditView}}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
}

// fixture is the administration's partnership with a data protection officer, who may see the partnership's
// people, and an auditor, who may not; the log holds their creation.
type fixture struct {
	w          admintest.World
	deps       auditlog.Deps
	dpo, audit prevent.Principal
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	w := admintest.New(t, dbtest.NewSQLite(t))
	svc := testworld.New(w.DB, w.Now)
	f := fixture{w: w, deps: auditlog.Deps{AuditLog: svc.AuditLog, Partnership: w.Partnership, Casework: svc.Casework, Now: w.Now}}
	person := func(name string, role prevent.Role) prevent.Principal {
		id, _, err := w.Partnership.CreatePerson(context.Background(), w.Admin, w.PID, partnership.PersonInput{Name: name,
			Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@northtown.example", OrganisationID: w.Council, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		return prevent.Principal{PersonID: id, Name: name, OrganisationID: w.Council, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: w.PID, Role: role}}}
	}
	f.dpo = person("Dee Protection", prevent.DataProtection)
	f.audit = person("Aud Itor", prevent.Auditor)
	return f
}

func (f fixture) site(d auditlog.Deps) *coretest.Site {
	s := coretest.New(f.w.Now)
	auditlog.Register(s, d)
	return s
}

func get(t *testing.T, s *coretest.Site, p prevent.Principal, target string) *goquery.Document {
	t.Helper()
	w := s.Serve(t, p, http.MethodGet, target, nil)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d", target, w.Code)
	}
	return parse(t, w)
}

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// cells are the text of the table's rows, cell by cell.
func cells(doc *goquery.Document) [][]string {
	var out [][]string
	doc.Find("main table tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var row []string
		tr.Find("td").Each(func(_ int, td *goquery.Selection) { row = append(row, strings.TrimSpace(td.Text())) })
		out = append(out, row)
	})
	return out
}

// TestNames: the entries name who made them, their organisation and the person they are about as far as the
// reader may see the partnership's people: the data protection officer sees names, the auditor numbers.
func TestNames(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.site(f.deps)
	target := auditlog.LogPath.Link() + "?" + url.Values{"kind": {"person"}, "record": {strconv.FormatInt(f.audit.PersonID, 10)}}.Encode()
	rows := cells(get(t, s, f.dpo, target))
	if len(rows) == 0 {
		t.Fatal("no entries for the auditor's record")
	}
	for _, r := range rows {
		if r[2] != "Ada Admin" || r[3] != "Northtown Council" || r[5] != "Aud Itor" {
			t.Errorf("the data protection officer's row %q: want Ada Admin of Northtown Council about Aud Itor", r)
		}
	}
	for _, r := range cells(get(t, s, f.audit, target)) {
		if want := "Person " + strconv.FormatInt(f.w.Admin.PersonID, 10); r[2] != want {
			t.Errorf("the auditor's row %q: who is %q, want %q", r, r[2], want)
		}
		if want := "Person " + strconv.FormatInt(f.audit.PersonID, 10); r[5] != want {
			t.Errorf("the auditor's row %q: record is %q, want %q", r, r[5], want)
		}
	}
}

// TestFilterErrors: a person or record that is not a number, and an action not in the list, are errors linked
// from the summary, what was typed is kept, and no entries are shown.
func TestFilterErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	doc := get(t, f.site(f.deps), f.dpo, auditlog.LogPath.Link()+"?actor=x&record=-1&action=bogus&kind=person")
	coretest.WantErrorLinks(t, doc, "#actor", "#record", "#action")
	if v := doc.Find("#actor").AttrOr("value", ""); v != "x" {
		t.Errorf("actor kept as %q", v)
	}
	if v := doc.Find("#kind").AttrOr("value", ""); v != "person" {
		t.Errorf("kind kept as %q", v)
	}
	if n := len(cells(doc)); n != 0 {
		t.Errorf("%d entries shown with errors in the filter", n)
	}
}

// TestPaging: a page shows 50 entries, newest first; the link to older entries keeps the filter and leads to
// entries older than the page's.
func TestPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.site(f.deps)
	for range 30 { // each page that names people lists them, which is audited as the reader's
		get(t, s, f.dpo, auditlog.LogPath.Link())
	}
	first := auditlog.LogPath.Link() + "?actor=" + strconv.FormatInt(f.dpo.PersonID, 10)
	doc := get(t, s, f.dpo, first)
	rows := cells(doc)
	if len(rows) != 50 {
		t.Fatalf("%d entries on the first page, want 50", len(rows))
	}
	seq := func(r []string) int {
		n, err := strconv.Atoi(r[0])
		if err != nil {
			t.Fatalf("entry number %q", r[0])
		}
		return n
	}
	for i := 1; i < len(rows); i++ {
		if seq(rows[i]) >= seq(rows[i-1]) {
			t.Fatalf("entries not newest first: %s after %s", rows[i][0], rows[i-1][0])
		}
	}
	next := doc.Find(`a[rel="next"]`).AttrOr("href", "")
	u, err := url.Parse(next)
	if err != nil || u.Path != "/audit" || u.Query().Get("actor") != strconv.FormatInt(f.dpo.PersonID, 10) || u.Query().Get("before") == "" {
		t.Fatalf("the link to older entries is %q", next)
	}
	older := cells(get(t, s, f.dpo, next))
	if len(older) == 0 || seq(older[0]) >= seq(rows[len(rows)-1]) {
		t.Errorf("the older page starts at %v, after %s", older, rows[len(rows)-1][0])
	}
}

// TestCheckpointStatus: the page says when the last of the signed checkpoints was written and how many there
// are, or that there is none yet; without a checkpoint folder it says nothing of them.
func TestCheckpointStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	status := func(dir string) string {
		t.Helper()
		d := f.deps
		d.CheckpointDir = dir
		var out []string
		get(t, f.site(d), f.dpo, auditlog.LogPath.Link()).Find("main p.govuk-body").Each(func(_ int, p *goquery.Selection) {
			if strings.Contains(p.Text(), "checkpoint") && !strings.HasPrefix(p.Text(), "Every change") {
				out = append(out, p.Text())
			}
		})
		return strings.Join(out, "|")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "checkpoints"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, want := status(dir), "No signed checkpoint has been written yet."; got != want {
		t.Errorf("no checkpoints: %q, want %q", got, want)
	}
	for i, name := range []string{"1", "2"} {
		p := filepath.Join(dir, "checkpoints", name)
		if err := os.WriteFile(p, []byte("checkpoint"), 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2025, 3, 4, 5, 6, 7+i, 0, time.UTC)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := status(dir), "Last signed checkpoint: 4 March 2025 05:06:08 UTC (2 in all)."; got != want {
		t.Errorf("two checkpoints: %q, want %q", got, want)
	}
	if got := status(""); got != "" {
		t.Errorf("without a checkpoint folder: %q", got)
	}
}

// TestAccess: someone who may not view the log is not shown it.
func TestAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	coordinator := prevent.Principal{PersonID: f.w.Admin.PersonID, MFA: true, Memberships: []prevent.Membership{{PartnershipID: f.w.PID, Role: prevent.Coordinator}}}
	if w := f.site(f.deps).Serve(t, coordinator, http.MethodGet, auditlog.LogPath.Link(), nil); w.Code != http.StatusNotFound {
		t.Errorf("a coordinator: status %d, want 404", w.Code)
	}
}
