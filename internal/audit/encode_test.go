package audit

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// fmtEncode is the leaf encoding as it was first written, with fmt. Every leaf already in a log was made
// by it, so appendLeaf must give exactly its bytes.
func fmtEncode(e Entry) []byte {
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

// encodingEntries is a varied set of entries: empty and awkward strings, extreme integers, and times
// zero, in other zones, with and without fractions of a second, and outside four-digit years.
func encodingEntries() []Entry {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		london = time.FixedZone("BST", 3600)
	}
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	times := []time.Time{
		{},
		time.Unix(0, 0),
		base,
		base.Add(time.Microsecond),
		base.Add(120 * time.Millisecond),
		base.Add(123456 * time.Microsecond),
		base.Add(999999999),
		base.Add(1),
		time.Date(2026, 7, 1, 23, 30, 0, 500_000_000, london),
		time.Date(2026, 12, 31, 23, 59, 59, 0, time.FixedZone("", -(9*3600+30*60))),
		time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Now(),
	}
	strs := []string{"", " ", "referral", "panel \"review\"", "line one\nline two", "café — naïve", "tab\there",
		"back\\slash", "nul\x00byte", "\x7f\x80\xff invalid utf-8", "emoji 🙂 and 中文", "\u2028\u2029", "\ufeffbom",
		"a\rb", "'single'", "`back`", string(make([]byte, 300))}
	ints := []int64{0, 1, -1, 9, 10, 255, 256, 1 << 31, math.MaxInt64, math.MinInt64, 1234567890123456789}
	var es []Entry
	for i := range 400 {
		es = append(es, Entry{
			Seq:           ints[i%len(ints)],
			At:            times[i%len(times)],
			ActorID:       ints[(i+1)%len(ints)],
			ActorOrg:      ints[(i+2)%len(ints)],
			Action:        Action(append(slices.Clone(strs), string(Actions[i%len(Actions)]))[i%(len(strs)+1)]),
			RecordKind:    strs[(i+3)%len(strs)],
			RecordID:      ints[(i+3)%len(ints)],
			PartnershipID: ints[(i+4)%len(ints)],
			Purpose:       strs[(i+5)%len(strs)],
			RecipientOrg:  ints[(i+5)%len(ints)],
			RequestID:     strs[(i+7)%len(strs)],
			Detail:        strs[(i*5)%len(strs)],
		})
	}
	es = append(es, Entry{}, Entry{At: base, Action: Collect, RecordKind: "case", RecordID: 42, RequestID: "req-1"})
	return es
}

// TestEncodeUnchanged checks that the append-based encoding gives byte for byte what the fmt-based one
// gave, and that every way of getting a leaf hash hashes exactly those bytes, so that existing logs and
// checkpoints keep verifying.
func TestEncodeUnchanged(t *testing.T) {
	var buf []byte
	for i, e := range encodingEntries() {
		want := fmtEncode(e)
		if got := e.Encode(); !bytes.Equal(got, want) {
			t.Fatalf("entry %d (%+v):\nEncode  %q\nwant    %q", i, e, got, want)
		}
		// A reused buffer holding a longer leaf must not leave anything behind.
		buf = append(buf[:0], bytes.Repeat([]byte{'x'}, 2000)...)
		if got := e.appendLeaf(buf[:0]); !bytes.Equal(got, want) {
			t.Fatalf("entry %d: appendLeaf into a used buffer gives %q, want %q", i, got, want)
		}
		if got := e.appendLeaf([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("entry %d: appendLeaf does not append: %q", i, got)
		}
		wantHash := tlog.RecordHash(want)
		if got := e.LeafHash(); got != wantHash {
			t.Fatalf("entry %d: LeafHash %v, want %v", i, got, wantHash)
		}
		var got tlog.Hash
		got, buf = e.leafHash(buf)
		if got != wantHash {
			t.Fatalf("entry %d: leafHash %v, want %v", i, got, wantHash)
		}
		if d, err := Decode(want); err == nil && e.At.Location() == time.UTC && e.At.Year() >= 0 && e.At.Year() <= 9999 && d != e {
			t.Fatalf("entry %d: Decode(Encode(e)) = %+v, want %+v", i, d, e)
		}
	}
}

// A leaf hash with a reused buffer allocates nothing.
func TestLeafHashAllocations(t *testing.T) {
	es := encodingEntries()
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(10, func() {
		for i := range es {
			_, buf = es[i].leafHash(buf)
		}
	})
	if allocs != 0 {
		t.Errorf("leafHash allocates %v times per %d entries, want 0", allocs, len(es))
	}
}

// hashTree.add keeps exactly the frontier and computes the hashes tlog would store.
func TestHashTreeFrontier(t *testing.T) {
	tree := &hashTree{nodes: map[int64]tlog.Hash{}}
	var stored []tlog.Hash
	all := tlog.HashReaderFunc(func(idxs []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idxs))
		for i, x := range idxs {
			out[i] = stored[x]
		}
		return out, nil
	})
	for n := range int64(1100) {
		leaf := tlog.RecordHash([]byte(strconv.FormatInt(n, 10)))
		want, err := tlog.StoredHashesForRecordHash(n, leaf, all)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, want...)
		got, err := tree.add(leaf)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("leaf %d: add returned %v, want %v", n, got, want)
		}
		keep := frontier(tree.n)
		if len(tree.nodes) != len(keep) {
			t.Fatalf("after %d leaves the tree holds %d hashes, want the %d of the frontier", tree.n, len(tree.nodes), len(keep))
		}
		for _, x := range keep {
			if h, ok := tree.nodes[x]; !ok || h != stored[x] {
				t.Fatalf("after %d leaves frontier hash %d is missing or wrong", tree.n, x)
			}
		}
		root, err := tree.root()
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := tlog.TreeHash(tree.n, all); root != want {
			t.Fatalf("after %d leaves root %v, want %v", tree.n, root, want)
		}
	}
}
