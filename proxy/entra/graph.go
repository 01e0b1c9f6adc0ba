package entra

// The Microsoft Graph v1.0 endpoints `stp access` uses, served from the same
// Store as the sign-in side, shaped like Graph's: the same paths, bodies,
// status codes and error bodies ({"error": {"code", "message",
// "innerError"}}), paging with @odata.nextLink, and 429 with Retry-After
// when asked to throttle.
//
//	GET    /v1.0/users/{id | userPrincipalName}
//	GET    /v1.0/users?$filter=mail eq '…' or userPrincipalName eq '…' or id eq '…'
//	       or otherMails/any(x:x eq '…') or proxyAddresses/any(x:x eq 'smtp:…') or id in ('…', …)
//	GET    /v1.0/servicePrincipals/{id}
//	GET    /v1.0/servicePrincipals/{id}/appRoleAssignedTo
//	POST   /v1.0/servicePrincipals/{id}/appRoleAssignedTo   {principalId, resourceId, appRoleId}
//	DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}
//
// Every request needs a bearer token the stand-in issued for Graph, and the
// application permissions Graph asks for that request.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultGraphPageSize is how many assignments the stand-in returns per
// page. Graph returns up to 100; the stand-in returns very few, so that
// every client of it has to follow @odata.nextLink.
const DefaultGraphPageSize = 2

// graphState is the Graph side's switches. It is guarded by Provider.mu.
type graphState struct {
	pageSize   int
	throttle   int           // answer this many more requests with 429
	retryAfter time.Duration // the Retry-After of those answers
	requests   int           // Graph requests served, throttled ones included
}

// WithGraphPageSize sets how many items a Graph list returns per page.
func WithGraphPageSize(n int) ProviderOption {
	return func(p *Provider) { p.graph.pageSize = max(n, 1) }
}

// ThrottleGraph makes the next n Graph requests answer 429 Too Many
// Requests with Retry-After, as Graph does when a client is throttled.
func (p *Provider) ThrottleGraph(n int, retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.graph.throttle, p.graph.retryAfter = n, retryAfter
}

// GraphRequests returns how many Graph requests the stand-in has answered.
func (p *Provider) GraphRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.graph.requests
}

// graphCaller is who a Graph request comes from, read from its token.
type graphCaller struct {
	tenantID    string
	permissions []string
}

func (c graphCaller) holdsAny(perms ...string) bool {
	return slices.ContainsFunc(perms, func(p string) bool { return slices.Contains(c.permissions, p) })
}

// Permissions that also allow reading users, or service principals and
// their assignments, besides the least privileged one.
var (
	userReaders = []string{PermUserRead, "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	// basicUserReaders may read only users' basic profiles (delegated).
	basicUserReaders = []string{"User.ReadBasic.All"}
	appReaders       = []string{PermApplicationRead, "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
)

func (p *Provider) serveGraph(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("request-id", StableGUID(randomToken()))
	if id := r.Header.Get("client-request-id"); id != "" {
		w.Header().Set("client-request-id", id)
	}
	caller, ok := p.graphAuth(w, r)
	if !ok {
		return
	}

	p.mu.Lock()
	p.graph.requests++
	throttled, retryAfter, pageSize := p.graph.throttle > 0, p.graph.retryAfter, p.graph.pageSize
	if throttled {
		p.graph.throttle--
	}
	p.mu.Unlock()
	if throttled {
		secs := int(math.Ceil(retryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		graphError(w, r, http.StatusTooManyRequests, "TooManyRequests",
			fmt.Sprintf("Too many requests. Retry after %d seconds.", secs))
		return
	}

	segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1.0/"), "/")
	switch {
	case len(segs) == 1 && segs[0] == "users":
		p.graphListUsers(w, r, caller)
	case len(segs) == 2 && segs[0] == "users":
		p.graphUser(w, r, caller, segs[1])
	case len(segs) == 2 && segs[0] == "servicePrincipals":
		p.graphServicePrincipal(w, r, caller, segs[1])
	case len(segs) == 3 && segs[0] == "servicePrincipals" && segs[2] == "appRoleAssignedTo":
		switch r.Method {
		case http.MethodGet:
			p.graphListAssignments(w, r, caller, segs[1], pageSize)
		case http.MethodPost:
			p.graphAssign(w, r, caller, segs[1])
		default:
			methodNotAllowed(w, r)
		}
	case len(segs) == 4 && segs[0] == "servicePrincipals" && segs[2] == "appRoleAssignedTo":
		if r.Method != http.MethodDelete {
			methodNotAllowed(w, r)
			return
		}
		p.graphUnassign(w, r, caller, segs[1], segs[3])
	default:
		graphError(w, r, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("Resource not found for the segment '%s'.", segs[len(segs)-1]))
	}
}

// graphAuth checks the bearer token: issued by this stand-in, for Graph,
// and not expired. It answers 401 itself when the token is not good.
func (p *Provider) graphAuth(w http.ResponseWriter, r *http.Request) (graphCaller, bool) {
	fail := func(msg string) (graphCaller, bool) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+p.baseURL+`/common/oauth2/authorize", client_id="`+graphAudience+`"`)
		graphError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return graphCaller{}, false
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return fail("Access token is empty.")
	}
	claims, err := p.key.verify(strings.TrimSpace(token))
	if err != nil {
		return fail("Access token validation failure. Invalid signature.")
	}
	if aud, _ := claims["aud"].(string); aud != graphResource && aud != graphAudience {
		return fail("Access token validation failure. Invalid audience.")
	}
	exp, _ := claims["exp"].(float64)
	if p.now().Unix() >= int64(exp) {
		return fail("Lifetime validation failed, the token is expired.")
	}
	tid, _ := claims["tid"].(string)
	if _, ok := p.store.Tenant(tid); !ok {
		return fail("Access token validation failure. Unknown tenant.")
	}
	c := graphCaller{tenantID: tid}
	// App-only tokens carry application permissions in roles; delegated
	// ones carry scopes in scp.
	if roles, ok := claims["roles"].([]any); ok && claims["idtyp"] == "app" {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				c.permissions = append(c.permissions, s)
			}
		}
	}
	if scp, ok := claims["scp"].(string); ok {
		c.permissions = append(c.permissions, strings.Fields(scp)...)
	}
	return c, true
}

func (p *Provider) graphUser(w http.ResponseWriter, r *http.Request, c graphCaller, key string) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r)
		return
	}
	if !c.holdsAny(userReaders...) && !c.holdsAny(basicUserReaders...) {
		denied(w, r)
		return
	}
	// Graph finds a user by object id or userPrincipalName only, not by
	// mail or an alias; those go through $filter. Both compare without
	// regard to case, as the directory does.
	var found *User
	for _, u := range p.store.Users() {
		if u.TenantID == c.tenantID && (strings.EqualFold(u.ObjectID, key) || strings.EqualFold(u.UserPrincipalName, key)) {
			found = &u
			break
		}
	}
	if found == nil {
		notFound(w, r, key)
		return
	}
	v := selectFields(c.userJSON(*found), r.URL.Query().Get("$select"))
	v["@odata.context"] = graphRoot + "/$metadata#users/$entity"
	writeJSON(w, http.StatusOK, v)
}

// The $filter clauses the stand-in understands on /users, joined by "or":
// enough to find a user by any of their addresses and to resolve a page of
// principal ids. Values compare without regard to case, as in the
// directory; a proxy address is compared with its type ("smtp:"), which
// matches the primary "SMTP:" one too.
var (
	filterEq  = regexp.MustCompile(`^(mail|userPrincipalName|id) eq '((?:[^']|'')*)'$`)
	filterAny = regexp.MustCompile(`^(otherMails|proxyAddresses)/any\((\w+):\s*(\w+) eq '((?:[^']|'')*)'\)$`)
	filterIn  = regexp.MustCompile(`^id in \(((?:'[0-9a-fA-F-]+'(?:\s*,\s*)?)+)\)$`)
)

// maxFilterClauses is Graph's limit on the values of one filter's "or"
// and "in" clauses together.
const maxFilterClauses = 15

// userFilter reads a $filter on /users into a predicate. It returns false
// for an expression Graph would accept that the stand-in does not know, or
// one Graph refuses; the caller answers 400 either way.
func userFilter(filter string) (match func(User) bool, clauses int, ok bool) {
	var preds []func(User) bool
	for _, clause := range splitOr(filter) {
		clause = strings.TrimSpace(clause)
		if m := filterEq.FindStringSubmatch(clause); m != nil {
			field, want := m[1], strings.ReplaceAll(m[2], "''", "'")
			preds = append(preds, func(u User) bool {
				return strings.EqualFold(map[string]string{"mail": u.Mail, "userPrincipalName": u.UserPrincipalName, "id": u.ObjectID}[field], want)
			})
			clauses++
		} else if m := filterAny.FindStringSubmatch(clause); m != nil && m[2] == m[3] {
			field, want := m[1], strings.ReplaceAll(m[4], "''", "'")
			preds = append(preds, func(u User) bool {
				values := u.OtherMails
				if field == "proxyAddresses" {
					values = u.ProxyAddresses
				}
				return slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, want) })
			})
			clauses++
		} else if m := filterIn.FindStringSubmatch(clause); m != nil {
			var ids []string
			for _, id := range strings.Split(m[1], ",") {
				ids = append(ids, strings.Trim(strings.TrimSpace(id), "'"))
			}
			preds = append(preds, func(u User) bool {
				return slices.ContainsFunc(ids, func(id string) bool { return strings.EqualFold(id, u.ObjectID) })
			})
			clauses += len(ids)
		} else {
			return nil, 0, false
		}
	}
	return func(u User) bool { return slices.ContainsFunc(preds, func(p func(User) bool) bool { return p(u) }) }, clauses, true
}

// splitOr splits a filter at its top-level " or ", not inside a quoted
// value (a doubled quote inside a value toggles twice, so stays inside).
func splitOr(filter string) []string {
	var parts []string
	quoted, start := false, 0
	for i := 0; i < len(filter); i++ {
		switch {
		case filter[i] == '\'':
			quoted = !quoted
		case !quoted && strings.HasPrefix(filter[i:], " or "):
			parts = append(parts, filter[start:i])
			start = i + len(" or ")
			i = start - 1
		}
	}
	return append(parts, filter[start:])
}

func (p *Provider) graphListUsers(w http.ResponseWriter, r *http.Request, c graphCaller) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r)
		return
	}
	if !c.holdsAny(userReaders...) && !c.holdsAny(basicUserReaders...) {
		denied(w, r)
		return
	}
	filter := strings.TrimSpace(r.URL.Query().Get("$filter"))
	if !c.holdsAny(userReaders...) && (strings.Contains(filter, "otherMails") || strings.Contains(filter, "proxyAddresses")) {
		// Only the basic profile is readable with User.ReadBasic.All.
		denied(w, r)
		return
	}
	match, clauses, ok := userFilter(filter)
	if !ok {
		graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported Query.")
		return
	}
	if clauses > maxFilterClauses {
		graphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery",
			fmt.Sprintf("Too many child clauses specified in search filter expression containing 'OR' operators: %d. Max allowed: %d.", clauses, maxFilterClauses))
		return
	}
	value := []map[string]any{}
	for _, u := range p.store.Users() {
		if u.TenantID == c.tenantID && match(u) {
			value = append(value, selectFields(c.userJSON(u), r.URL.Query().Get("$select")))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": graphRoot + "/$metadata#users", "value": value})
}

func (p *Provider) graphServicePrincipal(w http.ResponseWriter, r *http.Request, c graphCaller, id string) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r)
		return
	}
	if !p.spAllowed(w, r, c, id, c.holdsAny(appReaders...)) {
		return
	}
	app := p.store.Application()
	roles := make([]map[string]any, len(app.AppRoles))
	for i, ar := range app.AppRoles {
		roles[i] = map[string]any{
			"allowedMemberTypes": []string{"User"},
			"description":        ar.Description,
			"displayName":        ar.DisplayName,
			"id":                 ar.ID,
			"isEnabled":          true,
			"origin":             "Application",
			"value":              ar.Value,
		}
	}
	v := selectFields(map[string]any{
		"id":                        id,
		"appId":                     app.ClientID,
		"appDisplayName":            app.DisplayName,
		"displayName":               app.DisplayName,
		"appOwnerOrganizationId":    app.HomeTenantID,
		"appRoleAssignmentRequired": true,
		"accountEnabled":            true,
		"servicePrincipalType":      "Application",
		"signInAudience":            map[bool]string{true: "AzureADMultipleOrgs", false: "AzureADMyOrg"}[app.MultiTenant],
		"appRoles":                  roles,
	}, r.URL.Query().Get("$select"))
	v["@odata.context"] = graphRoot + "/$metadata#servicePrincipals/$entity"
	writeJSON(w, http.StatusOK, v)
}

func (p *Provider) ownSP(c graphCaller, id string) bool {
	return id == p.store.ServicePrincipalID(c.tenantID)
}

// spAllowed answers a request on service principal id that the caller's
// permissions allow or not: 403 when not, 404 when the service principal
// is not the caller's tenant's. It reports whether the request may go on.
func (p *Provider) spAllowed(w http.ResponseWriter, r *http.Request, c graphCaller, id string, allowed bool) bool {
	if !allowed {
		denied(w, r)
		return false
	}
	if !p.ownSP(c, id) {
		notFound(w, r, id)
		return false
	}
	return true
}

func (p *Provider) graphListAssignments(w http.ResponseWriter, r *http.Request, c graphCaller, spID string, pageSize int) {
	if !p.spAllowed(w, r, c, spID, c.holdsAny(appReaders...)) {
		return
	}
	q := r.URL.Query()
	size := pageSize
	if t := q.Get("$top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > 999 {
			graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Invalid page size specified: '"+t+"'. Must be between 1 and 999 inclusive.")
			return
		}
		// Like Graph, the server may return fewer than asked for.
		size = min(n, pageSize)
	}
	offset := 0
	if t := q.Get("$skiptoken"); t != "" {
		b, err := base64.RawURLEncoding.DecodeString(t)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || perr != nil || n < 0 {
			graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Invalid skip token.")
			return
		}
		offset = n
	}
	all := p.store.Assignments(spID)
	app := p.store.Application()
	value := []map[string]any{}
	for _, a := range all[min(offset, len(all)):min(offset+size, len(all))] {
		value = append(value, p.assignmentJSON(a, app))
	}
	out := map[string]any{
		"@odata.context": graphRoot + "/$metadata#servicePrincipals('" + spID + "')/appRoleAssignedTo",
		"value":          value,
	}
	if offset+size < len(all) {
		next := url.Values{"$skiptoken": {base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset+size)))}}
		if t := q.Get("$top"); t != "" {
			next.Set("$top", t)
		}
		out["@odata.nextLink"] = p.baseURL + "/v1.0/servicePrincipals/" + spID + "/appRoleAssignedTo?" + next.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

func (p *Provider) graphAssign(w http.ResponseWriter, r *http.Request, c graphCaller, spID string) {
	// Graph asks for both: one to write the assignment, one to read the
	// service principal whose app role is assigned.
	if !p.spAllowed(w, r, c, spID, c.holdsAny(PermAppRoleAssignmentReadWrite) && c.holdsAny(appReaders...)) {
		return
	}
	var body struct {
		PrincipalID string `json:"principalId"`
		ResourceID  string `json:"resourceId"`
		AppRoleID   string `json:"appRoleId"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
		graphError(w, r, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	if body.ResourceID != spID {
		graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'resourceId' of resource 'AppRoleAssignment'.")
		return
	}
	u, ok := p.store.UserByObjectID(body.PrincipalID)
	if !ok || u.TenantID != c.tenantID {
		notFound(w, r, body.PrincipalID)
		return
	}
	app := p.store.Application()
	if role, ok := app.Role(body.AppRoleID); !ok || role.ID != body.AppRoleID {
		graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Permission being assigned was not found on application '"+app.ClientID+"'.")
		return
	}
	a, err := p.store.Assign(body.PrincipalID, body.AppRoleID)
	if err != nil {
		graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "Permission being assigned already exists on the object.")
		return
	}
	v := p.assignmentJSON(a, app)
	v["@odata.context"] = graphRoot + "/$metadata#servicePrincipals('" + spID + "')/appRoleAssignedTo/$entity"
	w.Header().Set("Location", p.baseURL+"/v1.0/servicePrincipals/"+spID+"/appRoleAssignedTo/"+a.ID)
	writeJSON(w, http.StatusCreated, v)
}

func (p *Provider) graphUnassign(w http.ResponseWriter, r *http.Request, c graphCaller, spID, id string) {
	if !c.holdsAny(PermAppRoleAssignmentReadWrite) {
		denied(w, r)
		return
	}
	if !p.ownSP(c, spID) || !slices.ContainsFunc(p.store.Assignments(spID), func(a AppRoleAssignment) bool { return a.ID == id }) {
		notFound(w, r, id)
		return
	}
	if err := p.store.Unassign(id); err != nil {
		notFound(w, r, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// graphRoot is what Graph's @odata.context values start with; they name
// Graph itself, not the host that served them.
const graphRoot = "https://graph.microsoft.com/v1.0"

func (p *Provider) assignmentJSON(a AppRoleAssignment, app Application) map[string]any {
	u, _ := p.store.UserByObjectID(a.PrincipalID)
	return map[string]any{
		"id":                   a.ID,
		"deletedDateTime":      nil,
		"appRoleId":            a.AppRoleID,
		"createdDateTime":      a.Created.UTC().Format("2006-01-02T15:04:05.0000000Z"),
		"principalDisplayName": u.DisplayName,
		"principalId":          a.PrincipalID,
		"principalType":        "User",
		"resourceDisplayName":  app.DisplayName,
		"resourceId":           a.ResourceID,
	}
}

// userJSON is u as Graph shows it to c: the whole profile, or only the
// basic one (id, names, mail, sign-in name) to a caller holding
// User.ReadBasic.All alone.
func (c graphCaller) userJSON(u User) map[string]any {
	v := userJSON(u)
	if !c.holdsAny(userReaders...) {
		for k := range v {
			if !slices.Contains([]string{"id", "displayName", "givenName", "surname", "mail", "userPrincipalName"}, k) {
				delete(v, k)
			}
		}
	}
	return v
}

func userJSON(u User) map[string]any {
	var mail any
	if u.Mail != "" {
		mail = u.Mail
	}
	given, sur, _ := strings.Cut(u.DisplayName, " ")
	return map[string]any{
		"businessPhones":    []string{},
		"displayName":       u.DisplayName,
		"givenName":         given,
		"surname":           sur,
		"jobTitle":          nil,
		"mail":              mail,
		"mobilePhone":       nil,
		"officeLocation":    nil,
		"preferredLanguage": nil,
		"userPrincipalName": u.UserPrincipalName,
		"id":                u.ObjectID,
		"accountEnabled":    u.AccountEnabled,
		"otherMails":        nonNil(u.OtherMails),
		"proxyAddresses":    nonNil(u.ProxyAddresses),
	}
}

// nonNil makes an empty collection [] in JSON, as Graph sends it.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// unselected are the user properties Graph returns only when $select asks
// for them.
var unselected = []string{"accountEnabled", "otherMails", "proxyAddresses"}

// selectFields applies $select: only the named properties are returned.
// Without it, the unselected ones are left out, as Graph does.
func selectFields(v map[string]any, sel string) map[string]any {
	if sel == "" {
		for _, f := range unselected {
			delete(v, f)
		}
		return v
	}
	out := map[string]any{}
	for _, f := range strings.Split(sel, ",") {
		f = strings.TrimSpace(f)
		if x, ok := v[f]; ok {
			out[f] = x
		}
	}
	return out
}

// graphError writes Graph's error body.
func graphError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	inner := map[string]any{
		"date":       time.Now().UTC().Format("2006-01-02T15:04:05"),
		"request-id": w.Header().Get("request-id"),
	}
	if id := r.Header.Get("client-request-id"); id != "" {
		inner["client-request-id"] = id
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message, "innerError": inner}})
}

func notFound(w http.ResponseWriter, r *http.Request, id string) {
	graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
}

func denied(w http.ResponseWriter, r *http.Request) {
	graphError(w, r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	graphError(w, r, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
}
