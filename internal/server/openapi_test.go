package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"guichet/internal/app"
	"guichet/internal/storetest"
)

// TestOpenAPIDocumentMatchesRoutes checks the served OpenAPI document against the
// routes: every API route is documented, every documented operation is a route,
// and the document holds together.
func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	srv := newOpenAPITestServer(t)
	doc := fetchOpenAPI(t, srv)

	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	base := openAPIServerURL(t, doc)

	routes := map[string]bool{}
	for _, rt := range srv.Routes() {
		if rt.Method == "" || !strings.HasPrefix(rt.Path, "/api/v1/") {
			continue // the catch-all "/api/" and everything outside the API
		}
		routes[rt.Method+" "+rt.Path] = true
	}
	documented := map[string]bool{}
	operationIDs := map[string]string{}
	for path, item := range asJSONObject(t, doc["paths"], "paths") {
		for method, v := range asJSONObject(t, item, "paths."+path) {
			if !isOpenAPIMethod(method) {
				continue // parameters, summary… shared by the path's operations
			}
			key := strings.ToUpper(method) + " " + base + path
			documented[key] = true
			checkOpenAPIOperation(t, doc, key, path, asJSONObject(t, v, key), operationIDs)
		}
	}

	for _, key := range sortedOpenAPIKeys(routes) {
		if !documented[key] {
			t.Errorf("route %s is missing from the OpenAPI document", key)
		}
	}
	for _, key := range sortedOpenAPIKeys(documented) {
		if !routes[key] {
			t.Errorf("the OpenAPI document lists %s, which is no route", key)
		}
	}

	walkOpenAPIRefs(doc, func(ref string) {
		if !strings.HasPrefix(ref, "#/components/") {
			t.Errorf("$ref %q does not point into components", ref)
		} else if resolveOpenAPIRef(doc, ref) == nil {
			t.Errorf("$ref %q does not resolve", ref)
		}
	})
}

// checkOpenAPIOperation checks one operation: a unique operationId, a success answer,
// problem documents for errors, and its path parameters declared.
func checkOpenAPIOperation(t *testing.T, doc map[string]any, key, path string, op map[string]any, ids map[string]string) {
	t.Helper()
	id, _ := op["operationId"].(string)
	switch {
	case id == "":
		t.Errorf("%s has no operationId", key)
	case ids[id] != "":
		t.Errorf("%s and %s share the operationId %q", ids[id], key, id)
	default:
		ids[id] = key
	}

	success := false
	for status, resp := range asJSONObject(t, op["responses"], key+" responses") {
		if len(status) == 3 && status[0] == '2' {
			success = true
			continue
		}
		if r, ok := resolveOpenAPI(doc, resp).(map[string]any); !ok {
			t.Errorf("%s: response %s does not resolve", key, status)
		} else if content, _ := r["content"].(map[string]any); content["application/problem+json"] == nil {
			t.Errorf("%s: response %s is not an application/problem+json document", key, status)
		}
	}
	if !success {
		t.Errorf("%s has no 2xx response", key)
	}

	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		if p, ok := resolveOpenAPI(doc, p).(map[string]any); ok && p["in"] == "path" && p["required"] == true {
			declared[p["name"].(string)] = true
		}
	}
	for seg := range strings.SplitSeq(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok && !declared[strings.TrimSuffix(name, "}")] {
			t.Errorf("%s does not declare its path parameter %s as required", key, seg)
		}
	}
}

func newOpenAPITestServer(t *testing.T) *Server {
	t.Helper()
	store := storetest.OpenSQLite(t)
	svc := app.New(store, app.Options{})
	return New(Config{}, Deps{Service: svc, Sessions: store.Sessions(), DB: store.DB()})
}

// fetchOpenAPI gets the document the way a client would, anonymously.
func fetchOpenAPI(t *testing.T, srv *Server) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	return doc
}

// serverURL returns the document's one server URL, the prefix of its paths.
func openAPIServerURL(t *testing.T, doc map[string]any) string {
	t.Helper()
	servers, _ := doc["servers"].([]any)
	if len(servers) != 1 {
		t.Fatalf("servers = %v, want one", doc["servers"])
	}
	url, _ := asJSONObject(t, servers[0], "servers[0]")["url"].(string)
	if url != "/api/v1" {
		t.Fatalf("servers[0].url = %q, want /api/v1", url)
	}
	return url
}

func isOpenAPIMethod(s string) bool {
	return slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}, s)
}

func asJSONObject(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is not a JSON object: %v", what, v)
	}
	return m
}

// walkRefs calls fn with every $ref of v.
func walkOpenAPIRefs(v any, fn func(ref string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if ref, ok := x.(string); ok && k == "$ref" {
				fn(ref)
			} else {
				walkOpenAPIRefs(x, fn)
			}
		}
	case []any:
		for _, x := range v {
			walkOpenAPIRefs(x, fn)
		}
	}
}

// resolveOpenAPI follows v's $ref, if it has one: nil when it leads nowhere.
func resolveOpenAPI(doc map[string]any, v any) any {
	if m, ok := v.(map[string]any); ok {
		if ref, ok := m["$ref"].(string); ok {
			return resolveOpenAPIRef(doc, ref)
		}
	}
	return v
}

// resolveOpenAPIRef returns what a local $ref such as "#/components/schemas/User" points
// to in doc, or nil.
func resolveOpenAPIRef(doc map[string]any, ref string) any {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var at any = doc
	for _, name := range strings.Split(pointer, "/") {
		obj, ok := at.(map[string]any)
		if !ok {
			return nil
		}
		name = strings.NewReplacer("~1", "/", "~0", "~").Replace(name)
		if at, ok = obj[name]; !ok {
			return nil
		}
	}
	return at
}

func sortedOpenAPIKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
