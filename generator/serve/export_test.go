package serve

// SignatureHeadersForTest lets the tests compare the signed headers with
// oauth2-proxy's list.
func SignatureHeadersForTest() []string { return signatureHeaders }
