package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/idempotency"
	"github.com/preventplatform/prevent/internal/prevent"
)

// IdempotencyHeader names the key a client sends with a POST so that retrying it is safe.
const IdempotencyHeader = "Idempotency-Key"

const (
	// inFlightWait is how long a retry waits for the first request with its key to finish before it is told
	// to try again (409 with Retry-After).
	inFlightWait = 3 * time.Second
	// maxRemembered is the largest answer remembered; a larger one is not, and a retry runs again.
	maxRemembered = 4 << 20
	// maxKeyedBody is the largest body read to take a keyed request's digest: that of the operation taking the
	// largest body (a statistical return's bundle). Each operation still applies its own limit.
	maxKeyedBody = maxBundleBody
)

// idempotencyParameter documents the header on every POST operation of the OpenAPI document.
var idempotencyParameter = map[string]any{
	"name": IdempotencyHeader, "in": "header", "required": false,
	"description": "A key of the client's choosing (a UUID, say), 1 to 255 visible ASCII characters, that makes " +
		"retrying the request safe: for 24 hours, the same key from the same account with the same method, " +
		"path and body gets the first answer again (status, body and Location) and nothing is done twice; the " +
		"key with a different request is refused with 422; a retry while the first request is still running " +
		"waits for it, or is answered 409 with Retry-After. An answer of 500 or above is not remembered.",
	"schema": map[string]any{"type": "string", "minLength": 1, "maxLength": idempotency.MaxKey},
}

// idempotent runs serve for a POST with an Idempotency-Key header at most once per key and account, and gives
// a retry the first answer. Without the header, or for a route that needs no account, it just runs serve.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, p prevent.Principal, serve func(http.ResponseWriter, *http.Request)) {
	key, sent := r.Header[http.CanonicalHeaderKey(IdempotencyHeader)]
	store := s.deps.Idempotency
	if !sent || r.Method != http.MethodPost || store == nil || p.PersonID == 0 {
		serve(w, r)
		return
	}
	if len(key) != 1 || !idempotency.ValidKey(key[0]) {
		s.fail(w, r, badRequest("The %s header must be sent once, with 1 to %d visible ASCII characters", IdempotencyHeader, idempotency.MaxKey))
		return
	}
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(io.LimitReader(r.Body, maxKeyedBody+1)); err != nil {
			s.fail(w, r, badRequest("The request body could not be read"))
			return
		}
		if len(body) > maxKeyedBody {
			s.fail(w, r, &requestError{status: http.StatusRequestEntityTooLarge, detail: "The request body is too large"})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	fingerprint := idempotency.Fingerprint(r.Method, r.URL.RequestURI(), body)
	ctx := r.Context()
	deadline := time.Now().Add(inFlightWait)
	for wait := 25 * time.Millisecond; ; wait = min(2*wait, 250*time.Millisecond) {
		claim, answer, err := store.Begin(ctx, p.PersonID, key[0], fingerprint)
		switch {
		case errors.Is(err, idempotency.ErrInFlight):
			if time.Now().Add(wait).After(deadline) {
				w.Header().Set("Retry-After", "1")
				s.fail(w, r, prevent.Errorf(prevent.Conflict, "A request with this %s is still running; try again in a moment", IdempotencyHeader))
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		case err != nil:
			s.fail(w, r, err)
			return
		case answer != nil:
			replay(w, answer)
			return
		}
		s.runClaimed(w, r, claim, serve)
		return
	}
}

// runClaimed runs serve under a claim and records its answer; a panic or a server failure releases the claim.
func (s *Server) runClaimed(w http.ResponseWriter, r *http.Request, claim *idempotency.Claim, serve func(http.ResponseWriter, *http.Request)) {
	ctx := context.WithoutCancel(r.Context())
	rec := &answerRecorder{ResponseWriter: w}
	finished := false
	defer func() {
		if !finished {
			if err := s.deps.Idempotency.Release(ctx, claim); err != nil {
				s.deps.Logger.ErrorContext(ctx, "api: release idempotency claim", "err", err)
			}
		}
	}()
	serve(rec, r)
	a := rec.answer()
	var err error
	if rec.overflow {
		err = s.deps.Idempotency.Release(ctx, claim)
	} else {
		err = s.deps.Idempotency.Finish(ctx, claim, a)
	}
	finished = true
	if err != nil {
		s.deps.Logger.ErrorContext(ctx, "api: record idempotent answer", "request_id", prevent.RequestIDFrom(ctx), "err", err)
	}
}

// replay writes a remembered answer.
func replay(w http.ResponseWriter, a *idempotency.Answer) {
	h := w.Header()
	for k, v := range a.Header {
		h.Set(k, v)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Idempotent-Replayed", "true")
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}

// answerRecorder passes a response through while keeping a copy of it to remember.
type answerRecorder struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	overflow bool
}

func (a *answerRecorder) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
	a.ResponseWriter.WriteHeader(status)
}

func (a *answerRecorder) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if !a.overflow {
		if a.body.Len()+len(b) > maxRemembered {
			a.overflow = true
			a.body = bytes.Buffer{}
		} else {
			a.body.Write(b)
		}
	}
	return a.ResponseWriter.Write(b)
}

func (a *answerRecorder) answer() idempotency.Answer {
	status := a.status
	if status == 0 {
		status = http.StatusOK
	}
	out := idempotency.Answer{Status: status, Header: map[string]string{}, Body: a.body.Bytes()}
	for _, k := range []string{"Content-Type", "Location", "Retry-After"} {
		if v := a.Header().Get(k); v != "" {
			out.Header[k] = v
		}
	}
	return out
}
