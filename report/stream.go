package report

import (
	"bufio"
	"bytes"
	"encoding/json"
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
	name, err := marshalJSON(pipeline)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "{\n  \"schema_version\": %d,\n  \"pipeline\": %s,\n  \"leads\": [", SchemaVersion, name)
	if len(leads) == 0 {
		_, err := w.WriteString("]\n}\n")
		return err
	}
	var ind bytes.Buffer
	for i, l := range leads {
		b, err := marshalJSON(NewLeadJSON(l, ""))
		if err != nil {
			return err
		}
		ind.Reset()
		if err := json.Indent(&ind, b, "    ", "  "); err != nil {
			return err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n    ")
		w.Write(ind.Bytes())
	}
	_, err = w.WriteString("\n  ]\n}\n")
	return err
}

// yamlOf is v as crm's YAML output shows it: through JSON (the same keys,
// order and shapes), in block style.
func yamlOf(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return nil, err
	}
	blockStyle(&n)
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// yamlNode builds the YAML tree of v as yamlOf would get it by parsing v's
// JSON, straight from the JSON tokens (parsing YAML is most of yamlOf's
// time): mappings in key order, strings as strings, numbers, booleans and
// null with the tag the YAML library's resolver gives their text.
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
// a block of leads per encoder, the blocks encoded on every core and
// written in order.
func yamlItems(w *bufio.Writer, leads []*model.Lead) error {
	const block = 256
	blocks := (len(leads) + block - 1) / block
	workers := runtime.GOMAXPROCS(0)
	// Rounds of a few blocks per core: encoded at once, written in order,
	// so memory holds one round of text, not the whole list.
	for first := 0; first < blocks; first += 4 * workers {
		round := min(blocks-first, 4*workers)
		out := make([][]byte, round)
		errs := make([]error, round)
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(workers, round) {
			wg.Go(func() {
				for {
					k := int(next.Add(1) - 1)
					if k >= round {
						return
					}
					out[k], errs[k] = yamlBlock(leads[(first+k)*block : min(len(leads), (first+k+1)*block)])
				}
			})
		}
		wg.Wait()
		for k := range out {
			if errs[k] != nil {
				return errs[k]
			}
			for b := out[k]; len(b) > 0; {
				line, rest, _ := bytes.Cut(b, []byte("\n"))
				w.WriteString("  ")
				w.Write(line)
				w.WriteByte('\n')
				b = rest
			}
		}
	}
	return nil
}

// yamlBlock is leads as a YAML list, in one encoder.
func yamlBlock(leads []*model.Lead) ([]byte, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, l := range leads {
		n, err := yamlNode(NewLeadJSON(l, ""))
		if err != nil {
			return nil, err
		}
		seq.Content = append(seq.Content, n)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(seq); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
