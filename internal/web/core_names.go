package web

import "github.com/preventplatform/prevent/internal/web/core"

// The pages still in this package came before the shared core (internal/web/core) and use these local names
// for its types and readers. Each is the core's own, not a copy: there is one form, one layout, one path-id
// reader, one GOV.UK date reader and one date formatter. Area packages call core directly.
type (
	form        = core.Form
	layout      = core.Layout
	navItem     = core.NavItem
	govukOption = core.Option
	staffNames  = core.StaffNames
)

var (
	readForm     = core.ReadForm
	pathID       = core.PathID
	pathIDs      = core.PathIDs
	caseDate     = core.CaseDate
	dayText      = core.DayText
	timelineWhen = core.WhenText
	frame        = core.Frame
	row          = core.Row
	orDash       = core.OrDash
	legend       = core.Legend
	noSpellcheck = core.NoSpellcheck
	itemOptions  = core.ItemOptions
	adminLink    = core.Link
	idOf         = core.Form.ID
	itoa64       = core.IDText
)
