package sqlstore

import (
	"strconv"
	"testing"
)

func TestCommonTitles(t *testing.T) {
	var c commonTitles
	if c.has("export") {
		t.Fatal("an empty set holds export")
	}
	c.add("Export")
	if !c.has("export") || !c.has("EXPORT") {
		t.Error("export is not found whatever its case")
	}
	if c.has("import") {
		t.Error("import was never added")
	}
	for i := range maxCommonTitles {
		c.add("word" + strconv.Itoa(i))
	}
	if len(c.texts) > maxCommonTitles {
		t.Errorf("%d texts kept, more than %d", len(c.texts), maxCommonTitles)
	}
	if c.has("export") {
		t.Error("export is still there after the set filled and started again")
	}
}
