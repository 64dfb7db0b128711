// Package audit is the append-only, tamper-evident log of every write and every read of personal data.
// Entries are appended in the same transaction as the change they record; each entry's canonical encoding
// is a leaf of an RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog) whose signed checkpoints are written
// outside the database.
package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"golang.org/x/mod/sumdb/tlog"
)

// Action is what was done with the record, after DPA 2018 s.62 plus sign-in and administration.
type Action string

// The audit actions.
const (
	Collect  Action = "collect"
	Alter    Action = "alter"
	Consult  Action = "consult"
	Disclose Action = "disclose"
	Combine  Action = "combine"
	Erase    Action = "erase"
	SignIn   Action = "sign-in"
	Admin    Action = "admin"
	// SignedAfterRestart records, in the log itself, that entries committed before a restart had not
	// been signed and were signed only after it (Checkpointer.Resume); the detail names the range.
	SignedAfterRestart Action = "signed-after-restart"
)

// Actions lists every action.
var Actions = []Action{Collect, Alter, Consult, Disclose, Combine, Erase, SignIn, Admin, SignedAfterRestart}

// Valid reports whether a is one of the actions.
func (a Action) Valid() bool {
	for _, x := range Actions {
		if x == a {
			return true
		}
	}
	return false
}

// Entry is one audit record. It holds references, never personal data: the record is named by kind and id.
type Entry struct {
	Seq           int64
	At            time.Time
	ActorID       prevent.ID
	ActorOrg      prevent.ID
	Action        Action
	RecordKind    string
	RecordID      prevent.ID
	PartnershipID prevent.ID
	Purpose       string
	RecipientOrg  prevent.ID // the receiving organisation, for disclosures
	RequestID     string
	Detail        string // a short, non-personal description such as the fields changed
}

// New returns an entry for the principal and request in ctx.
func New(ctx context.Context, at time.Time, action Action, kind string, id prevent.ID) Entry {
	p := prevent.PrincipalFrom(ctx)
	return Entry{
		At:         at.UTC().Truncate(time.Microsecond),
		ActorID:    p.PersonID,
		ActorOrg:   p.OrganisationID,
		Action:     action,
		RecordKind: kind,
		RecordID:   id,
		RequestID:  prevent.RequestIDFrom(ctx),
	}
}

const leafHeader = "prevent-audit-leaf/v1"

// Encode returns the entry's canonical leaf encoding: one "key value" line per field in a fixed order,
// string values Go-quoted so that no value can contain a line break.
func (e Entry) Encode() []byte { return e.appendLeaf(make([]byte, 0, 256)) }

// appendLeaf appends the leaf encoding (Encode) to b. It is written with appends rather than fmt because
// verify encodes every entry of the log: integers in decimal, the time in RFC 3339 with as many
// fractional digits as it needs (time.RFC3339Nano) in UTC, strings as strconv.Quote gives them.
func (e *Entry) appendLeaf(b []byte) []byte {
	b = append(b, leafHeader+"\nseq "...)
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

// Decode parses a leaf encoding. Decode(e.Encode()) == e for every entry with a UTC time.
func Decode(data []byte) (Entry, error) {
	var e Entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	keys := []string{"seq", "at", "actor", "org", "action", "kind", "record", "partnership", "purpose", "recipient", "request", "detail"}
	if !sc.Scan() || sc.Text() != leafHeader {
		return e, fmt.Errorf("audit: leaf: missing header")
	}
	for _, k := range keys {
		if !sc.Scan() {
			return e, fmt.Errorf("audit: leaf: missing %s", k)
		}
		line := sc.Text()
		v, ok := strings.CutPrefix(line, k+" ")
		if !ok {
			return e, fmt.Errorf("audit: leaf: want %s, got %q", k, line)
		}
		var err error
		switch k {
		case "seq":
			e.Seq, err = strconv.ParseInt(v, 10, 64)
		case "at":
			e.At, err = time.Parse(time.RFC3339Nano, v)
			e.At = e.At.UTC()
		case "actor":
			e.ActorID, err = strconv.ParseInt(v, 10, 64)
		case "org":
			e.ActorOrg, err = strconv.ParseInt(v, 10, 64)
		case "action":
			var s string
			s, err = strconv.Unquote(v)
			e.Action = Action(s)
		case "kind":
			e.RecordKind, err = strconv.Unquote(v)
		case "record":
			e.RecordID, err = strconv.ParseInt(v, 10, 64)
		case "partnership":
			e.PartnershipID, err = strconv.ParseInt(v, 10, 64)
		case "purpose":
			e.Purpose, err = strconv.Unquote(v)
		case "recipient":
			e.RecipientOrg, err = strconv.ParseInt(v, 10, 64)
		case "request":
			e.RequestID, err = strconv.Unquote(v)
		case "detail":
			e.Detail, err = strconv.Unquote(v)
		}
		if err != nil {
			return e, fmt.Errorf("audit: leaf: %s: %w", k, err)
		}
	}
	if sc.Scan() {
		return e, fmt.Errorf("audit: leaf: trailing data")
	}
	return e, nil
}

// LeafHash is the RFC 6962 leaf hash of the entry.
func (e Entry) LeafHash() tlog.Hash {
	var buf [512]byte
	h, _ := e.leafHash(buf[:0])
	return h
}

// leafHash is LeafHash using buf as scratch space; it returns buf, grown if it had to be, for reuse.
// The hash is tlog.RecordHash of the leaf, SHA-256(0x00 || leaf), computed in one call on the buffer
// so that hashing a leaf allocates nothing.
func (e *Entry) leafHash(buf []byte) (tlog.Hash, []byte) {
	buf = e.appendLeaf(append(buf[:0], 0x00))
	return sha256.Sum256(buf), buf
}

// Append adds e to the log, numbering it after the last entry, and returns its seq. In a write transaction
// (WithTx) the entry is written inside tx and commits or rolls back with it. In a read transaction
// (database.DB.WithRead) it cannot be written there: it is handed to the group committer (Tx.DeferWrite),
// which appends it, with the entries of other reads, in one write transaction once the read has succeeded,
// and WithRead returns only after that commit. Its seq is not known until then, so Append returns 0; no
// caller of a read uses the seq. The row lock on audit_head serialises appends across processes on
// PostgreSQL; on SQLite the write transaction already holds the write lock.
func Append(ctx context.Context, tx *database.Tx, e Entry) (int64, error) {
	if !e.Action.Valid() {
		return 0, fmt.Errorf("audit: unknown action %q", e.Action)
	}
	if e.At.IsZero() {
		return 0, fmt.Errorf("audit: entry without a time")
	}
	if tx.ReadOnly() {
		return 0, tx.DeferWrite(ctx, func(ctx context.Context, wtx *database.Tx) error {
			// The group commit carries the entries of many reads: append them together, in the order
			// the reads were queued, with one move of the head and a few multi-row inserts.
			wtx.Collect("audit: deferred entries", e, func(items []any) error {
				es := make([]Entry, len(items))
				for i, it := range items {
					es[i] = it.(Entry)
				}
				return appendEntries(ctx, wtx, es)
			})
			return nil
		})
	}
	return appendEntry(ctx, tx, e)
}

// insertRows is how many entries one INSERT of appendEntries carries (13 parameters each).
const insertRows = 100

// appendEntries writes es inside the write transaction tx with consecutive seqs, exactly as appendEntry
// would one after another: the head moves once, and the rows go in a few multi-row inserts.
func appendEntries(ctx context.Context, tx *database.Tx, es []Entry) error {
	if len(es) == 0 {
		return nil
	}
	var first int64
	q := "UPDATE audit_head SET size = size + $1 WHERE id = 1 RETURNING size - $1"
	if err := tx.QueryRowContext(ctx, q, int64(len(es))).Scan(&first); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	for lo := 0; lo < len(es); lo += insertRows {
		hi := min(lo+insertRows, len(es))
		var b strings.Builder
		b.WriteString(`INSERT INTO audit_entries (seq, at, actor_id, actor_org, action, record_kind, record_id,
		partnership_id, purpose, recipient_org, request_id, detail, leaf_hash) VALUES `)
		args := make([]any, 0, 13*(hi-lo))
		for i := lo; i < hi; i++ {
			e := es[i]
			e.Seq = first + int64(i)
			e.At = e.At.UTC().Truncate(time.Microsecond)
			h := e.LeafHash()
			if i > lo {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range 13 {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(len(args) + j + 1))
			}
			b.WriteByte(')')
			args = append(args, e.Seq, e.At, e.ActorID, e.ActorOrg, string(e.Action), e.RecordKind, e.RecordID,
				e.PartnershipID, e.Purpose, e.RecipientOrg, e.RequestID, e.Detail, h[:])
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
	}
	tx.BeforeCommit("audit: wake the checkpointer", func() error {
		tx.AfterCommit(appended)
		return nil
	})
	return nil
}

// appendEntry writes e inside the write transaction tx.
func appendEntry(ctx context.Context, tx *database.Tx, e Entry) (int64, error) {
	q := "UPDATE audit_head SET size = size + 1 WHERE id = 1 RETURNING size - 1"
	if err := tx.QueryRowContext(ctx, q).Scan(&e.Seq); err != nil {
		return 0, fmt.Errorf("audit: append: %w", err)
	}
	// PostgreSQL keeps microseconds; the leaf must encode exactly what is stored.
	e.At = e.At.UTC().Truncate(time.Microsecond)
	h := e.LeafHash()
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries (seq, at, actor_id, actor_org, action, record_kind, record_id,
		partnership_id, purpose, recipient_org, request_id, detail, leaf_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.Seq, e.At, e.ActorID, e.ActorOrg, string(e.Action), e.RecordKind, e.RecordID,
		e.PartnershipID, e.Purpose, e.RecipientOrg, e.RequestID, e.Detail, h[:])
	if err != nil {
		return 0, fmt.Errorf("audit: append: %w", err)
	}
	// Once the transaction commits, the checkpointer signs the new entries soon (Checkpointer.Run).
	tx.BeforeCommit("audit: wake the checkpointer", func() error {
		tx.AfterCommit(appended)
		return nil
	})
	return e.Seq, nil
}
