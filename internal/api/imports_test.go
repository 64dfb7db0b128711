package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// TestImportRoutes: the administrator checks a file of people (nothing written), imports it in the background
// and follows it to done, and is refused the same file again; a file with problems is a 422 naming each row
// and column; the templates download; another partnership's administrator finds nothing.
func TestImportRoutes(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		base := fmt.Sprintf("/api/v1/partnerships/%d/imports", f.pid)
		send := func(tok, path string, body string) *httptest.ResponseRecorder {
			t.Helper()
			r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader([]byte(body)))
			r.Header.Set("Content-Type", "text/csv")
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			f.mux.ServeHTTP(rec, r)
			checkResponse(t, r, rec)
			return rec
		}
		people := "organisation,sector,public_body,name,email,roles\n" +
			"Kirklees Youth Trust,community,no,Ada Brook,ada.brook@youthtrust.example,provider\n" +
			"Kirklees Council,,,Ben Hale,ben.hale@kirklees.example.gov.uk,coordinator;referrer\n"
		count := func() int {
			var n int
			if err := db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM people`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()

		var rep api.ImportReport
		f.want(send(f.admin, base+"/check?kind=people&file_name=staff.csv", people), http.StatusOK, &rep)
		if !rep.OK || rep.Rows != 2 || rep.File != "staff.csv" || len(rep.SHA256) != 64 || count() != before {
			t.Fatalf("check = %+v, %d people written", rep, count()-before)
		}
		rec := send(f.admin, base+"?kind=people&file_name=staff.csv", people)
		var im api.Import
		f.want(rec, http.StatusAccepted, &im)
		if im.ID == 0 || rec.Header().Get("Location") != fmt.Sprintf("%s/%d", base, im.ID) {
			t.Fatalf("import = %+v, Location %q", im, rec.Header().Get("Location"))
		}
		f.deps.Imports.Wait()
		f.want(f.do(http.MethodGet, fmt.Sprintf("%s/%d", base, im.ID), f.admin, nil), http.StatusOK, &im)
		if im.Status != "done" || im.Written != 2 || im.FinishedAt == nil || count() != before+2 {
			t.Errorf("after the run: %+v, %d people written", im, count()-before)
		}
		p := f.problem(send(f.admin, base+"?kind=people&file_name=again.csv", people), http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Field != "file" || !strings.Contains(p.Errors[0].Message, "already imported") {
			t.Errorf("the same file again: %+v", p.Errors)
		}

		bad := "organisation,name,email,roles\nKirklees Council,Cy Dale,not-an-email,referrer\nKirklees Council,,cy@kirklees.example.gov.uk,wizard\n"
		p = f.problem(send(f.admin, base+"/check?kind=people", bad), http.StatusUnprocessableEntity)
		fields := map[string]bool{}
		for _, e := range p.Errors {
			fields[e.Field] = true
		}
		for _, want := range []string{"rows/2/email", "rows/3/name", "rows/3/roles"} {
			if !fields[want] {
				t.Errorf("no error on %s: %+v", want, p.Errors)
			}
		}
		f.problem(send(f.admin, base+"?kind=everything", people), http.StatusUnprocessableEntity)

		var list api.ImportList
		f.want(f.do(http.MethodGet, base, f.admin, nil), http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].ID != im.ID {
			t.Errorf("list = %+v", list)
		}
		rec = f.do(http.MethodGet, base+"/templates/cases?format=csv", f.admin, nil)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.HasPrefix(rec.Body.String(), "source_reference,") {
			t.Errorf("template: %d %q %.40s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}

		f.problem(f.do(http.MethodGet, fmt.Sprintf("%s/%d", base, im.ID), f.otherAdmin, nil), http.StatusNotFound)
		f.problem(send(f.otherAdmin, base+"/check?kind=people", people), http.StatusNotFound)
	})
}
