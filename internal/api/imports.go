package api

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/prevent"
)

// ImportProblem is one reason a file cannot be imported: its spreadsheet row (1 the headings, 0 the file as a
// whole), its column and what to do. It never quotes the cell.
type ImportProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// ImportReport is what checking a file found.
type ImportReport struct {
	Kind     string          `json:"kind"`
	File     string          `json:"file"`
	SHA256   string          `json:"sha256"`
	Rows     int             `json:"rows"`
	OK       bool            `json:"ok"`
	Problems []ImportProblem `json:"problems"`
}

// Import is one import of a file (or a check kept from the pages), with its report.
type Import struct {
	ID         prevent.ID      `json:"id"`
	Kind       string          `json:"kind"`
	File       string          `json:"file"`
	SHA256     string          `json:"sha256"`
	Rows       int             `json:"rows"`
	Written    int             `json:"written"`
	Status     string          `json:"status" enum:"import-statuses"`
	By         string          `json:"by"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
	Problems   []ImportProblem `json:"problems"`
}

// ImportList is the partnership's imports, newest first.
type ImportList struct {
	Items []Import `json:"items"`
}

func importParams() []param {
	return []param{
		{name: "kind", description: "What the file holds: people or cases", schema: map[string]any{"type": "string", "enum": []string{"people", "cases"}}},
		{name: "file_name", description: "The file's name, such as caseload.xlsx (.xlsx is read as a workbook, anything else as CSV)", schema: map[string]any{"type": "string", "maxLength": 100}},
	}
}

// registerImports adds the administrator's import routes: the same importer calls, under the same access
// action, as the import pages and the command line.
func (s *Server) registerImports() {
	const I = "/partnerships/{pid}/imports"
	s.handle(http.MethodGet, I, access.ImportRun, operation{id: "listImports",
		summary: "The partnership's imports and kept checks, newest first", response: ImportList{}}, s.listImports)
	s.handle(http.MethodPost, I+"/check", access.ImportRun, operation{id: "checkImportFile",
		summary: "Check a CSV or XLSX file of people or cases (docs/import.md) and write nothing: the report, or 422 naming each row and column with a problem " +
			"(errors[].field is rows/{row}/{column}, or file for the file as a whole)",
		requestMedia: "application/octet-stream", response: ImportReport{}, query: importParams()}, s.importFile(true))
	s.handle(http.MethodPost, I, access.ImportRun, operation{id: "importFile",
		summary: "Check a CSV or XLSX file of people or cases and, when it has no problem, import it in the background: 202 with the import, " +
			"to follow at its Location; 422 naming each row and column with a problem, and nothing written. A file imported before is refused",
		requestMedia: "application/octet-stream", response: Import{}, status: http.StatusAccepted, query: importParams()}, s.importFile(false))
	s.handle(http.MethodGet, I+"/{id}", access.ImportRun, operation{id: "getImport",
		summary: "One import: how far it got, and its report", response: Import{}}, s.getImport)
	s.handle(http.MethodGet, I+"/templates/{kind}", access.ImportRun, operation{id: "getImportTemplate",
		summary:       "The empty template of a kind of file, as CSV (format=csv) or a workbook with a guidance sheet (format=xlsx)",
		responseMedia: "*/*", pathSchemas: map[string]map[string]any{"kind": {"type": "string", "enum": []string{"people", "cases"}}},
		query: []param{{name: "format", description: "csv (the default) or xlsx", schema: map[string]any{"type": "string", "enum": []string{"csv", "xlsx"}}}}},
		s.importTemplate)
}

func importProblems(ps []importer.Problem) []ImportProblem {
	out := make([]ImportProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, ImportProblem(p))
	}
	return out
}

func importOut(im importer.Import, ps []importer.Problem) Import {
	out := Import{ID: im.ID, Kind: string(im.Kind), File: im.File, SHA256: im.SHA256, Rows: im.Rows, Written: im.Written, Status: im.Status,
		By: im.ActorName, StartedAt: im.StartedAt.UTC(), Problems: importProblems(ps)}
	if !im.FinishedAt.IsZero() {
		t := im.FinishedAt.UTC()
		out.FinishedAt = &t
	}
	return out
}

func (s *Server) listImports(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ims, err := s.deps.Imports.Imports(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	out := ImportList{Items: []Import{}}
	for _, im := range ims {
		out.Items = append(out.Items, importOut(im, nil))
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) importFile(dry bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.importBody(w, r, dry)
	}
}

func (s *Server) importBody(w http.ResponseWriter, r *http.Request, dry bool) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil &&
		(strings.HasPrefix(mt, "multipart/") || mt == "application/x-www-form-urlencoded") {
		return &requestError{status: http.StatusUnsupportedMediaType,
			detail: "Send the file itself as the body, with kind and file_name as query parameters, not a form"}
	}
	q := r.URL.Query()
	var fields prevent.Fields
	kind := importer.Kind(q.Get("kind"))
	if !kind.Valid() {
		fields.Add("kind", "Give kind: people or cases")
	}
	name := q.Get("file_name")
	if name == "" {
		name = "upload.csv"
	}
	if len(name) > 100 {
		fields.Add("file_name", "The file name must be 100 characters or fewer")
	}
	if err := fields.Err(); err != nil {
		return err
	}
	var data []byte
	if r.Body != nil {
		if data, err = io.ReadAll(io.LimitReader(r.Body, importer.MaxFileSize+1)); err != nil {
			return badRequest("The body could not be read")
		}
	}
	if len(data) > importer.MaxFileSize {
		return &requestError{status: http.StatusRequestEntityTooLarge, detail: "The file must be 20 MB or smaller: split it into smaller files"}
	}
	p := prevent.PrincipalFrom(r.Context())
	var rep importer.Report
	if dry {
		rep, err = s.deps.Imports.Check(r.Context(), p, pid, kind, name, data)
	} else {
		rep, err = s.deps.Imports.Start(r.Context(), p, pid, kind, name, data)
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		var fe []prevent.FieldError
		for _, pr := range rep.Problems {
			field := "file"
			if pr.Row > 0 {
				field = fmt.Sprintf("rows/%d", pr.Row)
				if pr.Column != "" {
					field += "/" + pr.Column
				}
			}
			fe = append(fe, prevent.FieldError{Field: field, Message: pr.Message})
		}
		return prevent.Validation(fe)
	}
	if dry {
		return encode(w, http.StatusOK, ImportReport{Kind: string(rep.Kind), File: rep.File, SHA256: rep.SHA256, Rows: rep.Rows, OK: true, Problems: []ImportProblem{}})
	}
	im, ps, err := s.deps.Imports.Get(r.Context(), p, pid, rep.ImportID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+itoa(rep.ImportID))
	return encode(w, http.StatusAccepted, importOut(im, ps))
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	im, ps, err := s.deps.Imports.Get(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, importOut(im, ps))
}

func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	// The templates hold no data, but they are the administrator's: the same check as the other routes.
	if _, err := s.deps.Imports.Imports(r.Context(), prevent.PrincipalFrom(r.Context()), pid); err != nil {
		return err
	}
	kind := importer.Kind(r.PathValue("kind"))
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if !kind.Valid() || (format != "csv" && format != "xlsx") {
		return access.NotFound("Template")
	}
	b, err := importer.Template(kind, format)
	if err != nil {
		return err
	}
	h := w.Header()
	if format == "csv" {
		h.Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="prevent-%s-template.%s"`, kind, format))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}
