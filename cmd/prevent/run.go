package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/idempotency"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/logging"
	"github.com/preventplatform/prevent/internal/metrics"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web"
	"github.com/preventplatform/prevent/internal/webhooks"
	"github.com/preventplatform/prevent/internal/work"
	"github.com/preventplatform/prevent/ui"
)

const usage = `usage: prevent <command> [flags]

commands:
  serve            run the web service (--demo loads the demo partnership on first start)
  migrate          apply database migrations and exit
  audit verify     recompute the audit log's Merkle tree and check every signed checkpoint, every
                   epoch a restore started, and (--witness-key) a witness's cosignature
  audit start-epoch  after restoring a PostgreSQL backup by hand, continue the audit log in a new epoch
  backup           take an online backup of the embedded SQLite database with a checksum manifest
  restore          restore an SQLite backup (the service must be stopped); starts a new audit epoch
  witness          run a witness that cosigns audit checkpoints only when consistent (--log-key, --witness-data)
  tokens create    create an API token for a person (--email, --name)
  import people|cases FILE  check (--dry-run) and import a CSV or XLSX file as an administrator (--as EMAIL)
  import template people|cases  print an empty template (--format csv|xlsx)
  users create-admin  set up a partnership and its first administrator
  demo code        print the current second-factor code of a demo account (--email)
  demo --scale N   add N synthetic referrals to the demo partnership

Run 'prevent <command> -h' for a command's flags.`

// run is the whole program, testable: it parses args, wires the parts and runs until ctx is done.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr, nil)
	case "migrate":
		return migrateCmd(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		if len(args) >= 2 && args[1] == "start-epoch" {
			return auditStartEpoch(ctx, args[2:], getenv, stdout, stderr)
		}
		if len(args) < 2 || args[1] != "verify" {
			return errors.New("usage: prevent audit verify [flags], or prevent audit start-epoch [flags]")
		}
		return auditVerify(ctx, args[2:], getenv, stdout, stderr)
	case "witness":
		return witnessCmd(ctx, args[1:], getenv, stdout, stderr, nil)
	case "backup":
		return backupCmd(ctx, args[1:], getenv, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args[1:], getenv, stdout, stderr)
	case "tokens":
		if len(args) < 2 || args[1] != "create" {
			return errors.New("usage: prevent tokens create --email EMAIL --name NAME")
		}
		return tokensCreate(ctx, args[2:], getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, args[1:], getenv, stdout, stderr)
	case "users":
		if len(args) < 2 || args[1] != "create-admin" {
			return errors.New("usage: prevent users create-admin --partnership NAME --organisation NAME --name NAME --email EMAIL")
		}
		return createAdmin(ctx, args[2:], getenv, stdout, stderr)
	case "demo":
		if len(args) >= 2 && args[1] != "code" {
			return demoScale(ctx, args[1:], getenv, stdout, stderr)
		}
		if len(args) < 2 || args[1] != "code" {
			return errors.New("usage: prevent demo code --email EMAIL")
		}
		return demoCode(ctx, args[2:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// serve runs the service. ready, when not nil, receives the listening address once it accepts connections.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, ready chan<- string) error {
	var c config
	fs := newFlagSet("serve", getenv, stderr)
	str(fs, getenv, &c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	storageFlags(fs, &c, getenv)
	boolean(fs, getenv, &c.Demo, "demo", false, "load the synthetic demo partnership on first start and print its accounts")
	str(fs, getenv, &c.PublicURL, "public-url", "", "the URL people use to reach the service (default http://<addr>); https turns on Secure cookies")
	boolean(fs, getenv, &c.LogJSON, "log-json", false, "write logs as JSON")
	str(fs, getenv, &c.SMTPURL, "smtp-url", "", "SMTP server for emails about people's tasks: smtp://user:password@host:port (STARTTLS when offered) or smtps://... (TLS); email is off when empty")
	str(fs, getenv, &c.SMTPFrom, "smtp-from", "", "the From address of those emails, such as \"Prevent partnership <no-reply@example.org>\"")
	boolean(fs, getenv, &c.SMTPRequireTLS, "smtp-require-tls", false, "refuse to send over smtp:// when the server does not offer STARTTLS")
	boolean(fs, getenv, &c.WebhooksAllowHTTPLoopback, "webhooks-allow-http-loopback", false, "let webhook endpoints be http:// on a loopback address, for testing on one machine")
	if err := duration(fs, getenv, &c.CheckpointEvery, "checkpoint-every", 2*time.Minute, "how often to sign an audit checkpoint at the least"); err != nil {
		return err
	}
	if err := duration(fs, getenv, &c.CheckpointCoalesce, "checkpoint-coalesce", time.Second,
		"sign new audit entries this soon after they commit, at most one checkpoint per interval (negative: only every --checkpoint-every)"); err != nil {
		return err
	}
	witnessFlags(fs, getenv, &c)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := logging.New(stderr, slog.LevelInfo, c.LogJSON)
	start := time.Now()

	demoCreated, err := prepareDemo(ctx, &c)
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, c.databaseURL())
	if err != nil {
		return err
	}
	defer db.Close()

	signer, verifier, err := audit.LoadOrCreateKey(c.auditDir())
	if err != nil {
		return err
	}
	now := func() time.Time { return time.Now().UTC() }
	witnesses, err := witnessClients(&c)
	if err != nil {
		return err
	}
	// Entries committed before this start that no checkpoint covers are signed now, with an entry recording
	// them, before the service writes anything.
	cp := &audit.Checkpointer{DB: db, Dir: c.auditDir(), Signer: signer, Verifier: verifier, Now: now, Log: logger,
		Coalesce: c.CheckpointCoalesce, Witnesses: witnesses}
	if _, _, err := cp.Resume(ctx); err != nil {
		// The service still starts, as with any failed checkpoint; the checkpointer tries again, and audit
		// verify names the problem.
		logger.Error("audit checkpoint failed", "err", err)
	}
	keys, err := openKeyring(ctx, db, &c, now, logger)
	if err != nil {
		return err
	}
	digestKey, err := loadOrCreateDigestKey(c.keysDir())
	if err != nil {
		return err
	}
	returnSigner, err := returns.LoadOrCreateSigningKey(c.keysDir())
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	defer ln.Close()
	publicURL := c.PublicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}

	mailer, err := newMailer(&c, publicURL, logger)
	if err != nil {
		return err
	}
	app, err := newApp(ctx, appConfig{DB: db, Logger: logger, Now: now, Demo: c.Demo, PublicURL: publicURL, AuditDir: c.auditDir(), Keys: keys, DemoCreated: demoCreated,
		Mailer: mailer, ReturnsKey: digestKey, ReturnSigner: returnSigner, WebhooksAllowHTTPLoopback: c.WebhooksAllowHTTPLoopback}, stdout)
	if err != nil {
		return err
	}
	handler := app.Handler

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}

	queue, err := jobs.New(ctx, jobs.Deps{DB: db, Logger: logger, Tasks: app.Tasks, Jobs: app.Jobs})
	if err != nil {
		return err
	}
	app.Notify.UseQueue(queue)
	app.Webhooks.UseQueue(queue)
	if err := queue.Start(context.Background()); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = queue.Stop(stopCtx)
	}()

	cpCtx, cpCancel := context.WithCancel(context.Background())
	cpDone := make(chan error, 1)
	go func() { cpDone <- cp.Run(cpCtx, c.CheckpointEvery) }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("serving", "url", publicURL, "startup", time.Since(start).Round(time.Millisecond).String(), "engine", string(db.Dialect))
	fmt.Fprintf(stdout, "Prevent partnership platform is running at %s (started in %s)\n", publicURL, time.Since(start).Round(time.Millisecond))
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		cpCancel()
		<-cpDone
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	app.Imports.Stop()
	cpCancel() // the checkpointer signs a final checkpoint as it stops
	if cerr := <-cpDone; cerr != nil && !errors.Is(cerr, context.Canceled) && err == nil {
		err = cerr
	}
	return err
}

func openStore(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*config, *flag.FlagSet)) (*database.DB, *config, error) {
	var c config
	fs := newFlagSet(name, getenv, stderr)
	storageFlags(fs, &c, getenv)
	if extra != nil {
		extra(&c, fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	db, err := database.Open(ctx, c.databaseURL())
	if err != nil {
		return nil, nil, err
	}
	return db, &c, nil
}

// openKeyring loads the master key from the keys directory (creating it on first start) and makes the
// database and the shred journal agree, so that a subject erased after a backup was taken stays erased.
func openKeyring(ctx context.Context, db *database.DB, c *config, now func() time.Time, logger *slog.Logger) (*keyring.Keyring, error) {
	master, err := keyring.LoadOrCreateMaster(c.keysDir())
	if err != nil {
		return nil, err
	}
	keys := &keyring.Keyring{DB: db, Master: master, Now: now}
	n, err := keys.SyncShreds(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 && logger != nil {
		logger.Warn("erased subjects shredded again from the shred journal", "subjects", n)
	}
	return keys, nil
}

type appConfig struct {
	DB        *database.DB
	Logger    *slog.Logger
	Now       func() time.Time
	Demo      bool
	PublicURL string
	AuditDir  string
	// Keys seals sensitive fields; serve passes the master key from --keys. Nil (tests only) means the
	// process's ephemeral key (keyring.Ephemeral).
	Keys *keyring.Keyring
	// DemoCreated says that serve built the demo database just now (prepareDemo), for the banner.
	DemoCreated bool
	// Mailer sends emails about people's tasks; nil turns email off.
	Mailer notify.Mailer
	// ReturnsKey keys the digests of the statistical returns' inputs; serve keeps it in the keys directory.
	// Nil (tests only) means a key of this process's own.
	ReturnsKey []byte
	// ReturnSigner signs the bundles of approved returns; serve keeps it in the keys directory. Nil (tests
	// only) means a key of this process's own.
	ReturnSigner *returns.SigningKey
	// WebhooksAllowHTTPLoopback lets webhook endpoints be http:// on a loopback address (local testing only).
	WebhooksAllowHTTPLoopback bool
}

// app is the wired service: its handler and the parts tests look into.
type app struct {
	Handler http.Handler
	Web     *web.Server
	API     *api.Server
	Auth    *auth.Service
	Demo    []demo.Account
	// Tasks are the scheduled jobs the queue runs (registered here, so that jobs imports no domain).
	Tasks []jobs.Task
	// Jobs are the one-off jobs domain packages enqueue (sending a notification email).
	Jobs []jobs.Job
	// Notify tells people of their tasks; serve gives it the job queue.
	Notify *notify.Service
	// Webhooks delivers events to the partnerships' endpoints; serve gives it the job queue.
	Webhooks *webhooks.Service
	// Imports runs the imports started from the pages and the API; serve waits for them before it stops.
	Imports *importer.Service
}

// newApp wires the services, the pages, the API and operations routes into one handler, loading the demo
// partnership first when asked.
func newApp(ctx context.Context, c appConfig, stdout io.Writer) (*app, error) {
	db, logger, now := c.DB, c.Logger, c.Now
	authSvc := auth.New(auth.Deps{DB: db, Now: now, DemoMode: c.Demo, Origin: c.PublicURL})
	partners := partnership.New(partnership.Deps{DB: db, Now: now})
	a := &app{Auth: authSvc}
	keys := c.Keys
	if keys == nil {
		keys = keyring.Ephemeral(db)
	}
	// Every domain service is built once, here, and shared by the pages, the API and the jobs.
	sharer := sharing.New(sharing.Deps{DB: db, Now: now})
	cases := casework.New(casework.Deps{DB: db, Now: now, Keys: keys, Sharing: sharer})
	subjectRights := rights.New(rights.Deps{DB: db, Now: now, Casework: cases, Sharing: sharer})
	programmes := programme.New(programme.Deps{DB: db, Now: now})
	digestKey := c.ReturnsKey
	if digestKey == nil {
		digestKey = make([]byte, 32)
		if _, err := rand.Read(digestKey); err != nil {
			return nil, err
		}
	}
	signer := c.ReturnSigner
	if signer == nil {
		var err error
		if signer, _, err = returns.GenerateSigningKey(); err != nil {
			return nil, err
		}
	}
	statistics := returns.New(returns.Deps{DB: db, Now: now, DigestKey: digestKey, SigningKey: signer, Equality: cases})
	selfAssessment := assurance.New(assurance.Deps{DB: db, Now: now})
	tasks := work.New(work.Deps{DB: db, Now: now})
	if c.Demo {
		// The demo is written through the same services, and sharing services on the demo's own clocks.
		accounts, created, err := demo.Load(ctx, demo.Deps{DB: db, Auth: authSvc, Partnership: partners,
			Services: demoServices(db, cases, programmes), Now: now})
		if err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
		a.Demo = accounts
		demo.PrintAccounts(stdout, c.PublicURL, accounts, created || c.DemoCreated)
	}
	// Open cases' tasks derived with older rules (or none, after the upgrade that added tasks) are derived again
	// before the service answers, so that My work is right from the first request; when current, this is one read.
	if n, err := cases.EnsureTasks(ctx); err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	} else if n > 0 {
		logger.Info("tasks derived again", "cases", n, "rules", casework.TaskRulesVersion)
	}
	a.Tasks = []jobs.Task{
		// The batch tasks work in bounded batches and stop before their timeout; one that stops with work left
		// runs again shortly to carry on (jobs.ErrMore; docs/operations.md).
		{Name: "post-exit-reviews", Every: 6 * time.Hour, Timeout: 2 * time.Minute, Run: func(ctx context.Context) error {
			_, more, err := cases.SchedulePostExitReviewsUpTo(ctx, now(), 0)
			return jobs.More(more, err)
		}},
		{Name: "expire-sharing-agreements", Every: 6 * time.Hour, Timeout: 2 * time.Minute, Run: func(ctx context.Context) error {
			_, more, err := sharer.ExpireDueUpTo(ctx, now(), 0)
			return jobs.More(more, err)
		}},
		// Information governance and programme tasks follow their registers (docs/tasks.md); case tasks
		// follow each change as it is made.
		{Name: "governance-tasks", Every: 5 * time.Minute, Run: func(ctx context.Context) error {
			if err := sharer.SyncTasks(ctx, now()); err != nil {
				return err
			}
			if err := subjectRights.SyncTasks(ctx, now()); err != nil {
				return err
			}
			return programme.SyncTasks(ctx, db, now())
		}},
		// Erase the personal data of closed cases past retention (docs/retention.md).
		{Name: "retention-erasure", Every: 24 * time.Hour, Timeout: 5 * time.Minute, Run: func(ctx context.Context) error {
			res, err := subjectRights.EraseDue(ctx, now())
			return jobs.More(res.More, err)
		}},
	}
	// People are told of their open tasks in the service and by email (internal/notify).
	a.Notify = notify.New(notify.Deps{DB: db, Now: now,
		Source:    taskSource{tasks},
		Directory: partners, Mailer: c.Mailer, Logger: logger, PublicURL: c.PublicURL})
	a.Tasks = append(a.Tasks, jobs.Task{Name: "notify-scan", Every: time.Minute, Run: a.Notify.Scan})
	a.Jobs = []jobs.Job{a.Notify.Job()}
	// Webhook deliveries are jobs; endpoints are told of events by a periodic task (internal/webhooks).
	hooks := webhooks.New(webhooks.Deps{DB: db, Keys: keys, Now: now, Logger: logger, AllowHTTPLoopback: c.WebhooksAllowHTTPLoopback})
	a.Webhooks = hooks
	a.Jobs = append(a.Jobs, hooks.Jobs()...)
	a.Tasks = append(a.Tasks, hooks.Tasks()...)
	// Files of people and cases are imported by administrators, from the pages, the API or the command line.
	a.Imports = importer.New(importer.Deps{DB: db, Now: now, Partnership: partners, Casework: cases})
	idem := idempotency.New(db, keys, now)
	a.Tasks = append(a.Tasks, idem.Tasks()...)
	secure := strings.HasPrefix(c.PublicURL, "https://")
	a.Web = web.New(web.Deps{Auth: authSvc, Partnership: partners, Casework: cases, Sharing: sharer, Rights: subjectRights, Programme: programmes,
		Returns: statistics, Assurance: selfAssessment, Work: tasks, Notify: a.Notify, AuditLog: audit.NewLog(db), Logger: logger, Now: now,
		SecureCookies: secure, Demo: c.Demo, AuditDir: c.AuditDir, Webhooks: hooks, Imports: a.Imports})
	a.API = api.New(api.Deps{Auth: authSvc, Partnership: partners, Casework: cases, Sharing: sharer, Rights: subjectRights, Programme: programmes,
		Returns: statistics, Assurance: selfAssessment, Work: tasks, Notify: a.Notify, Idempotency: idem, Webhooks: hooks, Imports: a.Imports, AuditLog: audit.NewLog(db), Logger: logger, Now: now})
	reg := metrics.New()

	mux := a.Web.Mux()
	a.API.Register(mux)
	mux.Handle("GET /static/", http.FileServerFS(ui.Static))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		pending, err := db.Pending(r.Context())
		if err == nil {
			err = db.Ping(r.Context())
		}
		if err != nil || pending > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", reg.Handler())
	mux.Handle("/", a.Web.NotFoundHandler())

	a.Handler = web.SecurityHeaders(secure,
		logging.Middleware(logger, reg.Middleware(logging.Recover(logger, http.NewCrossOriginProtection().Handler(mux), a.Web.ServerError))))
	return a, nil
}

// taskSource gives notify every person's open tasks from the task store (internal/work): keys and dates only.
type taskSource struct{ w *work.Service }

func (s taskSource) Pending(ctx context.Context, now time.Time) ([]notify.Pending, error) {
	ps, err := s.w.Pending(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]notify.Pending, len(ps))
	for i, p := range ps {
		out[i] = notify.Pending{PersonID: p.PersonID, TaskKey: p.TaskKey, CreatedAt: p.CreatedAt, Due: p.Due}
	}
	return out, nil
}
