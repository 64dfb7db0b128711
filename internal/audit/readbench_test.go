package audit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
)

// readers is how many goroutines read at once in BenchmarkReadAudited, as requests of a busy service do.
const readers = 64

// BenchmarkReadAudited compares, in one run on one database, b.N audited reads (a query and its Consult
// entry) by 64 goroutines in a write transaction each (WithTx, as reads of personal data ran before) with
// b.N in a read transaction each whose entries the group committer appends (WithRead). It reports the wall
// time per read of each and their ratio, withtx/withread: how many times faster the reads are now.
func BenchmarkReadAudited(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *database.DB) {
		ctx := context.Background()
		appendEntries(b, db, consultEntry(0))
		read := func(tx *database.Tx, i int64) error {
			var n int64
			if err := tx.QueryRowContext(ctx, "SELECT size FROM audit_head WHERE id = 1").Scan(&n); err != nil {
				return err
			}
			_, err := audit.Append(ctx, tx, consultEntry(int(i)))
			return err
		}
		run := func(with func(context.Context, func(*database.Tx) error) error) time.Duration {
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, readers)
			start := time.Now()
			for range readers {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						if err := with(ctx, func(tx *database.Tx) error { return read(tx, i) }); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			d := time.Since(start)
			select {
			case err := <-errs:
				b.Fatal(err)
			default:
			}
			return d
		}
		b.ResetTimer()
		before := run(db.WithTx)
		g0 := db.GroupCommits()
		after := run(db.WithRead)
		b.StopTimer()
		g := db.GroupCommits()
		perRead := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) }
		b.ReportMetric(perRead(before), "withtx-ns/read")
		b.ReportMetric(perRead(after), "withread-ns/read")
		b.ReportMetric(before.Seconds()/after.Seconds(), "withtx/withread")
		if n := g.Batches - g0.Batches; n > 0 {
			b.ReportMetric(float64(g.Reads-g0.Reads)/float64(n), "reads/commit")
		}
		if got := count(b, db.Read(), "SELECT COUNT(*) FROM audit_entries"); got != 1+2*int64(b.N) {
			b.Fatalf("%d entries, want %d", got, 1+2*b.N)
		}
	})
}
