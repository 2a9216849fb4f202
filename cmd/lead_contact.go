package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmcli/crm/fsstore"
	"github.com/crmcli/crm/model"
)

func newLeadContactCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:     "contact",
		Example: "  crm lead contact add acme \"Jane Doe <jane@acme.example>\"\n  crm lead contact rm acme jane@acme.example",
		Short:   "Add or remove a lead's contacts",
		Args:    cobra.ArbitraryArgs,
		RunE:    groupRunE,
	}
	var phone, role string
	var ev eventFlags
	add := &cobra.Command{
		Use:   "add ID \"Name <email>\"|EMAIL|NAME|PHONE",
		Short: "Add a contact to a lead (not twice: the same e-mail, or name, is the same person)",
		Example: `  crm lead contact add acme "Jane Doe <jane@acme.example>" --phone "+33 1 23 45 67 89" --role CTO
  crm lead contact add acme "+33 1 23 45 67 89"`,
		Args:              exactArgs(2, "a lead ID and a contact"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			ct, err := model.ParseContact(args[1])
			if err != nil {
				return usagef("%v", err)
			}
			if phone != "" {
				if !model.IsPhone(phone) {
					return usagef("--phone %q is not a phone number: digits, spaces, +, -, ., ( and )", phone)
				}
				ct.Phone = phone
			}
			ct.Role = strings.TrimSpace(role)
			return app.change(c, args[0], &ev, func(_ *fsstore.Store, l *model.Lead, _ model.Stamp) (model.Patch, error) {
				return model.AddContact(l, ct), nil
			}, func(_, _ *model.Lead) string {
				return "added contact " + ct.String()
			})
		},
	}
	add.Flags().StringVar(&phone, "phone", "", "the contact's phone `NUMBER`")
	add.Flags().StringVar(&role, "role", "", "the contact's role (CTO, buyer...)")
	ev.add(add)
	var rmEv eventFlags
	rm := &cobra.Command{
		Use:               "rm ID EMAIL|NAME",
		Short:             "Remove a contact from a lead, by e-mail or name (any case)",
		Example:           "  crm lead contact rm acme jane@acme.example",
		Args:              exactArgs(2, "a lead ID and the contact's e-mail or name"),
		ValidArgsFunction: app.completeIDs,
		RunE: func(c *cobra.Command, args []string) error {
			return app.change(c, args[0], &rmEv, func(_ *fsstore.Store, l *model.Lead, _ model.Stamp) (model.Patch, error) {
				return model.RemoveContact(l, args[1])
			}, func(_, _ *model.Lead) string { return fmt.Sprintf("removed contact %s", args[1]) })
		},
	}
	rmEv.add(rm)
	c.AddCommand(add, rm)
	return c
}
