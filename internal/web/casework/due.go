package casework

import (
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
)

// DueStatus says when a task is due in working days, or that it is overdue.
func DueStatus(due, now time.Time, h casework.Holidays) (string, string) {
	if due.IsZero() {
		return "No due date", "govuk-tag--grey"
	}
	if now.After(due) {
		return "Overdue", "govuk-tag--red"
	}
	n := 0
	for d := now; h.AddWorkingDays(d, 1).Before(due) || h.AddWorkingDays(d, 1).Equal(due); d = h.AddWorkingDays(d, 1) {
		n++
		if n > 400 {
			break
		}
	}
	switch n {
	case 0:
		return "Due today", "govuk-tag--orange"
	case 1:
		return "Due in 1 working day", "govuk-tag--yellow"
	}
	return "Due in " + strconv.Itoa(n) + " working days", "govuk-tag--blue"
}

// StageName is a work-list stage as people call it.
func StageName(s casework.Stage) string {
	for _, n := range stageNames {
		if n.Stage == s {
			return n.Name
		}
	}
	return string(s)
}
