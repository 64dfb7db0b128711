package channel

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

func (pg *pages) renderReview(w http.ResponseWriter, r *http.Request, f core.Form) error {
	rid, err := core.PathID(r, "review")
	if err != nil {
		return err
	}
	return pg.supportPage(w, r, f, "Post-exit review", casepaths.Plan, func(v *supportForm) error {
		rs, err := pg.svc.PostExitReviews(r.Context(), principalOf(r), v.Referral.ID)
		if err != nil {
			return err
		}
		for _, rv := range rs {
			if rv.ID == rid {
				v.Review = rv
				return nil
			}
		}
		return access.NotFound("Review")
	}, reviewPage)
}

func (pg *pages) handleReview(w http.ResponseWriter, r *http.Request) error {
	return pg.renderReview(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handleReviewPost(w http.ResponseWriter, r *http.Request) error {
	rid, err := core.PathID(r, "review")
	if err != nil {
		return err
	}
	return pg.supportPost(w, r, "Review recorded", "outcome", func(f core.Form) error { return pg.renderReview(w, r, f) },
		func(f core.Form, pid, id prevent.ID) (string, error) {
			rs, err := pg.svc.PostExitReviews(r.Context(), principalOf(r), id)
			if err != nil {
				return "", err
			}
			for _, rv := range rs {
				if rv.ID == rid {
					months, _ := strconv.Atoi(f.Get("extend-to"))
					next, err := pg.svc.CompletePostExitReview(r.Context(), principalOf(r), rid,
						casework.ReviewInput{Outcome: casework.ReviewOutcome(f.Get("outcome")), Notes: f.Get("notes"), ExtendToMonths: months})
					return next.String(), err
				}
			}
			return "", access.NotFound("Review")
		})
}
