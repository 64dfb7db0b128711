package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// demoScale adds synthetic referrals to the demo partnership of an existing data directory or database, or
// with --national loads the national synthetic dataset into a new one, with a progress bar when stderr is a
// terminal.
func demoScale(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var n, years int
	var national bool
	var seed uint64
	db, c, err := openStore(ctx, "demo", args, getenv, stderr, func(c *config, fs *flag.FlagSet) {
		fs.IntVar(&n, "scale", 0, "how many synthetic referrals to add to the demo partnership")
		fs.BoolVar(&national, "national", false, "load the national synthetic dataset (partnerships in every region, 10 years of referrals) into a new data directory or database")
		fs.IntVar(&years, "years", 10, "with --national: how many financial years, up to 2024/25 (1 to 10)")
		fs.Uint64Var(&seed, "seed", 1, "with --national: the seed of the generator (the same seed gives the same dataset)")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if national {
		if n != 0 || years < 1 || years > len(demo.NationalTargets) {
			return fmt.Errorf("usage: prevent demo --national [--years 1-%d] [--seed S] [--data DIR | --database URL]", len(demo.NationalTargets))
		}
		return demoNational(ctx, db, c, years, seed, stdout, stderr)
	}
	if n <= 0 {
		return fmt.Errorf("usage: prevent demo --scale N [--data DIR | --database URL], or prevent demo --national (see docs/returns.md)")
	}
	progress := func(int) {}
	if bar := newProgressBar(stderr, n); bar != nil {
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

// newProgressBar returns a progress bar of referrals on stderr when it is a terminal, or nil.
func newProgressBar(stderr io.Writer, n int) *progressbar.ProgressBar {
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return progressbar.NewOptions(n, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("referrals"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
	return nil
}

// demoNational loads the national synthetic dataset (docs/returns.md) into db, which must hold no partnership,
// then computes every partnership's return for each year, as its analyst, with the returns' digest key of the
// keys directory, and prints the sums beside the targets. A sum that misses its target is an error.
func demoNational(ctx context.Context, db *database.DB, c *config, years int, seed uint64, stdout, stderr io.Writer) error {
	now := func() time.Time { return time.Now().UTC() }
	var bar *progressbar.ProgressBar
	opt := demo.NationalOptions{Years: years, Seed: seed, Now: now()}
	terminal := true
	opt.Progress = func(done, total int) {
		if bar == nil && terminal {
			bar = newProgressBar(stderr, total)
			terminal = bar != nil
		}
		if bar != nil {
			_ = bar.Set(done)
		}
	}
	key, err := loadOrCreateDigestKey(c.keysDir())
	if err != nil {
		return err
	}
	services := func(db *database.DB, now func() time.Time) demo.NationalServices {
		return demo.NationalServices{Partnership: partnership.New(partnership.Deps{DB: db, Now: now}), Casework: newDemoServices(db, now).Casework,
			Returns: returns.New(returns.Deps{DB: db, Now: now, DigestKey: key})}
	}
	start := time.Now()
	nat, err := demo.LoadNational(ctx, demo.NationalDeps{DB: db, Services: services}, opt)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		if prevent.ErrorKind(err) != prevent.Internal {
			return fmt.Errorf("%s", prevent.PublicMessage(err))
		}
		return err
	}
	regions := map[string]bool{}
	for _, p := range nat.Partnerships {
		if cat, ok, _ := returns.RegionOf(p.Region, nat.Targets[0].Year); ok {
			regions[cat.Code] = true
		}
	}
	loaded := time.Since(start)
	fmt.Fprintf(stdout, "Loaded the national synthetic dataset: %d partnerships in %d regions, %d referrals over %d financial years, in %s\n"+
		"(%d partnership-years tried out %d times before writing, so that no return's totals are withheld).\n",
		len(nat.Partnerships), len(regions), nat.Referrals, len(nat.Targets), loaded.Round(time.Millisecond), len(nat.Partnerships)*len(nat.Targets), nat.Tries)

	check := time.Now()
	var ys []returns.FinancialYear
	for _, t := range nat.Targets {
		ys = append(ys, t.Year)
	}
	totals, err := demo.NationalTotals(ctx, db, services(db, now).Returns, now(), ys)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sum of the partnerships' returns (%s), against the targets:\n", returns.SuppressBelow5)
	fmt.Fprintf(stdout, "%-8s %10s %10s %10s\n", "Year", "Referrals", "Discussed", "Adopted")
	var missed []string
	for _, t := range nat.Targets {
		got := totals[t.Year]
		fmt.Fprintf(stdout, "%-8s %10d %10d %10d\n", t.Year, got.Referrals, got.Discussed, got.Adopted)
		if len(got.Withheld) > 0 {
			missed = append(missed, fmt.Sprintf("%s: totals withheld (%s)", t.Year, strings.Join(got.Withheld, "; ")))
		}
		if got.Referrals != t.Referrals || got.Discussed != t.Discussed || got.Adopted != t.Adopted {
			missed = append(missed, fmt.Sprintf("%s: want %d, %d, %d", t.Year, t.Referrals, t.Discussed, t.Adopted))
		}
	}
	fmt.Fprintf(stdout, "Computed %d returns in %s; total time %s.\n", len(nat.Partnerships)*len(ys), time.Since(check).Round(time.Millisecond),
		time.Since(start).Round(time.Millisecond))
	if len(missed) > 0 {
		return fmt.Errorf("the returns do not add up to the targets: %s", strings.Join(missed, "; "))
	}
	fmt.Fprintln(stdout, "Every year's totals match the targets.")
	return nil
}

// demoServices are the services the demo writes through on db: the process's casework and programme
// services, and sharing and rights services on the clocks the demo moves to date what it writes.
func demoServices(db *database.DB, cases *casework.Service, programmes *programme.Service) demo.Services {
	return demo.Services{Casework: cases, Programme: programmes,
		Sharing: func(now func() time.Time) *sharing.Service { return sharing.New(sharing.Deps{DB: db, Now: now}) },
		Rights: func(now func() time.Time) *rights.Service {
			return rights.New(rights.Deps{DB: db, Now: now, Casework: cases, Sharing: sharing.New(sharing.Deps{DB: db, Now: now})})
		}}
}

// newDemoServices builds the services the demo writes through on db, for the commands that load or scale the
// demo before or without the service itself: prepareDemo and demo --scale. The casework service has no keys:
// the demo seals nothing through it, only derives the generated cases' tasks.
func newDemoServices(db *database.DB, now func() time.Time) demo.Services {
	cases := casework.New(casework.Deps{DB: db, Now: now, Sharing: sharing.New(sharing.Deps{DB: db, Now: now})})
	return demoServices(db, cases, programme.New(programme.Deps{DB: db, Now: now}))
}
