package notify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The fixture's people. Ada wants email at once; Ben has the default, a daily digest; Cy's account is disabled.
const (
	ada prevent.ID = 101
	ben prevent.ID = 102
	cy  prevent.ID = 103
)

const publicURL = "https://prevent.example.org"

// clock is the injected time, moved by the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// sliceSource is a Source built from a slice the test changes between scans.
type sliceSource struct {
	mu    sync.Mutex
	tasks []notify.Pending
	fail  error
}

func (s *sliceSource) Pending(context.Context, time.Time) ([]notify.Pending, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notify.Pending(nil), s.tasks...), s.fail
}

func (s *sliceSource) set(tasks ...notify.Pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks = tasks
}

// contact is a person in the directory. Name is there to prove that it is never sent: Contact does not return it.
type contact struct {
	Name, Email string
	Active      bool
}

type directory map[prevent.ID]contact

func (d directory) Contact(_ context.Context, id prevent.ID) (string, bool, error) {
	c, ok := d[id]
	if !ok {
		return "", false, errors.New("no such person")
	}
	return c.Email, c.Active, nil
}

// memQueue records the emails queued in committed transactions; drain then delivers them as the job would.
type memQueue struct {
	mu  sync.Mutex
	ids []string
}

func (q *memQueue) Enqueue(_ context.Context, tx *database.Tx, name, arg string) error {
	if name != notify.JobName {
		return errors.New("unknown job " + name)
	}
	tx.AfterCommit(func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.ids = append(q.ids, arg)
	})
	return nil
}

func (q *memQueue) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	ids := q.ids
	q.ids = nil
	return ids
}

// syncBuffer is a log destination safe for the queue's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// inbox is an SMTP server's backend on loopback that keeps every message it accepts. refuse makes it answer the
// next messages with a temporary failure; it names the recipient, as real servers do, to check that the reply
// is not kept.
type inbox struct {
	mu     sync.Mutex
	msgs   []received
	refuse int
	users  map[string]string // when set, AUTH PLAIN is offered and required
}

type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
	User string
}

func (b *inbox) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{b: b, conn: c}, nil }

func (b *inbox) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b    *inbox
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.users != nil && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.refuse > 0 {
		s.b.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox of " + s.to[0] + " busy, try later"}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.b.msgs = append(s.b.msgs, received{From: s.from, To: s.to, Data: data, TLS: isTLS, User: s.user})
	return nil
}

func (s *session) AuthMechanisms() []string {
	if s.b.users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := s.b.users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}), nil
}

// serverTLS is a self-signed certificate for 127.0.0.1, and a client configuration that trusts it.
func serverTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: roots}
}

// smtpMode is how the test server takes connections.
type smtpMode int

const (
	plainSMTP    smtpMode = iota // no TLS offered
	startTLSSMTP                 // STARTTLS offered
	implicitSMTP                 // TLS from the start
)

// startSMTP runs an SMTP server on loopback and returns its address and, for TLS modes, a client TLS
// configuration that trusts it.
func startSMTP(t *testing.T, b *inbox, mode smtpMode) (string, *tls.Config) {
	t.Helper()
	s := smtp.NewServer(b)
	s.Domain = "localhost"
	s.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var clientTLS *tls.Config
	switch mode {
	case startTLSSMTP:
		s.TLSConfig, clientTLS = serverTLS(t)
	case implicitSMTP:
		var serverCfg *tls.Config
		serverCfg, clientTLS = serverTLS(t)
		ln = tls.NewListener(ln, serverCfg)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String(), clientTLS
}
