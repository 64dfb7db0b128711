package audit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// benchEntries is the size of the log the benchmarks read.
const benchEntries = 50_000

// benchLog builds a log of benchEntries varied entries, appended in transactions of 1000 and checkpointed
// every 10,000 entries and at the end. The same seed gives the same entries on every run.
func benchLog(b *testing.B, db *database.DB) *fixture {
	b.Helper()
	f := newFixture(b, db)
	rng := rand.New(rand.NewPCG(7, 11))
	es := make([]audit.Entry, 0, 1000)
	for i := range benchEntries {
		es = append(es, randomEntry(rng, i))
		if len(es) == cap(es) {
			appendEntries(b, db, es...)
			es = es[:0]
		}
		if (i+1)%10_000 == 0 {
			f.checkpoint(b)
		}
	}
	appendEntries(b, db, es...)
	f.checkpoint(b)
	return f
}

// benchEngines runs fn on SQLite and, with PREVENT_TEST_POSTGRES, on PostgreSQL.
func benchEngines(b *testing.B, fn func(b *testing.B, db *database.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, dbtest.NewSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, dbtest.NewPostgres(b)) })
}

// reportEntries reports entries/s of wall time and, since the machine running the benchmarks may be busy
// with other work, the CPU time this process used per operation since cpu0 (SQLite runs in the process;
// PostgreSQL's own CPU time is not counted).
func reportEntries(b *testing.B, n int64, cpu0 time.Duration) {
	cpu := processCPU() - cpu0
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "entries/cpu-s")
	}
}

// BenchmarkVerify is `prevent audit verify` over a log of benchEntries entries. Compare it with
// BenchmarkRawLeafPass from the same run:
//
//	go test -run '^$' -bench 'Verify$|RawLeafPass' -benchtime 5x ./internal/audit/
func BenchmarkVerify(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *database.DB) {
		f := benchLog(b, db)
		ctx := context.Background()
		cpu0 := processCPU()
		for b.Loop() {
			rep, err := audit.VerifyDB(ctx, db, f.dir, f.verifier)
			if err != nil || !rep.OK() || rep.N != benchEntries {
				b.Fatalf("verify: %v, %+v", err, rep)
			}
		}
		reportEntries(b, benchEntries, cpu0)
	})
}

// BenchmarkRawLeafPass is the floor for BenchmarkVerify: one plain query over the same columns, each row
// encoded into its leaf with appends into one buffer, hashed and compared with its stored leaf hash.
func BenchmarkRawLeafPass(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *database.DB) {
		benchLog(b, db)
		ctx := context.Background()
		cpu0 := processCPU()
		for b.Loop() {
			if n := rawLeafPass(b, ctx, db); n != benchEntries {
				b.Fatalf("raw pass read %d entries", n)
			}
		}
		reportEntries(b, benchEntries, cpu0)
	})
}

func rawLeafPass(b *testing.B, ctx context.Context, db *database.DB) int64 {
	rows, err := db.Read().QueryContext(ctx, "SELECT "+cols+", leaf_hash FROM audit_entries ORDER BY seq")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var (
		e    audit.Entry
		act  string
		leaf []byte
		buf  []byte
		n    int64
	)
	for rows.Next() {
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorOrg, &act, &e.RecordKind, &e.RecordID,
			&e.PartnershipID, &e.Purpose, &e.RecipientOrg, &e.RequestID, &e.Detail, &leaf); err != nil {
			b.Fatal(err)
		}
		e.Action = audit.Action(act)
		// tlog.RecordHash(leaf) is SHA-256(0x00 || leaf).
		buf = rawEncode(append(buf[:0], 0), &e)
		h := sha256.Sum256(buf)
		if !bytes.Equal(h[:], leaf) {
			b.Fatalf("entry %d: leaf hash differs", e.Seq)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// rawEncode is the leaf encoding written directly with appends.
func rawEncode(b []byte, e *audit.Entry) []byte {
	b = append(b, "prevent-audit-leaf/v1\nseq "...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, "\nat "...)
	b = e.At.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, "\nactor "...)
	b = strconv.AppendInt(b, e.ActorID, 10)
	b = append(b, "\norg "...)
	b = strconv.AppendInt(b, e.ActorOrg, 10)
	b = append(b, "\naction "...)
	b = strconv.AppendQuote(b, string(e.Action))
	b = append(b, "\nkind "...)
	b = strconv.AppendQuote(b, e.RecordKind)
	b = append(b, "\nrecord "...)
	b = strconv.AppendInt(b, e.RecordID, 10)
	b = append(b, "\npartnership "...)
	b = strconv.AppendInt(b, e.PartnershipID, 10)
	b = append(b, "\npurpose "...)
	b = strconv.AppendQuote(b, e.Purpose)
	b = append(b, "\nrecipient "...)
	b = strconv.AppendInt(b, e.RecipientOrg, 10)
	b = append(b, "\nrequest "...)
	b = strconv.AppendQuote(b, e.RequestID)
	b = append(b, "\ndetail "...)
	b = strconv.AppendQuote(b, e.Detail)
	return append(b, '\n')
}
