package api

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/webhooks"
)

// WebhookEndpoint is a registered webhook endpoint; its secret is never part of it.
type WebhookEndpoint struct {
	ID            int64     `json:"id"`
	PartnershipID int64     `json:"partnership_id"`
	URL           string    `json:"url"`
	Events        []string  `json:"events"`
	Active        bool      `json:"active"`
	CreatedAt     time.Time `json:"created_at"`
	SecretMadeAt  time.Time `json:"secret_made_at"`
}

// WebhookEndpointList is the partnership's endpoints.
type WebhookEndpointList struct {
	Items []WebhookEndpoint `json:"items"`
}

// WebhookEndpointInput registers an endpoint: an https address and the event types it wants.
type WebhookEndpointInput struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// WebhookEndpointCreated is the endpoint registered, with its signing secret: shown this once.
type WebhookEndpointCreated struct {
	Endpoint WebhookEndpoint `json:"endpoint"`
	Secret   string          `json:"secret"`
}

// WebhookSecret is an endpoint's new signing secret: shown this once.
type WebhookSecret struct {
	Secret string `json:"secret"`
}

// WebhookAttempt is one try at a delivery.
type WebhookAttempt struct {
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
}

// WebhookDelivery is one event told to an endpoint, with the body sent and every attempt.
type WebhookDelivery struct {
	ID        int64            `json:"id"`
	MessageID string           `json:"message_id"`
	Event     string           `json:"event"`
	Body      string           `json:"body"`
	Status    string           `json:"status"`
	CreatedAt time.Time        `json:"created_at"`
	Attempts  []WebhookAttempt `json:"attempts"`
}

// WebhookDeliveryList is an endpoint's latest deliveries, newest first.
type WebhookDeliveryList struct {
	Items []WebhookDelivery `json:"items"`
}

// registerWebhooks adds the partnership administrator's webhook routes: the same service calls, under the same
// access action, as the webhook pages.
func (s *Server) registerWebhooks() {
	const W = "/partnerships/{pid}/webhooks"
	s.handle(http.MethodGet, W, access.PartnershipManage, operation{id: "listWebhookEndpoints",
		summary: "The partnership's webhook endpoints (never their secrets)", response: WebhookEndpointList{}}, s.listWebhooks)
	s.handle(http.MethodPost, W, access.PartnershipManage, operation{id: "createWebhookEndpoint",
		summary: "Register a webhook endpoint: an https address and the event types it wants (docs/webhooks.md); " +
			"the answer holds its signing secret, shown this once",
		request: WebhookEndpointInput{}, response: WebhookEndpointCreated{}, status: http.StatusCreated}, s.createWebhook)
	s.handle(http.MethodGet, W+"/{id}", access.PartnershipManage, operation{id: "getWebhookEndpoint",
		summary: "One webhook endpoint", response: WebhookEndpoint{}}, s.getWebhook)
	s.handle(http.MethodDelete, W+"/{id}", access.PartnershipManage, operation{id: "deleteWebhookEndpoint",
		summary: "Delete a webhook endpoint with its delivery log", status: http.StatusNoContent}, s.deleteWebhook)
	s.handle(http.MethodPost, W+"/{id}/disable", access.PartnershipManage, operation{id: "disableWebhookEndpoint",
		summary: "Stop telling an endpoint of events; its queued deliveries are cancelled", response: WebhookEndpoint{}}, s.setWebhookActive(false))
	s.handle(http.MethodPost, W+"/{id}/enable", access.PartnershipManage, operation{id: "enableWebhookEndpoint",
		summary: "Tell a disabled endpoint of events again", response: WebhookEndpoint{}}, s.setWebhookActive(true))
	s.handle(http.MethodPost, W+"/{id}/secret", access.PartnershipManage, operation{id: "rotateWebhookSecret",
		summary:  "Replace an endpoint's signing secret; the answer holds the new one, shown this once",
		response: WebhookSecret{}, status: http.StatusCreated}, s.rotateWebhookSecret)
	s.handle(http.MethodGet, W+"/{id}/deliveries", access.PartnershipManage, operation{id: "listWebhookDeliveries",
		summary: "An endpoint's latest 50 deliveries, newest first, each with its attempts", response: WebhookDeliveryList{}}, s.listWebhookDeliveries)
	s.handle(http.MethodPost, W+"/{id}/deliveries/{did}/send-again", access.PartnershipManage, operation{id: "sendWebhookDeliveryAgain",
		summary: "Queue another attempt of a delivery, with the same webhook-id and body", status: http.StatusAccepted}, s.sendWebhookAgain)
}

func webhookOut(e webhooks.Endpoint) WebhookEndpoint {
	events := append([]string{}, e.Events...)
	return WebhookEndpoint{ID: e.ID, PartnershipID: e.PartnershipID, URL: e.URL, Events: events, Active: e.Active,
		CreatedAt: e.CreatedAt.UTC(), SecretMadeAt: e.SecretMadeAt.UTC()}
}

// webhookIDs reads the partnership and the endpoint from the path.
func webhookIDs(r *http.Request) (pid, id prevent.ID, err error) {
	if pid, err = pathID(r, "pid"); err != nil {
		return 0, 0, err
	}
	id, err = pathID(r, "id")
	return pid, id, err
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	eps, err := s.deps.Webhooks.Endpoints(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	out := WebhookEndpointList{Items: []WebhookEndpoint{}}
	for _, e := range eps {
		out.Items = append(out.Items, webhookOut(e))
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[WebhookEndpointInput](r)
	if err != nil {
		return err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	e, secret, err := s.deps.Webhooks.Create(r.Context(), prevent.PrincipalFrom(r.Context()), pid, webhooks.EndpointInput{URL: in.URL, Events: in.Events})
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, WebhookEndpointCreated{Endpoint: webhookOut(e), Secret: secret})
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := webhookIDs(r)
	if err != nil {
		return err
	}
	e, err := s.deps.Webhooks.Endpoint(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, webhookOut(e))
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := webhookIDs(r)
	if err != nil {
		return err
	}
	if err := s.deps.Webhooks.Delete(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setWebhookActive(active bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := webhookIDs(r)
		if err != nil {
			return err
		}
		p := prevent.PrincipalFrom(r.Context())
		if err := s.deps.Webhooks.SetActive(r.Context(), p, pid, id, active); err != nil {
			return err
		}
		e, err := s.deps.Webhooks.Endpoint(r.Context(), p, pid, id)
		if err != nil {
			return err
		}
		return encode(w, http.StatusOK, webhookOut(e))
	}
}

func (s *Server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := webhookIDs(r)
	if err != nil {
		return err
	}
	secret, err := s.deps.Webhooks.RotateSecret(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, WebhookSecret{Secret: secret})
}

func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := webhookIDs(r)
	if err != nil {
		return err
	}
	ds, err := s.deps.Webhooks.Deliveries(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	out := WebhookDeliveryList{Items: []WebhookDelivery{}}
	for _, d := range ds {
		v := WebhookDelivery{ID: d.ID, MessageID: d.MessageID, Event: d.Event, Body: d.Body, Status: d.Status, CreatedAt: d.CreatedAt.UTC(),
			Attempts: []WebhookAttempt{}}
		for _, a := range d.Attempts {
			v.Attempts = append(v.Attempts, WebhookAttempt{Attempt: a.Number, At: a.At.UTC(), StatusCode: a.StatusCode, Error: a.Error,
				DurationMS: a.Duration.Milliseconds()})
		}
		out.Items = append(out.Items, v)
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) sendWebhookAgain(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := webhookIDs(r)
	if err != nil {
		return err
	}
	did, err := pathID(r, "did")
	if err != nil {
		return err
	}
	if err := s.deps.Webhooks.SendAgain(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, did); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
