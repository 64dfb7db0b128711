package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// config is every setting of the service, from flags with PREVENT_<FLAG> environment fallbacks.
type config struct {
	Addr            string
	Data            string
	Database        string
	Demo            bool
	AuditDir        string
	KeysDir         string
	CheckpointEvery time.Duration
	// CheckpointCoalesce is the shortest time between two checkpoints signed because entries committed.
	CheckpointCoalesce time.Duration
	// WitnessURLs and WitnessKeys name the witnesses that cosign the checkpoints, in pairs.
	WitnessURLs listFlag
	WitnessKeys listFlag
	PublicURL   string
	LogJSON     bool
	// SMTPURL, SMTPFrom and SMTPRequireTLS configure email about people's tasks (off without a URL).
	SMTPURL        string
	SMTPFrom       string
	SMTPRequireTLS bool
	// WebhooksAllowHTTPLoopback lets webhook endpoints be http:// on a loopback address, for local testing.
	WebhooksAllowHTTPLoopback bool
}

func (c *config) sqlitePath() string { return filepath.Join(c.Data, "prevent.db") }

func (c *config) databaseURL() string {
	if c.Database != "" {
		return c.Database
	}
	return "sqlite:" + c.sqlitePath()
}

func (c *config) auditDir() string {
	if c.AuditDir != "" {
		return c.AuditDir
	}
	return filepath.Join(c.Data, "audit")
}

// keysDir is where the keyring's master key and shred journal live (internal/keyring). Keep it on other
// storage than the database and its backups: whoever holds both can read the sealed fields.
func (c *config) keysDir() string {
	if c.KeysDir != "" {
		return c.KeysDir
	}
	return filepath.Join(c.Data, "keys")
}

// newFlagSet returns a flag set whose defaults come from PREVENT_<NAME> variables.
func newFlagSet(name string, getenv func(string) string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func envName(flagName string) string {
	return "PREVENT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// storageFlags adds the flags every command that opens the store takes.
func storageFlags(fs *flag.FlagSet, c *config, getenv func(string) string) {
	str(fs, getenv, &c.Data, "data", "./prevent-data", "directory for the embedded database, audit checkpoints and keys")
	str(fs, getenv, &c.Database, "database", "", "database URL: sqlite:PATH or postgres://... (default: SQLite in --data)")
	str(fs, getenv, &c.AuditDir, "audit-dir", "", "directory outside the database for audit checkpoints and the signing key (default: <data>/audit)")
	str(fs, getenv, &c.KeysDir, "keys", "", "directory outside the database for the master key that encrypts sensitive fields, and its shred journal (default: <data>/keys)")
}

func str(fs *flag.FlagSet, getenv func(string) string, p *string, name, def, usage string) {
	if v := getenv(envName(name)); v != "" {
		def = v
	}
	fs.StringVar(p, name, def, usage+" (env "+envName(name)+")")
}

func boolean(fs *flag.FlagSet, getenv func(string) string, p *bool, name string, def bool, usage string) {
	if v := getenv(envName(name)); v != "" {
		def = v == "1" || strings.EqualFold(v, "true")
	}
	fs.BoolVar(p, name, def, usage+" (env "+envName(name)+")")
}

func duration(fs *flag.FlagSet, getenv func(string) string, p *time.Duration, name string, def time.Duration, usage string) error {
	if v := getenv(envName(name)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%s: %w", envName(name), err)
		}
		def = d
	}
	fs.DurationVar(p, name, def, usage+" (env "+envName(name)+")")
	return nil
}
