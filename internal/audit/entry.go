// Package audit is the append-only, tamper-evident log of every write and every read of personal data.
// Entries are appended in the same transaction as the change they record; each entry's canonical encoding
// is a leaf of an RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog) whose signed checkpoints are written
// outside the database.
package audit

import (
	"bufio"
	"bytes"
	"context"
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
func (e Entry) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(leafHeader + "\n")
	fmt.Fprintf(&b, "seq %d\n", e.Seq)
	fmt.Fprintf(&b, "at %s\n", e.At.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(&b, "actor %d\n", e.ActorID)
	fmt.Fprintf(&b, "org %d\n", e.ActorOrg)
	fmt.Fprintf(&b, "action %s\n", strconv.Quote(string(e.Action)))
	fmt.Fprintf(&b, "kind %s\n", strconv.Quote(e.RecordKind))
	fmt.Fprintf(&b, "record %d\n", e.RecordID)
	fmt.Fprintf(&b, "partnership %d\n", e.PartnershipID)
	fmt.Fprintf(&b, "purpose %s\n", strconv.Quote(e.Purpose))
	fmt.Fprintf(&b, "recipient %d\n", e.RecipientOrg)
	fmt.Fprintf(&b, "request %s\n", strconv.Quote(e.RequestID))
	fmt.Fprintf(&b, "detail %s\n", strconv.Quote(e.Detail))
	return b.Bytes()
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
func (e Entry) LeafHash() tlog.Hash { return tlog.RecordHash(e.Encode()) }

// Append adds e to the log inside tx, numbering it after the last entry. The row lock on audit_head
// serialises appends across processes on PostgreSQL; on SQLite the transaction already holds the write lock.
func Append(ctx context.Context, tx *database.Tx, e Entry) (int64, error) {
	if !e.Action.Valid() {
		return 0, fmt.Errorf("audit: unknown action %q", e.Action)
	}
	if e.At.IsZero() {
		return 0, fmt.Errorf("audit: entry without a time")
	}
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
