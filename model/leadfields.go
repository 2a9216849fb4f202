package model

// LeadField describes one known key of a lead file. LeadFields is the
// one table of them: the canonical key order (LeadKeys), what crm lead
// set accepts and refuses, what a history event records, and the columns
// of crm export all come from it, and TestEveryConsumerKnowsEveryField
// (fields_test.go at the root) fails when a consumer (the decoder, the
// encoder, the fast reader, the report JSON and YAML, the CSV export,
// FieldValue and SetFieldValue) misses one. The cache has its own test
// (fsstore/leadcache's TestCacheRoundTrip fills every field by reflection).
//
// A new field: its Go field in Lead, a row here, and its case in the
// decoder and encoder of package schema (the test says which consumer is
// missing it).
type LeadField struct {
	// Key is the YAML key of the file and the JSON key of the output.
	Key string
	// Go is the field of Lead that holds it.
	Go string
	// Set is how crm lead set reads a value of it ("text", "value",
	// "probability", "list", "date", "time", "id", "kind", "term"); "" when only its own command
	// changes it, which Protected names.
	Set, Protected string
	// Told says a step or status event tells its change: Record leaves it
	// out of an event's changes. The others are recorded with their value
	// before and after, and rebuilt by AsOf.
	Told bool
	// Export are its columns in crm export --format csv (ExportColumns).
	Export []string
}

// LeadFields are a lead's known keys, in canonical order. Custom keys go
// before history and activities.
var LeadFields = []LeadField{
	{Key: "id", Go: "ID", Protected: "the id is the file name; it cannot be changed", Told: true, Export: []string{"id"}},
	{Key: "title", Go: "Title", Set: "text", Export: []string{"title"}},
	{Key: "company", Go: "Company", Set: "text", Export: []string{"company"}},
	{Key: "contacts", Go: "Contacts", Protected: "edit the file (crm lead edit) or use crm lead add --contact", Export: []string{"contact_name", "contact_email", "contact_phone"}},
	{Key: "value", Go: "Value", Set: "value", Export: []string{"value"}},
	{Key: "currency", Go: "Currency", Set: "text", Export: []string{"currency"}},
	{Key: "owner", Go: "Owner", Set: "text", Export: []string{"owner"}},
	{Key: "source", Go: "Source", Set: "text", Export: []string{"source"}},
	{Key: "tags", Go: "Tags", Set: "list", Export: []string{"tags"}},
	{Key: "step", Go: "Step", Protected: "use crm lead move", Told: true, Export: []string{"step"}},
	{Key: "status", Go: "Status", Protected: "use crm lead won, lost, cancel, standby or reopen", Told: true, Export: []string{"status"}},
	{Key: "reason", Go: "Reason", Protected: "give --reason to crm lead lost or cancel", Told: true, Export: []string{"reason"}},
	{Key: "created", Go: "Created", Set: "time", Export: []string{"created"}},
	{Key: "closed", Go: "Closed", Protected: "it is set by crm lead won, lost and cancel", Told: true, Export: []string{"closed"}},
	{Key: "next_action", Go: "NextAction", Protected: "use crm lead remind", Export: []string{"next_action_date", "next_action_text"}},
	{Key: "standby_until", Go: "StandbyUntil", Protected: "use crm lead standby --until", Told: true, Export: []string{"standby_until"}},
	{Key: "expected_close", Go: "ExpectedClose", Set: "date", Export: []string{"expected_close"}},
	{Key: "probability", Go: "Probability", Set: "probability", Export: []string{"probability"}},
	{Key: "parent", Go: "Parent", Set: "id", Export: []string{"parent"}},
	{Key: "kind", Go: "Kind", Set: "kind", Export: []string{"kind"}},
	{Key: "renews_every", Go: "RenewsEvery", Set: "term", Export: []string{"renews_every"}},
	{Key: "term_end", Go: "TermEnd", Set: "date", Export: []string{"term_end"}},
	{Key: "starred", Go: "Starred", Protected: "use crm lead star or unstar", Export: []string{"starred"}},
	{Key: "priority", Go: "Priority", Set: "priority", Export: []string{"priority"}},
	{Key: "history", Go: "History", Protected: "history is appended by commands, never set", Told: true, Export: []string{"history"}},
	{Key: "activities", Go: "Activities", Protected: "use crm lead log", Told: true, Export: []string{"activities"}},
}

// LeadKeys are the known keys of a lead file, in canonical order.
var LeadKeys = func() []string {
	keys := make([]string, len(LeadFields))
	for i, f := range LeadFields {
		keys[i] = f.Key
	}
	return keys
}()

// leadField is the row of key, and whether key is a known one.
func leadField(key string) (LeadField, bool) {
	for _, f := range LeadFields {
		if f.Key == key {
			return f, true
		}
	}
	return LeadField{}, false
}

// IsLeadKey reports whether key is one of the known keys.
func IsLeadKey(key string) bool {
	_, ok := leadField(key)
	return ok
}

// told reports whether a step or status event tells the change of key.
func told(key string) bool {
	f, ok := leadField(key)
	return ok && f.Told
}
