package main

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/partnership"
)

// TestCLIDemoFirstStartInterruptedPostgres: a PostgreSQL database left by a first serve --demo killed in the
// middle of the demo load starts again: the half-loaded schema is moved aside and the demo loaded afresh,
// the audit log verifies, a later start finds the demo loaded, and the database, with the schema moved
// aside, is backed up and restored as any other.
func TestCLIDemoFirstStartInterruptedPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := store{data: t.TempDir(), database: dbtest.PostgresURL(t)}
	db, err := database.Open(ctx, s.database)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Now().UTC() }
	killed := errors.New("killed")
	_, _, err = demo.Load(ctx, demo.Deps{DB: db, Auth: auth.New(auth.Deps{DB: db, Now: now}), Partnership: partnership.New(partnership.Deps{DB: db, Now: now}),
		Services: newDemoServices(db, now), Now: now, AfterStep: func(step string) error {
			if step == "programme" {
				return killed
			}
			return nil
		}})
	db.Close()
	if !errors.Is(err, killed) {
		t.Fatalf("interrupted load: %v", err)
	}

	out := serveDemoOnce(t, s.args()...)
	if !strings.Contains(out, "loaded just now") {
		t.Errorf("serve --demo did not say the demo was loaded:\n%s", out)
	}
	pg, err := sql.Open("pgx", s.database)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var aside string
	if err := pg.QueryRowContext(ctx, `SELECT string_agg(nspname, ' ') FROM pg_namespace WHERE nspname LIKE 'public\_incomplete\_%'`).Scan(&aside); err != nil ||
		strings.Contains(aside, " ") {
		t.Fatalf("schemas moved aside: %q (%v), want the half-loaded one", aside, err)
	}
	var people int
	if err := pg.QueryRowContext(ctx, `SELECT count(*) FROM `+aside+`.people`).Scan(&people); err != nil || people == 0 {
		t.Errorf("the schema moved aside holds %d people (%v), want those the killed start created", people, err)
	}
	if out, err := runCmd(append([]string{"audit", "verify"}, s.args()...)...); err != nil || !strings.HasPrefix(out, "ok, ") {
		t.Fatalf("audit verify after the restart: %v\n%s", err, out)
	}
	if out := serveDemoOnce(t, s.args()...); !strings.Contains(out, "already loaded") {
		t.Errorf("second serve --demo:\n%s", out)
	}

	backups := t.TempDir()
	if out, err := runCmd(append([]string{"backup", "--to", backups}, s.args()...)...); err != nil {
		t.Fatalf("prevent backup: %v\n%s", err, out)
	}
	manifests, _ := filepath.Glob(filepath.Join(backups, "prevent-*.dump.manifest.json"))
	if len(manifests) != 1 {
		t.Fatalf("backup wrote %v", manifests)
	}
	restored := store{data: s.data, database: dbtest.PostgresURL(t)}
	if out, err := runCmd(append([]string{"restore", "--manifest", manifests[0]}, restored.args()...)...); err != nil {
		t.Fatalf("prevent restore: %v\n%s", err, out)
	}
	if out := serveDemoOnce(t, restored.args()...); !strings.Contains(out, "already loaded") {
		t.Errorf("serve --demo on the restored database:\n%s", out)
	}
	if out, err := runCmd(append([]string{"audit", "verify"}, restored.args()...)...); err != nil || !strings.HasPrefix(out, "ok, ") {
		t.Fatalf("audit verify after the restore: %v\n%s", err, out)
	}
}
