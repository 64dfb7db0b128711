package programme_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestProgrammeLibraryMarkingWithoutClearance(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		var sensitive, official prevent.ID
		if err := db.Read().QueryRowContext(context.Background(), `SELECT
			(SELECT min(id) FROM library_documents WHERE marking = $1), (SELECT min(id) FROM library_documents WHERE marking = $2)`,
			int(prevent.OfficialSensitive), int(prevent.Official)).Scan(&sensitive, &official); err != nil {
			t.Fatal(err)
		}
		// The coordinator (BPSS) sees the document, marked at the top and bottom, and downloads it marked.
		w := serve(t, f, f.coord, "GET", f.path("library", sensitive), nil)
		if w.Code != 200 || parse(t, w).Find(".app-marking").Length() != 2 {
			t.Fatalf("coordinator: %d, marking strips %d", w.Code, parse(t, w).Find(".app-marking").Length())
		}
		w = serve(t, f, f.coord, "GET", f.path("library", sensitive, "download"), nil)
		if w.Code != 200 || w.Header().Get("X-Protective-Marking") != "OFFICIAL-SENSITIVE" {
			t.Errorf("coordinator download: %d %q", w.Code, w.Header().Get("X-Protective-Marking"))
		}
		// The member whose vetting lapsed: not listed, and not found by page or download.
		w = serve(t, f, f.lapsed, "GET", f.path("library"), nil)
		if w.Code != 200 || strings.Contains(w.Body.String(), "local profile") || !strings.Contains(w.Body.String(), "guide for partners") {
			t.Errorf("library list for a member without clearance: %d", w.Code)
		}
		for _, p := range []string{f.path("library", sensitive), f.path("library", sensitive, "download")} {
			if w := serve(t, f, f.lapsed, "GET", p, nil); w.Code != http.StatusNotFound {
				t.Errorf("GET %s without clearance = %d, want 404", p, w.Code)
			}
		}
		if w := serve(t, f, f.lapsed, "GET", f.path("library", official), nil); w.Code != 200 {
			t.Errorf("OFFICIAL document for the same member = %d, want 200", w.Code)
		}
	})
}
