// Command startfloor is the start-up floor of scripts/bench-scale.sh: a Go
// program built as crm is (go build, same toolchain) that prints one line
// and exits. crm --version is compared with it.
package main

import "fmt"

func main() { fmt.Println("crm version floor") }
