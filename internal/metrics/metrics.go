// Package metrics exposes the service's Prometheus metrics: the Go runtime and process collectors, and
// a count and duration histogram of HTTP requests labelled by route pattern, method and status code.
//
// Labels carry only route patterns ("GET /people/{id}"), never raw paths, so no identifier or name that
// appears in a URL reaches the metrics, and the number of series stays bounded.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/logging"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Unmatched is the route label of a request that no route pattern matched (404, 405, redirects).
const Unmatched = logging.Unmatched

// Registry holds the service's metrics. Create it with New; it is safe for concurrent use.
type Registry struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// New returns a Registry with the Go and process collectors and the HTTP request metrics registered.
func New() *Registry {
	r := &Registry{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "prevent",
			Name:      "http_requests_total",
			Help:      "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "prevent",
			Name:      "http_request_duration_seconds",
			Help:      "Time to serve HTTP requests, by route pattern, method and status code.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"route", "method", "code"}),
	}
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.requests,
		r.duration,
	)
	return r
}

// Register adds collectors of other packages (for example the job queue's) to the registry.
func (r *Registry) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := r.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Handler serves the metrics in the Prometheus exposition format, for /metrics.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// Middleware counts and times every request that next serves. The route label is r.Pattern, which
// http.ServeMux sets while routing, so it is read after next returns; next must therefore be the
// ServeMux itself or a handler that passes the same *http.Request on (or copies Pattern back onto it,
// as logging.Middleware does). Requests with no pattern are labelled Unmatched.
func (r *Registry) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		sw := logging.NewRecorder(w)
		next.ServeHTTP(sw, req)
		status := sw.Status()
		if status == 0 {
			status = http.StatusOK
		}
		labels := prometheus.Labels{"route": logging.RouteLabel(req), "method": logging.MethodLabel(req.Method), "code": strconv.Itoa(status)}
		r.requests.With(labels).Inc()
		r.duration.With(labels).Observe(time.Since(start).Seconds())
	})
}
