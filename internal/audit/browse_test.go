package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestBrowseIsScopedToThePartnershipAndAudited(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		svc := partnership.New(partnership.Deps{DB: db})
		var pids []prevent.ID
		var admins []prevent.ID
		for _, name := range []string{"North", "South"} {
			pid, err := svc.Bootstrap(ctx, name+" partnership", name, "Region")
			if err != nil {
				t.Fatal(err)
			}
			id, _, err := svc.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: name + " Council", Sector: "local_authority", PublicBody: "yes"},
				name+" Admin", name+"@"+name+".example")
			if err != nil {
				t.Fatal(err)
			}
			pids, admins = append(pids, pid), append(admins, id)
		}
		// A sign-in (no partnership) by the North administrator belongs to North's log only.
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			e := audit.New(ctx, now, audit.SignIn, "person", admins[0])
			e.ActorID = admins[0]
			_, err := audit.Append(ctx, tx, e)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		dpo := func(pid prevent.ID) prevent.Principal {
			return prevent.Principal{PersonID: 99, OrganisationID: 1, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.DataProtection}}}
		}
		north, _, err := audit.Browse(ctx, db, dpo(pids[0]), pids[0], audit.Filter{}, now)
		if err != nil {
			t.Fatal(err)
		}
		south, _, err := audit.Browse(ctx, db, dpo(pids[1]), pids[1], audit.Filter{}, now)
		if err != nil {
			t.Fatal(err)
		}
		sawSignIn := false
		for _, e := range north {
			if e.PartnershipID != pids[0] && !(e.PartnershipID == 0 && e.ActorID == admins[0]) {
				t.Errorf("North's log shows entry %d of partnership %d", e.Seq, e.PartnershipID)
			}
			sawSignIn = sawSignIn || e.Action == audit.SignIn
		}
		if !sawSignIn {
			t.Error("North's log lacks its administrator's sign-in")
		}
		for _, e := range south {
			if e.PartnershipID != pids[1] {
				t.Errorf("South's log shows entry %d of partnership %d (%s)", e.Seq, e.PartnershipID, e.Action)
			}
		}
		// The DPO of South cannot browse North's log, and looking is itself recorded.
		if _, _, err := audit.Browse(ctx, db, dpo(pids[1]), pids[0], audit.Filter{}, now); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("South's DPO browsing North: %v, want NotFound", err)
		}
		got, _, err := audit.List(ctx, db.Read(), audit.Filter{RecordKind: "audit", Action: audit.Consult})
		if err != nil || len(got) != 2 {
			t.Errorf("consult entries for browsing = %d, %v; want 2", len(got), err)
		}
	})
}
