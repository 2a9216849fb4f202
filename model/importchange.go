package model

import (
	"fmt"
	"reflect"
)

// ImportChange is the patch that brings an existing lead in line with the
// same lead read again from an import: the fields the import gives that
// differ, then a step and a status change recorded as events (at the
// row's closed time for a close, else at the import's time).
func ImportChange(cur, in *Lead, pl *Pipeline, s Stamp) (Patch, error) {
	var out Patch
	set := func(key string, differs bool, v any) {
		if differs {
			out.Set = append(out.Set, Field{key, v})
		}
	}
	set("title", in.Title != "" && in.Title != cur.Title, in.Title)
	set("company", in.Company != "" && in.Company != cur.Company, in.Company)
	if in.Value != nil && (cur.Value == nil || *cur.Value != *in.Value) {
		out.Set = append(out.Set, Field{"value", *in.Value})
	}
	set("currency", in.Currency != "" && in.Currency != cur.Currency, in.Currency)
	set("owner", in.Owner != "" && in.Owner != cur.Owner, in.Owner)
	set("source", in.Source != "" && in.Source != cur.Source, in.Source)
	set("tags", len(in.Tags) > 0 && !reflect.DeepEqual(in.Tags, cur.Tags), in.Tags)
	set("contacts", len(in.Contacts) > 0 && len(cur.Contacts) == 0, in.Contacts)
	set("expected_close", !in.ExpectedClose.IsZero() && in.ExpectedClose != cur.ExpectedClose, in.ExpectedClose)
	if in.Probability != nil && (cur.Probability == nil || *cur.Probability != *in.Probability) {
		out.Set = append(out.Set, Field{"probability", *in.Probability})
	}
	set("parent", in.Parent != "" && in.Parent != cur.Parent, in.Parent)
	set("kind", in.Kind != "" && in.Kind != cur.Kind, in.Kind)
	set("renews_every", in.RenewsEvery != 0 && in.RenewsEvery != cur.RenewsEvery, in.RenewsEvery)
	set("term_end", !in.TermEnd.IsZero() && in.TermEnd != cur.TermEnd, in.TermEnd)
	set("starred", in.Starred && !cur.Starred, true)
	set("priority", in.Priority != NoPriority && in.Priority != cur.Priority, in.Priority.String())
	for _, f := range in.Fields {
		if v, _ := cur.Fields.Get(f.Key); fmt.Sprint(v) != fmt.Sprint(f.Value) {
			out.Set = append(out.Set, f)
		}
	}
	at := s
	if in.Status.Closed() && !in.Closed.IsZero() {
		at.At = in.Closed.Time()
	}
	work := *cur
	merge := func(p Patch) {
		out.Set = append(out.Set, p.Set...)
		out.Unset = append(out.Unset, p.Unset...)
		out.Events = append(out.Events, p.Events...)
		work.History = append(append([]Event(nil), work.History...), p.Events...)
	}
	if cur.Status.Closed() && in.Status != cur.Status {
		p, err := Reopen(&work, s)
		if err != nil {
			return Patch{}, err
		}
		merge(p)
		work.Status = Todo
	}
	if NormalizeStep(in.Step) != NormalizeStep(cur.Step) {
		if work.Status.Closed() {
			return Patch{}, fmt.Errorf("the lead is %s at step %s; the file says step %s: reopen it first", cur.Status, cur.Step, in.Step)
		}
		p, err := Move(&work, pl, in.Step, at)
		if err != nil {
			return Patch{}, err
		}
		merge(p)
	}
	if in.Status != work.Status {
		var p Patch
		var err error
		switch in.Status {
		case Won:
			p, err = Win(&work, nil, at)
		case Lost:
			p, err = closeOnImport(&work, Lost, in.Reason, at)
		case Cancelled:
			p, err = Cancel(&work, in.Reason, at)
		case Standby:
			p, err = PutOnStandby(&work, in.StandbyUntil, at)
		case Todo:
			p, err = Reopen(&work, at)
		}
		if err != nil {
			return Patch{}, err
		}
		merge(p)
	}
	return out, nil
}

// closeOnImport loses a lead without the pipeline's reason rules: the
// other system decided, crm records it.
func closeOnImport(l *Lead, st Status, reason string, s Stamp) (Patch, error) {
	if err := requireOpen(l, "lose"); err != nil {
		return Patch{}, err
	}
	if err := CheckOrder(l, s); err != nil {
		return Patch{}, err
	}
	return closeWith(st, reason, s), nil
}
