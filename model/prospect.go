package model

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A prospect list (docs/prospects.md) is rows of suspects, not leads: a
// trade fair's visitors, a purchased file, a partner's export. Each row
// keeps the list's own columns as they came, and crm's own columns at the
// end: its id, status, owner, the lead it became, a note, when it last
// changed. Only a qualified row is promoted to a lead.

// ProspectColumns are crm's own columns of a prospect list, last, in order.
var ProspectColumns = []string{"id", "status", "owner", "lead", "note", "updated"}

// The statuses of a prospect row.
const (
	ProspectNew       = "new"
	ProspectContacted = "contacted"
	ProspectQualified = "qualified"
	ProspectRejected  = "rejected"
	ProspectPromoted  = "promoted"
)

// ProspectStatuses are the statuses of a row, in the order of the work.
var ProspectStatuses = []string{ProspectNew, ProspectContacted, ProspectQualified, ProspectRejected, ProspectPromoted}

// ParseProspectStatus reads a row's status, in any case.
func ParseProspectStatus(s string) (string, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	if slices.Contains(ProspectStatuses, k) {
		return k, nil
	}
	return "", fmt.Errorf("unknown prospect status %s: use one of %s", Excerpt(s), strings.Join(ProspectStatuses, ", "))
}

// ProspectList is one list: its name (prospects/NAME.csv), its own
// columns, and its rows in file order.
type ProspectList struct {
	Name    string
	Columns []string
	Rows    []*ProspectRow
}

// ProspectRow is one row. Own are its cells of the list's own columns;
// Raw, when set, is their text exactly as the file holds it (kept byte for
// byte when crm changes its own columns).
type ProspectRow struct {
	Line    int
	Own     []string
	Raw     string
	ID      string
	Status  string
	Owner   string
	Lead    string
	Note    string
	Updated string
	// Text is the row's line as read, and Read its crm cells as read: a
	// row whose crm cells are still these is written back as its line.
	Text string
	Read []string
}

// Unchanged reports whether the row's crm cells are still those it was
// read with (a row read from a file).
func (r *ProspectRow) Unchanged() bool {
	c := r.Read
	return r.Text != "" && len(c) == 6 && c[0] == r.ID && c[1] == r.Status && c[2] == r.Owner && c[3] == r.Lead && c[4] == r.Note && c[5] == r.Updated
}

// Crm is the row's cells of crm's own columns, in ProspectColumns order.
func (r *ProspectRow) Crm() []string {
	return []string{r.ID, r.Status, r.Owner, r.Lead, r.Note, r.Updated}
}

// SetCrm sets the row's crm columns from cells in ProspectColumns order.
func (r *ProspectRow) SetCrm(c []string) {
	r.ID, r.Status, r.Owner, r.Lead, r.Note, r.Updated = c[0], c[1], c[2], c[3], c[4], c[5]
}

// ValidListName is the rule of a list's name: its file is
// prospects/NAME.csv, so a name is an id-like word (fair-2026, partner_x).
func ValidListName(name string) error {
	if !IsID(name) {
		return fmt.Errorf("invalid list name %s: use lower-case letters, digits, '-', '_' and '.' (the file is prospects/NAME.csv)", Excerpt(name))
	}
	return nil
}

var rowIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ProspectRowID is the id of a row: from the list's name and the row's
// cells, the n-th row with the same cells taking n; the same file
// imported on two clones gives the same ids.
func ProspectRowID(list string, own []string, n int) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d", list, n)
	for _, c := range own {
		h.Write([]byte{0})
		h.Write([]byte(c))
	}
	return rowIDEncoding.EncodeToString(h.Sum(nil))[:8]
}

// Row finds a row by its id, a unique prefix of its id, or @LINE (its
// line in the file).
func (l *ProspectList) Row(ref string) (*ProspectRow, error) {
	ref = strings.TrimSpace(ref)
	if n, ok := strings.CutPrefix(ref, "@"); ok {
		line, err := strconv.Atoi(n)
		if err != nil {
			return nil, fmt.Errorf("invalid row %s: @ takes a line number (@42)", Excerpt(ref))
		}
		for _, r := range l.Rows {
			if r.Line == line {
				return r, nil
			}
		}
		return nil, fmt.Errorf("no row at line %d of list %s (its rows are on lines 2 to %d)", line, l.Name, len(l.Rows)+1)
	}
	var found []*ProspectRow
	for _, r := range l.Rows {
		if r.ID == ref {
			return r, nil
		}
		if ref != "" && strings.HasPrefix(r.ID, ref) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no row %s in list %s: name a row by its id, a prefix of it, or @LINE (crm prospects list %s)", Excerpt(ref), l.Name, l.Name)
	case 1:
		return found[0], nil
	}
	ids := make([]string, 0, 3)
	for _, r := range found[:min(3, len(found))] {
		ids = append(ids, r.ID)
	}
	return nil, fmt.Errorf("row %s of list %s is ambiguous: it starts %d ids (%s...); give more of it", Excerpt(ref), l.Name, len(found), strings.Join(ids, ", "))
}

// RowsOf resolves refs, each once, in the order given.
func (l *ProspectList) RowsOf(refs []string) ([]*ProspectRow, error) {
	var out []*ProspectRow
	seen := map[*ProspectRow]bool{}
	for _, ref := range refs {
		r, err := l.Row(ref)
		if err != nil {
			return nil, err
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// stamp is a row's updated column: the time of its last change, in UTC
// (so that the text orders the times).
func stamp(at time.Time) string { return FormatTime(at.UTC()) }

// MarkProspect sets the status of r (contacted, qualified or rejected;
// promoted only through PromoteProspect), with a note when given.
func MarkProspect(r *ProspectRow, status, note string, at time.Time) error {
	st, err := ParseProspectStatus(status)
	if err != nil {
		return err
	}
	switch {
	case st == ProspectPromoted:
		return fmt.Errorf("a row is promoted by crm prospects promote, which makes its lead")
	case st == ProspectNew && r.Status != ProspectNew:
		// Back to new is allowed: a row marked by mistake.
	case r.Status == ProspectPromoted:
		return fmt.Errorf("row %s is promoted (lead %s): its work goes on in the lead", r.ID, r.Lead)
	}
	if r.Status == st && (note == "" || note == r.Note) {
		return nil
	}
	r.Status = st
	if note != "" {
		r.Note = note
	}
	r.Updated = stamp(at)
	return nil
}

// AssignProspect gives r to owner.
func AssignProspect(r *ProspectRow, owner string, at time.Time) {
	if r.Owner != owner {
		r.Owner, r.Updated = owner, stamp(at)
	}
}

// SplitProspects deals rows out to owners in turn, in row order: each
// owner gets the same number, give or take one.
func SplitProspects(rows []*ProspectRow, owners []string, at time.Time) map[string]int {
	got := map[string]int{}
	for i, r := range rows {
		o := owners[i%len(owners)]
		AssignProspect(r, o, at)
		got[o]++
	}
	return got
}

// CheckList returns the problems of a list's rows: an unknown status, a
// promoted row without its lead, a lead on a row not promoted, two rows
// with one id. lead says whether a lead id exists (nil: not checked).
func (l *ProspectList) Check(leadExists func(string) bool) []RowProblem {
	var out []RowProblem
	seen := make(map[string]int, len(l.Rows))
	for _, r := range l.Rows {
		add := func(col, format string, a ...any) {
			out = append(out, RowProblem{Line: r.Line, Column: col, Message: fmt.Sprintf(format, a...)})
		}
		switch {
		case r.ID == "":
			add("id", "the row has no id: crm prospects import gives every row one")
		case seen[r.ID] > 0:
			add("id", "id %s is also the id of the row on line %d: ids are unique in a list", r.ID, seen[r.ID])
		default:
			seen[r.ID] = r.Line
		}
		if _, err := ParseProspectStatus(r.Status); err != nil {
			add("status", "%v", err)
		}
		switch {
		case r.Status == ProspectPromoted && r.Lead == "":
			add("lead", "the row is promoted but names no lead: give the lead's id")
		case r.Status != ProspectPromoted && r.Lead != "":
			add("lead", "the row names lead %s but is %s: a row with a lead is promoted", r.Lead, r.Status)
		case r.Lead != "" && !IsID(r.Lead):
			add("lead", "lead %s is not a lead id", Excerpt(r.Lead))
		case r.Lead != "" && leadExists != nil && !leadExists(r.Lead):
			add("lead", "lead %s is not a lead of this pipeline (removed?)", r.Lead)
		}
		if r.Updated != "" {
			if _, err := ParseTime(r.Updated, time.UTC); err != nil {
				add("updated", "updated %s is not a time: %v", Excerpt(r.Updated), err)
			}
		}
	}
	return out
}

// CheckChanged is Check of the rows a command changed or added (those
// not Unchanged) of a list whose rows passed Check when read: what a
// change would write, checked without going over 100,000 rows again.
func (l *ProspectList) CheckChanged() []RowProblem {
	changed := &ProspectList{Name: l.Name}
	ids := map[string]int{}
	for _, r := range l.Rows {
		if !r.Unchanged() {
			changed.Rows = append(changed.Rows, r)
			ids[r.ID] = 0
		}
	}
	if len(changed.Rows) == 0 {
		return nil
	}
	out := changed.Check(nil)
	// A changed row's id against every other row's.
	for _, r := range l.Rows {
		if _, ok := ids[r.ID]; ok {
			if ids[r.ID]++; ids[r.ID] == 2 && r.Unchanged() {
				out = append(out, RowProblem{Line: r.Line, Column: "id", Message: fmt.Sprintf("id %s is the id of another row: ids are unique in a list", r.ID)})
			}
		}
	}
	return out
}

// RowProblem is a problem of one row of a list.
type RowProblem struct {
	Line    int
	Column  string
	Message string
}

// ProspectFigures are the figures of one list (crm prospects report).
type ProspectFigures struct {
	List                                                string
	Rows, New, Contacted, Qualified, Rejected, Promoted int
	// Won is how many promoted rows' leads are won, WonValue their value
	// by currency.
	Won      int
	WonValue map[string]float64
}

// FiguresOf counts a list's rows by status and its promoted rows' leads
// won (leads by id).
func FiguresOf(l *ProspectList, leads map[string]*Lead) ProspectFigures {
	f := ProspectFigures{List: l.Name, Rows: len(l.Rows), WonValue: map[string]float64{}}
	for _, r := range l.Rows {
		switch r.Status {
		case ProspectNew:
			f.New++
		case ProspectContacted:
			f.Contacted++
		case ProspectQualified:
			f.Qualified++
		case ProspectRejected:
			f.Rejected++
		case ProspectPromoted:
			f.Promoted++
			if ld := leads[r.Lead]; ld != nil && ld.Status == Won {
				f.Won++
				if ld.Value != nil {
					f.WonValue[ld.Currency] += *ld.Value
				}
			}
		}
	}
	return f
}

// AddProspects appends rows (cells of the list's own columns) as new
// rows, each with its id, status new and the time at, skipping a row the
// list already has: same is its key of "the same prospect" ("" for a row
// that is never a duplicate). It returns how many were added and skipped.
func AddProspects(l *ProspectList, rows [][]string, same func([]string) string, at time.Time) (added, skipped int) {
	keys, ids, cells := map[string]bool{}, map[string]bool{}, map[string]int{}
	for _, r := range l.Rows {
		if k := same(r.Own); k != "" {
			keys[k] = true
		}
		ids[r.ID] = true
		cells[strings.Join(r.Own, "\x00")]++
	}
	line := len(l.Rows) + 1
	if len(l.Rows) > 0 {
		line = l.Rows[len(l.Rows)-1].Line
	}
	for _, own := range rows {
		if k := same(own); k != "" {
			if keys[k] {
				skipped++
				continue
			}
			keys[k] = true
		}
		// The n-th row of the same cells has the n-th id of them, the one
		// two clones importing the same file agree on.
		c := strings.Join(own, "\x00")
		id := ProspectRowID(l.Name, own, cells[c])
		for ids[id] {
			cells[c]++
			id = ProspectRowID(l.Name, own, cells[c])
		}
		cells[c]++
		ids[id] = true
		line++
		l.Rows = append(l.Rows, &ProspectRow{Line: line, Own: own, ID: id, Status: ProspectNew, Updated: stamp(at)})
		added++
	}
	return added, skipped
}

// ProspectCount is how many rows of a list an owner has, of one status.
type ProspectCount struct {
	Owner, List string
	Rows        int
}

// NewProspects counts, per owner and list, the rows still new (owner ""
// for the rows of no one), by owner then list.
func NewProspects(lists []*ProspectList) []ProspectCount {
	var out []ProspectCount
	for _, l := range lists {
		by := map[string]int{}
		for _, r := range l.Rows {
			if r.Status == ProspectNew {
				by[r.Owner]++
			}
		}
		for o, n := range by {
			out = append(out, ProspectCount{Owner: o, List: l.Name, Rows: n})
		}
	}
	slices.SortFunc(out, func(a, b ProspectCount) int {
		if a.Owner != b.Owner {
			if a.Owner == "" || b.Owner == "" {
				return strings.Compare(b.Owner, a.Owner) // no one's last
			}
			return strings.Compare(a.Owner, b.Owner)
		}
		return strings.Compare(a.List, b.List)
	})
	return out
}
