package schema

import (
	"bytes"
	"encoding/json"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// crm validates its two files against their JSON Schemas (draft 2020-12)
// with this validator of the keywords those schemas use: type, enum,
// pattern, minLength, minimum, maximum, exclusiveMinimum, required,
// properties, additionalProperties, propertyNames, items, minItems, oneOf
// and $ref into $defs (description and title are read for messages). A
// general library compiled the meta-schemas of every draft when the
// program started, 9 ms and 21,000 allocations before any command ran,
// and the two schemas again in every command that read pipeline.yaml
// (docs/performance.md, issue 29). TestSchemasUseKnownKeywords fails when
// a schema uses a keyword this validator does not know.

// schemaDoc is one parsed schema document and its URL (its $id).
type schemaDoc struct {
	url  string
	root map[string]any
}

// knownKeywords are the keywords the validator applies or reads.
var knownKeywords = map[string]bool{
	"$schema": true, "$id": true, "$defs": true, "$ref": true, "title": true, "description": true,
	"type": true, "enum": true, "pattern": true, "minLength": true, "minimum": true, "maximum": true,
	"exclusiveMinimum": true, "required": true, "properties": true, "additionalProperties": true,
	"propertyNames": true, "items": true, "minItems": true, "oneOf": true,
}

// schemaDocs parses each schema document once, when first used: a
// command that reads pipeline.yaml alone never parses the lead schema.
var schemaDocs = map[string]func() (*schemaDoc, error){
	"urn:crm:schema:lead":     sync.OnceValues(func() (*schemaDoc, error) { return parseSchema("urn:crm:schema:lead", LeadSchemaJSON) }),
	"urn:crm:schema:pipeline": sync.OnceValues(func() (*schemaDoc, error) { return parseSchema("urn:crm:schema:pipeline", PipelineSchemaJSON) }),
}

func parseSchema(url string, data []byte) (*schemaDoc, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var root map[string]any
	if err := d.Decode(&root); err != nil {
		return nil, err
	}
	return &schemaDoc{url: url, root: root}, nil
}

// patterns caches the compiled patterns of the schemas.
var patterns sync.Map // string -> *regexp.Regexp

func pattern(p string) *regexp.Regexp {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(p) // the schemas are crm's own, tested
	patterns.Store(p, re)
	return re
}

// errKind is what a value breaks.
type errKind int

const (
	errType errKind = iota
	errEnum
	errPattern
	errMinLength
	errMinimum
	errMaximum
	errExclusiveMinimum
	errRequired
	errAdditional
	errPropertyNames
	errMinItems
	errOneOf
)

// schemaError is one rule of a schema that a value breaks.
type schemaError struct {
	// Loc is the value's place (keys and list indexes); SchemaURL the
	// schema object holding the rule: URL#/json/pointer.
	Loc       []string
	SchemaURL string
	Kind      errKind
	// Missing (required) and Props (additionalProperties) are keys;
	// Property is the key propertyNames rejects.
	Missing, Props []string
	Property       string
	// Got and Want are type names (type).
	Got  string
	Want []string
	// Limit is the bound a number breaks, Num the number.
	Limit, Num *big.Rat
	// Branches are, for a oneOf no branch of which holds, each branch's
	// errors.
	Branches [][]*schemaError
}

// validator walks a value against a schema document.
type validator struct {
	doc *schemaDoc
}

// validate checks v (as encoding/json decodes with UseNumber) against the
// schema object s at pointer ptr, at loc.
func (vd validator) validate(s map[string]any, ptr string, v any, loc []string) []*schemaError {
	mk := func(k errKind) *schemaError {
		return &schemaError{Loc: loc, SchemaURL: vd.doc.url + "#" + ptr, Kind: k}
	}
	if types := typeList(s["type"]); len(types) > 0 {
		got := jsonType(v)
		if !slices.Contains(types, got) && !(got == "number" && slices.Contains(types, "integer") && isInteger(v)) {
			e := mk(errType)
			e.Got, e.Want = got, sortTypes(types)
			return []*schemaError{e}
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(w any) bool { return jsonEqual(w, v) }) {
		return []*schemaError{mk(errEnum)}
	}
	var errs []*schemaError
	if ref, ok := s["$ref"].(string); ok {
		if target, tptr, ok := vd.resolve(ref); ok {
			errs = append(errs, vd.validate(target, tptr, v, loc)...)
		}
	}
	switch v := v.(type) {
	case map[string]any:
		errs = append(errs, vd.object(s, ptr, v, loc, mk)...)
	case []any:
		if n, ok := intOf(s["minItems"]); ok && len(v) < n {
			errs = append(errs, mk(errMinItems))
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range v {
				errs = append(errs, vd.validate(items, ptr+"/items", it, appendLoc(loc, strconv.Itoa(i)))...)
			}
		}
	case string:
		if n, ok := intOf(s["minLength"]); ok && utf8.RuneCountInString(v) < n {
			errs = append(errs, mk(errMinLength))
		}
		if p, ok := s["pattern"].(string); ok && !pattern(p).MatchString(v) {
			errs = append(errs, mk(errPattern))
		}
	case json.Number:
		num, ok := new(big.Rat).SetString(v.String())
		if ok {
			for _, b := range []struct {
				key  string
				kind errKind
				bad  func(c int) bool
			}{
				{"minimum", errMinimum, func(c int) bool { return c < 0 }},
				{"maximum", errMaximum, func(c int) bool { return c > 0 }},
				{"exclusiveMinimum", errExclusiveMinimum, func(c int) bool { return c <= 0 }},
			} {
				if lim, ok := ratOf(s[b.key]); ok && b.bad(num.Cmp(lim)) {
					e := mk(b.kind)
					e.Limit, e.Num = lim, num
					errs = append(errs, e)
				}
			}
		}
	}
	if branches, ok := s["oneOf"].([]any); ok {
		var failed [][]*schemaError
		held := 0
		for i, b := range branches {
			bs, _ := b.(map[string]any)
			be := vd.validate(bs, ptr+"/oneOf/"+strconv.Itoa(i), v, loc)
			if len(be) == 0 {
				held++
			} else {
				failed = append(failed, be)
			}
		}
		if held != 1 {
			e := mk(errOneOf)
			if held == 0 {
				e.Branches = failed
			}
			errs = append(errs, e)
		}
	}
	return errs
}

// object checks a mapping's keys: required, properties, additional
// properties and property names.
func (vd validator) object(s map[string]any, ptr string, obj map[string]any, loc []string, mk func(errKind) *schemaError) []*schemaError {
	var errs []*schemaError
	if req, ok := s["required"].([]any); ok {
		var missing []string
		for _, r := range req {
			if name, _ := r.(string); name != "" {
				if _, ok := obj[name]; !ok {
					missing = append(missing, name)
				}
			}
		}
		if len(missing) > 0 {
			e := mk(errRequired)
			e.Missing = missing
			errs = append(errs, e)
		}
	}
	props, _ := s["properties"].(map[string]any)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var unknown []string
	for _, k := range keys {
		if ps, ok := props[k].(map[string]any); ok {
			errs = append(errs, vd.validate(ps, ptr+"/properties/"+escapePointer(k), obj[k], appendLoc(loc, k))...)
			continue
		}
		switch add := s["additionalProperties"].(type) {
		case bool:
			if !add {
				unknown = append(unknown, k)
			}
		case map[string]any:
			errs = append(errs, vd.validate(add, ptr+"/additionalProperties", obj[k], appendLoc(loc, k))...)
		}
	}
	if len(unknown) > 0 {
		e := mk(errAdditional)
		e.Props = unknown
		errs = append(errs, e)
	}
	if pn, ok := s["propertyNames"].(map[string]any); ok {
		for _, k := range keys {
			if len(vd.validate(pn, ptr+"/propertyNames", k, loc)) > 0 {
				e := &schemaError{Loc: loc, SchemaURL: vd.doc.url + "#" + ptr + "/propertyNames", Kind: errPropertyNames, Property: k}
				errs = append(errs, e)
			}
		}
	}
	return errs
}

// resolve finds the schema a $ref names in this document (#/$defs/x).
func (vd validator) resolve(ref string) (map[string]any, string, bool) {
	ptr, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, "", false
	}
	var cur any = vd.doc.root
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, "", false
		}
		cur = m[unescapePointer(tok)]
	}
	m, ok := cur.(map[string]any)
	return m, ptr, ok
}

func appendLoc(loc []string, tok string) []string {
	return append(loc[:len(loc):len(loc)], tok)
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// typeList reads a type keyword: a name or a list of names.
func typeList(t any) []string {
	switch t := t.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// typeOrder is the order types are named in messages.
var typeOrder = []string{"null", "boolean", "number", "integer", "string", "array", "object"}

func sortTypes(ts []string) []string {
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b string) int { return slices.Index(typeOrder, a) - slices.Index(typeOrder, b) })
	return out
}

// jsonType is the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func isInteger(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	r, ok := new(big.Rat).SetString(n.String())
	return ok && r.IsInt()
}

func intOf(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n.String())
	return i, err == nil
}

func ratOf(v any) (*big.Rat, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	return new(big.Rat).SetString(n.String())
}

// jsonEqual compares an enum's value with a decoded one (numbers by
// value).
func jsonEqual(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		ar, ok1 := new(big.Rat).SetString(an.String())
		br, ok2 := new(big.Rat).SetString(bn.String())
		return ok1 && ok2 && ar.Cmp(br) == 0
	}
	if aok || bok {
		return false
	}
	switch a.(type) {
	case nil, bool, string:
		return a == b
	}
	return false
}
