package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"github.com/crmcli/crm/model"
)

// WriteLeadList writes the document of crm lead list --format json or
// yaml (LeadListJSON) one lead at a time: the same bytes as rendering the
// whole document, without holding all of it (100,000 leads are hundreds
// of megabytes of text).
func WriteLeadList(w io.Writer, format, pipeline string, leads []*model.Lead) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	switch format {
	case FormatJSON:
		err = streamJSON(bw, pipeline, leads)
	case FormatYAML:
		err = streamYAML(bw, pipeline, leads)
	default:
		return fmt.Errorf("unknown format %q", format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func streamJSON(w *bufio.Writer, pipeline string, leads []*model.Lead) error {
	return streamJSONList(w, pipeline, "leads", len(leads), func(i int) any { return NewLeadJSON(leads[i], "") })
}

// WriteFeed writes the document of crm activity --format json (FeedJSON)
// an entry at a time: the same bytes as rendering the whole document,
// without holding it (the feed of 100,000 leads is half a million
// entries).
func WriteFeed(w io.Writer, pipeline string, entries FeedEntries) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := streamJSONList(bw, pipeline, "entries", entries.Len(), func(i int) any { return newFeedEntryJSON(entries.Entry(i)) }); err != nil {
		return err
	}
	return bw.Flush()
}

// streamJSONList writes a document of a schema version, a pipeline and a
// list under key, of n items made by item, as Render writes it whole.
func streamJSONList(w *bufio.Writer, pipeline, key string, n int, item func(i int) any) error {
	name, err := marshalJSON(pipeline)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "{\n  \"schema_version\": %d,\n  \"pipeline\": %s,\n  \"%s\": [", SchemaVersion, name, key)
	if n == 0 {
		_, err := w.WriteString("]\n}\n")
		return err
	}
	// Each item is encoded on its own, indented as it is encoded, in
	// blocks on every core: ",\n    " before every item but the first.
	err = inRounds(w, n, func(out []byte, from, to int) ([]byte, error) {
		b := bytes.NewBuffer(out)
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		for i := from; i < to; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    ")
			if err := enc.Encode(item(i)); err != nil {
				return nil, err
			}
			b.Truncate(b.Len() - 1) // the encoder's newline
		}
		return b.Bytes(), nil
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("\n  ]\n}\n")
	return err
}

// yamlOf is v as crm's YAML output shows it: through JSON (the same keys,
// order and shapes), in block style.
func yamlOf(v any) ([]byte, error) {
	n, err := yamlNode(v)
	if err != nil {
		return nil, err
	}
	return encodeNode(n)
}

// encodeNode is the YAML library's text of n, with an indent of 2.
func encodeNode(n *yaml.Node) ([]byte, error) {
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// yamlNode builds the YAML tree of v from its JSON, straight from the JSON
// tokens: mappings in key order, strings as strings, numbers, booleans
// and null with the tag the YAML library's resolver gives their text, and
// block style but for empty mappings and sequences. It is what parsing the
// JSON as YAML gives, without the YAML parser: faster, and it takes every
// string JSON holds (the parser refuses C1 control characters and reads
// NEL as a line break).
func yamlNode(v any) (*yaml.Node, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var build func() (*yaml.Node, error)
	build = func() (*yaml.Node, error) {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case json.Delim:
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if t == '[' {
				n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			}
			for dec.More() {
				if n.Kind == yaml.MappingNode {
					k, err := dec.Token()
					if err != nil {
						return nil, err
					}
					n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.(string)})
				}
				c, err := build()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, c)
			}
			if _, err := dec.Token(); err != nil { // the closing delimiter
				return nil, err
			}
			if len(n.Content) == 0 {
				n.Style = yaml.FlowStyle
			}
			return n, nil
		case string:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
		}
		text := "null"
		switch t := tok.(type) {
		case json.Number:
			text = t.String()
		case bool:
			text = fmt.Sprint(t)
		}
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: text}
		n.Tag = n.ShortTag()
		return n, nil
	}
	return build()
}

// yamlItems writes leads as the items of a YAML list indented under a key,
// in blocks on every core (an emitter per block, remembering the library's
// forms of the strings it asked for).
func yamlItems(w *bufio.Writer, leads []*model.Lead) error {
	var pool sync.Pool
	return inRounds(w, len(leads), func(out []byte, from, to int) ([]byte, error) {
		e, _ := pool.Get().(*leadEmitter)
		if e == nil {
			e = &leadEmitter{}
		}
		defer pool.Put(e)
		e.b = out
		err := e.block(leads[from:to])
		return e.b, err
	})
}

// inRounds writes the text of n items, made by block a range at a time
// (appending to out) on every core, in order: rounds of a few blocks per
// core are made at once and written, so memory holds one round of text,
// not the whole list.
func inRounds(w *bufio.Writer, n int, block func(out []byte, from, to int) ([]byte, error)) error {
	const size = 256
	blocks := (n + size - 1) / size
	workers := runtime.GOMAXPROCS(0)
	// A round's buffers are the next round's: grown once, not for every
	// block (295 MB of garbage for crm lead list --format json at
	// 100,000 leads when each block started empty).
	out := make([][]byte, 4*workers)
	errs := make([]error, 4*workers)
	for first := 0; first < blocks; first += 4 * workers {
		round := min(blocks-first, 4*workers)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(workers, round) {
			wg.Go(func() {
				for {
					k := int(next.Add(1) - 1)
					if k >= round {
						return
					}
					from := (first + k) * size
					out[k], errs[k] = block(out[k][:0], from, min(n, from+size))
				}
			})
		}
		wg.Wait()
		for k := range round {
			if errs[k] != nil {
				return errs[k]
			}
			w.Write(out[k])
		}
	}
	return nil
}

// block writes leads as items of the list under "leads:"; a lead the
// emitter does not cover is written by the library.
func (e *leadEmitter) block(leads []*model.Lead) error {
	for _, l := range leads {
		mark := len(e.b)
		err := e.lead(l, 2)
		if err == nil {
			continue
		}
		if !errors.Is(err, errNotCovered) {
			return err
		}
		e.b = e.b[:mark]
		n, err := yamlNode(NewLeadJSON(l, ""))
		if err != nil {
			return err
		}
		// Under "leads:" as in the document, so that every line, and any
		// break the library indents inside a line, is where it belongs.
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{n}}
		text, err := encodeNode(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "leads"}, seq}})
		if err != nil {
			return err
		}
		text = bytes.TrimPrefix(text, []byte("leads:\n"))
		if bytes.HasSuffix(text, []byte("\n...\n")) { // the end of a document, after "|+"
			text = text[:len(text)-4]
		}
		e.b = append(e.b, text...)
	}
	return nil
}

func streamYAML(w *bufio.Writer, pipeline string, leads []*model.Lead) error {
	head, err := yamlOf(struct {
		SchemaVersion int    `json:"schema_version"`
		Pipeline      string `json:"pipeline"`
	}{SchemaVersion, pipeline})
	if err != nil {
		return err
	}
	w.Write(head)
	if len(leads) == 0 {
		_, err := w.WriteString("leads: []\n")
		return err
	}
	w.WriteString("leads:\n")
	return yamlItems(w, leads)
}
