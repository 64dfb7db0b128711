package audit_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestConsultedByActor(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		entry := func(at time.Time, actor prevent.ID, action audit.Action, kind string, id, partnership prevent.ID) audit.Entry {
			return audit.Entry{At: at, ActorID: actor, ActorOrg: 10, Action: action, RecordKind: kind, RecordID: id, PartnershipID: partnership, RequestID: "r"}
		}
		in := base.Add(time.Hour)
		appendEntries(t, db,
			entry(in, 1, audit.Consult, "referral", 100, 1),
			entry(in, 1, audit.Consult, "referral", 100, 1), // the same record again
			entry(in, 1, audit.Consult, "referral", 101, 1),
			entry(in, 2, audit.Consult, "referral", 100, 1),
			entry(in, 2, audit.Alter, "referral", 102, 1),                                   // not a consultation
			entry(in, 2, audit.Consult, "intervention", 103, 1),                             // another kind
			entry(in, 2, audit.Consult, "referral", 104, 2),                                 // another partnership
			entry(in, 2, audit.Consult, "referral", 0, 1),                                   // no record
			entry(in, 0, audit.Consult, "referral", 105, 1),                                 // no actor
			entry(base.Add(-time.Second), 3, audit.Consult, "referral", 106, 1),             // before the window
			entry(base.Add(48*time.Hour+time.Second), 3, audit.Consult, "referral", 107, 1), // after it
			entry(base, 3, audit.Consult, "referral", 108, 1),                               // on its first instant
			entry(base.Add(48*time.Hour), 3, audit.Consult, "referral", 109, 1),             // on its last
		)
		got, err := audit.ConsultedByActor(ctx, db.Read(), 1, "referral", base, base.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if want := map[prevent.ID]int{1: 2, 2: 1, 3: 2}; !maps.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}
