package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/prevent"
)

// The checks every request body passes, whatever its type, before a handler sees it. The domain packages
// check what their fields mean (a name of at most 200 characters, a date of birth in the past) exactly as they
// do for the pages; these checks are a backstop under them, so that no member of any body can carry a text
// the size of the body, a NUL or other control character, or a date no record could hold.
const (
	// maxMemberText is the most characters any text member holds unless its type says less with a `maxlen`
	// tag: the longest free-text answer the pages accept (casework's maxText).
	maxMemberText = 10000
	// maxCodeText bounds a member that holds a code of a closed list (an `enum` tag): every code is far
	// shorter.
	maxCodeText = 100
	// futureYears is how far ahead a date may be: a review, an expiry or a retention date is years ahead at
	// most, and 25 years covers the longest retention period (records of a young child).
	futureYears = 25
)

// earliestDate is the first date a member may hold, as the pages' date inputs accept (a year of four figures
// from 1900).
var earliestDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

type nowKey struct{}

// withNow records the server's clock on the request, so that decoding checks dates against the same time the
// handlers use.
func withNow(ctx context.Context, now time.Time) context.Context {
	return context.WithValue(ctx, nowKey{}, now)
}

func nowFrom(ctx context.Context) time.Time {
	if t, ok := ctx.Value(nowKey{}).(time.Time); ok {
		return t
	}
	return time.Now().UTC()
}

// checkRaw refuses a body that is not valid UTF-8 (encoding/json would silently replace the bad bytes with
// U+FFFD and store the replacement) or that repeats a member within one object (encoding/json would keep the
// last silently, so two readers of the same body could disagree on what it says). A body that is not
// well-formed JSON passes here, for decoding to report where it breaks.
func checkRaw(body []byte) error {
	if !utf8.Valid(body) {
		return badRequest("The request body is not valid UTF-8")
	}
	if name, ok := duplicateMember(body); ok {
		return badRequest("The request body has the member %q more than once", name)
	}
	return nil
}

// container is an object or array being walked by duplicateMember.
type container struct {
	object  bool
	path    string
	keys    map[string]bool
	wantKey bool // in an object, the next token is a member name (or its end)
	index   int  // in an array, the index of the next element
	member  string
}

// duplicateMember walks every token of body and reports the path of the first member named twice in the same
// object, at any depth.
func duplicateMember(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*container
	// valueDone notes that the top container has been given one whole value.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if top := stack[n-1]; top.object {
				top.wantKey = true
			} else {
				top.index++
			}
		}
	}
	childPath := func() string {
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if top.object {
			return joinPath(top.path, top.member)
		}
		return top.path + "[" + strconv.Itoa(top.index) + "]"
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			// The end of the body, or JSON that decoding will report.
			return "", false
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			top := stack[n-1]
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				valueDone()
				continue
			}
			name, _ := tok.(string)
			if top.keys[name] {
				return joinPath(top.path, name), true
			}
			top.keys[name] = true
			top.member, top.wantKey = name, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &container{object: true, path: childPath(), keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &container{path: childPath()})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// checkMembers walks the decoded body v and returns an Invalid error naming each member that is too long,
// holds a control character, or is a date out of bounds.
func checkMembers(v any, now time.Time) error {
	var f prevent.Fields
	c := memberCheck{now: now.UTC(), fields: &f}
	c.value(reflect.ValueOf(v), "", "")
	return f.Err()
}

type memberCheck struct {
	now    time.Time
	fields *prevent.Fields
}

// value checks v, found at path with the struct tag of the field that holds it.
func (c memberCheck) value(v reflect.Value, path string, tag reflect.StructTag) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			c.value(v.Elem(), path, tag)
		}
	case reflect.String:
		c.text(v.String(), path, tag)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // raw bytes (json.RawMessage), not text
		}
		for i := range v.Len() {
			c.value(v.Index(i), path+"["+strconv.Itoa(i)+"]", tag)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			name := fmt.Sprint(k.Interface())
			if k.Kind() == reflect.String {
				c.text(k.String(), joinPath(path, name), "")
			}
			c.value(it.Value(), joinPath(path, name), tag)
		}
	case reflect.Struct:
		switch v.Type() {
		case dateType:
			c.date(time.Time(v.Interface().(Date)), path, tag)
			return
		case timeType:
			c.date(v.Interface().(time.Time), path, tag)
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if sf.Anonymous && name == "" {
				c.value(v.Field(i), path, sf.Tag) // an embedded struct's members are the outer object's
				continue
			}
			if name == "" {
				name = sf.Name
			}
			c.value(v.Field(i), joinPath(path, name), sf.Tag)
		}
	}
}

// text checks one text member: its length in characters, and no control character but tab, line feed and
// carriage return (NUL included: PostgreSQL cannot store it, and no form can send it).
func (c memberCheck) text(s, path string, tag reflect.StructTag) {
	limit := maxMemberText
	if tag.Get("enum") != "" {
		limit = maxCodeText
	}
	if n, err := strconv.Atoi(tag.Get("maxlen")); err == nil && n > 0 {
		limit = n
	}
	name := path
	if name == "" {
		name = "The request body"
	}
	if utf8.RuneCountInString(s) > limit {
		c.fields.Add(path, fmt.Sprintf("%s must be %s characters or fewer", name, thousands(limit)))
		return
	}
	if strings.ContainsFunc(s, forbiddenRune) {
		c.fields.Add(path, name+" must not contain control characters (only tab, line feed and carriage return are allowed)")
	}
}

// forbiddenRune reports a control character other than tab, line feed and carriage return: C0 (NUL
// included), DEL and C1.
func forbiddenRune(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	}
	return false
}

// date checks a date (or time) member: from 1 January 1900 to futureYears ahead, and not after today for a
// date of birth (a member named date_of_birth, or tagged `date:"past"`).
func (c memberCheck) date(t time.Time, path string, tag reflect.StructTag) {
	if t.IsZero() {
		return
	}
	t = t.UTC()
	last := 1 + c.now.Year() + futureYears
	latest := time.Date(last, 1, 1, 0, 0, 0, 0, time.UTC)
	past := tag.Get("date") == "past" || strings.HasSuffix(path, "date_of_birth") || strings.HasSuffix(path, "born_on")
	switch {
	case t.Before(earliestDate) || !t.Before(latest):
		c.fields.Add(path, fmt.Sprintf("%s must be a date from 1900-01-01 to %d-12-31", path, last-1))
	case past && t.After(c.now):
		c.fields.Add(path, path+" must be today or in the past")
	}
}

// thousands writes n with a comma between each group of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// dateProblem is the Invalid error for a member that should hold a date and does not.
func dateProblem(field string) error {
	var f prevent.Fields
	f.Add(field, field+" must be a date in the form YYYY-MM-DD")
	return f.Err()
}

// errNotDate is what Date.UnmarshalJSON returns for anything but a "YYYY-MM-DD" string; encoding/json adds
// the member's path to it, which jsonProblem reads.
func errNotDate(value string) error {
	return &json.UnmarshalTypeError{Value: value, Type: dateType}
}
