package search

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
)

// AnswerJSON answers a URL query string ("q=iso&standard=iso-27001") with
// the JSON of the Result, or of {"error": message}, and the HTTP status that
// goes with it. The browser engine and the server both answer through it,
// so their bytes are the same.
func AnswerJSON(ctx context.Context, idx *Index, rawQuery string) ([]byte, int) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil && len(values) == 0 {
		return errorJSON("The search address could not be read: " + err.Error()), statusBadRequest
	}
	res, err := RunContext(ctx, idx, ParseValues(values))
	if err != nil {
		var ie *InputError
		switch {
		case errors.As(err, &ie):
			return errorJSON(ie.Message), statusBadRequest
		case errors.Is(err, context.DeadlineExceeded):
			return errorJSON("The search took too long; try fewer or longer words."), statusServiceUnavailable
		default:
			return errorJSON(err.Error()), statusInternalServerError
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return errorJSON(err.Error()), statusInternalServerError
	}
	return b, statusOK
}

func errorJSON(msg string) []byte {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return b
}
