package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

func scrape(t *testing.T, reg *metrics.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestMiddlewareLabelsByPattern(t *testing.T) {
	reg := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /people/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "404" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "person")
	})
	mux.HandleFunc("POST /people", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	h := reg.Middleware(mux)

	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/people/42", nil),
		httptest.NewRequest(http.MethodGet, "/people/43", nil),
		httptest.NewRequest(http.MethodGet, "/people/404", nil),
		httptest.NewRequest(http.MethodPost, "/people", nil),
		httptest.NewRequest(http.MethodGet, "/nowhere/Zebedee", nil),
		httptest.NewRequest(http.MethodDelete, "/people/42", nil), // 405: no pattern matches
		httptest.NewRequest("BREW", "/people/42", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}

	out := scrape(t, reg)
	want := []string{
		`prevent_http_requests_total{code="200",method="GET",route="GET /people/{id}"} 2`,
		`prevent_http_requests_total{code="404",method="GET",route="GET /people/{id}"} 1`,
		`prevent_http_requests_total{code="201",method="POST",route="POST /people"} 1`,
		`prevent_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`prevent_http_requests_total{code="405",method="DELETE",route="unmatched"} 1`,
		`prevent_http_requests_total{code="405",method="OTHER",route="unmatched"} 1`,
		`prevent_http_request_duration_seconds_count{code="200",method="GET",route="GET /people/{id}"} 2`,
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("metrics lack %s", w)
		}
	}
	for _, bad := range []string{"/people/42", "/people/43", "Zebedee", "BREW"} {
		if strings.Contains(out, bad) {
			t.Errorf("metrics contain the raw %q", bad)
		}
	}
	// The runtime and process collectors are registered.
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if !regexp.MustCompile(`(?m)^` + name + ` `).MatchString(out) {
			t.Errorf("metrics lack %s", name)
		}
	}
}

// A middleware between this one and the mux that replaces the request must copy the pattern back;
// without it the route is unmatched, which is why logging.Middleware copies it.
func TestPatternSeenThroughRequestCopy(t *testing.T) {
	reg := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cases/{id}", func(w http.ResponseWriter, r *http.Request) {})
	copying := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.WithContext(r.Context())
		mux.ServeHTTP(w, r2)
		r.Pattern = r2.Pattern
	})
	reg.Middleware(copying).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/cases/7", nil))
	if out := scrape(t, reg); !strings.Contains(out, `route="GET /cases/{id}"`) {
		t.Errorf("route label lost through a request copy:\n%s", out)
	}
}

func TestRegisterRejectsDuplicates(t *testing.T) {
	reg := metrics.New()
	if err := reg.Register(prometheusCounter("prevent_jobs_done_total")); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(prometheusCounter("prevent_jobs_done_total")); err == nil {
		t.Error("registering the same metric twice succeeded")
	}
}

func prometheusCounter(name string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: "test"})
}
