package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestList(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		var es []audit.Entry
		for i := range 30 {
			e := audit.Entry{
				At:            base.Add(time.Duration(i)*time.Hour + 123456*time.Microsecond*time.Duration(i%3)),
				ActorID:       int64(1 + i%3),
				ActorOrg:      int64(10 + i%2),
				Action:        []audit.Action{audit.Consult, audit.Alter, audit.Disclose}[i%3],
				RecordKind:    []string{"case", "referral"}[i%2],
				RecordID:      int64(100 + i%5),
				PartnershipID: int64(1 + i%4),
				RequestID:     "r",
			}
			es = append(es, e)
		}
		appendEntries(t, db, es...)
		q := db.Read()

		seqs := func(f audit.Filter) []int64 {
			t.Helper()
			got, _, err := audit.List(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, e := range got {
				out = append(out, e.Seq)
			}
			return out
		}
		want := func(pred func(i int) bool, from, to int) []int64 {
			var out []int64
			for i := 29; i >= 0; i-- {
				if i >= from && i < to && pred(i) {
					out = append(out, int64(i))
				}
			}
			return out
		}
		all := func(int) bool { return true }
		cases := map[string]struct {
			f    audit.Filter
			want []int64
		}{
			"Newest first":  {audit.Filter{Limit: 5}, want(all, 25, 30)},
			"Actor":         {audit.Filter{Actor: 2}, want(func(i int) bool { return i%3 == 1 }, 0, 30)},
			"Organisation":  {audit.Filter{ActorOrg: 11}, want(func(i int) bool { return i%2 == 1 }, 0, 30)},
			"Action":        {audit.Filter{Action: audit.Disclose}, want(func(i int) bool { return i%3 == 2 }, 0, 30)},
			"Record":        {audit.Filter{RecordKind: "case", RecordID: 102}, want(func(i int) bool { return i%2 == 0 && i%5 == 2 }, 0, 30)},
			"Partnership":   {audit.Filter{PartnershipID: 3}, want(func(i int) bool { return i%4 == 2 }, 0, 30)},
			"Time range":    {audit.Filter{From: es[4].At, To: es[9].At}, want(all, 4, 9)},
			"From only":     {audit.Filter{From: es[27].At}, want(all, 27, 30)},
			"To only":       {audit.Filter{To: es[2].At.Add(time.Microsecond)}, want(all, 0, 3)},
			"Before cursor": {audit.Filter{Before: 10}, want(all, 0, 10)},
			"Combined":      {audit.Filter{Actor: 1, Action: audit.Consult, Before: 20, From: es[3].At}, want(func(i int) bool { return i%3 == 0 }, 3, 20)},
		}
		for name, c := range cases {
			if got := seqs(c.f); !equalSeqs(got, c.want) {
				t.Errorf("%s: got %v, want %v", name, got, c.want)
			}
		}

		// Paging with the cursor visits every entry once, newest first, and ends with cursor 0.
		var paged []int64
		f := audit.Filter{Limit: 7}
		for pages := 0; ; pages++ {
			got, next, err := audit.List(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range got {
				paged = append(paged, e.Seq)
			}
			if next == 0 {
				break
			}
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			f.Before = next
		}
		if !equalSeqs(paged, want(all, 0, 30)) {
			t.Fatalf("paged %v", paged)
		}

		// Entries come back as written.
		got, _, err := audit.List(ctx, q, audit.Filter{Before: 8, Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatal(err)
		}
		e := es[7]
		e.Seq = 7
		if g := got[0]; !g.At.Equal(e.At) || g.Action != e.Action || g.RecordKind != e.RecordKind || g.ActorOrg != e.ActorOrg || g.LeafHash() != e.LeafHash() {
			t.Fatalf("got %+v, want %+v", g, e)
		}

		for name, f := range map[string]audit.Filter{
			"unknown action": {Action: "delete"},
			"negative limit": {Limit: -1},
			"reversed range": {From: es[5].At, To: es[1].At},
		} {
			if _, _, err := audit.List(ctx, q, f); prevent.ErrorKind(err) != prevent.Invalid {
				t.Errorf("%s: got %v, want an Invalid error", name, err)
			}
		}
	})
}

func equalSeqs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
