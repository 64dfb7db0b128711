package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/witness"
	"golang.org/x/mod/sumdb/note"
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

// auditVerify checks the audit log against the signed checkpoints. It only reads: it opens the database
// read-only without migrating it, and reads the checkpoint files and a public (verifier) key, pinned with
// --public-key or --public-key-text, or else the one the service keeps beside its signing key. It never
// needs the private key and never writes a file.
func auditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	var keyFile, keyText string
	var newLog bool
	var witnessKey, witnessURL string
	epoch := int64(-1)
	fs := newFlagSet("audit verify", getenv, stderr)
	storageFlags(fs, &c, getenv)
	str(fs, getenv, &keyFile, "public-key", "", "file holding the checkpoint verifier (public) key, in the signed-note form name+hash+base64 "+
		"(default: "+audit.VerifierKeyFile+" in the audit directory)")
	str(fs, getenv, &keyText, "public-key-text", "", "the checkpoint verifier (public) key itself, name+hash+base64")
	fs.BoolVar(&newLog, "new-log", false, "accept a log that no checkpoint covers yet (a new service that has not yet signed its first checkpoint)")
	fs.StringVar(&witnessKey, "witness-key", "", "a witness's public key (name+hash+base64): the newest checkpoint must carry its cosignature, "+
		"and every checkpoint it cosigned must still be there unchanged")
	fs.StringVar(&witnessURL, "witness-url", "", "with --witness-key: also ask that witness, online, for the newest checkpoint it cosigned in each epoch, "+
		"which must still be here (detects a newest checkpoint deleted together with its cosigned copy)")
	fs.Int64Var(&epoch, "epoch", -1, "check the log against the checkpoints of this earlier epoch instead of the current one "+
		"(for the database a restore moved aside)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit verify: unexpected argument %q", fs.Arg(0))
	}
	opt := audit.VerifyOptions{PastEpoch: epoch >= 0, Epoch: epoch}
	var online *audit.WitnessClient
	if witnessURL != "" {
		if witnessKey == "" {
			return errors.New("audit verify: --witness-url needs the witness's public key too, with --witness-key")
		}
		var err error
		if online, err = audit.NewWitnessClient(witnessURL, witnessKey); err != nil {
			return fmt.Errorf("audit verify: %w", err)
		}
	}
	if witnessKey != "" {
		wv, err := witness.NewVerifier(witnessKey)
		if err != nil {
			return fmt.Errorf("audit verify: --witness-key: %w", err)
		}
		opt.Witness = wv
	}
	verifier, source, err := checkpointVerifier(&c, keyFile, keyText)
	if err != nil {
		return err
	}
	db, err := database.OpenReadOnly(ctx, c.databaseURL())
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	defer db.Close()
	rep, err := audit.VerifyDBWith(ctx, db, c.auditDir(), verifier, opt)
	if err != nil {
		return err
	}
	cpdir := audit.EpochCheckpointDir(c.auditDir(), rep.Epoch)
	if rep.OK() && rep.N > 0 && rep.Covered == 0 && !newLog {
		rep.Problem = fmt.Sprintf("no checkpoint in %s covers the log's %d entries: if the service is new and has not yet signed "+
			"its first checkpoint, run again with --new-log; otherwise the checkpoints were deleted or --audit-dir is wrong "+
			"(check against the exported copies)", cpdir, rep.N)
	}
	fmt.Fprintln(stdout, rep.String())
	fmt.Fprintf(stdout, "checked with the public key %s+%08x (%s)\n", verifier.Name(), verifier.KeyHash(), source)
	if rep.OK() {
		for _, e := range rep.Statements {
			fmt.Fprintf(stdout, "epoch %d: restored %s to %d entries; entries %d..%d of epoch %d were discarded (its checkpoints are kept in %s)\n",
				e.Number, e.Time.Format(time.RFC3339), e.Restored, e.Restored, e.Discarded, e.Number-1, audit.EpochCheckpointDir(c.auditDir(), e.Number-1))
		}
		if opt.Witness != nil {
			fmt.Fprintf(stdout, "the newest checkpoint is cosigned by the witness %s+%08x (at %s)\n", opt.Witness.Name(), opt.Witness.KeyHash(), rep.Witnessed.Format(time.RFC3339))
		}
	}
	if rep.OK() && rep.Checkpoints > 0 {
		when := ""
		if !rep.Newest.Time.IsZero() {
			when = ", signed " + rep.Newest.Time.Format(time.RFC3339)
		}
		fmt.Fprintf(stdout, "newest checkpoint: %s%s: compare it with the exported copies, which alone show whether newer checkpoint files were deleted\n",
			filepath.Join(cpdir, strconv.FormatInt(rep.Newest.N, 10)+".note"), when)
		if rep.Hashed > rep.Covered {
			fmt.Fprintf(stdout, "note: the stored Merkle tree covers %d entries but the newest checkpoint only %d: the service is signing now, "+
				"or stopped before it signed, or newer checkpoint files were deleted\n", rep.Hashed, rep.Covered)
		}
	}
	if rep.OK() && online != nil {
		problem, records, err := audit.CheckWitnessed(ctx, c.auditDir(), verifier, online)
		if err != nil {
			return fmt.Errorf("audit verify: asking the witness at %s: %w", witnessURL, err)
		}
		if problem != "" {
			fmt.Fprintln(stdout, "problem: "+problem)
			return errors.New("the audit log failed verification")
		}
		for _, r := range records {
			if r.Found {
				fmt.Fprintf(stdout, "the witness at %s last cosigned checkpoint %d of epoch %d, which is here unchanged\n", witnessURL, r.Size, r.Epoch)
			} else {
				fmt.Fprintf(stdout, "the witness at %s has cosigned no checkpoint of epoch %d\n", witnessURL, r.Epoch)
			}
		}
	}
	if !rep.OK() {
		return errors.New("the audit log failed verification")
	}
	return nil
}

// checkpointVerifier returns the public key audit verify checks the checkpoints with, and where it came
// from: --public-key-text, --public-key, or the verifier key file the service keeps in the audit directory.
func checkpointVerifier(c *config, keyFile, keyText string) (note.Verifier, string, error) {
	switch {
	case keyFile != "" && keyText != "":
		return nil, "", errors.New("audit verify: give the public key once, with --public-key or --public-key-text")
	case keyText != "":
		v, err := audit.ParseVerifier(keyText)
		return v, "pinned with --public-key-text", err
	case keyFile != "":
		v, err := audit.LoadVerifierFile(keyFile)
		return v, "pinned from " + keyFile, err
	}
	path := filepath.Join(c.auditDir(), audit.VerifierKeyFile)
	v, err := audit.LoadVerifier(c.auditDir())
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, "", fmt.Errorf("audit verify: there is no public key at %s: give the key exported when the service was set up "+
			"with --public-key FILE or --public-key-text, or start the service once (it writes the key file next to its signing key)", path)
	}
	if err != nil {
		return nil, "", err
	}
	return v, "read from " + path + "; pin it with --public-key to check against a copy kept elsewhere", nil
}

func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	var dir string
	fs := newFlagSet("backup", getenv, stderr)
	storageFlags(fs, &c, getenv)
	str(fs, getenv, &dir, "to", "./prevent-backups", "directory to write the backup and its manifest into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if isPostgres(c.databaseURL()) {
		return pgBackupCmd(ctx, &c, dir, stdout)
	}
	path := strings.TrimPrefix(c.databaseURL(), "sqlite:")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup: there is no database at %s (check --data or --database): %w", path, err)
	}
	db, err := database.Open(ctx, c.databaseURL())
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := db.Backup(ctx, dir, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes, sha256 %s)\n", filepath.Join(abs, m.File), m.Size, m.SHA256)
	fmt.Fprintf(stdout, "manifest: %s\n", filepath.Join(abs, m.ManifestName()))
	fmt.Fprintf(stdout, "restore it with: prevent restore --manifest %s\n", filepath.Join(abs, m.ManifestName()))
	fmt.Fprintf(stdout, "this copies the database only: keep copies of the keys directory (%s) and the audit directory (%s) too, "+
		"the keys on other storage than the backups\n", c.keysDir(), c.auditDir())
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
	var db *database.DB
	var aside, pgFile string
	if isPostgres(c.databaseURL()) {
		// PostgreSQL restores into a new, empty database, and shreds again as below.
		pg, m, err := pgRestoreCmd(ctx, &c, manifest, stdout)
		if err != nil {
			return err
		}
		db, pgFile = pg, m.File
	} else {
		target := strings.TrimPrefix(c.databaseURL(), "sqlite:")
		// Restore completes a database that a killed service left with its WAL, and refuses one in use.
		var err error
		if aside, err = database.RestoreMovingAside(ctx, manifest, target); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		// A backup taken before an erasure still holds the erased subjects' wrapped keys: shred them again
		// from the journal before anything reads the restored database.
		if db, err = database.Open(ctx, "sqlite:"+target); err != nil {
			return err
		}
		master, err := keyring.LoadOrCreateMaster(c.keysDir())
		if err != nil {
			db.Close()
			return err
		}
		n, err := (&keyring.Keyring{DB: db, Master: master}).SyncShreds(ctx)
		if err != nil {
			db.Close()
			return err
		}
		fmt.Fprintf(stdout, "restored %s into %s; %d erased subjects shredded again\n", manifest, target, n)
		if aside != "" {
			fmt.Fprintf(stdout, "the database that was there is kept as %s\n", aside)
		}
	}
	defer db.Close()
	// The restore starts a new epoch of the audit log: the checkpoints signed so far stay as evidence, and a
	// signed statement records the restored size and the entries discarded, so that the restored log
	// verifies and the service signs on top of it again (docs/audit-evidence.md).
	epoch, err := audit.StartEpochAfterRestore(ctx, db, c.auditDir(), time.Now())
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if isPostgres(c.databaseURL()) {
		if err := pgRestoreDone(ctx, db, pgFile, time.Now()); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if epoch != nil {
		fmt.Fprintf(stdout, "the audit log now continues in epoch %d from its %d restored entries (statement %s)\n", epoch.Number, epoch.Restored,
			filepath.Join(audit.EpochDir(c.auditDir(), epoch.Number), audit.EpochStatementFile))
		prev := epoch.Number - 1
		if epoch.Discarded > epoch.Restored {
			fmt.Fprintf(stdout, "checkpoints of epoch %d covered more entries (up to %d): the entries after %d were lost with the restore. "+
				"Those checkpoints are set aside as evidence, where they are, in %s",
				prev, epoch.Discarded, epoch.Restored, audit.EpochCheckpointDir(c.auditDir(), prev))
			if aside != "" {
				fmt.Fprintf(stdout, "; check the database moved aside against them with:\n  prevent audit verify --database sqlite:%s --audit-dir %s --epoch %d\n",
					aside, c.auditDir(), prev)
			} else if isPostgres(c.databaseURL()) {
				fmt.Fprintf(stdout, "; check the database the backup was taken from, if you still have it, against them with:\n  prevent audit verify --database postgres://…/OLD --audit-dir %s --epoch %d\n",
					c.auditDir(), prev)
			} else {
				fmt.Fprintln(stdout, ".")
			}
		}
	}
	return nil
}

// auditStartEpoch is the audit step of a restore done by hand (PostgreSQL): it starts a new epoch of the
// audit log on the restored database, as prevent restore does for SQLite. Run it with the service stopped.
func auditStartEpoch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	db, c, err := openStore(ctx, "audit start-epoch", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	epoch, err := audit.StartEpochAfterRestore(ctx, db, c.auditDir(), time.Now())
	if err != nil {
		return fmt.Errorf("audit start-epoch: %w", err)
	}
	if epoch == nil {
		fmt.Fprintln(stdout, "no checkpoint has been signed in this audit directory: there is no epoch to close")
		return nil
	}
	fmt.Fprintf(stdout, "the audit log now continues in epoch %d from its %d restored entries; entries %d..%d of epoch %d were discarded "+
		"(its checkpoints are kept in %s)\n", epoch.Number, epoch.Restored, epoch.Restored, epoch.Discarded, epoch.Number-1,
		audit.EpochCheckpointDir(c.auditDir(), epoch.Number-1))
	return nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// prepareDemo loads the demo on a first `serve --demo` so that a start that was killed is detected and
// started again cleanly. On SQLite the demo database is built in a file of its own and renamed into place
// once loaded (demo.PrepareSQLite); on PostgreSQL concurrent starts wait for one another, and an unfinished
// load is moved aside to a schema of its own (demo.PreparePostgres). It reports whether the demo was loaded
// now.
func prepareDemo(ctx context.Context, c *config) (bool, error) {
	if !c.Demo {
		return false, nil
	}
	now := func() time.Time { return time.Now().UTC() }
	deps := func(db *database.DB) demo.Deps {
		return demo.Deps{DB: db, Auth: auth.New(auth.Deps{DB: db, Now: now, DemoMode: true}),
			Partnership: partnership.New(partnership.Deps{DB: db, Now: now}), Services: newDemoServices(db, now), Now: now}
	}
	if isPostgres(c.databaseURL()) {
		return demo.PreparePostgres(ctx, c.databaseURL(), c.auditDir(), deps)
	}
	return demo.PrepareSQLite(ctx, strings.TrimPrefix(c.databaseURL(), "sqlite:"), c.auditDir(), deps)
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
