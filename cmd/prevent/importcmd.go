package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

const importUsage = "usage: prevent import people|cases FILE --as EMAIL [--partnership ID] [--dry-run] [--report FILE.csv] [--data DIR | --database URL]\n" +
	"       prevent import template people|cases --format csv|xlsx > FILE"

// importCmd checks a file of people or cases and, unless --dry-run, imports it as the administrator named by
// --as (docs/import.md). Problems are printed as row, column and message (and written as CSV with --report);
// a file with any problem writes nothing and the command fails.
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) >= 1 && args[0] == "template" {
		return importTemplate(args[1:], stdout, stderr)
	}
	if len(args) < 2 || !importer.Kind(args[0]).Valid() {
		return errors.New(importUsage)
	}
	kind, file := importer.Kind(args[0]), args[1]
	var as, reportTo string
	var pid int64
	var dry bool
	db, c, err := openStore(ctx, "import "+string(kind), args[2:], getenv, stderr, func(c *config, fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "the email of the administrator the import is done as (it is audited as theirs)")
		fs.Int64Var(&pid, "partnership", 0, "the partnership to import into (default: the administrator's only partnership)")
		fs.BoolVar(&dry, "dry-run", false, "check the file and report its problems; write nothing")
		fs.StringVar(&reportTo, "report", "", "also write the problems to this CSV file (row, column, message)")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if as == "" {
		return errors.New(importUsage)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	now := func() time.Time { return time.Now().UTC() }
	keys, err := openKeyring(ctx, db, c, now, nil)
	if err != nil {
		return err
	}
	a := auth.New(auth.Deps{DB: db, Now: now})
	id, err := a.PersonByEmail(ctx, as)
	if err != nil {
		return fmt.Errorf("%s", prevent.PublicMessage(err))
	}
	p, err := auth.LoadPrincipal(ctx, db.Read(), id, now())
	if err != nil {
		return err
	}
	// Whoever can run this command can read the store itself: the second factor guards the web and the
	// API, not the server's own shell. The administrator named is whose roles are checked and whom the audit
	// log names.
	p.MFA = true
	if pid == 0 {
		admin := 0
		for _, m := range p.Memberships {
			if m.Role == prevent.Administrator {
				pid, admin = m.PartnershipID, admin+1
			}
		}
		if admin != 1 {
			return errors.New("give the partnership's id with --partnership: " + as + " administers no partnership or more than one")
		}
	}
	sh := sharing.New(sharing.Deps{DB: db, Now: now})
	imp := importer.New(importer.Deps{DB: db, Now: now, Partnership: partnership.New(partnership.Deps{DB: db, Now: now}),
		Casework: casework.New(casework.Deps{DB: db, Now: now, Keys: keys, Sharing: sh})})
	var r importer.Report
	if dry {
		r, err = imp.Check(ctx, p, pid, kind, file, data)
	} else {
		var bar *progressbar.ProgressBar
		if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription(string(kind)),
				progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		r, err = imp.Run(ctx, p, pid, kind, file, data, func(done, total int) {
			if bar != nil {
				bar.ChangeMax(total)
				_ = bar.Set(done)
			} else if total >= 10 && done%(total/10) == 0 {
				fmt.Fprintf(stderr, "%d of %d rows\n", done, total)
			}
		})
		if bar != nil {
			_ = bar.Finish()
		}
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(stdout, "%s: %d problems\n", r.File, len(r.Problems))
		for _, pr := range r.Problems {
			where := fmt.Sprintf("row %d", pr.Row)
			if pr.Row == 0 {
				where = "file"
			}
			if pr.Column != "" {
				where += ", " + pr.Column
			}
			fmt.Fprintf(stdout, "  %s: %s\n", where, pr.Message)
		}
		if reportTo != "" {
			f, ferr := os.Create(reportTo)
			if ferr != nil {
				return ferr
			}
			if werr := r.WriteCSV(f); werr != nil {
				f.Close()
				return werr
			}
			if cerr := f.Close(); cerr != nil {
				return cerr
			}
		}
	}
	if err != nil {
		if prevent.ErrorKind(err) != prevent.Internal {
			return fmt.Errorf("%s", prevent.PublicMessage(err))
		}
		return err
	}
	switch {
	case !r.OK():
		return fmt.Errorf("nothing was imported: the file has %d problems", len(r.Problems))
	case dry:
		fmt.Fprintf(stdout, "%s: %d rows of %s, no problems. Run again without --dry-run to import them.\n", r.File, r.Rows, kind)
	default:
		fmt.Fprintf(stdout, "Import %d: %d %s written from %s", r.ImportID, r.Written, kind, r.File)
		if r.Skipped > 0 {
			fmt.Fprintf(stdout, " (%d already written by an earlier run)", r.Skipped)
		}
		fmt.Fprintln(stdout, ".")
		if r.PossibleRepeats > 0 {
			fmt.Fprintf(stdout, "%d cases may be repeat referrals of people referred before: each is suggested on the case for the triaging officer to check.\n", r.PossibleRepeats)
		}
		if kind == importer.People {
			fmt.Fprintln(stdout, "Send each person a set-up link from their page when their account should start.")
		}
	}
	return nil
}

func importTemplate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import template", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "csv", "csv or xlsx")
	if len(args) < 1 || !importer.Kind(args[0]).Valid() {
		return errors.New(importUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *format != "csv" && *format != "xlsx" {
		return errors.New(importUsage)
	}
	b, err := importer.Template(importer.Kind(args[0]), *format)
	if err != nil {
		return err
	}
	_, err = stdout.Write(b)
	return err
}
