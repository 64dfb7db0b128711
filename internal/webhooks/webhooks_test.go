package webhooks_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/webhooks"
)

// world is two partnerships, each with its administrator, and the webhooks service.
type world struct {
	t             *testing.T
	db            *database.DB
	svc           *webhooks.Service
	queue         *recQueue
	pid, pid2     prevent.ID
	admin, admin2 prevent.Principal
}

// recQueue keeps the deliveries enqueued; the tests run them with Deliver, as the job would.
type recQueue struct {
	mu   sync.Mutex
	args []string
}

func (q *recQueue) Enqueue(_ context.Context, _ *database.Tx, name, arg string) error {
	if name != webhooks.JobName {
		return fmt.Errorf("unknown job %q", name)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.args = append(q.args, arg)
	return nil
}

// take returns the deliveries enqueued since the last take.
func (q *recQueue) take() []prevent.ID {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []prevent.ID
	for _, a := range q.args {
		id, _ := strconv.ParseInt(a, 10, 64)
		out = append(out, id)
	}
	q.args = nil
	return out
}

func newWorld(t *testing.T, db *database.DB, allowLoopback bool) *world {
	t.Helper()
	ctx := context.Background()
	ps := partnership.New(partnership.Deps{DB: db})
	w := &world{t: t, db: db, queue: &recQueue{}}
	admin := func(name, area, org, person, email string) (prevent.ID, prevent.Principal) {
		pid, err := ps.Bootstrap(ctx, name, area, "North West")
		if err != nil {
			t.Fatal(err)
		}
		id, _, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: org, Sector: "local_authority", PublicBody: "yes"}, person, email)
		if err != nil {
			t.Fatal(err)
		}
		return pid, prevent.Principal{PersonID: id, Name: person, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
	}
	w.pid, w.admin = admin("Northtown Prevent Partnership", "Northtown", "Northtown Council", "Ada Admin", "ada@northtown.example")
	w.pid2, w.admin2 = admin("Southtown Prevent Partnership", "Southtown", "Southtown Council", "Sam South", "sam@southtown.example")
	w.svc = webhooks.New(webhooks.Deps{DB: db, AllowHTTPLoopback: allowLoopback, Queue: w.queue, Timeout: 5 * time.Second})
	return w
}

// entry appends an audit entry as a domain service would.
func (w *world) entry(pid prevent.ID, action audit.Action, kind string, id prevent.ID, detail string) {
	w.t.Helper()
	ctx := context.Background()
	err := w.db.WithTx(ctx, func(tx *database.Tx) error {
		e := audit.New(ctx, time.Now(), action, kind, id)
		e.PartnershipID, e.Detail = pid, detail
		_, err := audit.Append(ctx, tx, e)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) scan() []prevent.ID {
	w.t.Helper()
	if err := w.svc.Scan(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	return w.queue.take()
}

func (w *world) create(url string, events ...string) (webhooks.Endpoint, string) {
	w.t.Helper()
	e, secret, err := w.svc.Create(context.Background(), w.admin, w.pid, webhooks.EndpointInput{URL: url, Events: events})
	if err != nil {
		w.t.Fatalf("create %s: %v", url, err)
	}
	return e, secret
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is an endpoint that answers with the statuses given in turn (200 once they run out).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      []received
	statuses []int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: b})
		status := 200
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write(bytes.Repeat([]byte("x"), 64<<10))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// verify is a receiver's check of a delivery, written from the Standard Webhooks convention and not from the
// service's code: the secret is "whsec_" and the base64 of the key; the signature is "v1," and the base64 of
// HMAC-SHA256 over id.timestamp.body; a timestamp more than tolerance away from now is refused (replay).
func verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return err
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("timestamp outside tolerance")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Split(sigs, " ") {
		v, sig, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

// TestWebhookDeliveriesSignedMinimalAndOwnPartnership: writes in the audit log become events told only to the
// endpoints of the entry's partnership that asked for them; each delivery is signed so that an independent
// verifier accepts it, is refused by that verifier outside its timestamp tolerance, has a webhook-id of its own,
// and its body holds only the documented members (no detail of the entry).
func TestWebhookDeliveriesSignedMinimalAndOwnPartnership(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newWorld(t, db, true)
		rcv := newReceiver(t)
		ep, secret := w.create(rcv.URL+"/hooks", "referral.submitted", "case.state_changed", "intervention.added")
		other := newReceiver(t)
		if _, _, err := w.svc.Create(ctx, w.admin2, w.pid2, webhooks.EndpointInput{URL: other.URL, Events: []string{"referral.submitted"}}); err != nil {
			t.Fatal(err)
		}
		disabled := newReceiver(t)
		off, _ := w.create(disabled.URL, "referral.submitted")
		if err := w.svc.SetActive(ctx, w.admin, w.pid, off.ID, false); err != nil {
			t.Fatal(err)
		}

		w.entry(w.pid, audit.Collect, "referral", 42, "submit: NT-2026-0042 Jane Doe (draft → submitted)")
		w.entry(w.pid, audit.Consult, "referral", 42, "case read")
		w.entry(w.pid, audit.Collect, "referral", 42, "support: intervention added (mentoring)")
		w.entry(w.pid, audit.Alter, "referral", 42, "panel: decision recorded (Adopt, consensus)") // not asked for
		w.entry(w.pid2, audit.Collect, "referral", 77, "submit: ST-2026-0077 (draft → submitted)")
		ids := w.scan()
		if len(ids) != 4 {
			t.Fatalf("%d deliveries queued, want 4 (submitted, state changed, intervention; none to the disabled endpoint)", len(ids))
		}
		for _, id := range ids {
			if err := w.svc.Deliver(ctx, id, false); err != nil {
				t.Fatalf("deliver %d: %v", id, err)
			}
		}
		got := rcv.requests()
		if len(got) != 3 {
			t.Fatalf("the endpoint got %d requests, want 3", len(got))
		}
		if n := len(other.requests()); n != 1 {
			t.Errorf("the other partnership's endpoint got %d requests, want only its own submission", n)
		}
		if n := len(disabled.requests()); n != 0 {
			t.Errorf("the disabled endpoint got %d requests", n)
		}
		var types []string
		seen := map[string]bool{}
		for _, r := range got {
			if err := verify(secret, r.header, r.body, time.Now(), 5*time.Minute); err != nil {
				t.Errorf("signature: %v", err)
			}
			if err := verify(secret, r.header, r.body, time.Now().Add(10*time.Minute), 5*time.Minute); err == nil {
				t.Error("a delivery ten minutes old passed the timestamp check")
			}
			tampered := bytes.Replace(r.body, []byte(`"id":42`), []byte(`"id":43`), 1)
			if err := verify(secret, r.header, tampered, time.Now(), 5*time.Minute); err == nil {
				t.Error("a changed body passed the signature check")
			}
			id := r.header.Get("webhook-id")
			if seen[id] {
				t.Errorf("webhook-id %s used twice", id)
			}
			seen[id] = true
			var top map[string]json.RawMessage
			if err := json.Unmarshal(r.body, &top); err != nil {
				t.Fatal(err)
			}
			if keys := sortedKeys(top); !slices.Equal(keys, []string{"data", "timestamp", "type"}) {
				t.Errorf("body members %v, want data, timestamp, type", keys)
			}
			var data map[string]any
			if err := json.Unmarshal(top["data"], &data); err != nil {
				t.Fatal(err)
			}
			if keys := sortedKeys(data); !slices.Equal(keys, []string{"id", "partnership_id", "path"}) {
				t.Errorf("data members %v, want id, partnership_id, path", keys)
			}
			if data["partnership_id"] != float64(w.pid) || data["id"] != float64(42) {
				t.Errorf("data = %v", data)
			}
			if strings.Contains(string(r.body), "Jane") || strings.Contains(string(r.body), "NT-2026") || strings.Contains(string(r.body), "mentoring") {
				t.Errorf("the body carries the entry's detail: %s", r.body)
			}
			var typ string
			_ = json.Unmarshal(top["type"], &typ)
			types = append(types, typ)
			switch typ {
			case "intervention.added":
				if want := fmt.Sprintf("/api/v1/partnerships/%d/cases/42/interventions", w.pid); data["path"] != want {
					t.Errorf("path = %v, want %s", data["path"], want)
				}
			default:
				if data["path"] != "/api/v1/referrals/42" {
					t.Errorf("path = %v", data["path"])
				}
			}
		}
		slices.Sort(types)
		if want := []string{"case.state_changed", "intervention.added", "referral.submitted"}; !slices.Equal(types, want) {
			t.Errorf("events %v, want %v", types, want)
		}
		log, err := w.svc.Deliveries(ctx, w.admin, w.pid, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 3 || log[0].Status != "delivered" || len(log[0].Attempts) != 1 || log[0].Attempts[0].StatusCode != 200 {
			t.Errorf("delivery log = %+v", log)
		}
		if _, err := w.svc.Deliveries(ctx, w.admin2, w.pid, ep.ID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another partnership's administrator read the log: %v", err)
		}
		if _, err := w.svc.Deliveries(ctx, w.admin2, w.pid2, ep.ID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("the endpoint was found under another partnership: %v", err)
		}
		// Nothing new: nothing more is queued.
		if ids := w.scan(); len(ids) != 0 {
			t.Errorf("a second scan queued %d deliveries", len(ids))
		}
	})
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestWebhookRetriedAfterFailureKeepsItsID: with the real job queue, a delivery the endpoint answers with 500
// is tried again after a back-off and succeeds; both tries carry the same webhook-id, and the delivery log
// shows both attempts. Sending it again makes a third try, still with the same id.
func TestWebhookRetriedAfterFailureKeepsItsID(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newWorld(t, db, true)
		q, err := jobs.New(ctx, jobs.Deps{DB: db, Jobs: w.svc.Jobs()})
		if err != nil {
			t.Fatal(err)
		}
		w.svc.UseQueue(q)
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = q.Stop(stopCtx)
		}()
		rcv := newReceiver(t, http.StatusInternalServerError)
		ep, secret := w.create(rcv.URL, "case.triaged")
		w.entry(w.pid, audit.Alter, "referral", 7, "refer_to_channel: triage: Refer to Channel (triage → channel_screening)")
		if err := w.svc.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		log := waitLog(t, w, ep.ID, func(d webhooks.Delivery) bool { return d.Status == "delivered" })
		if len(log) != 1 {
			t.Fatalf("%d deliveries, want 1", len(log))
		}
		d := log[0]
		if len(d.Attempts) != 2 || d.Attempts[0].StatusCode != 500 || d.Attempts[0].Error == "" || d.Attempts[1].StatusCode != 200 ||
			d.Attempts[0].Number != 1 || d.Attempts[1].Number != 2 {
			t.Errorf("attempts = %+v, want a 500 then a 200", d.Attempts)
		}
		got := rcv.requests()
		if len(got) != 2 {
			t.Fatalf("the endpoint got %d requests, want 2", len(got))
		}
		if got[0].header.Get("webhook-id") != got[1].header.Get("webhook-id") || got[0].header.Get("webhook-id") != d.MessageID {
			t.Errorf("webhook-ids %q, %q; delivery %q: a retry must keep its id", got[0].header.Get("webhook-id"), got[1].header.Get("webhook-id"), d.MessageID)
		}
		if !bytes.Equal(got[0].body, got[1].body) {
			t.Error("the retry's body differs")
		}
		for _, r := range got {
			if err := verify(secret, r.header, r.body, time.Now(), 5*time.Minute); err != nil {
				t.Error(err)
			}
		}

		if err := w.svc.SendAgain(ctx, w.admin2, w.pid, ep.ID, d.ID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another partnership's administrator sent again: %v", err)
		}
		if err := w.svc.SendAgain(ctx, w.admin, w.pid, ep.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		waitLog(t, w, ep.ID, func(d webhooks.Delivery) bool { return d.Status == "delivered" && len(d.Attempts) == 3 })
		got = rcv.requests()
		if len(got) != 3 || got[2].header.Get("webhook-id") != d.MessageID {
			t.Errorf("sent again: %d requests, id %q", len(got), got[len(got)-1].header.Get("webhook-id"))
		}
	})
}

// waitLog waits until the endpoint's every delivery satisfies done, and returns the log.
func waitLog(t *testing.T, w *world, endpointID prevent.ID, done func(webhooks.Delivery) bool) []webhooks.Delivery {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		log, err := w.svc.Deliveries(context.Background(), w.admin, w.pid, endpointID)
		if err != nil {
			t.Fatal(err)
		}
		ok := len(log) > 0
		for _, d := range log {
			ok = ok && done(d)
		}
		if ok {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not done: %+v", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWebhookAddressesRefused: without the loopback flag, an endpoint must be https and must not name a
// private, loopback, link-local or unspecified address; a host name that resolves to such an address is
// accepted at registration but refused when the delivery connects, and the endpoint is never reached.
func TestWebhookAddressesRefused(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newWorld(t, db, false)
		for _, u := range []string{"http://example.org/hook", "http://127.0.0.1:8080/", "https://127.0.0.1/", "https://10.1.2.3/",
			"https://192.168.0.10/", "https://169.254.169.254/latest", "https://[::1]/", "https://0.0.0.0/", "https://[fe80::1]/",
			"ftp://example.org/", "https://user:pw@example.org/", "example.org"} {
			_, _, err := w.svc.Create(ctx, w.admin, w.pid, webhooks.EndpointInput{URL: u, Events: []string{"case.triaged"}})
			if prevent.ErrorKind(err) != prevent.Invalid {
				t.Errorf("%s: err = %v, want refused", u, err)
			}
		}
		if _, _, err := w.svc.Create(ctx, w.admin, w.pid, webhooks.EndpointInput{URL: "https://example.org/hook", Events: []string{"no.such"}}); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("an unknown event was accepted: %v", err)
		}
		if _, _, err := w.svc.Create(ctx, w.admin2, w.pid, webhooks.EndpointInput{URL: "https://example.org/hook", Events: []string{"case.triaged"}}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another partnership's administrator registered an endpoint: %v", err)
		}

		var hits atomic.Int32
		srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
		defer srv.Close()
		// localhost is a name: it passes registration and is refused when it resolves to a loopback address.
		u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
		ep, _ := w.create(u, "case.triaged")
		w.entry(w.pid, audit.Alter, "referral", 9, "close_nfa: triage: No further action (triage → closed)")
		ids := w.scan()
		if len(ids) != 1 {
			t.Fatalf("%d deliveries, want 1", len(ids))
		}
		if err := w.svc.Deliver(ctx, ids[0], true); err == nil {
			t.Fatal("the delivery to a loopback address succeeded")
		}
		if n := hits.Load(); n != 0 {
			t.Errorf("the loopback endpoint was reached %d times", n)
		}
		log, err := w.svc.Deliveries(ctx, w.admin, w.pid, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].Status != "failed" || len(log[0].Attempts) != 1 || !strings.Contains(log[0].Attempts[0].Error, "refused") {
			t.Errorf("log = %+v, want one failed attempt, refused", log)
		}
	})
}

// TestWebhookRedirectNotFollowed: an endpoint that answers with a redirect is not followed: the attempt is
// logged with the 302 and counts as a failure, and the address redirected to is never reached.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newWorld(t, db, true)
		target := newReceiver(t)
		redirect := httptest.NewServer(http.RedirectHandler(target.URL+"/elsewhere", http.StatusFound))
		defer redirect.Close()
		ep, _ := w.create(redirect.URL, "share.made")
		w.entry(w.pid, audit.Alter, "referral", 5, "share: shared with another organisation (disclosure 3)")
		ids := w.scan()
		if len(ids) != 1 {
			t.Fatalf("%d deliveries, want 1", len(ids))
		}
		if err := w.svc.Deliver(ctx, ids[0], false); err == nil {
			t.Error("a redirect counted as delivered")
		}
		if n := len(target.requests()); n != 0 {
			t.Errorf("the redirect was followed (%d requests)", n)
		}
		log, err := w.svc.Deliveries(ctx, w.admin, w.pid, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 1 || log[0].Status != "retrying" || log[0].Attempts[0].StatusCode != http.StatusFound {
			t.Errorf("log = %+v", log)
		}
	})
}

// TestWebhookSecretShownOnceNotStoredInClear: the secret comes back from Create and RotateSecret only; no
// column of the endpoint's row or its deliveries holds it or its key in clear; after rotation deliveries are
// signed with the new secret only; deleting the endpoint removes its log.
func TestWebhookSecretShownOnceNotStoredInClear(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newWorld(t, db, true)
		rcv := newReceiver(t)
		ep, secret := w.create(rcv.URL, "case.assigned")
		if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
			t.Fatalf("secret %q", secret)
		}
		rotated, err := w.svc.RotateSecret(ctx, w.admin, w.pid, ep.ID)
		if err != nil || rotated == secret {
			t.Fatalf("rotate: %q, %v", rotated, err)
		}
		w.entry(w.pid, audit.Alter, "referral", 11, "assign: panel_member")
		for _, id := range w.scan() {
			if err := w.svc.Deliver(ctx, id, false); err != nil {
				t.Fatal(err)
			}
		}
		got := rcv.requests()
		if len(got) != 1 {
			t.Fatalf("%d requests", len(got))
		}
		if err := verify(rotated, got[0].header, got[0].body, time.Now(), time.Minute); err != nil {
			t.Errorf("signed with the rotated secret: %v", err)
		}
		if err := verify(secret, got[0].header, got[0].body, time.Now(), time.Minute); err == nil {
			t.Error("the old secret still verifies")
		}
		for _, s := range []string{secret, rotated} {
			key, _ := webhooks.SecretKey(s)
			for _, table := range []string{"webhook_endpoints", "webhook_deliveries", "webhook_attempts", "audit_entries"} {
				if cell := findInTable(t, db, table, s, strings.TrimPrefix(s, "whsec_"), string(key)); cell != "" {
					t.Errorf("%s holds the secret in clear (%s)", table, cell)
				}
			}
		}
		list, err := w.svc.Endpoints(ctx, w.admin, w.pid)
		if err != nil || len(list) != 1 || list[0].URL != rcv.URL {
			t.Fatalf("endpoints = %+v, %v", list, err)
		}
		if _, err := w.svc.Endpoints(ctx, w.admin2, w.pid); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("another partnership's administrator listed the endpoints: %v", err)
		}
		if err := w.svc.Delete(ctx, w.admin, w.pid, ep.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM webhook_endpoints) + (SELECT COUNT(*) FROM webhook_deliveries) + (SELECT COUNT(*) FROM webhook_attempts)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows left after delete", n)
		}
		if _, err := w.svc.Endpoint(ctx, w.admin, w.pid, ep.ID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("deleted endpoint: %v", err)
		}
	})
}

// findInTable returns the first cell of table that contains any of needles, as text.
func findInTable(t *testing.T, db *database.DB, table string, needles ...string) string {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			var s string
			switch x := v.(type) {
			case []byte:
				s = string(x)
			case string:
				s = x
			default:
				continue
			}
			for _, n := range needles {
				if n != "" && strings.Contains(s, n) {
					return cols[i]
				}
			}
		}
	}
	return ""
}

// TestWebhookHistoryNotReplayedAndAnswersBounded: events start when the first endpoint is registered, not with
// the log's history; an endpoint that answers slowly is given up on at the timeout and logged as timed out; an
// endless answer is not read past a small limit, so the attempt ends at once.
func TestWebhookHistoryNotReplayedAndAnswersBounded(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newWorld(t, db, true)
		w.svc = webhooks.New(webhooks.Deps{DB: db, AllowHTTPLoopback: true, Queue: w.queue, Timeout: 2 * time.Second})
		w.entry(w.pid, audit.Collect, "referral", 1, "submit: NT-1 (draft → submitted)")
		if err := w.svc.Scan(ctx); err != nil { // no endpoint yet: the cursor starts at the end
			t.Fatal(err)
		}

		slow := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body) // so that the server notices the client going away
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}))
		defer slow.Close()
		endless := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body)
			chunk := bytes.Repeat([]byte("y"), 32<<10)
			for r.Context().Err() == nil {
				if _, err := rw.Write(chunk); err != nil {
					return
				}
			}
		}))
		defer endless.Close()
		slowEP, _ := w.create(slow.URL, "referral.submitted")
		endlessEP, _ := w.create(endless.URL, "referral.submitted")
		w.entry(w.pid, audit.Collect, "referral", 2, "submit: NT-2 (draft → submitted)")
		ids := w.scan()
		if len(ids) != 2 {
			t.Fatalf("%d deliveries, want 2 (the entry before the first endpoint is not told)", len(ids))
		}
		for _, id := range ids {
			start := time.Now()
			_ = w.svc.Deliver(ctx, id, false)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("delivery %d took %s", id, d)
			}
		}
		for _, ep := range []prevent.ID{slowEP.ID, endlessEP.ID} {
			log, err := w.svc.Deliveries(ctx, w.admin, w.pid, ep)
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != 1 || len(log[0].Attempts) != 1 || !strings.Contains(log[0].Body, `"id":2`) {
				t.Fatalf("log = %+v", log)
			}
			a := log[0].Attempts[0]
			switch ep {
			case slowEP.ID:
				if a.StatusCode != 0 || a.Error != "timed out" || log[0].Status != "retrying" {
					t.Errorf("slow endpoint: %+v %s", a, log[0].Status)
				}
			case endlessEP.ID:
				if a.StatusCode != 200 || a.Duration > time.Second || log[0].Status != "delivered" {
					t.Errorf("endless answer: %+v %s", a, log[0].Status)
				}
			}
		}
	})
}
