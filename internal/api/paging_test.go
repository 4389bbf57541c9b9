package api

import (
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/internal/domain"
)

func TestPageOfWalksAShortList(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	var got []int
	cursor := ""
	for pages := 0; ; pages++ {
		r := httptest.NewRequest("GET", "/x?limit=2&cursor="+cursor, nil)
		p, err := pageOf(r, items)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Items...)
		if p.NextCursor == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
		cursor = p.NextCursor
	}
	if diff := cmp.Diff(items, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

func TestPageOfRefusesABadCursor(t *testing.T) {
	for _, c := range []string{"bm9wZQ", "!!", "bzotMQ"} { // "nope", not base64, "o:-1"
		_, err := pageOf(httptest.NewRequest("GET", "/x?cursor="+c, nil), []int{1})
		if domain.ErrorCode(err) != domain.CodeBadRequest {
			t.Errorf("cursor %q: %v, want bad_request", c, err)
		}
	}
}
