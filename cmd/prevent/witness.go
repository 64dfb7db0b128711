package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/logging"
	"github.com/preventplatform/prevent/internal/witness"
	"golang.org/x/mod/sumdb/note"
)

// listFlag is a flag that may be given several times, each value possibly a comma-separated list; its
// environment variable holds a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func list(fs *flag.FlagSet, getenv func(string) string, p *listFlag, name, usage string) {
	if v := getenv(envName(name)); v != "" {
		_ = p.Set(v)
	}
	fs.Var(p, name, usage+" (repeatable or comma-separated; env "+envName(name)+")")
}

// witnessFlags adds serve's witness options.
func witnessFlags(fs *flag.FlagSet, getenv func(string) string, c *config) {
	list(fs, getenv, &c.WitnessURLs, "witness-url", "base URL of a witness (prevent witness) that cosigns each audit checkpoint")
	list(fs, getenv, &c.WitnessKeys, "witness-key", "the public key of the witness at the --witness-url in the same position (name+hash+base64)")
}

// witnessClients pairs the witness URLs with their keys.
func witnessClients(c *config) ([]*audit.WitnessClient, error) {
	if len(c.WitnessURLs) != len(c.WitnessKeys) {
		return nil, fmt.Errorf("give one --witness-key for each --witness-url (got %d URLs and %d keys)", len(c.WitnessURLs), len(c.WitnessKeys))
	}
	var ws []*audit.WitnessClient
	for i, u := range c.WitnessURLs {
		w, err := audit.NewWitnessClient(u, c.WitnessKeys[i])
		if err != nil {
			return nil, fmt.Errorf("--witness-url %s: %w", u, err)
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// witnessCmd runs a witness: a small HTTP service, with its own data directory and its own key, that
// cosigns the audit checkpoints of the logs whose keys it is given, only when each is consistent with the
// last it cosigned for that log. ready, when not nil, receives the listening address.
func witnessCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	var addr, dir, name string
	var logKeys listFlag
	var logJSON bool
	fs := newFlagSet("witness", getenv, stderr)
	str(fs, getenv, &addr, "addr", "127.0.0.1:8090", "address to listen on")
	str(fs, getenv, &dir, "witness-data", "./prevent-witness", "the witness's own directory, for its key and what it cosigned: on other storage than the service's")
	str(fs, getenv, &name, "name", "prevent-witness", "the name of the witness's key, used when it is created")
	list(fs, getenv, &logKeys, "log-key", "the public key of an audit log to witness (the service's checkpoint-verifier.key)")
	boolean(fs, getenv, &logJSON, "log-json", false, "write logs as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("witness: unexpected argument %q", fs.Arg(0))
	}
	if len(logKeys) == 0 {
		return errors.New("witness: give the public key of each log to witness with --log-key")
	}
	var logs []note.Verifier
	for _, k := range logKeys {
		v, err := audit.ParseVerifier(k)
		if err != nil {
			return fmt.Errorf("witness: --log-key: %w", err)
		}
		logs = append(logs, v)
	}
	logger := logging.New(stderr, slog.LevelInfo, logJSON)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	unlock, err := database.LockDir(dir)
	if err != nil {
		return fmt.Errorf("witness: %s: %w", dir, err)
	}
	defer unlock()
	signer, err := witness.LoadOrCreateKey(dir, name)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("witness: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: (&witness.Server{Dir: dir, Signer: signer, Logs: logs, Log: logger}).Handler(),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "witness listening on http://%s\nits public key (give it to serve with --witness-key, and to audit verify): %s\n", ln.Addr(), signer.VerifierKey())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("witness: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutCtx)
}
