// Package webhooks tells a partnership's registered endpoints that something happened, with signed deliveries
// that carry no personal data.
//
// An administrator of the partnership (access.PartnershipManage) registers an endpoint: an https address and
// the events it wants. The service makes the endpoint's signing secret, shows it once, and keeps it only sealed
// by the keyring under the endpoint's own subject key (shredded when the endpoint is deleted).
//
// Events are derived from the audit log, not from the domain packages: a periodic task (Scan) reads the entries
// appended after its cursor and maps a documented set of writes (events.go, docs/webhooks.md) to event types.
// Each event is told to the active endpoints of the entry's own partnership that asked for it, as one delivery
// with a message id of its own; a delivery is a job of the job queue, retried with back-off, and every attempt
// is kept in the endpoint's delivery log. The body says only what happened, to which resource (its API path
// and id), in which partnership and when: the receiver fetches the resource with its own API token and so meets
// the access policy.
package webhooks

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Queue enqueues a named job inside a transaction; *jobs.Queue is one.
type Queue interface {
	Enqueue(ctx context.Context, tx *database.Tx, name, arg string) error
}

// Deps are what the service needs.
type Deps struct {
	DB     *database.DB
	Keys   *keyring.Keyring
	Now    func() time.Time
	Logger *slog.Logger
	// AllowHTTPLoopback lets endpoints use http:// on a loopback address, and deliveries connect to loopback
	// addresses: for trying webhooks on one machine only (serve --webhooks-allow-http-loopback). Private,
	// link-local and unspecified addresses are refused all the same.
	AllowHTTPLoopback bool
	// Queue runs deliveries as retried jobs; it may instead be given later with UseQueue.
	Queue Queue
	// Timeout bounds one delivery attempt, from connecting to the end of the response (DefaultTimeout when zero).
	Timeout time.Duration
}

// DefaultTimeout bounds one delivery attempt.
const DefaultTimeout = 10 * time.Second

// Service registers endpoints and delivers events to them.
type Service struct {
	d      Deps
	client *httpClient
}

// New returns the service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Timeout <= 0 {
		d.Timeout = DefaultTimeout
	}
	if d.Keys == nil && d.DB != nil {
		d.Keys = keyring.Ephemeral(d.DB)
	}
	return &Service{d: d, client: newHTTPClient(d.Timeout, d.AllowHTTPLoopback)}
}

// UseQueue sets the job queue that runs deliveries. The queue runs the service's own job (Jobs), so it is made
// after the service; call UseQueue before the queue starts.
func (s *Service) UseQueue(q Queue) { s.d.Queue = q }

// Jobs are the one-off jobs the service enqueues: one delivery of one event to one endpoint.
func (s *Service) Jobs() []jobs.Job {
	return []jobs.Job{{Name: JobName, MaxAttempts: MaxAttempts, Run: func(ctx context.Context, r jobs.Run) error {
		id, err := strconv.ParseInt(r.Arg, 10, 64)
		if err != nil {
			return fmt.Errorf("webhooks: delivery job argument %q is not an id", r.Arg)
		}
		return s.Deliver(ctx, id, r.Final)
	}}}
}

// Tasks are the periodic tasks the service runs: reading new audit entries for events.
func (s *Service) Tasks() []jobs.Task {
	return []jobs.Task{{Name: TaskName, Every: ScanEvery, Timeout: time.Minute, Run: s.Scan}}
}

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// Endpoint is a registered webhook endpoint. Its secret is never part of it.
type Endpoint struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	URL           string
	Events        []string
	Active        bool
	CreatedAt     time.Time
	SecretMadeAt  time.Time
}

// EndpointInput is what an administrator enters for an endpoint.
type EndpointInput struct {
	URL    string
	Events []string
}

// subject is the keyring subject the endpoint's secret is sealed under.
func subject(id prevent.ID) string { return "webhook_endpoint/" + strconv.FormatInt(id, 10) }

// secretAD binds a sealed secret to its row.
func secretAD(id prevent.ID) []byte {
	return []byte("webhook_endpoints/secret_sealed/" + strconv.FormatInt(id, 10))
}

// SecretPrefix starts every signing secret, as the Standard Webhooks convention writes them: "whsec_" and the
// base64 of the key's bytes.
const SecretPrefix = "whsec_"

// newSecret makes a signing secret of 32 random bytes.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// SecretKey is the HMAC key a secret stands for: its bytes after the prefix, base64-decoded.
func SecretKey(secret string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
}

func (s *Service) decide(p prevent.Principal, pid prevent.ID) error {
	if d := access.Decide(p, access.PartnershipManage, access.Resource{Kind: "webhook_endpoint", PartnershipID: pid}, s.now()); !d.Allow {
		return access.NotFound("Webhook endpoint")
	}
	return nil
}

func (s *Service) record(ctx context.Context, tx *database.Tx, p prevent.Principal, id, pid prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), audit.Admin, "webhook_endpoint", id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = pid
	e.Purpose = "partnership administration"
	e.Detail = detail
	_, err := audit.Append(ctx, tx, e)
	return err
}

// validate checks the input and returns the URL and the events as kept.
func (s *Service) validate(in EndpointInput) (string, []string, error) {
	var f prevent.Fields
	raw := strings.TrimSpace(in.URL)
	if raw == "" {
		f.Add("url", "Enter the address of the endpoint")
	} else if why := s.checkURL(raw); why != "" {
		f.Add("url", why)
	}
	var events []string
	unknown := false
	for _, e := range in.Events {
		e = strings.TrimSpace(e)
		switch {
		case e == "" || slices.Contains(events, e):
		case !KnownEvent(e):
			unknown = true
		default:
			events = append(events, e)
		}
	}
	if unknown {
		f.Add("events", "Select events from the list")
	} else if len(events) == 0 {
		f.Add("events", "Select at least one event")
	}
	slices.Sort(events)
	return raw, events, f.Err()
}

// checkURL says why an address is refused, or "" when it is not: deliveries must not go to one that is not
// https (unless http to a loopback address is allowed), with credentials, or naming an address that is not
// public. A host name is checked again, on every connection, against the addresses it resolves to
// (dialControl).
func (s *Service) checkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "Enter a full address, such as https://example.org/webhooks"
	}
	if u.User != nil {
		return "Enter an address without a user name or password"
	}
	if len(raw) > 2000 {
		return "Enter an address of 2,000 characters or fewer"
	}
	host := u.Hostname()
	loopbackHost := strings.EqualFold(host, "localhost")
	ip := net.ParseIP(host)
	if ip != nil && ip.IsLoopback() {
		loopbackHost = true
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !(s.d.AllowHTTPLoopback && loopbackHost) {
			return "Enter an address that starts with https://"
		}
	default:
		return "Enter an address that starts with https://"
	}
	if ip != nil {
		if refused(ip, s.d.AllowHTTPLoopback) != nil {
			return "Enter an address on the public internet, not a private, loopback or link-local one"
		}
	}
	return ""
}

const endpointColumns = `id, partnership_id, url, events, active, created_at, secret_made_at`

func scanEndpoint(sc interface{ Scan(...any) error }) (Endpoint, error) {
	var e Endpoint
	var events string
	err := sc.Scan(&e.ID, &e.PartnershipID, &e.URL, &events, &e.Active, &e.CreatedAt, &e.SecretMadeAt)
	e.Events = splitEvents(events)
	e.CreatedAt, e.SecretMadeAt = e.CreatedAt.UTC(), e.SecretMadeAt.UTC()
	return e, err
}

func splitEvents(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Endpoints lists the partnership's endpoints, oldest first.
func (s *Service) Endpoints(ctx context.Context, p prevent.Principal, pid prevent.ID) ([]Endpoint, error) {
	if err := s.decide(p, pid); err != nil {
		return nil, err
	}
	rows, err := s.d.DB.Read().QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE partnership_id = $1 ORDER BY id`, pid)
	if err != nil {
		return nil, fmt.Errorf("webhooks: endpoints: %w", err)
	}
	defer rows.Close()
	out := []Endpoint{}
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("webhooks: endpoints: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Endpoint returns one of the partnership's endpoints.
func (s *Service) Endpoint(ctx context.Context, p prevent.Principal, pid, id prevent.ID) (Endpoint, error) {
	if err := s.decide(p, pid); err != nil {
		return Endpoint{}, err
	}
	return s.endpoint(ctx, s.d.DB.Read(), pid, id)
}

func (s *Service) endpoint(ctx context.Context, q database.Querier, pid, id prevent.ID) (Endpoint, error) {
	e, err := scanEndpoint(q.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1 AND partnership_id = $2`, id, pid))
	if errors.Is(err, sql.ErrNoRows) {
		return Endpoint{}, access.NotFound("Webhook endpoint")
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("webhooks: endpoint %d: %w", id, err)
	}
	return e, nil
}

// Create registers an endpoint and returns it with its signing secret, which is shown this once and kept only
// sealed.
func (s *Service) Create(ctx context.Context, p prevent.Principal, pid prevent.ID, in EndpointInput) (Endpoint, string, error) {
	if err := s.decide(p, pid); err != nil {
		return Endpoint{}, "", err
	}
	u, events, err := s.validate(in)
	if err != nil {
		return Endpoint{}, "", err
	}
	secret := newSecret()
	now := s.now()
	var out Endpoint
	err = s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		if err := s.startCursor(ctx, tx); err != nil {
			return err
		}
		var id prevent.ID
		if err := tx.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (partnership_id, url, events, secret_sealed, active, created_by, created_at, secret_made_at)
			VALUES ($1, $2, $3, $4, TRUE, $5, $6, $6) RETURNING id`, pid, u, strings.Join(events, ","), []byte{0}, p.PersonID, now).Scan(&id); err != nil {
			return fmt.Errorf("webhooks: create endpoint: %w", err)
		}
		if err := s.seal(ctx, tx, id, secret); err != nil {
			return err
		}
		var err error
		if out, err = s.endpoint(ctx, tx, pid, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, id, pid, "webhook endpoint registered for "+strings.Join(events, ", "))
	})
	if err != nil {
		return Endpoint{}, "", err
	}
	return out, secret, nil
}

func (s *Service) seal(ctx context.Context, tx *database.Tx, id prevent.ID, secret string) error {
	ct, err := s.d.Keys.Seal(ctx, tx, subject(id), []byte(secret), secretAD(id))
	if err != nil {
		return fmt.Errorf("webhooks: seal secret: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET secret_sealed = $1, secret_made_at = $2 WHERE id = $3`, ct, s.now(), id); err != nil {
		return fmt.Errorf("webhooks: seal secret: %w", err)
	}
	return nil
}

// RotateSecret replaces the endpoint's signing secret and returns the new one, shown this once. Deliveries
// made from now on, retries included, are signed with it.
func (s *Service) RotateSecret(ctx context.Context, p prevent.Principal, pid, id prevent.ID) (string, error) {
	if err := s.decide(p, pid); err != nil {
		return "", err
	}
	secret := newSecret()
	err := s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.endpoint(ctx, tx, pid, id); err != nil {
			return err
		}
		if err := s.seal(ctx, tx, id, secret); err != nil {
			return err
		}
		return s.record(ctx, tx, p, id, pid, "webhook endpoint secret rotated")
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// SetActive turns the endpoint's deliveries off (a disabled endpoint is told nothing, and its queued
// deliveries are cancelled when they come to be sent) or on again.
func (s *Service) SetActive(ctx context.Context, p prevent.Principal, pid, id prevent.ID, active bool) error {
	if err := s.decide(p, pid); err != nil {
		return err
	}
	return s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.endpoint(ctx, tx, pid, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET active = $1 WHERE id = $2`, active, id); err != nil {
			return fmt.Errorf("webhooks: endpoint %d: %w", id, err)
		}
		detail := "webhook endpoint disabled"
		if active {
			detail = "webhook endpoint enabled"
		}
		return s.record(ctx, tx, p, id, pid, detail)
	})
}

// Delete removes the endpoint with its delivery log, and shreds the key its secret was sealed under.
func (s *Service) Delete(ctx context.Context, p prevent.Principal, pid, id prevent.ID) error {
	if err := s.decide(p, pid); err != nil {
		return err
	}
	return s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.endpoint(ctx, tx, pid, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1)`, id); err != nil {
			return fmt.Errorf("webhooks: delete endpoint %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = $1`, id); err != nil {
			return fmt.Errorf("webhooks: delete endpoint %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id); err != nil {
			return fmt.Errorf("webhooks: delete endpoint %d: %w", id, err)
		}
		if err := s.d.Keys.Shred(ctx, tx, subject(id)); err != nil {
			return fmt.Errorf("webhooks: delete endpoint %d: %w", id, err)
		}
		return s.record(ctx, tx, p, id, pid, "webhook endpoint deleted")
	})
}

// Delivery is one event told to one endpoint, with its attempts.
type Delivery struct {
	ID         prevent.ID
	EndpointID prevent.ID
	// MessageID is the webhook-id header: the same on every attempt of the delivery.
	MessageID string
	Event     string
	// Body is the exact JSON sent.
	Body      string
	Status    string
	CreatedAt time.Time
	Attempts  []Attempt
}

// Attempt is one try at a delivery: the status code the endpoint answered, or why there was no answer.
type Attempt struct {
	Number     int
	At         time.Time
	StatusCode int
	Error      string
	Duration   time.Duration
}

// DeliveryLimit is how many of an endpoint's latest deliveries Deliveries lists.
const DeliveryLimit = 50

// Deliveries lists the endpoint's latest deliveries, newest first, each with its attempts in order.
func (s *Service) Deliveries(ctx context.Context, p prevent.Principal, pid, endpointID prevent.ID) ([]Delivery, error) {
	if err := s.decide(p, pid); err != nil {
		return nil, err
	}
	q := s.d.DB.Read()
	if _, err := s.endpoint(ctx, q, pid, endpointID); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, endpoint_id, message_id, event_type, body, status, created_at FROM webhook_deliveries
		WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2`, endpointID, DeliveryLimit)
	if err != nil {
		return nil, fmt.Errorf("webhooks: deliveries: %w", err)
	}
	out := []Delivery{}
	index := map[prevent.ID]int{}
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ID, &d.EndpointID, &d.MessageID, &d.Event, &d.Body, &d.Status, &d.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("webhooks: deliveries: %w", err)
		}
		d.CreatedAt = d.CreatedAt.UTC()
		index[d.ID] = len(out)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhooks: deliveries: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	arows, err := q.QueryContext(ctx, `SELECT a.delivery_id, a.attempt, a.at, a.status_code, a.error, a.duration_ms FROM webhook_attempts a
		JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1 AND d.id >= $2 ORDER BY a.delivery_id, a.attempt`,
		endpointID, out[len(out)-1].ID)
	if err != nil {
		return nil, fmt.Errorf("webhooks: attempts: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var id prevent.ID
		var a Attempt
		var ms int64
		if err := arows.Scan(&id, &a.Number, &a.At, &a.StatusCode, &a.Error, &ms); err != nil {
			return nil, fmt.Errorf("webhooks: attempts: %w", err)
		}
		a.At, a.Duration = a.At.UTC(), time.Duration(ms)*time.Millisecond
		if i, ok := index[id]; ok {
			out[i].Attempts = append(out[i].Attempts, a)
		}
	}
	return out, arows.Err()
}

// SendAgain queues another try of one of the endpoint's deliveries, with the same message id and body (a
// receiver that already has it sees it is the same message), signed with the endpoint's current secret.
func (s *Service) SendAgain(ctx context.Context, p prevent.Principal, pid, endpointID, deliveryID prevent.ID) error {
	if err := s.decide(p, pid); err != nil {
		return err
	}
	return s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		e, err := s.endpoint(ctx, tx, pid, endpointID)
		if err != nil {
			return err
		}
		if !e.Active {
			return prevent.Errorf(prevent.Conflict, "This endpoint is disabled; enable it before sending again")
		}
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'queued' WHERE id = $1 AND endpoint_id = $2`, deliveryID, endpointID)
		if err != nil {
			return fmt.Errorf("webhooks: send again: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.NotFound("Delivery")
		}
		if s.d.Queue == nil {
			return errors.New("webhooks: no job queue")
		}
		if err := s.d.Queue.Enqueue(ctx, tx, JobName, strconv.FormatInt(deliveryID, 10)); err != nil {
			return err
		}
		return s.record(ctx, tx, p, endpointID, pid, "webhook delivery "+strconv.FormatInt(deliveryID, 10)+" sent again")
	})
}
