package casework_test

import (
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestPostExitReviewsInBoundedRuns: a run bounded below the reviews due creates that many and says there are
// more; the next run creates the rest, and each case moves to its first review with its event, once.
func TestPostExitReviewsInBoundedRuns(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		var ids []prevent.ID
		for _, name := range []string{"Ann", "Bob", "Cat"} {
			id := f.supported(t, ps, input(name, "Exit", adultDOB))
			if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, casework.DecisionInput{Kind: casework.DecideExit,
				Rationale: "Reduced", Reached: casework.Unanimous, ExitOutcome: "EXIT_NO_CONCERNS"}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		at := f.clock.Now().AddDate(0, 6, 0)
		n, more, err := f.svc.SchedulePostExitReviewsUpTo(ctx, at, 2)
		if err != nil || n != 2 || !more {
			t.Fatalf("bounded run: %d created, more %v, %v; want 2 and more", n, more, err)
		}
		if st := f.state(t, ids[2]); st != casework.Exited {
			t.Errorf("the third case moved on in the bounded run: %s", st)
		}
		n, more, err = f.svc.SchedulePostExitReviewsUpTo(ctx, at, 0)
		if err != nil || n != 1 || more {
			t.Fatalf("second run: %d created, more %v, %v; want 1 and no more", n, more, err)
		}
		for _, id := range ids {
			if st := f.state(t, id); st != casework.PostExitReview6M {
				t.Errorf("case %d is %s, want its first review", id, st)
			}
			reviews, err := f.svc.PostExitReviews(ctx, f.coordinator, id)
			if err != nil || len(reviews) != 1 || reviews[0].Months != 6 {
				t.Errorf("case %d reviews: %+v, %v", id, reviews, err)
			}
		}
		if n, err := f.svc.SchedulePostExitReviews(ctx, at); err != nil || n != 0 {
			t.Errorf("run after: %d, %v", n, err)
		}
	})
}
