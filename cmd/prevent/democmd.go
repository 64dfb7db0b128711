package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/sharing"
)

// demoScale adds synthetic referrals to the demo partnership of an existing data directory or database, with
// a progress bar when stderr is a terminal.
func demoScale(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var n int
	db, _, err := openStore(ctx, "demo", args, getenv, stderr, func(c *config, fs *flag.FlagSet) {
		fs.IntVar(&n, "scale", 0, "how many synthetic referrals to add to the demo partnership")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if n <= 0 {
		return fmt.Errorf("usage: prevent demo --scale N [--data DIR | --database URL]")
	}
	progress := func(int) {}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(n, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("referrals"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		defer bar.Finish()
		progress = func(done int) { _ = bar.Set(done) }
	}
	start := time.Now()
	done, err := demo.Scale(ctx, db, newDemoServices(db, func() time.Time { return time.Now().UTC() }), n, time.Now(), progress)
	if err != nil {
		if prevent.ErrorKind(err) != prevent.Internal {
			return fmt.Errorf("%s", prevent.PublicMessage(err))
		}
		return err
	}
	fmt.Fprintf(stdout, "Added %d synthetic referrals to the demo partnership in %s.\n", done, time.Since(start).Round(time.Millisecond))
	return nil
}

// demoServices are the services the demo writes through on db: the process's casework and programme
// services, and sharing services on the clocks the demo moves to date what it writes.
func demoServices(db *database.DB, cases *casework.Service, programmes *programme.Service) demo.Services {
	return demo.Services{Casework: cases, Programme: programmes,
		Sharing: func(now func() time.Time) *sharing.Service { return sharing.New(sharing.Deps{DB: db, Now: now}) }}
}

// newDemoServices builds the services the demo writes through on db, for the commands that load or scale the
// demo before or without the service itself: prepareDemo and demo --scale. The casework service has no keys:
// the demo seals nothing through it, only derives the generated cases' tasks.
func newDemoServices(db *database.DB, now func() time.Time) demo.Services {
	cases := casework.New(casework.Deps{DB: db, Now: now, Sharing: sharing.New(sharing.Deps{DB: db, Now: now})})
	return demoServices(db, cases, programme.New(programme.Deps{DB: db, Now: now}))
}
