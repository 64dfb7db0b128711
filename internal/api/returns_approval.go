package api

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
)

// AnnualReturnInput drafts a partnership's return for a financial year for approval.
type AnnualReturnInput struct {
	FinancialYear string `json:"financial_year"`
	Policy        string `json:"policy"`
}

// RevisionInput names the revision of a return that was read, for a check or an approval of that revision.
type RevisionInput struct {
	Revision int `json:"revision"`
}

// AnnualReturn is a return on its way to approval, or approved, with the figures as they will be published.
type AnnualReturn struct {
	ID            prevent.ID        `json:"id"`
	FinancialYear string            `json:"financial_year"`
	Policy        string            `json:"policy"`
	State         string            `json:"state"`
	Revision      int               `json:"revision"`
	DraftedBy     prevent.ID        `json:"drafted_by"`
	DraftedAt     time.Time         `json:"drafted_at"`
	CheckedBy     *prevent.ID       `json:"checked_by"`
	CheckedAt     *time.Time        `json:"checked_at"`
	ApprovedBy    *prevent.ID       `json:"approved_by"`
	ApprovedAt    *time.Time        `json:"approved_at"`
	BundleID      *string           `json:"bundle_id"`
	SupersededBy  *prevent.ID       `json:"superseded_by"`
	Return        StatisticalReturn `json:"return"`
}

// AnnualReturnList is a year's returns drafted for approval, newest first.
type AnnualReturnList struct {
	Items []AnnualReturn `json:"items"`
}

// TierInput sets whether the partnership is local, a region or the nation.
type TierInput struct {
	Tier string `json:"tier"`
}

// ReturnTier is the partnership's tier and the public key its bundles are signed with.
type ReturnTier struct {
	Tier      string `json:"tier"`
	PublicKey string `json:"public_key"`
}

// SenderInput registers a sender a region or the nation trusts: its name and its public key.
type SenderInput struct {
	Name      string `json:"name"`
	PublicKey string `json:"public_key"`
}

// Sender is a registered sender.
type Sender struct {
	ID        prevent.ID `json:"id"`
	Name      string     `json:"name"`
	PublicKey string     `json:"public_key"`
	KeyID     string     `json:"key_id"`
	CreatedAt time.Time  `json:"created_at"`
}

// SenderList is the partnership's trusted senders.
type SenderList struct {
	Items []Sender `json:"items"`
}

// ImportedReturn is a partnership's approved return as a region or the nation keeps it: its figures only.
type ImportedReturn struct {
	ID                prevent.ID    `json:"id"`
	Sender            string        `json:"sender"`
	BundleID          string        `json:"bundle_id"`
	SourcePartnership string        `json:"source_partnership"`
	SourceRegion      string        `json:"source_region"`
	FinancialYear     string        `json:"financial_year"`
	Policy            string        `json:"policy"`
	ApprovedAt        time.Time     `json:"approved_at"`
	ApprovedBy        string        `json:"approved_by"`
	CheckedBy         string        `json:"checked_by"`
	ImportedAt        time.Time     `json:"imported_at"`
	Tables            []ReturnTable `json:"tables"`
}

// RegionalReturn is the sum of the returns a region or the nation imported for a year.
type RegionalReturn struct {
	StatisticalReturn
	Sources []string `json:"sources"`
	// NotSummed are partnerships whose latest return is under another policy.
	NotSummed []string `json:"not_summed"`
}

var yearPath = map[string]map[string]any{"year": {"type": "string", "pattern": `^\d{4}-\d{2}$`, "description": "A financial year, such as 2025-26"}}

func (s *Server) registerReturnApproval() {
	s.handle(http.MethodPost, "/partnerships/{pid}/annual-returns", access.StatisticsView, operation{id: "draftAnnualReturn",
		summary: "Draft the partnership's return for an ended financial year for approval (financial_year written 2025-26; policy " +
			"name:version, one of " + releasePolicyNames() + "), or draft the open one again with today's figures, which then needs checking again",
		request: AnnualReturnInput{}, response: AnnualReturn{}, status: http.StatusCreated}, s.draftAnnual)
	s.handle(http.MethodGet, "/partnerships/{pid}/annual-returns", access.StatisticsView, operation{id: "listAnnualReturns",
		summary: "The returns of a financial year drafted for approval, newest first", response: AnnualReturnList{},
		query: []param{{name: "year", description: "The financial year, such as 2025-26", schema: map[string]any{"type": "string"}}}}, s.listAnnuals)
	s.handle(http.MethodGet, "/partnerships/{pid}/annual-returns/{id}", access.StatisticsView, operation{id: "getAnnualReturn",
		summary: "A return on its way to approval, or approved, with its figures", response: AnnualReturn{}}, s.getAnnual)
	s.handle(http.MethodPost, "/partnerships/{pid}/annual-returns/{id}/check", access.StatisticsView, operation{id: "checkAnnualReturn",
		summary: "Record that the figures of the revision read are checked; the person who drafted them cannot (409 says why)",
		request: RevisionInput{}, response: AnnualReturn{}}, s.stepAnnual(s.deps.Returns.CheckAnnual))
	s.handle(http.MethodPost, "/partnerships/{pid}/annual-returns/{id}/approve", access.StatisticsView, operation{id: "approveAnnualReturn",
		summary: "Approve the revision read (coordinators); neither the person who drafted it nor the one who checked it can (409 says why)",
		request: RevisionInput{}, response: AnnualReturn{}}, s.stepAnnual(s.deps.Returns.ApproveAnnual))
	s.handle(http.MethodGet, "/partnerships/{pid}/annual-returns/{id}/bundle", access.StatisticsView, operation{id: "getAnnualReturnBundle",
		summary: "The signed bundle (ZIP) of an approved return, for its region; each download is audited", responseMedia: "application/zip"}, s.annualBundle)
	s.handle(http.MethodGet, "/partnerships/{pid}/returns-tier", access.PartnershipView, operation{id: "getReturnTier",
		summary: "Whether the partnership is local, a region or the nation, and the public key its bundles are signed with", response: ReturnTier{}}, s.getTier)
	s.handle(http.MethodPut, "/partnerships/{pid}/returns-tier", access.PartnershipManage, operation{id: "setReturnTier",
		summary: "Set the partnership's tier: local, region or nation", request: TierInput{}, response: ReturnTier{}}, s.putTier)
	s.handle(http.MethodGet, "/partnerships/{pid}/return-senders", access.PartnershipManage, operation{id: "listReturnSenders",
		summary: "The senders whose bundles a region or the nation trusts", response: SenderList{}}, s.listSenders)
	s.handle(http.MethodPost, "/partnerships/{pid}/return-senders", access.PartnershipManage, operation{id: "registerReturnSender",
		summary: "Register a sender (or another key of a sender, under the same name)", request: SenderInput{}, response: Sender{},
		status: http.StatusCreated}, s.registerSender)
	s.handle(http.MethodPost, "/partnerships/{pid}/return-imports", access.StatisticsView, operation{id: "importReturnBundle",
		summary:      "Import a partnership's signed bundle (the ZIP as the body); a changed, unregistered or replayed bundle is refused with 422 or 409",
		requestMedia: "application/zip", response: ImportedReturn{}, status: http.StatusCreated}, s.importBundle)
	s.handle(http.MethodGet, "/partnerships/{pid}/regional-returns/{year}", access.StatisticsView, operation{id: "getRegionalReturn",
		summary: "The sum of the imported returns for a financial year under a policy (default suppress-below-5:1)", response: RegionalReturn{},
		pathSchemas: yearPath, query: []param{{name: "policy", description: "name:version", schema: map[string]any{"type": "string"}}}}, s.regionalReturn)
}

// readPolicy reads a policy written name:version; empty is the first policy for release.
func readPolicy(v string) (returns.Policy, error) {
	if v == "" {
		return returns.SuppressBelow5, nil
	}
	pol, err := returns.ReleasePolicy(v)
	if err != nil {
		return returns.Policy{}, prevent.Validation([]prevent.FieldError{{Field: "policy", Message: "Choose a disclosure control policy: one of " + releasePolicyNames()}})
	}
	return pol, nil
}

func readYear(field, v string) (returns.FinancialYear, error) {
	y, err := returns.ParseFinancialYear(v)
	if err != nil {
		return 0, prevent.Validation([]prevent.FieldError{{Field: field, Message: "Write the financial year as 2025-26"}})
	}
	return y, nil
}

func annualOut(a *returns.Annual) AnnualReturn {
	out := AnnualReturn{ID: a.ID, FinancialYear: a.Year.String(), Policy: a.Policy.String(), State: string(a.State), Revision: a.Revision,
		DraftedBy: a.DraftedBy, DraftedAt: a.DraftedAt, Return: returnOut(a.Return)}
	if a.CheckedBy != 0 {
		out.CheckedBy, out.CheckedAt = &a.CheckedBy, &a.CheckedAt
	}
	if a.ApprovedBy != 0 {
		out.ApprovedBy, out.ApprovedAt, out.BundleID = &a.ApprovedBy, &a.ApprovedAt, &a.BundleID
	}
	if a.SupersededBy != 0 {
		out.SupersededBy = &a.SupersededBy
	}
	return out
}

func (s *Server) draftAnnual(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[AnnualReturnInput](r)
	if err != nil {
		return err
	}
	y, err := readYear("financial_year", in.FinancialYear)
	if err != nil {
		return err
	}
	pol, err := readPolicy(in.Policy)
	if err != nil {
		return err
	}
	a, err := s.deps.Returns.DraftAnnual(r.Context(), prevent.PrincipalFrom(r.Context()), returns.Request{PartnershipID: pid, Year: y, Policy: pol})
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/partnerships/%d/annual-returns/%d", pid, a.ID))
	return encode(w, http.StatusCreated, annualOut(a))
}

func (s *Server) listAnnuals(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	y, err := readYear("year", r.URL.Query().Get("year"))
	if err != nil {
		return err
	}
	as, err := s.deps.Returns.AnnualReturns(r.Context(), prevent.PrincipalFrom(r.Context()), pid, y)
	if err != nil {
		return err
	}
	out := AnnualReturnList{Items: []AnnualReturn{}}
	for _, a := range as {
		out.Items = append(out.Items, annualOut(a))
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) getAnnual(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	a, err := s.deps.Returns.AnnualReturn(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, annualOut(a))
}

func (s *Server) stepAnnual(do func(ctx context.Context, p prevent.Principal, pid, id prevent.ID, revision int) error) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := pidAndID(r)
		if err != nil {
			return err
		}
		in, err := decode[RevisionInput](r)
		if err != nil {
			return err
		}
		p := prevent.PrincipalFrom(r.Context())
		if err := do(r.Context(), p, pid, id, in.Revision); err != nil {
			return err
		}
		a, err := s.deps.Returns.AnnualReturn(r.Context(), p, pid, id)
		if err != nil {
			return err
		}
		return encode(w, http.StatusOK, annualOut(a))
	}
}

func (s *Server) annualBundle(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	body, err := s.deps.Returns.Export(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"prevent-return-%d-%d.zip\"", pid, id))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, err = w.Write(body)
	return err
}

func (s *Server) tierOut(r *http.Request, pid prevent.ID) (ReturnTier, error) {
	t, err := s.deps.Returns.Tier(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	return ReturnTier{Tier: string(t), PublicKey: s.deps.Returns.PublicKey()}, err
}

func (s *Server) getTier(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	out, err := s.tierOut(r, pid)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) putTier(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[TierInput](r)
	if err != nil {
		return err
	}
	if err := s.deps.Returns.SetTier(r.Context(), prevent.PrincipalFrom(r.Context()), pid, returns.Tier(in.Tier)); err != nil {
		if prevent.ErrorKind(err) == prevent.Invalid && len(prevent.FieldErrors(err)) == 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "tier", Message: "tier must be local, region or nation"}})
		}
		return err
	}
	out, err := s.tierOut(r, pid)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, out)
}

func senderOut(x returns.Sender) Sender {
	return Sender{ID: x.ID, Name: x.Name, PublicKey: x.PublicKey, KeyID: x.KeyID, CreatedAt: x.CreatedAt}
}

func (s *Server) listSenders(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ss, err := s.deps.Returns.Senders(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	out := SenderList{Items: []Sender{}}
	for _, x := range ss {
		out.Items = append(out.Items, senderOut(x))
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) registerSender(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[SenderInput](r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	id, err := s.deps.Returns.RegisterSender(r.Context(), p, pid, in.Name, in.PublicKey)
	if err != nil {
		return err
	}
	ss, err := s.deps.Returns.Senders(r.Context(), p, pid)
	if err != nil {
		return err
	}
	for _, x := range ss {
		if x.ID == id {
			return encode(w, http.StatusCreated, senderOut(x))
		}
	}
	return fmt.Errorf("api: sender %d registered but not listed", id)
}

// maxBundleBody bounds an imported bundle; a return's bundle is far smaller.
const maxBundleBody = 64 << 20

func (s *Server) importBundle(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/zip" {
		return &requestError{status: http.StatusUnsupportedMediaType, detail: "Send the bundle as the body with Content-Type: application/zip"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBundleBody+1))
	if err != nil {
		return badRequest("The body could not be read")
	}
	if len(body) > maxBundleBody {
		return &requestError{status: http.StatusRequestEntityTooLarge, detail: "The bundle must be smaller than 64 MiB"}
	}
	im, err := s.deps.Returns.Import(r.Context(), prevent.PrincipalFrom(r.Context()), pid, body)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, importedOut(im))
}

func importedOut(im *returns.Imported) ImportedReturn {
	out := ImportedReturn{ID: im.ID, Sender: im.Sender, BundleID: im.BundleID, SourcePartnership: im.SourcePartnership,
		SourceRegion: im.SourceRegion, FinancialYear: im.Year.String(), Policy: im.Policy.String(), ApprovedAt: im.ApprovedAt,
		ApprovedBy: im.ApprovedBy, CheckedBy: im.CheckedBy, ImportedAt: im.ImportedAt, Tables: []ReturnTable{}}
	out.Tables = returnOut(&returns.Return{Tables: im.Tables}).Tables
	return out
}

func (s *Server) regionalReturn(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	y, err := readYear("year", r.PathValue("year"))
	if err != nil {
		return err
	}
	pol, err := readPolicy(r.URL.Query().Get("policy"))
	if err != nil {
		return err
	}
	reg, err := s.deps.Returns.RegionalReturn(r.Context(), prevent.PrincipalFrom(r.Context()), pid, y, pol)
	if err != nil {
		return err
	}
	out := RegionalReturn{StatisticalReturn: returnOut(reg.Return), Sources: []string{}, NotSummed: []string{}}
	for _, im := range reg.Sources {
		out.Sources = append(out.Sources, im.SourcePartnership)
	}
	for _, im := range reg.Left {
		out.NotSummed = append(out.NotSummed, im.SourcePartnership)
	}
	return encode(w, http.StatusOK, out)
}
