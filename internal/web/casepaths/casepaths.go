// Package casepaths declares the addresses of the case page and of its sections, once, for the packages that
// link to them: internal/web/casework, which serves the case page, and internal/web/channel, whose pages return
// to its sections (channel cannot import casework, which imports channel). A section is a typed path, so a
// link to a section that does not exist does not compile.
package casepaths

import "github.com/preventplatform/prevent/internal/web/core"

var (
	// Case is the case page (its summary); its sections are under it.
	Case = core.NewPath2("/partnerships/{pid}/cases/{id}")
	// Timeline is the case's history.
	Timeline = core.NewPath2("/partnerships/{pid}/cases/{id}/timeline")
	// People is the people and agencies on the case, with its information requests and sharing.
	People = core.NewPath2("/partnerships/{pid}/cases/{id}/people")
	// Assessment is the case's vulnerability assessment.
	Assessment = core.NewPath2("/partnerships/{pid}/cases/{id}/assessment")
	// Panel is the case's Channel panel.
	Panel = core.NewPath2("/partnerships/{pid}/cases/{id}/panel")
	// Plan is the case's support plan, consent, interventions and reviews.
	Plan = core.NewPath2("/partnerships/{pid}/cases/{id}/plan")
	// Documents is the case's documents.
	Documents = core.NewPath2("/partnerships/{pid}/cases/{id}/documents")
)
