package partnership

import (
	"context"
	"fmt"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// ImportedPerson is one member of staff brought in from a file: their organisation by name (with its sector
// and whether it is a public body, when the organisation is new to the service) and their details and roles.
type ImportedPerson struct {
	Organisation OrganisationInput
	Person       PersonInput // OrganisationID is found from Organisation.Name
}

// CheckPeople checks a file of people as a whole without writing anything, and returns the problems of each
// row by its index in people: each person as the person form checks them, their organisation (a member of
// the partnership, or a new one described in full; an organisation of the service that is not a member is
// refused, since joining is the partnership's decision), and email addresses used twice in the file or
// already in use.
func (s *Service) CheckPeople(ctx context.Context, pr prevent.Principal, partnershipID prevent.ID, people []ImportedPerson) (map[int]prevent.Fields, error) {
	if err := s.decide(pr, access.ImportRun, access.Resource{Kind: "import", PartnershipID: partnershipID}, "Partnership"); err != nil {
		return nil, err
	}
	return s.checkPeople(ctx, s.db.Read(), partnershipID, people)
}

func (s *Service) checkPeople(ctx context.Context, q database.Querier, partnershipID prevent.ID, people []ImportedPerson) (map[int]prevent.Fields, error) {
	members := map[string]prevent.ID{}
	others := map[string]bool{}
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.name, EXISTS (SELECT 1 FROM partnership_organisations po
		WHERE po.organisation_id = o.id AND po.partnership_id = $1) FROM organisations o`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("partnership: import: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id prevent.ID
		var name string
		var member bool
		if err := rows.Scan(&id, &name, &member); err != nil {
			return nil, err
		}
		if member {
			members[strings.ToLower(name)] = id
		} else {
			others[strings.ToLower(name)] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	emails := map[string]bool{}
	er, err := q.QueryContext(ctx, `SELECT lower(email) FROM people`)
	if err != nil {
		return nil, fmt.Errorf("partnership: import: %w", err)
	}
	defer er.Close()
	for er.Next() {
		var e string
		if err := er.Scan(&e); err != nil {
			return nil, err
		}
		emails[e] = true
	}
	if err := er.Err(); err != nil {
		return nil, err
	}
	out := map[int]prevent.Fields{}
	seen := map[string]int{}
	newOrgs := map[string]OrganisationInput{}
	for i, ip := range people {
		var f prevent.Fields
		name := strings.ToLower(strings.TrimSpace(ip.Organisation.Name))
		in := ip.Person
		in.OrganisationID = 1 // checked below
		switch {
		case name == "":
			f.Add("organisation", "Enter the name of the person’s organisation")
		case members[name] != 0:
		case others[name]:
			f.Add("organisation", "This organisation is on the service but not a member of the partnership: add it to the partnership first")
		default:
			if prev, ok := newOrgs[name]; ok && (prev.Sector != ip.Organisation.Sector || prev.PublicBody != ip.Organisation.PublicBody) {
				f.Add("sector", "Give the same sector and public body answer on every row of a new organisation")
			}
			newOrgs[name] = ip.Organisation
			for _, fe := range prevent.FieldErrors(ip.Organisation.Validate()) {
				if fe.Field == "name" {
					fe.Field = "organisation"
				}
				f.Add(fe.Field, fe.Message)
			}
		}
		f = append(f, prevent.FieldErrors(in.Validate())...)
		if len(in.Roles) == 0 {
			f.Add("roles", "Enter at least one role")
		}
		email := strings.ToLower(strings.TrimSpace(in.Email))
		if email != "" {
			if j, dup := seen[email]; dup {
				f.Add("email", fmt.Sprintf("This email address is also on row %d", j))
			} else if emails[email] {
				f.Add("email", "Someone with this email address already has an account")
			}
			seen[email] = i
		}
		if len(f) > 0 {
			out[i] = f
		}
	}
	return out, nil
}

// ImportPeople writes a checked file of people in one transaction: each new organisation and its joining the
// partnership, and each person with their roles and a set-up link to send them later, each audited as done
// by the administrator and naming the import. Any problem in any row writes nothing. within runs in the same
// transaction, for the importer's own record. It returns how many people were created.
func (s *Service) ImportPeople(ctx context.Context, pr prevent.Principal, partnershipID prevent.ID, people []ImportedPerson,
	importName string, progress func(done int), within func(tx *database.Tx) error) (int, error) {
	if err := s.decide(pr, access.ImportRun, access.Resource{Kind: "import", PartnershipID: partnershipID}, "Partnership"); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		problems, err := s.checkPeople(ctx, tx, partnershipID, people)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return prevent.Errorf(prevent.Invalid, "The file has %d rows with problems; check it again", len(problems))
		}
		orgs := map[string]prevent.ID{}
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.name FROM partnership_organisations po JOIN organisations o ON o.id = po.organisation_id
			WHERE po.partnership_id = $1`, partnershipID)
		if err != nil {
			return fmt.Errorf("partnership: import: %w", err)
		}
		for rows.Next() {
			var id prevent.ID
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			orgs[strings.ToLower(name)] = id
		}
		if err := rows.Close(); err != nil {
			return err
		}
		now := s.now()
		for i, ip := range people {
			key := strings.ToLower(strings.TrimSpace(ip.Organisation.Name))
			org, ok := orgs[key]
			if !ok {
				if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (name, sector, public_body, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $4) RETURNING id`, strings.TrimSpace(ip.Organisation.Name), ip.Organisation.Sector,
					ip.Organisation.PublicBody == "yes", now).Scan(&org); err != nil {
					return fmt.Errorf("partnership: import organisation: %w", err)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO partnership_organisations (partnership_id, organisation_id, joined_at)
					VALUES ($1, $2, $3)`, partnershipID, org, now); err != nil {
					return fmt.Errorf("partnership: import organisation: %w", err)
				}
				if err := s.record(ctx, tx, pr, audit.Admin, "organisation", org, partnershipID, "partnership administration",
					"import: created and joined the partnership, from "+importName); err != nil {
					return err
				}
				orgs[key] = org
			}
			in := ip.Person
			// The set-up link is not shown to anyone: it has expired already, and the administrator sends
			// each person a fresh one from their page when their account should start.
			_, hash := newSetupToken()
			var id prevent.ID
			if err := tx.QueryRowContext(ctx, `INSERT INTO people (organisation_id, name, email, job_title, setup_token_hash,
				setup_expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
				org, strings.TrimSpace(in.Name), strings.TrimSpace(in.Email), strings.TrimSpace(in.JobTitle), hash, now, now).Scan(&id); err != nil {
				return fmt.Errorf("partnership: import person: %w", err)
			}
			if err := s.setRoles(ctx, tx, partnershipID, id, in.Roles); err != nil {
				return err
			}
			if err := s.record(ctx, tx, pr, audit.Collect, "person", id, partnershipID, "partnership administration",
				"import: created account with roles "+strings.Join(in.Roles, ",")+", from "+importName); err != nil {
				return err
			}
			n++
			if progress != nil {
				progress(i + 1)
			}
		}
		if within != nil {
			return within(tx)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
