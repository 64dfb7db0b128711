package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"time"
)

// SMTPConfig configures the SMTP mailer.
type SMTPConfig struct {
	// URL is smtp://[user:password@]host[:port] (port 587 by default; STARTTLS is used whenever the server offers
	// it) or smtps://[user:password@]host[:port] (TLS from the start, port 465 by default).
	URL string
	// From is the sender, such as "Prevent partnership <no-reply@prevent.example.org>".
	From string
	// RequireTLS refuses to send over smtp:// when the server does not offer STARTTLS.
	RequireTLS bool
	// TLS is the TLS client configuration; nil means the system's roots. Its ServerName is the URL's host.
	TLS *tls.Config
	// LocalName is the name the client gives in EHLO ("localhost" when empty).
	LocalName string
	// Now gives the Date header (time.Now when nil).
	Now func() time.Time
}

// SMTP sends email through one SMTP server with the standard library's client.
type SMTP struct {
	host, addr  string
	implicitTLS bool
	requireTLS  bool
	user, pass  string
	from        *mail.Address
	tls         *tls.Config
	localName   string
	now         func() time.Time
}

// ErrNoTLS is returned when TLS is required and the server does not offer STARTTLS.
var ErrNoTLS = errors.New("notify: the SMTP server does not offer STARTTLS, and TLS is required")

// NewSMTP checks the configuration and returns the mailer. Its errors never repeat the URL, which may hold a
// password.
func NewSMTP(c SMTPConfig) (*SMTP, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, errors.New("notify: the SMTP URL is not a URL (want smtp://user:password@host:port or smtps://...)")
	}
	m := &SMTP{requireTLS: c.RequireTLS, localName: c.LocalName, now: c.Now}
	port := "587"
	switch u.Scheme {
	case "smtp":
	case "smtps":
		m.implicitTLS, port = true, "465"
	default:
		return nil, errors.New("notify: the SMTP URL must start smtp:// or smtps://")
	}
	m.host = u.Hostname()
	if m.host == "" {
		return nil, errors.New("notify: the SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("notify: the SMTP URL's port is not a port number")
		}
		port = p
	}
	m.addr = net.JoinHostPort(m.host, port)
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return nil, errors.New("notify: the SMTP URL takes no path or query")
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	if c.From == "" {
		return nil, errors.New("notify: an SMTP URL needs a From address (--smtp-from)")
	}
	if m.from, err = mail.ParseAddress(c.From); err != nil {
		return nil, errors.New("notify: the From address is not an email address")
	}
	m.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLS != nil {
		m.tls = c.TLS.Clone()
	}
	m.tls.ServerName = m.host
	if m.localName == "" {
		m.localName = "localhost"
	}
	if m.now == nil {
		m.now = time.Now
	}
	return m, nil
}

// String describes the mailer for logs, without its credentials.
func (m *SMTP) String() string {
	switch {
	case m.implicitTLS:
		return "smtps://" + m.addr
	case m.requireTLS:
		return "smtp://" + m.addr + " (STARTTLS required)"
	}
	return "smtp://" + m.addr + " (STARTTLS when offered)"
}

// ImplicitTLS reports whether the connection is TLS from the start (smtps://).
func (m *SMTP) ImplicitTLS() bool { return m.implicitTLS }

// RequiresTLS reports whether the mailer refuses to send without TLS.
func (m *SMTP) RequiresTLS() bool { return m.implicitTLS || m.requireTLS }

// Send delivers one message: it connects, upgrades with STARTTLS when offered (or required), authenticates when the
// URL has a user (only over TLS, or to a server on this machine), and sends. The context bounds the whole exchange.
func (m *SMTP) Send(ctx context.Context, msg Message) error {
	body, err := buildMIME(m.from, msg, m.now())
	if err != nil {
		return err
	}
	to, _ := mail.ParseAddress(msg.To) // buildMIME checked it
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	d := &net.Dialer{Timeout: 30 * time.Second}
	var conn net.Conn
	if m.implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: m.tls}).DialContext(ctx, "tcp", m.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", m.addr)
	}
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello(m.localName); err != nil {
		return err
	}
	if !m.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(m.tls); err != nil {
				return err
			}
		} else if m.requireTLS {
			return ErrNoTLS
		}
	}
	if m.user != "" {
		// smtp.PlainAuth itself refuses to send the password in the clear except to localhost.
		if err := c.Auth(smtp.PlainAuth("", m.user, m.pass, m.host)); err != nil {
			return err
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to.Address); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// failureReason is a short class of a sending failure for the outbox and the logs: the SMTP reply code, or the
// kind of network failure. A server's reply text can name the recipient, so it is never kept.
func failureReason(err error) string {
	var te *textproto.Error
	var ne net.Error
	var re tls.RecordHeaderError
	var ce *tls.CertificateVerificationError
	switch {
	case errors.Is(err, ErrNoTLS):
		return "starttls not offered"
	case errors.As(err, &te):
		return fmt.Sprintf("smtp %d", te.Code)
	case errors.As(err, &ce), errors.As(err, &re):
		return "tls"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &ne):
		return "network"
	}
	return "error"
}
