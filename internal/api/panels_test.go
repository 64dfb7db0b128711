package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// TestMeetingAgendaThroughTheAPI reads a panel meeting as its coordinator (everything), as a member of the
// panel (the meeting, with only the cases they may read on its agenda) and as a panel member who does not sit
// on that panel (404).
func TestMeetingAgendaThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newSupportFixture(t, db)
		ctx := context.Background()
		member := f.panelMember(t, db, "Huddersfield School")
		memberID, _ := f.personOrg("Pat Panel")
		panel, err := f.cw.CreatePanel(ctx, f.coordinatorP, f.pid, "Kirklees Channel Panel", []string{"Kirklees"})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []casework.PanelMemberInput{{PersonID: f.coordinatorP.PersonID, Role: casework.RoleChair},
			{PersonID: memberID, Role: casework.RoleMember}} {
			if _, err := f.cw.AddPanelMember(ctx, f.coordinatorP, panel, m); err != nil {
				t.Fatal(err)
			}
		}
		meeting, err := f.cw.ScheduleMeeting(ctx, f.coordinatorP, panel, testNow.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		// The case was adopted directly by the fixture; here it is held by this panel for review.
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO case_panels (referral_id, panel_id, since) VALUES ($1, $2, $3)`, f.id, panel, testNow)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := f.cw.AddToAgenda(ctx, f.coordinatorP, meeting, f.id); err != nil {
			t.Fatal(err)
		}
		panels := fmt.Sprintf("/api/v1/partnerships/%d/panels", f.pid)
		path := fmt.Sprintf("%s/%d/meetings/%d", panels, panel, meeting)

		var ps api.PanelList
		f.want(f.do("GET", panels, member, nil), 200, &ps)
		if len(ps.Items) != 1 || !ps.Items[0].Member || ps.Items[0].Name != "Kirklees Channel Panel" {
			t.Errorf("panels for the member: %+v", ps)
		}
		var ms api.MeetingList
		f.want(f.do("GET", fmt.Sprintf("%s/%d/meetings", panels, panel), member, nil), 200, &ms)
		if len(ms.Items) != 1 || ms.Items[0].ID != meeting {
			t.Errorf("meetings: %+v", ms)
		}

		var m api.MeetingView
		f.want(f.do("GET", path, f.coordinator, nil), 200, &m)
		if len(m.Agenda) != 1 || m.Agenda[0].CaseID != f.id || m.Agenda[0].Reference == "" || len(m.Attendees) != 2 || m.Started {
			t.Errorf("the coordinator's meeting: %+v", m)
		}
		// The case was never disclosed to the member's school: the meeting is theirs to read, the case is not.
		f.want(f.do("GET", path, member, nil), 200, &m)
		if len(m.Agenda) != 0 || len(m.Attendees) != 2 {
			t.Errorf("the member's meeting: %+v", m)
		}
		f.problem(f.do("GET", path, f.officer, nil), 404)
		f.problem(f.do("GET", fmt.Sprintf("%s/%d/meetings/%d", panels, panel+1, meeting), f.coordinator, nil), 404)
	})
}
