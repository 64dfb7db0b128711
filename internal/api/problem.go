package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/preventplatform/prevent/internal/prevent"
)

// MaxBodyBytes is the largest request body the API reads.
const MaxBodyBytes = 1 << 20

// Problem is an RFC 9457 problem details body, served as application/problem+json.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance,omitempty"`
	// RequestID lets a user quote the failure to the service desk; the logs carry the same id.
	RequestID string `json:"request_id,omitempty"`
	// Errors lists the members that failed validation (status 422 only).
	Errors []prevent.FieldError `json:"errors,omitempty"`
}

// requestError is a failure of the HTTP exchange itself (malformed JSON, wrong content type, body too large),
// which has no prevent.Kind because it never reaches a domain package.
type requestError struct {
	status int
	detail string
}

func (e *requestError) Error() string { return e.detail }

func badRequest(format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, detail: fmt.Sprintf(format, args...)}
}

// statusOf maps an error to an HTTP status. A forbidden record is not found, so its existence is not revealed.
func statusOf(err error) int {
	var re *requestError
	if errors.As(err, &re) {
		return re.status
	}
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		return http.StatusUnprocessableEntity
	case prevent.NotFound, prevent.Forbidden:
		return http.StatusNotFound
	case prevent.Unauthenticated:
		return http.StatusUnauthorized
	case prevent.Conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// problemFor builds the body for err. Only expected failures show their message; anything else shows the
// generic message.
func problemFor(err error) Problem {
	status := statusOf(err)
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status}
	var re *requestError
	switch {
	case errors.As(err, &re):
		p.Detail = re.detail
	case status == http.StatusInternalServerError:
		p.Detail = prevent.GenericMessage
	default:
		p.Detail = prevent.PublicMessage(err)
	}
	if status == http.StatusUnprocessableEntity {
		p.Errors = append(p.Errors, prevent.FieldErrors(err)...)
		if len(p.Errors) == 0 {
			// An Invalid error about the request as a whole still lists itself, so clients can rely on errors.
			p.Errors = []prevent.FieldError{{Field: "", Message: p.Detail}}
		}
	}
	return p
}

// writeProblem writes p as application/problem+json.
func writeProblem(w http.ResponseWriter, p Problem) {
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"` + prevent.GenericMessage + `"}`)
		p.Status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(body, '\n'))
}

// encode writes v as JSON with the given status.
func encode(w http.ResponseWriter, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("api: encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// A failed write means the client has gone; there is nobody left to tell.
	_, _ = w.Write(append(body, '\n'))
	return nil
}

// decode reads a JSON request body into a T. It insists on Content-Type application/json (415), a body of
// at most MaxBodyBytes (413), valid UTF-8 (400), exactly one well-formed JSON object of the right shape (400),
// no members that T does not have (400), so that a misspelt field is an error rather than silently ignored,
// and no member given twice (400). Then every member passes the checks of checkMembers (422 naming it): text
// of bounded length without control characters, dates from 1900 to some years ahead, a date of birth not in
// the future; and a date that is not "YYYY-MM-DD" is a 422 naming its member too.
func decode[T any](r *http.Request) (T, error) {
	var v T
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return v, &requestError{status: http.StatusUnsupportedMediaType, detail: "Send the request body as JSON with Content-Type: application/json"}
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return v, &requestError{status: http.StatusUnsupportedMediaType, detail: "Content-Type must be application/json"}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return v, &requestError{status: http.StatusUnsupportedMediaType, detail: "JSON must be encoded as UTF-8"}
	}
	if r.Body == nil {
		return v, badRequest("The request body is empty; send a JSON object")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return v, badRequest("The request body could not be read")
	}
	if len(body) > MaxBodyBytes {
		return v, &requestError{status: http.StatusRequestEntityTooLarge,
			detail: fmt.Sprintf("The request body must be %d bytes (1 MiB) or smaller", MaxBodyBytes)}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return v, badRequest("The request body is empty; send a JSON object")
	}
	if err := checkRaw(body); err != nil {
		return v, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return v, badRequest("The request body must hold a single JSON value, with nothing after it")
	}
	if err := checkMembers(v, nowFrom(r.Context())); err != nil {
		return v, err
	}
	return v, nil
}

// jsonProblem turns a decoding error into a clear 400.
func jsonProblem(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return badRequest("The request body is not well-formed JSON (at byte %d)", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest("The request body is not well-formed JSON (it ends too soon)")
	case errors.As(err, &typ):
		if typ.Type == dateType {
			field := typ.Field
			if field == "" {
				field = "The request body"
			}
			return dateProblem(field)
		}
		if typ.Field != "" {
			return badRequest("The member %q must be of JSON type %s", typ.Field, jsonType(typ.Type.Kind().String()))
		}
		return badRequest("The request body must be a JSON %s", jsonType(typ.Type.Kind().String()))
	}
	msg := err.Error()
	if i := strings.Index(msg, "unknown field "); i >= 0 {
		return badRequest("The request body has a member this operation does not accept: %s", strings.TrimSpace(msg[i+len("unknown field "):]))
	}
	return badRequest("The request body is not valid JSON for this operation")
}

func jsonType(kind string) string {
	switch kind {
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	case "string":
		return "string"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "number"
	}
	return kind
}

// rename returns err with its field names changed from the domain's form names to the API's member names
// (such as "public-body" to "public_body"). Errors without fields are returned as they are.
func rename(err error, names map[string]string) error {
	var e *prevent.Error
	if err == nil || !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	c := *e
	c.Fields = make([]prevent.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if n, ok := names[f.Field]; ok {
			f.Field = n
		}
		c.Fields[i] = f
	}
	return &c
}
