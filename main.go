// Command crm is a sales pipeline CRM over plain YAML files in a git repository.
package main

import (
	"os"

	"github.com/crmcli/crm/cmd"
)

func main() {
	os.Exit(cmd.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
