package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// forRecordsChunk bounds the ids in one query, well under every engine's limit on parameters.
const forRecordsChunk = 500

// ForRecords returns every entry about the records of one kind with the given ids, oldest first: what was
// done with them, by whom and when (the access log of a subject access bundle). The caller decides who may
// see it. Read it through the transaction when inside one.
func ForRecords(ctx context.Context, q database.Querier, kind string, ids []prevent.ID) ([]Entry, error) {
	var out []Entry
	for start := 0; start < len(ids); start += forRecordsChunk {
		chunk := ids[start:min(start+forRecordsChunk, len(ids))]
		args := []any{kind}
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := q.QueryContext(ctx, "SELECT "+entryColumns+" FROM audit_entries WHERE record_kind = $1 AND record_id IN ("+
			strings.Join(marks, ", ")+") ORDER BY seq", args...)
		if err != nil {
			return nil, fmt.Errorf("audit: for records: %w", err)
		}
		for rows.Next() {
			var e Entry
			var action string
			var leaf []byte
			if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorOrg, &action, &e.RecordKind, &e.RecordID,
				&e.PartnershipID, &e.Purpose, &e.RecipientOrg, &e.RequestID, &e.Detail, &leaf); err != nil {
				rows.Close()
				return nil, fmt.Errorf("audit: for records: %w", err)
			}
			e.Action = Action(action)
			e.At = e.At.UTC()
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("audit: for records: %w", err)
		}
	}
	if len(ids) > forRecordsChunk {
		// Chunks are each in order; merge them by sequence.
		slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	}
	return out, nil
}

// ConsultedByActor counts, for each actor, the distinct records of one kind they consulted in the
// partnership from since to until, both included (the data protection officer's view of unusual access).
// Entries without an actor or without a record id are not counted. The caller decides who may see it;
// read it through the transaction when inside one.
func ConsultedByActor(ctx context.Context, q database.Querier, partnershipID prevent.ID, kind string, since, until time.Time) (map[prevent.ID]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT actor_id, COUNT(DISTINCT record_id) FROM audit_entries
		WHERE partnership_id = $1 AND action = $2 AND record_kind = $3 AND record_id > 0 AND actor_id > 0
			AND at >= $4 AND at <= $5
		GROUP BY actor_id`, partnershipID, string(Consult), kind, since, until)
	if err != nil {
		return nil, fmt.Errorf("audit: consulted by actor: %w", err)
	}
	defer rows.Close()
	out := map[prevent.ID]int{}
	for rows.Next() {
		var id prevent.ID
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("audit: consulted by actor: %w", err)
		}
		out[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: consulted by actor: %w", err)
	}
	return out, nil
}
