package core

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
)

func TestPathsFillTheirWildcards(t *testing.T) {
	t.Parallel()
	if got := NewPath1("/partnerships/{pid}/statistics").Link(7); got != "/partnerships/7/statistics" {
		t.Errorf("Path1 link = %q", got)
	}
	if got := NewPath2("/partnerships/{pid}/returns/{id}").Link(7, 42); got != "/partnerships/7/returns/42" {
		t.Errorf("Path2 link = %q", got)
	}
	if got := NewPath3("/partnerships/{pid}/panels/{panel}/meetings/{meeting}").Link(7, 3, 42); got != "/partnerships/7/panels/3/meetings/42" {
		t.Errorf("Path3 link = %q", got)
	}
	if got := NewPath4("/partnerships/{pid}/panels/{panel}/meetings/{meeting}/cases/{case}").Link(7, 3, 42, 9); got != "/partnerships/7/panels/3/meetings/42/cases/9" {
		t.Errorf("Path4 link = %q", got)
	}
	if got := NewPath0("/audit").Link(); got != "/audit" {
		t.Errorf("Path0 link = %q", got)
	}
	for _, c := range []struct {
		pattern string
		make    func(string)
	}{
		{"/partnerships/{pid}/{id}", func(p string) { NewPath1(p) }},
		{"/partnerships", func(p string) { NewPath1(p) }},
		{"/partnerships/{pid}", func(p string) { NewPath0(p) }},
		{"partnerships/{pid}", func(p string) { NewPath1(p) }},
		{"/partnerships/{pid...}", func(p string) { NewPath1(p) }},
		{"/partnerships/{pid}/panels/{panel}", func(p string) { NewPath3(p) }},
		{"/partnerships/{pid}/panels/{panel}/meetings/{meeting}", func(p string) { NewPath4(p) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%q: declared without a panic", c.pattern)
				}
			}()
			c.make(c.pattern)
		}()
	}
}

func TestPathIDReadsPositiveNumbersOnly(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	var got prevent.ID
	var err error
	mux.HandleFunc("GET /x/{id}", func(w http.ResponseWriter, r *http.Request) { got, err = PathID(r, "id") })
	for _, c := range []struct {
		path string
		want prevent.ID
	}{{"/x/12", 12}, {"/x/0", 0}, {"/x/-3", 0}, {"/x/1e3", 0}, {"/x/99999999999999999999", 0}, {"/x/abc", 0}} {
		got, err = 0, nil
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, c.path, nil))
		if got != c.want || (c.want == 0) != (err != nil) {
			t.Errorf("%s: id %d, err %v", c.path, got, err)
		}
		if err != nil && Status(err) != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", c.path, Status(err))
		}
	}
}

func TestStatusByKind(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want int
	}{
		{prevent.Errorf(prevent.Invalid, "x"), http.StatusUnprocessableEntity},
		{prevent.Errorf(prevent.Forbidden, "x"), http.StatusNotFound},
		{prevent.Errorf(prevent.NotFound, "x"), http.StatusNotFound},
		{prevent.Errorf(prevent.Conflict, "x"), http.StatusConflict},
		{prevent.Errorf(prevent.Unauthenticated, "x"), http.StatusUnauthorized},
		{errors.New("disk full"), http.StatusInternalServerError},
	} {
		if got := Status(c.err); got != c.want {
			t.Errorf("%v: %d, want %d", c.err, got, c.want)
		}
	}
}
