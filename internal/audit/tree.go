package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"golang.org/x/mod/sumdb/tlog"
)

const entryColumns = `seq, at, actor_id, actor_org, action, record_kind, record_id, partnership_id, purpose,
	recipient_org, request_id, detail, leaf_hash`

// entryRow is one audit_entries row as stored, read without trusting its types: a row whose column holds
// something that is not a valid entry field gets a problem instead of failing the whole read.
type entryRow struct {
	entry   Entry
	leaf    []byte
	problem string
}

// readEntryRows reads up to limit rows with seq >= from, in seq order.
func readEntryRows(ctx context.Context, q database.Querier, from int64, limit int) ([]entryRow, error) {
	return appendEntryRows(ctx, q, from, limit, nil)
}

// appendEntryRows is readEntryRows appending to out, so that a caller reading the log in batches reuses
// one slice.
func appendEntryRows(ctx context.Context, q database.Querier, from int64, limit int, out []entryRow) ([]entryRow, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+entryColumns+" FROM audit_entries WHERE seq >= $1 ORDER BY seq LIMIT $2", from, limit)
	if err != nil {
		return out, fmt.Errorf("audit: read entries: %w", err)
	}
	defer rows.Close()
	var vals [13]any
	var ptrs [13]any
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs[:]...); err != nil {
			return out, fmt.Errorf("audit: read entries: %w", err)
		}
		out = append(out, rowFromValues(vals[:]))
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("audit: read entries: %w", err)
	}
	return out, nil
}

func rowFromValues(v []any) entryRow {
	var r entryRow
	var bad []string
	e := &r.entry
	intCol := func(name string, x any, dst *int64) {
		if n, ok := x.(int64); ok {
			*dst = n
		} else {
			bad = append(bad, name)
		}
	}
	strCol := func(name string, x any, dst *string) {
		if s, ok := x.(string); ok {
			*dst = s
		} else {
			bad = append(bad, name)
		}
	}
	intCol("seq", v[0], &e.Seq)
	if t, ok := v[1].(time.Time); ok {
		e.At = t.UTC()
	} else {
		bad = append(bad, "at")
	}
	intCol("actor_id", v[2], &e.ActorID)
	intCol("actor_org", v[3], &e.ActorOrg)
	var action string
	strCol("action", v[4], &action)
	e.Action = Action(action)
	strCol("record_kind", v[5], &e.RecordKind)
	intCol("record_id", v[6], &e.RecordID)
	intCol("partnership_id", v[7], &e.PartnershipID)
	strCol("purpose", v[8], &e.Purpose)
	intCol("recipient_org", v[9], &e.RecipientOrg)
	strCol("request_id", v[10], &e.RequestID)
	strCol("detail", v[11], &e.Detail)
	// Scanning into an any already copies a []byte, so the row can keep it.
	if b, ok := v[12].([]byte); ok {
		r.leaf = b
	} else {
		bad = append(bad, "leaf_hash")
	}
	if len(bad) > 0 {
		r.problem = "column " + strings.Join(bad, ", ") + " does not hold a value of its type"
	}
	return r
}

// hashedSize returns how many entries audit_hashes covers: the k for which it holds exactly the
// tlog.StoredHashCount(k) hashes with indexes 0..count-1.
func hashedSize(ctx context.Context, q database.Querier) (int64, error) {
	var count, maxIdx int64
	err := q.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(idx), -1) FROM audit_hashes").Scan(&count, &maxIdx)
	if err != nil {
		return 0, fmt.Errorf("audit: read tree size: %w", err)
	}
	if maxIdx != count-1 {
		return 0, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("audit_hashes holds %d hashes but its last index is %d", count, maxIdx)}
	}
	k := sort.Search(int(count)+1, func(k int) bool { return tlog.StoredHashCount(int64(k)) >= count })
	if tlog.StoredHashCount(int64(k)) != count {
		return 0, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("audit_hashes holds %d hashes, which is not a whole tree", count)}
	}
	return int64(k), nil
}

// checkLastHashed checks that the last entry the tree covers is still there and matches its stored hash.
func checkLastHashed(ctx context.Context, q database.Querier, k int64) error {
	rows, err := readEntryRows(ctx, q, k-1, 1)
	if err != nil {
		return err
	}
	if len(rows) == 0 || rows[0].entry.Seq != k-1 {
		return &IntegrityError{Seq: k - 1, Problem: "missing, though the stored tree covers it"}
	}
	if rows[0].problem != "" {
		return &IntegrityError{Seq: k - 1, Problem: rows[0].problem}
	}
	hs, err := readHashes(ctx, q, []int64{tlog.StoredHashIndex(0, k-1)})
	if err != nil {
		return err
	}
	if rows[0].entry.LeafHash() != hs[0] {
		return &IntegrityError{Seq: k - 1, Problem: "the entry's contents do not match its hash in the stored tree"}
	}
	return nil
}

// readHashes reads the stored hashes with the given indexes, all of which must exist.
func readHashes(ctx context.Context, q database.Querier, idxs []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idxs))
	if len(idxs) == 0 {
		return out, nil
	}
	args := make([]any, len(idxs))
	ph := make([]string, len(idxs))
	for i, x := range idxs {
		args[i] = x
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := q.QueryContext(ctx, "SELECT idx, hash FROM audit_hashes WHERE idx IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("audit: read hashes: %w", err)
	}
	defer rows.Close()
	got := make(map[int64]tlog.Hash, len(idxs))
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return nil, fmt.Errorf("audit: read hashes: %w", err)
		}
		if len(b) != tlog.HashSize {
			return nil, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("stored hash %d is %d bytes long", idx, len(b))}
		}
		got[idx] = tlog.Hash(b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: read hashes: %w", err)
	}
	for i, x := range idxs {
		h, ok := got[x]
		if !ok {
			return nil, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("stored hash %d is missing", x)}
		}
		out[i] = h
	}
	return out, nil
}

// dbHashReader reads stored hashes from audit_hashes.
func dbHashReader(ctx context.Context, q database.Querier) tlog.HashReader {
	return tlog.HashReaderFunc(func(idxs []int64) ([]tlog.Hash, error) {
		var out []tlog.Hash
		for len(idxs) > 0 {
			n := min(len(idxs), 500)
			hs, err := readHashes(ctx, q, idxs[:n])
			if err != nil {
				return nil, err
			}
			out = append(out, hs...)
			idxs = idxs[n:]
		}
		return out, nil
	})
}

// insertHashes stores hashes at consecutive indexes from start.
func insertHashes(ctx context.Context, q database.Querier, start int64, hashes []tlog.Hash) error {
	const per = 250
	for off := 0; off < len(hashes); off += per {
		chunk := hashes[off:min(off+per, len(hashes))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO audit_hashes (idx, hash) VALUES ")
		args := make([]any, 0, 2*len(chunk))
		for i, h := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "($%d, $%d)", 2*i+1, 2*i+2)
			args = append(args, start+int64(off+i), h[:])
		}
		if _, err := q.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("audit: store hashes: %w", err)
		}
	}
	return nil
}

// hashTree computes the tlog tree incrementally, keeping only the O(log n) hashes of the complete
// subtrees on its right edge: those are all that the next leaf and the current root need.
type hashTree struct {
	n     int64
	nodes map[int64]tlog.Hash
}

// frontier returns the stored-hash indexes of the maximal complete subtrees that make up a tree of n leaves.
func frontier(n int64) []int64 {
	var idxs []int64
	for l := 62; l >= 0; l-- {
		if n>>l&1 == 1 {
			idxs = append(idxs, tlog.StoredHashIndex(l, n>>l-1))
		}
	}
	return idxs
}

// loadTree starts a hashTree at the k leaves already stored in audit_hashes.
func loadTree(ctx context.Context, q database.Querier, k int64) (*hashTree, error) {
	t := &hashTree{n: k, nodes: map[int64]tlog.Hash{}}
	idxs := frontier(k)
	hs, err := readHashes(ctx, q, idxs)
	if err != nil {
		return nil, err
	}
	for i, x := range idxs {
		t.nodes[x] = hs[i]
	}
	return t, nil
}

// ReadHashes implements tlog.HashReader over the frontier.
func (t *hashTree) ReadHashes(idxs []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idxs))
	for i, x := range idxs {
		h, ok := t.nodes[x]
		if !ok {
			return nil, fmt.Errorf("audit: tree: hash %d not on the frontier of %d leaves", x, t.n)
		}
		out[i] = h
	}
	return out, nil
}

// add appends a leaf and returns the stored hashes it completes, starting at index StoredHashIndex(0, n).
// Of those, only the last (the root of the complete subtree the leaf ends) joins the frontier; the
// subtrees it was made from, which tlog read from the frontier, leave it.
func (t *hashTree) add(leaf tlog.Hash) ([]tlog.Hash, error) {
	hs, err := tlog.StoredHashesForRecordHash(t.n, leaf, t)
	if err != nil {
		return nil, err
	}
	top := len(hs) - 1
	for l := range top {
		delete(t.nodes, tlog.StoredHashIndex(l, t.n>>l-1))
	}
	t.nodes[tlog.StoredHashIndex(0, t.n)+int64(top)] = hs[top]
	t.n++
	return hs, nil
}

// root returns the tree hash of the leaves added so far.
func (t *hashTree) root() (tlog.Hash, error) { return tlog.TreeHash(t.n, t) }
