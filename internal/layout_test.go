package internal_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// allowed says which of Guichet's own packages each package may import: imports
// point inward, from the edges (server, api, web, sqlstore) to the use cases (app),
// to the domain (desk), to business time (bizcal).
var allowed = map[string][]string{
	"bizcal":    {},
	"markdown":  {},
	"desk":      {"bizcal"},
	"app":       {"desk", "bizcal"},
	"sqlstore":  {"app", "desk", "bizcal"},
	"storetest": {"sqlstore", "app", "desk", "bizcal"},
	"demo":      {"app", "desk", "bizcal"},
	"jobs":      {"app", "desk", "bizcal"},
	"mail":      {"app", "desk", "bizcal"},
	"api":       {"app", "desk", "bizcal", "markdown"},
	"web":       {"api", "app", "desk", "bizcal", "markdown"},
	"server":    {"api", "web", "app", "desk", "bizcal", "markdown"},
	"loadtest":  {"sqlstore"}, // speaks HTTP to a running server; opens the database only for its raw rate
	"transfer":  {"app", "desk", "bizcal"},
}

// forbiddenInDomain are standard packages the pure layers must not reach for.
var forbiddenInDomain = []string{"database/sql", "net/http", "net/smtp", "os/exec"}

func TestImportDirection(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		pkg := e.Name()
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package internal/%s has no entry in the import rules of layout_test.go", pkg)
			continue
		}
		files, _ := filepath.Glob(filepath.Join(pkg, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				if own, isOwn := strings.CutPrefix(path, "guichet/internal/"); isOwn {
					if !slices.Contains(ok, strings.Split(own, "/")[0]) {
						t.Errorf("%s imports %s: internal/%s may import only %v", f, path, pkg, ok)
					}
				}
				if path == "guichet/cmd" || strings.HasPrefix(path, "guichet/cmd/") {
					t.Errorf("%s imports the command %s", f, path)
				}
				if (pkg == "desk" || pkg == "bizcal" || pkg == "app") && slices.Contains(forbiddenInDomain, path) {
					t.Errorf("%s imports %s: internal/%s speaks neither SQL nor HTTP", f, path, pkg)
				}
			}
		}
	}
}
