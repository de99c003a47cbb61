package web

import (
	"encoding/json"
	"math"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Bad bytes — invalid UTF-8, NUL and the other control characters — are
// refused where the web reads them, before anything reaches the desk: in a
// form or JSON field they are that field's problem (422, the form shown
// again); in the path, a query parameter or a header the request is bad
// (400). Lengths are the desk's business; the bodies are bounded anyway.

// multiLine are the fields (form and JSON) that may hold line breaks and
// tabs: article texts and notes.
var multiLine = map[string]bool{"body": true, "note": true}

// badText is the problem with the bytes of field's value s, if any.
func badText(field, s string) (ticket.Problem, bool) {
	kind := ticket.Line
	if multiLine[field] {
		kind = ticket.Lines
	}
	return ticket.CheckText(s, kind, math.MaxInt)
}

// checkRequest refuses requests whose path, query or Idempotency-Key
// header has bytes no kizdesk path, parameter or key has.
func (s *server) checkRequest(c *gin.Context) {
	bad := func(what string) {
		s.fail(c, &badRequest{code: ticket.MsgBadRequest, detail: what + " contains invalid UTF-8 or control characters"})
	}
	if _, b := ticket.CheckText(c.Request.URL.Path, ticket.Line, math.MaxInt); b {
		bad("the path")
		return
	}
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		s.fail(c, &badRequest{code: ticket.MsgBadRequest, detail: "the query string cannot be read"})
		return
	}
	for k, vs := range q {
		if _, b := ticket.CheckText(k, ticket.Line, math.MaxInt); b {
			bad("a query parameter's name")
			return
		}
		for _, v := range vs {
			if _, b := ticket.CheckText(v, ticket.Line, math.MaxInt); b {
				bad("query parameter " + k)
				return
			}
		}
	}
	for _, v := range c.Request.Header.Values("Idempotency-Key") {
		if _, b := ticket.CheckText(v, ticket.Line, ticket.MaxKeyLength); b {
			s.fail(c, &badRequest{code: ticket.MsgBadRequest,
				detail: "the Idempotency-Key header must be printable UTF-8 of at most 200 bytes"})
			return
		}
	}
	c.Next()
}

// formTextProblems are the posted form's fields with bytes that no field
// may have. Handlers add them to their own field problems, so the desk is
// not asked and the form comes back with the field marked.
func formTextProblems(c *gin.Context) desk.FieldErrors {
	fe := desk.FieldErrors{}
	for k, vs := range c.Request.PostForm {
		for _, v := range vs {
			if p, bad := badText(k, v); bad {
				fe[k] = p
			}
		}
	}
	return fe
}

// badFormNames tells whether a posted form has field names with bad
// bytes: no form of kizdesk has such a field, so the post is bad (400).
func badFormNames(form url.Values) bool {
	for k := range form {
		if _, bad := ticket.CheckText(k, ticket.Line, math.MaxInt); bad {
			return true
		}
	}
	return false
}

// jsonUTF8Problems names the top-level fields of a JSON body that are not
// valid UTF-8 (the JSON decoder would silently replace those bytes). A
// body whose bad bytes are elsewhere is a bad request.
func jsonUTF8Problems(body []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return &badRequest{code: ticket.MsgBadRequest, detail: "the request body is not valid: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	fe := desk.FieldErrors{}
	for k, raw := range fields {
		if !utf8.Valid(raw) {
			fe[k] = ticket.P(ticket.FieldBadUTF8)
		}
	}
	if len(fe) == 0 {
		return &badRequest{code: ticket.MsgBadRequest, detail: "the request body is not valid UTF-8"}
	}
	return fe
}

// jsonTextProblems are the string fields of the decoded request v (a
// pointer to a struct of JSON fields) with control characters.
func jsonTextProblems(v any) error {
	fe := desk.FieldErrors{}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil
	}
	rv = rv.Elem()
	for i := range rv.NumField() {
		name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		f := rv.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			f = f.Elem()
		}
		if name == "" || name == "-" || f.Kind() != reflect.String {
			continue
		}
		if p, bad := badText(name, f.String()); bad {
			fe[name] = p
		}
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// scrub replaces, in every string field of the struct v points to (and of
// the structs in it), what no field may hold with U+FFFD, so a form shown
// again marks where the bad bytes were instead of hiding them.
func scrub(v any) {
	scrubValue(reflect.ValueOf(v))
}

func scrubValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			scrubValue(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				scrubValue(v.Field(i))
			}
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(cleanText(v.String()))
		}
	}
}

// cleanText is s with invalid UTF-8 and control characters (but for line
// breaks and tabs) replaced by U+FFFD.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if ticket.IsControl(r, ticket.Lines) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
}
