package webhooks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/admin/admintest"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	webhookpages "github.com/preventplatform/prevent/internal/web/webhooks"
	"github.com/preventplatform/prevent/internal/webhooks"
)

// queue keeps the deliveries enqueued.
type queue struct {
	mu   sync.Mutex
	args []string
}

func (q *queue) Enqueue(_ context.Context, _ *database.Tx, _, arg string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.args = append(q.args, arg)
	return nil
}

func (q *queue) queued() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.args...)
}

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestWebhookPageRoutes: the pages' addresses, each under the partnership administrator's action.
func TestWebhookPageRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	webhookpages.Register(site, webhookpages.Deps{})
	for _, rt := range site.Routes() {
		if rt.Action != access.PartnershipManage || !strings.HasPrefix(rt.Pattern, "/partnerships/{pid}/webhooks") {
			t.Errorf("%s %s under %s", rt.Method, rt.Pattern, rt.Action)
		}
	}
	if n := len(site.Routes()); n != 10 {
		t.Errorf("%d routes, want 10", n)
	}
}

// TestWebhookPagesRegisterListSendAgain: the administrator registers an endpoint through the form (an http
// address is refused with the error on the field), sees its secret once, finds it in the list, sees a delivery
// in its log after a write in the partnership, and sends it again; a person who is not an administrator finds
// none of the pages.
func TestWebhookPagesRegisterListSendAgain(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := admintest.New(t, db)
		q := &queue{}
		svc := webhooks.New(webhooks.Deps{DB: db, Now: w.Now, Queue: q})
		site := coretest.New(w.Now)
		webhookpages.Register(site, webhookpages.Deps{Webhooks: svc, Now: w.Now})
		list := webhookpages.ListPath.Link(w.PID)

		res := site.Serve(t, w.Admin, http.MethodPost, webhookpages.NewPath.Link(w.PID), url.Values{"url": {"http://hooks.example.org/"}, "events": {"case.triaged"}})
		if res.Code != http.StatusOK {
			t.Fatalf("refused form: %d", res.Code)
		}
		doc := parse(t, res)
		if msg := strings.TrimSpace(doc.Find("#url-error").Text()); !strings.Contains(msg, "https://") {
			t.Errorf("url error %q", msg)
		}
		if doc.Find("#webhook-secret").Length() != 0 {
			t.Error("a secret was shown for a refused form")
		}

		res = site.Serve(t, w.Admin, http.MethodPost, webhookpages.NewPath.Link(w.PID),
			url.Values{"url": {"https://hooks.example.org/prevent"}, "events": {"referral.submitted", "case.state_changed"}})
		if res.Code != http.StatusOK {
			t.Fatalf("register: %d %s", res.Code, res.Body.String())
		}
		if cc := res.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("the secret page may be cached: %q", cc)
		}
		secret := strings.TrimSpace(parse(t, res).Find("#webhook-secret").Text())
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret shown %q", secret)
		}

		res = site.Serve(t, w.Admin, http.MethodGet, list, nil)
		doc = parse(t, res)
		a := doc.Find("table a.govuk-link")
		if res.Code != http.StatusOK || a.Length() != 1 || a.Text() != "https://hooks.example.org/prevent" {
			t.Fatalf("list: %d %q", res.Code, a.Text())
		}
		endpointPage, _ := a.Attr("href")
		if strings.Contains(res.Body.String(), secret) {
			t.Error("the list shows the secret")
		}

		err := db.WithTx(ctx, func(tx *database.Tx) error {
			e := audit.New(ctx, w.Now(), audit.Collect, "referral", 8)
			e.PartnershipID, e.Detail = w.PID, "submit: NT-8 (draft → submitted)"
			_, err := audit.Append(ctx, tx, e)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(q.queued()); n != 2 {
			t.Fatalf("%d deliveries queued, want 2 (submitted, state changed)", n)
		}

		res = site.Serve(t, w.Admin, http.MethodGet, endpointPage, nil)
		doc = parse(t, res)
		if strings.Contains(res.Body.String(), secret) {
			t.Error("the endpoint page shows the secret")
		}
		var events []string
		doc.Find("tbody tr").Each(func(_ int, s *goquery.Selection) {
			events = append(events, strings.TrimSpace(s.Find("td").First().Text()))
		})
		slices.Sort(events)
		if !slices.Equal(events, []string{"case.state_changed", "referral.submitted"}) {
			t.Fatalf("delivery log rows %v", events)
		}
		form := doc.Find("tbody form").First()
		action, _ := form.Attr("action")
		if !strings.HasSuffix(action, "/send-again") || strings.TrimSpace(form.Find("button").Text()) != "Send again" {
			t.Fatalf("send again form %q", action)
		}
		res = site.Serve(t, w.Admin, http.MethodPost, action, url.Values{})
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != endpointPage || !strings.Contains(res.Header().Get("X-Flash"), "sent again") {
			t.Fatalf("send again: %d %q %q", res.Code, res.Header().Get("Location"), res.Header().Get("X-Flash"))
		}
		queued := q.queued()
		parts := strings.Split(action, "/")
		if did := parts[len(parts)-2]; len(queued) != 3 || queued[2] != did {
			t.Errorf("queued %v, want delivery %s again", queued, did)
		}

		// A coordinator, who is not an administrator, finds none of the pages.
		other := prevent.Principal{PersonID: 999, MFA: true, Memberships: []prevent.Membership{{PartnershipID: w.PID, Role: prevent.Coordinator}}}
		for _, target := range []string{list, endpointPage, webhookpages.NewPath.Link(w.PID)} {
			if res := site.Serve(t, other, http.MethodGet, target, nil); res.Code != http.StatusNotFound {
				t.Errorf("%s as a coordinator: %d", target, res.Code)
			}
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(endpointPage, fmt.Sprintf("/partnerships/%d/webhooks/", w.PID)), 10, 64)
		if res := site.Serve(t, w.Admin, http.MethodPost, webhookpages.DeletePath.Link(w.PID, id), url.Values{}); res.Code != http.StatusSeeOther {
			t.Errorf("delete: %d", res.Code)
		}
		if res := site.Serve(t, w.Admin, http.MethodGet, endpointPage, nil); res.Code != http.StatusNotFound {
			t.Errorf("deleted endpoint: %d", res.Code)
		}
	})
}
