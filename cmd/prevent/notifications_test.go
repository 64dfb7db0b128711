package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
)

// TestSMTPSettings: serve refuses a bad --smtp-url without repeating its password, and starts with one given in
// PREVENT_SMTP_URL, logging where email goes but not the password.
func TestSMTPSettings(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--smtp-url", "http://user:hunter2@relay.example.org", "--smtp-from", "no-reply@prevent.example.org"},
		{"--smtp-url", "smtp://user:hunter2@relay.example.org:587"},
	} {
		var logs syncBuffer
		err := serve(context.Background(), append([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...),
			func(string) string { return "" }, io.Discard, &logs, nil)
		if err == nil {
			t.Errorf("%q: serve started", args)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(logs.String(), "hunter2") {
			t.Errorf("%q: the password is shown: %v\n%s", args, err, logs.String())
		}
	}

	// A listener stands in for the relay: serve does not connect until there is an email to send.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := map[string]string{
		"PREVENT_SMTP_URL":         "smtp://relay:hunter2@" + ln.Addr().String(),
		"PREVENT_SMTP_FROM":        "Prevent partnership <no-reply@prevent.example.org>",
		"PREVENT_SMTP_REQUIRE_TLS": "true",
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir()}, func(k string) string { return env[k] }, io.Discard, &logs, ready)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, logs.String())
	case <-beforeDeadline(t):
		t.Fatal("serve did not start")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(logs.String(), "smtp://"+ln.Addr().String()+" (STARTTLS required)") {
		t.Errorf("the log does not say where email goes:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "hunter2") {
		t.Errorf("the log shows the SMTP password:\n%s", logs.String())
	}
}
