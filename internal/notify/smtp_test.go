package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/notify"
)

const from = "Prevent partnership <no-reply@prevent.example.org>"

// TestSMTPConfigParses: the URL forms, their default ports and TLS modes; bad settings are refused with errors
// that never repeat the password.
func TestSMTPConfigParses(t *testing.T) {
	for _, c := range []struct {
		url        string
		require    bool
		want       string
		requireTLS bool
	}{
		{"smtp://relay.example.org", false, "smtp://relay.example.org:587 (STARTTLS when offered)", false},
		{"smtp://user:pa%24%24@relay.example.org:2525", true, "smtp://relay.example.org:2525 (STARTTLS required)", true},
		{"smtps://user:secret@relay.example.org", false, "smtps://relay.example.org:465", true},
		{"smtps://relay.example.org:1465/", false, "smtps://relay.example.org:1465", true},
	} {
		m, err := notify.NewSMTP(notify.SMTPConfig{URL: c.url, From: from, RequireTLS: c.require})
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if m.String() != c.want || m.RequiresTLS() != c.requireTLS {
			t.Errorf("%s: %s (requires TLS %v), want %s (%v)", c.url, m, m.RequiresTLS(), c.want, c.requireTLS)
		}
		if strings.Contains(m.String(), "secret") || strings.Contains(m.String(), "pa$$") {
			t.Errorf("%s: String shows the password", c.url)
		}
	}
	for _, c := range []struct{ url, from string }{
		{"http://relay.example.org", from},
		{"smtp://", from},
		{"smtp://user:secret@relay.example.org:99999", from},
		{"smtp://user:secret@relay.example.org:25/x?y=1", from},
		{"smtp://user:secret@relay.example.org", ""},
		{"smtp://user:secret@relay.example.org", "not an address"},
		{"smtp://user:sec ret%zz@relay.example.org", from},
	} {
		_, err := notify.NewSMTP(notify.SMTPConfig{URL: c.url, From: c.from})
		if err == nil {
			t.Errorf("%s from %q was accepted", c.url, c.from)
			continue
		}
		if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "sec ret") {
			t.Errorf("%s: the error shows the password: %v", c.url, err)
		}
	}
}

func send(t *testing.T, cfg notify.SMTPConfig) error {
	t.Helper()
	m, err := notify.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m.Send(context.Background(), notify.Message{To: "ada@council.example.gov.uk", Subject: "You have 1 new task in the Prevent partnership service",
		Text: "You have 1 new task.\r\n", HTML: "<p>You have 1 new task.</p>"})
}

// TestSTARTTLSAndImplicitTLS: the mailer upgrades with STARTTLS when the server offers it and then
// authenticates; with TLS required it refuses a server that does not offer it; smtps:// is TLS from the start.
func TestSTARTTLSAndImplicitTLS(t *testing.T) {
	box := &inbox{users: map[string]string{"relay": "s3cret"}}
	addr, roots := startSMTP(t, box, startTLSSMTP)
	if err := send(t, notify.SMTPConfig{URL: "smtp://relay:s3cret@" + addr, From: from, RequireTLS: true, TLS: roots}); err != nil {
		t.Fatalf("send with STARTTLS: %v", err)
	}
	got := box.messages()
	if len(got) != 1 || !got[0].TLS || got[0].User != "relay" || got[0].From != "no-reply@prevent.example.org" {
		t.Fatalf("received %+v, want one message over TLS from the authenticated relay user", got)
	}
	// A certificate the client does not trust is refused.
	if err := send(t, notify.SMTPConfig{URL: "smtp://relay:s3cret@" + addr, From: from}); err == nil {
		t.Error("an untrusted certificate was accepted")
	}

	plain := &inbox{}
	plainAddr, _ := startSMTP(t, plain, plainSMTP)
	if err := send(t, notify.SMTPConfig{URL: "smtp://" + plainAddr, From: from, RequireTLS: true}); !errors.Is(err, notify.ErrNoTLS) {
		t.Errorf("TLS required against a server without STARTTLS: %v, want ErrNoTLS", err)
	}
	if n := len(plain.messages()); n != 0 {
		t.Errorf("%d messages sent in the clear with TLS required", n)
	}
	if err := send(t, notify.SMTPConfig{URL: "smtp://" + plainAddr, From: from}); err != nil {
		t.Errorf("plain send with TLS not required: %v", err)
	}
	if got := plain.messages(); len(got) != 1 || got[0].TLS {
		t.Errorf("plain server received %+v", got)
	}

	implicit := &inbox{}
	tlsAddr, tlsRoots := startSMTP(t, implicit, implicitSMTP)
	if err := send(t, notify.SMTPConfig{URL: "smtps://" + tlsAddr, From: from, TLS: tlsRoots}); err != nil {
		t.Fatalf("send over smtps: %v", err)
	}
	if got := implicit.messages(); len(got) != 1 || !got[0].TLS {
		t.Errorf("smtps server received %+v, want one message over TLS", got)
	}
}
