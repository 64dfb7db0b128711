package access

import (
	"slices"

	"github.com/preventplatform/prevent/internal/prevent"
)

// StatisticsView: compute the partnership's monitoring figures and statistical returns (internal/returns).
// A return holds counts only, under disclosure control, never a record about a person.
const StatisticsView Action = "statistics.view"

// statisticsActions is the statistics part of the permission table, merged into permitted.
//
// The coordinator answers for the partnership's returns and the analyst prepares them; neither needs to see a
// case to do so. Everyone else gets figures once they are issued, not by computing them.
var statisticsActions = map[prevent.Role][]Action{
	prevent.Coordinator: {StatisticsView},
	prevent.Analyst:     {StatisticsView},
}

// StatisticsActions returns the statistics actions a role permits (for help pages and tests).
func StatisticsActions(r prevent.Role) []Action { return slices.Clone(statisticsActions[r]) }
