package importer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/importer"
)

// BenchmarkImportCases imports a file of 10,000 cases and, on a fresh store in the same run, writes the same
// rows as raw INSERTs into referrals, one transaction a row as the import commits them. It reports both times
// and their ratio: what checking each case, sealing its details, replaying the workflow, matching repeat
// referrals and auditing every step costs over the bare write.
//
//	go test -run '^$' -bench BenchmarkImportCases -benchtime 1x ./internal/importer
func BenchmarkImportCases(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	var importTook, rawTook time.Duration
	for range b.N {
		b.StopTimer()
		x := newWorld(b, database.SQLite)
		var rows [][]string
		for i := range n {
			rows = append(rows, x.caseRow(i, stages[i%len(stages)]))
		}
		file := csvFile(b, caseHeader, rows)
		b.StartTimer()
		start := time.Now()
		r, err := x.imp.Run(ctx, x.admin, x.PartnershipID, importer.Cases, "bench.csv", file, nil)
		importTook += time.Since(start)
		b.StopTimer()
		if err != nil || r.Written != n {
			b.Fatalf("%v %d", err, r.Written)
		}

		y := newWorld(b, database.SQLite)
		var author, org int64
		if err := y.db.Read().QueryRowContext(ctx, `SELECT id, organisation_id FROM people WHERE email = $1`, y.referrer).Scan(&author, &org); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for i, row := range rows {
			details, _ := json.Marshal(row)
			err := y.db.WithTx(ctx, func(tx *database.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO referrals (partnership_id, reference, state, author_id, referrer_org_id, referrer_sector,
					details, marking, submitted_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'education', $6, 2, $7, $7, $7)`,
					y.PartnershipID, fmt.Sprintf("RAW-%06d", i), row[1], author, org, string(details), time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC))
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		rawTook += time.Since(start)
	}
	b.ReportMetric(float64(importTook.Milliseconds())/float64(b.N), "import-ms")
	b.ReportMetric(float64(rawTook.Milliseconds())/float64(b.N), "raw-insert-ms")
	b.ReportMetric(float64(importTook)/float64(rawTook), "import/raw")
}
