package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

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
	for _, l := range leads {
		// A one-item list, indented under "leads:" as the whole
		// document would have it.
		b, err := yamlOf([]LeadJSON{NewLeadJSON(l, "")})
		if err != nil {
			return err
		}
		for len(b) > 0 {
			line, rest, _ := bytes.Cut(b, []byte("\n"))
			w.WriteString("  ")
			w.Write(line)
			w.WriteByte('\n')
			b = rest
		}
	}
	return nil
}
