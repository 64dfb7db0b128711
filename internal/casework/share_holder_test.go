package casework_test

import (
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// TestShareByTheHoldingOrganisation: besides the coordinator, the organisation that holds a case (its
// referring organisation) shares it, through someone of it who sees the case; an organisation the case was
// disclosed to does not pass it on, and the referrer, who sees only the status, does not share it.
func TestShareByTheHoldingOrganisation(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, _ := f.submit(t, f.referrerB, input("Sam", "Holder", start.AddDate(-23, 0, 0)))
		f.triageToChannel(t, id)
		holder := f.newPerson(t, "Hal Holder", f.schoolB, prevent.PanelMember)
		if err := f.svc.Assign(ctx, f.coordinator, id, holder.PersonID, prevent.PanelMember, share(sharing.ChannelScreening)); err != nil {
			t.Fatal(err)
		}
		in := share(sharing.SupportDelivery)
		in.ToOrg, in.Recipients = f.schoolA, []prevent.ID{f.panelMember.PersonID}
		if _, err := f.svc.Share(ctx, holder, id, in); err != nil {
			t.Fatalf("the holding organisation's panel member shares: %v", err)
		}
		if _, err := f.svc.Referral(ctx, f.panelMember, id); err != nil {
			t.Fatalf("the recipient does not see the case: %v", err)
		}
		onward := share(sharing.SupportDelivery)
		onward.ToOrg = f.police
		for name, p := range map[string]prevent.Principal{"recipient": f.panelMember, "referrer": f.referrerB} {
			if _, err := f.svc.Share(ctx, p, id, onward); prevent.ErrorKind(err) != prevent.NotFound {
				t.Errorf("%s shares the case: %v", name, err)
			}
		}
	})
}
