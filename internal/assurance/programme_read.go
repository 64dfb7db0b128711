package assurance

// The reads of the programme's tables (internal/programme): library documents and projects, which an assessment
// links to as evidence. They run inside the assessment's own transaction, so that a link is checked and written
// together, and they are here alone, read-only, until the programme offers a read of its records by id that
// can take part in another package's transaction. Who may see a document is still the access policy's answer.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// mayLinkDocument reports whether id is a document of the partnership's library that p may read at now: one
// marked above p's clearance is, for p, not there.
func mayLinkDocument(ctx context.Context, q database.Querier, p prevent.Principal, partnershipID, id prevent.ID, now time.Time) (bool, error) {
	var marking prevent.Marking
	err := q.QueryRowContext(ctx, `SELECT marking FROM library_documents WHERE partnership_id = $1 AND id = $2`, partnershipID, id).Scan(&marking)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("assurance: library document: %w", err)
	}
	return mayReadDocument(p, partnershipID, marking, now), nil
}

// mayReadDocument asks the access policy whether p may read a library document with the marking.
func mayReadDocument(p prevent.Principal, partnershipID prevent.ID, m prevent.Marking, now time.Time) bool {
	return access.Decide(p, access.LibraryView, access.Resource{Kind: "programme", PartnershipID: partnershipID, Marking: m}, now).Allow
}

// mayLinkProject reports whether id is a project of the partnership's programme that p may read.
func mayLinkProject(ctx context.Context, q database.Querier, p prevent.Principal, partnershipID, id prevent.ID, now time.Time) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM projects WHERE partnership_id = $1 AND id = $2`, partnershipID, id).Scan(&n); err != nil {
		return false, fmt.Errorf("assurance: project: %w", err)
	}
	return n > 0 && access.Decide(p, access.PlanView, access.Resource{Kind: "programme", PartnershipID: partnershipID}, now).Allow, nil
}

// loadEvidence reads an assessment's evidence by section code, with the titles of the documents and projects
// linked; a document p may not read is withheld.
func loadEvidence(ctx context.Context, q database.Querier, p prevent.Principal, partnershipID, id prevent.ID, now time.Time) (map[string][]Evidence, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.section_code, COALESCE(e.document_id, 0), COALESCE(e.project_id, 0),
			COALESCE(d.title, ''), COALESCE(d.marking, 0), COALESCE(pr.internal_title, ''), e.added_at
		FROM assurance_evidence e
		LEFT JOIN library_documents d ON d.id = e.document_id
		LEFT JOIN projects pr ON pr.id = e.project_id
		WHERE e.assessment_id = $1 ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("assurance: evidence: %w", err)
	}
	defer rows.Close()
	out := map[string][]Evidence{}
	for rows.Next() {
		var e Evidence
		var code, docTitle, projectTitle string
		var doc, project prevent.ID
		var marking prevent.Marking
		if err := rows.Scan(&e.ID, &code, &doc, &project, &docTitle, &marking, &projectTitle, &e.AddedAt); err != nil {
			return nil, err
		}
		if doc != 0 {
			e.Kind, e.RecordID = EvidenceDocument, doc
			if mayReadDocument(p, partnershipID, marking, now) {
				e.Title = docTitle
			} else {
				e.Withheld = true
			}
		} else {
			e.Kind, e.RecordID, e.Title = EvidenceProject, project, projectTitle
		}
		out[code] = append(out[code], e)
	}
	return out, rows.Err()
}
