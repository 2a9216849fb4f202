package exchange

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/crmcli/crm/model"
)

// IDKey is what a row's reproducible id is made from: its id in the other
// system, or its line and title.
func (r *ImportRow) IDKey() string {
	if r.ExtID != "" {
		return r.ExtID
	}
	return fmt.Sprintf("line %d: %s", r.Line, r.Title)
}

// maxIDTries is how many ids a row tries before it gives up: each try
// collides with the odds of one in 33 million.
const maxIDTries = 8

// ownID is the reproducible id of row r: the first of its candidates
// (its key, then its key with a count) that free says it may have, and
// the place of the lead of that id when one exists (-1 for a new one).
// Every clone and every run tries the same candidates in the same order,
// so they agree on the ids.
func ownID(r *ImportRow, pipeline string, free func(id string) (int, bool)) (string, int, error) {
	for n := range maxIDTries {
		key := r.IDKey()
		if n > 0 {
			key = fmt.Sprintf("%s\x00%d", key, n)
		}
		id, err := model.ReproducibleID(pipeline, key, r.Title)
		if err != nil {
			return "", -1, err
		}
		if k, ok := free(id); ok {
			return id, k, nil
		}
	}
	return "", -1, fmt.Errorf("no free id after %d tries: give the rows an id column", maxIDTries)
}

// ImportAction is what happens to one row: the lead it updates (Match),
// or, when Match is "", a new lead with the id ID.
type ImportAction struct {
	Row   *ImportRow
	Match string
	ID    string
	// Lead is the matched lead as it was read (nil for a new one): what
	// the row would change in it is known before its file is touched.
	Lead *model.Lead
	// By is what matched the row to Lead: MatchID, MatchEmail or
	// MatchTitle.
	By string
}

// What matched a row to a lead: its id (crm's own, from an earlier
// import, or the other system's), its contact's e-mail, or its title.
const (
	MatchID    = "id"
	MatchEmail = "e-mail"
	MatchTitle = "title"
)

// PlanImport matches rows to the leads of an earlier import. A row's own
// reproducible id is its match when that lead exists (so an import resumed
// after a crash, or run three times at once, converges on the same leads);
// otherwise its id in the other system, its contact's e-mail or its title
// (model.Index.MatchImport). Two rows of one file never match one lead:
// a lead another row claimed is no match, and the row makes its own.
// Rows that match several leads are skipped with the reason.
func PlanImport(rows []ImportRow, existing []*model.Lead, pipeline string) (actions []ImportAction, skipped []*ImportRow) {
	ix := model.NewIndex(existing)
	// The leads by id: a binary search over them in id order (as a load
	// gives them), and which ones a row claimed by their place, rather
	// than two maps of every lead (docs/performance.md, "Measured reasons in the code").
	byID := existing
	if !slices.IsSortedFunc(byID, model.CompareIDs) {
		byID = slices.SortedStableFunc(slices.Values(existing), model.CompareIDs)
	}
	find := func(id string) int {
		if k, ok := slices.BinarySearchFunc(byID, id, func(l *model.Lead, id string) int { return strings.Compare(l.ID, id) }); ok {
			return k
		}
		return -1
	}
	claimed := make([]bool, len(byID))
	planned := make([]ImportAction, len(rows))
	// The ids new rows take: two rows whose ids collide (a 5-letter
	// suffix: at 100,000 rows of 600 titles, one pair in four runs) must
	// not make one lead, the second written over the first.
	taken := map[string]struct{}{}
	// First the rows whose own lead exists: they claim it.
	for i := range rows {
		r := &rows[i]
		if r.Err != nil {
			continue
		}
		id, k, err := ownID(r, pipeline, func(id string) (int, bool) {
			if _, dup := taken[id]; dup {
				return -1, false
			}
			k := find(id)
			if k < 0 {
				return -1, true
			}
			// The row's own lead has its id from the other system; a lead
			// of another row whose id collides is not it.
			return k, !claimed[k] && model.ImportID(byID[k]) == r.ExtID
		})
		if err != nil {
			r.Err = err
			continue
		}
		planned[i] = ImportAction{Row: r, ID: id}
		if k >= 0 {
			// The lead's own id, and the one just made is let go
			// (docs/performance.md, "Measured reasons in the code").
			id = byID[k].ID
			planned[i].ID, planned[i].Match, planned[i].Lead, planned[i].By = id, id, byID[k], MatchID
			claimed[k] = true
		} else {
			taken[id] = struct{}{}
		}
	}
	// Then the others, by what the other system knows of them. The
	// actions are the planned rows kept, in place (the k-th action is
	// written over a row already looked at).
	actions = planned[:0]
	for i := range rows {
		r, a := &rows[i], &planned[i]
		if r.Err != nil {
			skipped = append(skipped, r)
			continue
		}
		if a.Match == "" {
			var free []string
			for _, id := range ix.MatchImport(r.ExtID, r.Email, r.Title) {
				if k := find(id); k >= 0 && !claimed[k] {
					free = append(free, id)
				}
			}
			if len(free) > 1 {
				r.Err = fmt.Errorf("matches %d leads (%s): keep one, or give the rows an id column", len(free), strings.Join(free, ", "))
				skipped = append(skipped, r)
				continue
			}
			if len(free) == 1 {
				k := find(free[0])
				a.Match, a.Lead = free[0], byID[k]
				claimed[k] = true
				// The order model.Index.MatchImport looks in.
				switch {
				case r.ExtID != "":
					a.By = MatchID
				case r.Email != "":
					a.By = MatchEmail
				default:
					a.By = MatchTitle
				}
			}
		}
		actions = append(actions, *a)
	}
	return actions, skipped
}

// ParentIDs says which lead a row's parent names: a lead of the pipeline
// by its id, else the lead a row of this import makes or updates (the
// parent column of crm export names the exporting pipeline's id, which
// the import keeps as import_id), else the one lead an earlier import
// made from that id. Anything else is kept as written (crm check then
// names it). The tables are built the first time a row has a parent; the
// function is safe for the import's workers to call at once.
func ParentIDs(actions []ImportAction, existing []*model.Lead) func(parent string) string {
	var once sync.Once
	var ids map[string]bool
	var own, earlier map[string]string
	return func(parent string) string {
		once.Do(func() {
			ids, own, earlier = map[string]bool{}, map[string]string{}, map[string]string{}
			for _, l := range existing {
				ids[l.ID] = true
				if x := model.ImportID(l); x != "" {
					if _, dup := earlier[x]; dup {
						earlier[x] = "" // two leads: no one answer
					} else {
						earlier[x] = l.ID
					}
				}
			}
			for _, a := range actions {
				if a.Row.ExtID == "" {
					continue
				}
				if a.Match != "" {
					own[a.Row.ExtID] = a.Match
				} else {
					own[a.Row.ExtID] = a.ID
				}
			}
		})
		if ids[parent] {
			return parent
		}
		if id, ok := own[parent]; ok {
			return id
		}
		if id := earlier[parent]; id != "" {
			return id
		}
		return parent
	}
}
