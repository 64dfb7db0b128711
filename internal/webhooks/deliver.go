package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// responseLimit is how much of an endpoint's answer is read: the status code is what counts.
const responseLimit = 1024

// Sign returns the webhook-signature header of a message as the Standard Webhooks convention makes it:
// "v1," and the base64 of HMAC-SHA256 under the secret's key of id + "." + timestamp + "." + body.
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// errRefusedAddress is why a connection was not made.
var errRefusedAddress = errors.New("webhooks: the endpoint's address is not on the public internet")

// nonPublic are ranges refused besides those net.IP's methods name.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),     // "this network"
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space (carrier-grade NAT)
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),   // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b::/96"),  // NAT64, which reaches IPv4 addresses
}

// refused says why ip must not be connected to: loopback (unless allowLoopback), private, link-local,
// unspecified, multicast or otherwise not public.
func refused(ip net.IP, allowLoopback bool) error {
	if ip4 := ip.To4(); ip4 != nil {
		ip = ip4
	}
	if ip.IsLoopback() {
		if allowLoopback {
			return nil
		}
		return errRefusedAddress
	}
	if ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() {
		return errRefusedAddress
	}
	if a, ok := netip.AddrFromSlice(ip); ok {
		a = a.Unmap()
		for _, p := range nonPublic {
			if p.Contains(a) {
				return errRefusedAddress
			}
		}
	}
	return nil
}

// dialControl checks the address a connection is about to be made to, after the host name was resolved: a name
// that resolves to a refused address (at registration or any time later) is not connected to.
func dialControl(allowLoopback bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return errRefusedAddress
		}
		ip := net.ParseIP(host)
		if ip == nil {
			return errRefusedAddress
		}
		return refused(ip, allowLoopback)
	}
}

// httpClient sends deliveries: no proxy (it would connect for us, past the address check), no redirect
// followed, bounded in time.
type httpClient struct {
	*http.Client
}

func newHTTPClient(timeout time.Duration, allowLoopback bool) *httpClient {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: dialControl(allowLoopback)}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
		DisableCompression:    true,
	}
	return &httpClient{&http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Deliver makes one attempt at delivery id, only ever to an endpoint of the delivery's own partnership: it signs
// the stored body with the endpoint's current secret, posts it, and records the attempt. A delivery to an
// endpoint that is gone or disabled is cancelled. An answer other than 2xx, or none, is returned as an error so
// that the job is tried again; final says this is the last attempt, after which the delivery is marked failed.
func (s *Service) Deliver(ctx context.Context, id prevent.ID, final bool) error {
	var endpointID prevent.ID
	var msgID, body, status, rawURL string
	var active bool
	var sealed []byte
	err := s.d.DB.Read().QueryRowContext(ctx, `SELECT d.endpoint_id, d.message_id, d.body, d.status, e.url, e.active, e.secret_sealed
		FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.partnership_id = d.partnership_id
		WHERE d.id = $1`, id).
		Scan(&endpointID, &msgID, &body, &status, &rawURL, &active, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("webhooks: delivery %d: %w", id, err)
	}
	if status == "delivered" || status == "cancelled" {
		return nil
	}
	if !active {
		return s.setStatus(ctx, id, "cancelled")
	}
	secret, err := s.d.Keys.OpenRead(ctx, s.d.DB.Read(), subject(endpointID), sealed, secretAD(endpointID))
	if err != nil {
		return fmt.Errorf("webhooks: delivery %d: secret: %w", id, err)
	}
	key, err := SecretKey(string(secret))
	if err != nil {
		return fmt.Errorf("webhooks: delivery %d: secret: %w", id, err)
	}
	start := time.Now()
	code, sendErr := s.send(ctx, rawURL, key, msgID, []byte(body))
	elapsed := time.Since(start)
	ok := sendErr == nil && code >= 200 && code < 300
	next := "delivered"
	if !ok {
		next = "retrying"
		if final {
			next = "failed"
		}
	}
	reason := ""
	if sendErr != nil {
		reason = failureReason(sendErr)
	} else if !ok {
		reason = "answered " + strconv.Itoa(code)
	}
	if err := s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, n+1, s.now(), code, reason, elapsed.Milliseconds()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $1 WHERE id = $2`, next, id)
		return err
	}); err != nil {
		return fmt.Errorf("webhooks: delivery %d: record attempt: %w", id, err)
	}
	if !ok {
		s.d.Logger.WarnContext(ctx, "webhook delivery failed", "delivery_id", id, "endpoint_id", endpointID, "reason", reason, "final", final)
		return fmt.Errorf("webhooks: delivery %d: %s", id, reason)
	}
	return nil
}

func (s *Service) setStatus(ctx context.Context, id prevent.ID, status string) error {
	return s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $1 WHERE id = $2`, status, id)
		return err
	})
}

// send posts one signed message and returns the status code of the answer, of which no more than
// responseLimit bytes are read.
func (s *Service) send(ctx context.Context, rawURL string, key []byte, msgID string, body []byte) (int, error) {
	if s.checkURL(rawURL) != "" {
		return 0, errRefusedAddress
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := s.d.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Prevent-Webhooks/1")
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", Sign(key, msgID, ts, body))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, responseLimit))
	return resp.StatusCode, nil
}

// failureReason is a short reason for the delivery log, without the address.
func failureReason(err error) string {
	switch {
	case errors.Is(err, errRefusedAddress):
		return "refused: the address is not on the public internet"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out"
		}
		err = ue.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		if errors.Is(oe.Err, errRefusedAddress) {
			return "refused: the address is not on the public internet"
		}
		return "could not connect (" + oe.Op + ")"
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return "the host name was not found"
	}
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}
