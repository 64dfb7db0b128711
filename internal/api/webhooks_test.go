package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/webhooks"
)

// webhookQueue keeps the deliveries enqueued.
type webhookQueue struct {
	mu   sync.Mutex
	args []string
}

func (q *webhookQueue) Enqueue(_ context.Context, _ *database.Tx, _, arg string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.args = append(q.args, arg)
	return nil
}

func (q *webhookQueue) queued() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.args...)
}

// TestWebhookRoutes: the administrator registers an endpoint (its secret in the answer only), lists and reads
// it, sees a delivery in its log after a write in the partnership, sends it again, disables, rotates and
// deletes it; an address that is not https is refused with the field named, and the other partnership's
// administrator finds nothing.
func TestWebhookRoutes(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		q := &webhookQueue{}
		svc := webhooks.New(webhooks.Deps{DB: db, Queue: q, Now: func() time.Time { return testNow }})
		d := f.deps
		d.Webhooks = svc
		f.mux = http.NewServeMux()
		api.New(d).Register(f.mux)
		base := fmt.Sprintf("/api/v1/partnerships/%d/webhooks", f.pid)

		p := f.problem(f.do(http.MethodPost, base, f.admin, map[string]any{"url": "http://example.org/hook", "events": []string{"case.triaged"}}), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "url" {
			t.Errorf("errors = %+v, want the url named", p.Errors)
		}
		var created api.WebhookEndpointCreated
		f.want(f.do(http.MethodPost, base, f.admin, map[string]any{"url": "https://hooks.example.org/prevent", "events": []string{"case.triaged", "referral.submitted"}}),
			http.StatusCreated, &created)
		if !strings.HasPrefix(created.Secret, "whsec_") || created.Endpoint.ID == 0 || len(created.Endpoint.Events) != 2 || !created.Endpoint.Active {
			t.Fatalf("created = %+v", created)
		}
		one := fmt.Sprintf("%s/%d", base, created.Endpoint.ID)

		rec := f.do(http.MethodGet, base, f.admin, nil)
		var list api.WebhookEndpointList
		f.want(rec, http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].URL != "https://hooks.example.org/prevent" || strings.Contains(rec.Body.String(), created.Secret) {
			t.Errorf("list = %s", rec.Body.String())
		}
		var got api.WebhookEndpoint
		f.want(f.do(http.MethodGet, one, f.admin, nil), http.StatusOK, &got)
		if got.ID != created.Endpoint.ID || got.PartnershipID != f.pid {
			t.Errorf("get = %+v", got)
		}
		f.problem(f.do(http.MethodGet, one, f.otherAdmin, nil), http.StatusNotFound)
		f.problem(f.do(http.MethodGet, fmt.Sprintf("/api/v1/partnerships/%d/webhooks/%d", f.pid2, created.Endpoint.ID), f.otherAdmin, nil), http.StatusNotFound)
		f.problem(f.do(http.MethodPost, fmt.Sprintf("/api/v1/partnerships/%d/webhooks", f.pid), f.otherAdmin,
			map[string]any{"url": "https://evil.example.org/", "events": []string{"case.triaged"}}), http.StatusNotFound)

		// A write in the partnership is a delivery in the log.
		err := db.WithTx(ctx, func(tx *database.Tx) error {
			e := audit.New(ctx, testNow, audit.Collect, "referral", 31)
			e.PartnershipID, e.Detail = f.pid, "submit: KP-1 (draft → submitted)"
			_, err := audit.Append(ctx, tx, e)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		var log api.WebhookDeliveryList
		f.want(f.do(http.MethodGet, one+"/deliveries", f.admin, nil), http.StatusOK, &log)
		if len(log.Items) != 1 || log.Items[0].Event != "referral.submitted" || log.Items[0].Status != "queued" ||
			!strings.Contains(log.Items[0].Body, `"path":"/api/v1/referrals/31"`) {
			t.Fatalf("deliveries = %+v", log)
		}
		before := len(q.queued())
		f.want(f.do(http.MethodPost, fmt.Sprintf("%s/deliveries/%d/send-again", one, log.Items[0].ID), f.admin, nil), http.StatusAccepted, nil)
		if after := q.queued(); len(after) != before+1 || after[len(after)-1] != fmt.Sprint(log.Items[0].ID) {
			t.Errorf("queued %v, want the delivery once more", after)
		}
		f.problem(f.do(http.MethodPost, fmt.Sprintf("%s/deliveries/%d/send-again", one, log.Items[0].ID+99), f.admin, nil), http.StatusNotFound)

		var secret api.WebhookSecret
		f.want(f.do(http.MethodPost, one+"/secret", f.admin, nil), http.StatusCreated, &secret)
		if secret.Secret == created.Secret || !strings.HasPrefix(secret.Secret, "whsec_") {
			t.Errorf("rotated secret %q", secret.Secret)
		}
		f.want(f.do(http.MethodPost, one+"/disable", f.admin, nil), http.StatusOK, &got)
		if got.Active {
			t.Error("disabled endpoint still active")
		}
		f.problem(f.do(http.MethodPost, fmt.Sprintf("%s/deliveries/%d/send-again", one, log.Items[0].ID), f.admin, nil), http.StatusConflict)
		f.want(f.do(http.MethodPost, one+"/enable", f.admin, nil), http.StatusOK, &got)
		if !got.Active {
			t.Error("enabled endpoint not active")
		}
		f.want(f.do(http.MethodDelete, one, f.admin, nil), http.StatusNoContent, nil)
		f.problem(f.do(http.MethodGet, one, f.admin, nil), http.StatusNotFound)
	})
}
