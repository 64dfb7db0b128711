package audit_test

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func sameEntry(a, b audit.Entry) bool {
	return a.Seq == b.Seq && a.At.Equal(b.At) && a.ActorID == b.ActorID && a.ActorOrg == b.ActorOrg &&
		a.Action == b.Action && a.RecordKind == b.RecordKind && a.RecordID == b.RecordID &&
		a.PartnershipID == b.PartnershipID && a.Purpose == b.Purpose && a.RecipientOrg == b.RecipientOrg &&
		a.RequestID == b.RequestID && a.Detail == b.Detail
}

// FuzzDecodeLeaf: Decode never panics, and whatever it accepts encodes back to something it decodes to
// the same entry, with the same leaf hash.
func FuzzDecodeLeaf(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range 8 {
		e := randomEntry(rng, i)
		e.Seq = int64(i)
		e.At = e.At.Truncate(time.Microsecond)
		f.Add(e.Encode())
	}
	f.Add([]byte("prevent-audit-leaf/v1\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := audit.Decode(data)
		if err != nil {
			return
		}
		enc := e.Encode()
		e2, err := audit.Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)): %v", e, err)
		}
		if !sameEntry(e, e2) {
			t.Fatalf("round trip: %+v != %+v", e, e2)
		}
		if !bytes.Equal(e2.Encode(), enc) || e2.LeafHash() != e.LeafHash() {
			t.Fatalf("encoding not stable for %+v", e)
		}
	})
}

// FuzzParseCheckpoint: parsing a checkpoint file never panics; an accepted body is canonical; a body
// that note.Sign accepts opens, under its key, to the same checkpoint that ParseCheckpoint gives.
func FuzzParseCheckpoint(f *testing.F) {
	skey, vkey, err := audit.GenerateKey(audit.KeyName)
	if err != nil {
		f.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		f.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		f.Fatal(err)
	}
	good := audit.Checkpoint{N: 42, Hash: tlog.RecordHash([]byte("x")), Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	signed, err := note.Sign(&note.Note{Text: string(good.Format())}, signer)
	if err != nil {
		f.Fatal(err)
	}
	chained := good
	chained.Prev, chained.HasPrev = 40, true
	f.Add(good.Format())
	f.Add(chained.Format())
	f.Add(signed)
	f.Add(audit.Checkpoint{N: 0}.Format())
	f.Add([]byte("prevent-audit\n-1\nAAAA\n"))
	f.Add([]byte("go.sum database tree\n1\n" + tlog.Hash{}.String() + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cp, perr := audit.ParseCheckpoint(data)
		if perr == nil {
			if !bytes.Equal(cp.Format(), data) {
				t.Fatalf("accepted a non-canonical body %q (canonical %q)", data, cp.Format())
			}
		}
		_, _ = audit.OpenCheckpoint(data, verifier)
		msg, err := note.Sign(&note.Note{Text: string(data)}, signer)
		if err != nil {
			return
		}
		opened, oerr := audit.OpenCheckpoint(msg, verifier)
		if (oerr == nil) != (perr == nil) {
			t.Fatalf("OpenCheckpoint(signed) err %v, ParseCheckpoint err %v", oerr, perr)
		}
		if oerr == nil && (opened.N != cp.N || opened.Hash != cp.Hash || !opened.Time.Equal(cp.Time) || opened.Prev != cp.Prev || opened.HasPrev != cp.HasPrev) {
			t.Fatalf("opened %+v, parsed %+v", opened, cp)
		}
	})
}
