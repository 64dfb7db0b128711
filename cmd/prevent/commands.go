package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	db, _, err := openStore(ctx, "migrate", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func auditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	db, c, err := openStore(ctx, "audit verify", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	_, verifier, err := audit.LoadOrCreateKey(c.auditDir())
	if err != nil {
		return err
	}
	rep, err := audit.VerifyDB(ctx, db, c.auditDir(), verifier)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep.String())
	if !rep.OK() {
		return errors.New("the audit log failed verification")
	}
	return nil
}

func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dir string
	db, _, err := openStore(ctx, "backup", args, getenv, stderr, func(c *config, fs *flag.FlagSet) {
		str(fs, getenv, &dir, "to", "./prevent-backups", "directory to write the backup and its manifest into")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := db.Backup(ctx, dir, time.Now().UTC())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes, sha256 %s)\n", filepath.Join(dir, m.File), m.Size, m.SHA256)
	return nil
}

func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	var manifest string
	fs := newFlagSet("restore", getenv, stderr)
	storageFlags(fs, &c, getenv)
	str(fs, getenv, &manifest, "manifest", "", "the backup's manifest file (…manifest.json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if manifest == "" {
		return errors.New("restore: give the backup's manifest with --manifest")
	}
	if err := database.Restore(ctx, manifest, c.sqlitePath()); err != nil {
		return err
	}
	// A backup taken before an erasure still holds the erased subjects' wrapped keys: shred them again from
	// the journal before anything reads the restored database.
	db, err := database.Open(ctx, "sqlite:"+c.sqlitePath())
	if err != nil {
		return err
	}
	defer db.Close()
	master, err := keyring.LoadOrCreateMaster(c.keysDir())
	if err != nil {
		return err
	}
	n, err := (&keyring.Keyring{DB: db, Master: master}).SyncShreds(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s; %d erased subjects shredded again\n", manifest, c.sqlitePath(), n)
	return nil
}

func tokensCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var email, name string
	var days int
	db, _, err := openStore(ctx, "tokens create", args, getenv, stderr, func(c *config, fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the email address of the person the token acts as")
		fs.StringVar(&name, "name", "command line", "a name for the token, to recognise it on the account page")
		fs.IntVar(&days, "days", 90, "days until the token expires")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	now := func() time.Time { return time.Now().UTC() }
	a := auth.New(auth.Deps{DB: db, Now: now})
	id, err := a.PersonByEmail(ctx, email)
	if err != nil {
		return err
	}
	token, _, err := a.CreateToken(ctx, id, name, now().AddDate(0, 0, days))
	if err != nil {
		return fmt.Errorf("%s", prevent.PublicMessage(err))
	}
	fmt.Fprintln(stdout, token)
	return nil
}

func createAdmin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var pName, area, region, org, sector, name, email, base string
	db, _, err := openStore(ctx, "users create-admin", args, getenv, stderr, func(c *config, fs *flag.FlagSet) {
		fs.StringVar(&pName, "partnership", "", "the partnership's name (created if it does not exist)")
		fs.StringVar(&area, "area", "", "the area it covers")
		fs.StringVar(&region, "region", "", "its region")
		fs.StringVar(&org, "organisation", "", "the administrator's organisation")
		fs.StringVar(&sector, "sector", "local_authority", "the organisation's sector")
		fs.StringVar(&name, "name", "", "the administrator's full name")
		fs.StringVar(&email, "email", "", "the administrator's email address")
		fs.StringVar(&base, "url", "http://127.0.0.1:8080", "the service's public URL, for the set-up link")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	p := partnership.New(partnership.Deps{DB: db})
	pid, err := p.Bootstrap(ctx, pName, area, region)
	if err != nil {
		return fmt.Errorf("%s", prevent.PublicMessage(err))
	}
	_, token, err := p.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: org, Sector: sector, PublicBody: "yes"}, name, email)
	if err != nil {
		return fmt.Errorf("%s", prevent.PublicMessage(err))
	}
	fmt.Fprintf(stdout, "Administrator created. Send them this one-time set-up link (valid for %s):\n%s/account/set-up/%s\n",
		partnership.SetupValidFor, base, token)
	return nil
}

func demoCode(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var email string
	db, _, err := openStore(ctx, "demo code", args, getenv, stderr, func(c *config, fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the demo account's email address")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	code, err := demo.Code(ctx, db, email, time.Now())
	if err != nil {
		return fmt.Errorf("%s", prevent.PublicMessage(err))
	}
	fmt.Fprintln(stdout, code)
	return nil
}
