package channel

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

func (pg *pages) handleSessionPlanPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	iv, err := core.PathID(r, "iv")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	day, ok, derr := core.CaseDate(f.Values, "planned-"+core.IDText(iv))
	if derr != nil || !ok {
		return pg.flashError(w, r, casepaths.Plan.Link(pid, id), prevent.Errorf(prevent.Invalid, "Enter the date of the planned session, for example 27 3 2027"))
	}
	if _, err := pg.svc.PlanSession(r.Context(), principalOf(r), iv, atTen(day)); err != nil {
		if k := prevent.ErrorKind(err); k == prevent.Invalid || k == prevent.Conflict {
			return pg.flashError(w, r, casepaths.Plan.Link(pid, id), err)
		}
		return err
	}
	return pg.Flash(w, r, casepaths.Plan.Link(pid, id), "Session planned for "+core.DayText(day))
}

func (pg *pages) renderSession(w http.ResponseWriter, r *http.Request, f core.Form) error {
	sid, err := core.PathID(r, "session")
	if err != nil {
		return err
	}
	return pg.supportPage(w, r, f, "Record a session", casepaths.Plan, func(v *supportForm) error {
		ivs, err := pg.svc.Interventions(r.Context(), principalOf(r), v.Referral.ID)
		if err != nil {
			return err
		}
		for _, iv := range ivs {
			for _, s := range iv.Sessions {
				if s.ID == sid {
					v.Intervention, v.Session = iv, s
					return nil
				}
			}
		}
		return access.NotFound("Session")
	}, sessionPage)
}

func (pg *pages) handleSession(w http.ResponseWriter, r *http.Request) error {
	return pg.renderSession(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handleSessionPost(w http.ResponseWriter, r *http.Request) error {
	sid, err := core.PathID(r, "session")
	if err != nil {
		return err
	}
	return pg.supportPost(w, r, "Session recorded", "attendance", func(f core.Form) error { return pg.renderSession(w, r, f) },
		func(f core.Form, pid, id prevent.ID) (string, error) {
			// The session must belong to this case.
			ivs, err := pg.svc.Interventions(r.Context(), principalOf(r), id)
			if err != nil {
				return "", err
			}
			for _, iv := range ivs {
				for _, s := range iv.Sessions {
					if s.ID == sid {
						return "", pg.svc.RecordSession(r.Context(), principalOf(r), sid, casework.Attendance(f.Get("attendance")), f.Get("notes"))
					}
				}
			}
			return "", access.NotFound("Session")
		})
}
