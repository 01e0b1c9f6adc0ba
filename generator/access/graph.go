package access

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The defaults for a real tenant.
const (
	DefaultGraphURL  = "https://graph.microsoft.com"
	DefaultAuthority = "https://login.microsoftonline.com"
	// graphScope asks the token endpoint for a Graph token carrying every
	// application permission the app was granted.
	graphScope = "https://graph.microsoft.com/.default"
)

// Permissions are the Microsoft Graph application permissions `stp access`
// needs, with why; proxy/README.md says the same.
var Permissions = []struct{ Name, Why string }{
	{"AppRoleAssignment.ReadWrite.All", "to grant and revoke the Portal Admin and Portal User app roles (POST and DELETE appRoleAssignedTo)"},
	{"Application.Read.All", "to read the portal's service principal, its app roles and who holds them (GET servicePrincipals/{id}, appRoleAssignedTo)"},
	{"User.Read.All", "to find a user by e-mail address and show the e-mail of every holder (GET users)"},
}

// Config says how to reach Microsoft Graph and as whom.
type Config struct {
	GraphURL  string // default https://graph.microsoft.com; the stand-in's URL in tests and the demo
	Authority string // default https://login.microsoftonline.com
	TenantID  string
	// ClientID and ClientSecret are an app registration's, for the client
	// credentials grant. Not used when Token is set.
	ClientID, ClientSecret string
	// Token is a bearer token for Graph obtained elsewhere (for example
	// `az account get-access-token --resource-type ms-graph`).
	Token string
	// ServicePrincipalID is the object id of the portal's enterprise
	// application, whose app role assignments are managed.
	ServicePrincipalID string

	HTTPClient *http.Client // default: one with a 30s timeout
	// MaxAttempts bounds how often one request is tried when Graph
	// throttles it (429) or is briefly unavailable (503, 504). Default 5.
	MaxAttempts int
	// MaxWait is the longest Retry-After honoured; a longer one ends the
	// command rather than hanging it. Default 2 minutes.
	MaxWait time.Duration
	// Notify, when set, is told about each retry.
	Notify func(msg string)
	// Sleep waits; tests replace it. Default: a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls the Graph v1.0 endpoints for users and app role
// assignments. It is safe for concurrent use.
type Client struct {
	cfg Config
	// basic limits lookups to the basic profile (see NewUserLookup).
	basic bool

	mu      sync.Mutex
	token   string
	expires time.Time
}

// NewClient checks cfg and returns a client. It does not call Graph yet.
func NewClient(cfg Config) (*Client, error) {
	if cfg.GraphURL == "" {
		cfg.GraphURL = DefaultGraphURL
	}
	if cfg.Authority == "" {
		cfg.Authority = DefaultAuthority
	}
	cfg.GraphURL = strings.TrimSuffix(cfg.GraphURL, "/")
	cfg.Authority = strings.TrimSuffix(cfg.Authority, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 2 * time.Minute
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if missing := cfg.Missing(); len(missing) > 0 {
		names := map[string]string{"ServicePrincipalID": "the service principal's object id", "TenantID": "the tenant id",
			"ClientID": "the client id", "ClientSecret": "the client secret"}
		for i, f := range missing {
			missing[i] = names[f]
		}
		return nil, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return &Client{cfg: cfg}, nil
}

// NewUserLookup returns a client that only finds users (FindUsers,
// Resolve) with token, a delegated Graph token a signed-in user's session
// holds: the portal's upstream looks people up in the admin's own
// directory on their behalf (User.ReadBasic.All), never with an
// application secret. It needs no service principal, asks for no token of
// its own, and finds people by the properties of the basic profile only:
// the sign-in name and the e-mail address (User.ReadBasic.All reads
// neither otherMails, which are addresses outside the tenant anyway, nor
// the mailbox's aliases). It waits at most a few seconds for a throttled request, since
// someone is waiting for the page.
func NewUserLookup(graphURL, token string, hc *http.Client) *Client {
	if graphURL == "" {
		graphURL = DefaultGraphURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Client{basic: true, cfg: Config{GraphURL: strings.TrimSuffix(graphURL, "/"), Token: token, HTTPClient: hc,
		MaxAttempts: 2, MaxWait: 5 * time.Second, Sleep: sleep}}
}

// Missing names the fields of cfg a client needs and lacks: the service
// principal always; the tenant, client id and secret unless a token is
// given.
func (cfg Config) Missing() []string {
	var missing []string
	if cfg.ServicePrincipalID == "" {
		missing = append(missing, "ServicePrincipalID")
	}
	if cfg.Token == "" {
		for _, f := range []struct{ name, value string }{{"TenantID", cfg.TenantID}, {"ClientID", cfg.ClientID}, {"ClientSecret", cfg.ClientSecret}} {
			if f.value == "" {
				missing = append(missing, f.name)
			}
		}
	}
	return missing
}

// GraphError is an error answer from Graph, with its code and message.
type GraphError struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
	RequestID    string
}

func (e *GraphError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Microsoft Graph refused %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request-id %s)", e.RequestID)
	}
	switch e.Status {
	case http.StatusUnauthorized:
		b.WriteString("; the token was not accepted: check the tenant, the client id and secret or STP_GRAPH_TOKEN")
	case http.StatusForbidden:
		b.WriteString("; the app needs the application permissions AppRoleAssignment.ReadWrite.All, Application.Read.All and User.Read.All, with admin consent (see proxy/README.md)")
	}
	return b.String()
}

// IsNotFound reports whether err is Graph's 404.
func IsNotFound(err error) bool {
	var ge *GraphError
	return errors.As(err, &ge) && ge.Status == http.StatusNotFound
}

// TokenError is a refusal from the token endpoint.
type TokenError struct {
	URL         string
	Status      int
	Code        string
	Description string
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("getting a Graph token from %s: %d %s: %s: %s", e.URL, e.Status, http.StatusText(e.Status), e.Code, e.Description)
}

// accessToken returns the configured token, or a client-credentials
// token, fetched again a minute before it expires.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	if c.cfg.Token != "" {
		return c.cfg.Token, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && time.Now().Before(c.expires.Add(-time.Minute)) {
		return c.token, nil
	}
	tokenURL := c.cfg.Authority + "/" + url.PathEscape(c.cfg.TenantID) + "/oauth2/v2.0/token"
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
		"scope":         {graphScope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("getting a Graph token: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("getting a Graph token: %w", err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || res.StatusCode != http.StatusOK || tr.AccessToken == "" {
		desc, _, _ := strings.Cut(tr.Description, "\r\n") // Entra appends trace and correlation ids
		if desc == "" {
			desc = strings.TrimSpace(string(body[:min(len(body), 200)]))
		}
		return "", &TokenError{URL: tokenURL, Status: res.StatusCode, Code: tr.Error, Description: strings.TrimSpace(desc)}
	}
	c.token = tr.AccessToken
	c.expires = time.Now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	return c.token, nil
}

// do sends one Graph request, retrying a throttled one, and decodes a
// successful answer into out (when not nil). target is a path under
// /v1.0/ or, for paging, an @odata.nextLink.
func (c *Client) do(ctx context.Context, method, target string, body, out any) error {
	u := target
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		u = c.cfg.GraphURL + target
	} else if !strings.HasPrefix(target, c.cfg.GraphURL+"/") {
		// The token goes only to the configured Graph.
		return fmt.Errorf("refusing a next link that leaves %s: %s", c.cfg.GraphURL, target)
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	path := strings.TrimPrefix(u, c.cfg.GraphURL)
	for attempt := 1; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("client-request-id", newGUID())
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := c.cfg.HTTPClient.Do(req)
		if err != nil {
			return fmt.Errorf("calling Microsoft Graph (%s %s): %w", method, path, err)
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("calling Microsoft Graph (%s %s): %w", method, path, err)
		}
		if res.StatusCode >= 200 && res.StatusCode < 300 {
			if out == nil || res.StatusCode == http.StatusNoContent {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("calling Microsoft Graph (%s %s): reading the answer: %w", method, path, err)
			}
			return nil
		}
		gerr := &GraphError{Method: method, Path: path, Status: res.StatusCode, RequestID: res.Header.Get("request-id")}
		var eb struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &eb) == nil {
			gerr.Code, gerr.Message = eb.Error.Code, eb.Error.Message
		}
		if gerr.Code == "" {
			gerr.Message = strings.TrimSpace(string(data[:min(len(data), 200)]))
		}
		retry := res.StatusCode == http.StatusTooManyRequests ||
			((res.StatusCode == http.StatusServiceUnavailable || res.StatusCode == http.StatusGatewayTimeout) &&
				(method == http.MethodGet || method == http.MethodDelete))
		if !retry {
			return gerr
		}
		if attempt >= c.cfg.MaxAttempts {
			return fmt.Errorf("%w; gave up after %d attempts", gerr, attempt)
		}
		wait, ok := retryAfter(res.Header.Get("Retry-After"), time.Now())
		if !ok {
			wait = time.Second << (attempt - 1) // no advice: back off exponentially
		}
		if wait > c.cfg.MaxWait {
			return fmt.Errorf("%w; Graph asks to wait %s, longer than %s: try again later", gerr, wait, c.cfg.MaxWait)
		}
		if c.cfg.Notify != nil {
			c.cfg.Notify(fmt.Sprintf("Microsoft Graph answered %s %s with %d %s; retrying in %s (attempt %d of %d)",
				method, path, res.StatusCode, http.StatusText(res.StatusCode), wait, attempt+1, c.cfg.MaxAttempts))
		}
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func newGUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// User is a directory user, as much as access management needs.
type User struct {
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName"`
	Mail              string `json:"mail"`
	DisplayName       string `json:"displayName"`
	// OtherMails and ProxyAddresses are the user's further addresses,
	// which name them as well as Mail does.
	OtherMails     []string `json:"otherMails"`
	ProxyAddresses []string `json:"proxyAddresses"`
}

// Email is the address the user is known by: mail, or the sign-in name
// for accounts without a mailbox.
func (u User) Email() string {
	if u.Mail != "" {
		return u.Mail
	}
	return u.UserPrincipalName
}

// has reports whether name is one of the user's names: their object id,
// sign-in name, e-mail address, another address (otherMails) or an alias
// of their mailbox (proxyAddresses, "smtp:" ones), without regard to case,
// as Graph compares them.
func (u User) has(name string) bool {
	if name == "" {
		return false
	}
	if strings.EqualFold(u.ID, name) || strings.EqualFold(u.Mail, name) || strings.EqualFold(u.UserPrincipalName, name) {
		return true
	}
	if slices.ContainsFunc(u.OtherMails, func(m string) bool { return strings.EqualFold(m, name) }) {
		return true
	}
	return slices.ContainsFunc(u.ProxyAddresses, func(a string) bool { return strings.EqualFold(a, "smtp:"+name) })
}

const (
	userFields      = "id,userPrincipalName,mail,displayName,otherMails,proxyAddresses"
	basicUserFields = "id,userPrincipalName,mail,displayName"
)

var (
	// ErrNoSuchUser is returned by Resolve for a name the tenant does not
	// know.
	ErrNoSuchUser = errors.New("no such user in the tenant")
	// ErrAmbiguousUser is returned by Resolve for a name that several
	// users of the tenant answer to.
	ErrAmbiguousUser = errors.New("more than one user answers to")
)

// FindUsers returns every user of the tenant that name names: by object id
// (GET /users/{id}), or by an address in one $filter on the sign-in name,
// the e-mail address, the other addresses and the mailbox's aliases. Graph
// compares them without regard to case.
func (c *Client) FindUsers(ctx context.Context, name string) ([]User, error) {
	if guidRE.MatchString(name) {
		var u User
		fields := userFields
		if c.basic {
			fields = basicUserFields
		}
		err := c.do(ctx, http.MethodGet, "/v1.0/users/"+url.PathEscape(name)+"?$select="+fields, nil, &u)
		if IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []User{u}, nil
	}
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	filter := fmt.Sprintf("userPrincipalName eq %[1]s or mail eq %[1]s or otherMails/any(a:a eq %[1]s) or proxyAddresses/any(a:a eq %[2]s)",
		quote(name), quote("smtp:"+name))
	fields := userFields
	if c.basic {
		filter = fmt.Sprintf("userPrincipalName eq %[1]s or mail eq %[1]s", quote(name))
		fields = basicUserFields
	}
	q := url.Values{"$filter": {filter}, "$select": {fields}}
	var page struct {
		Value []User `json:"value"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1.0/users?"+q.Encode(), nil, &page); err != nil {
		return nil, err
	}
	return page.Value, nil
}

// Resolve finds the one user name names (see FindUsers), so that every
// guard rail compares object ids, whatever spelling a command was given.
func (c *Client) Resolve(ctx context.Context, name string) (User, error) {
	users, err := c.FindUsers(ctx, name)
	if err != nil {
		return User{}, err
	}
	switch len(users) {
	case 0:
		return User{}, fmt.Errorf("%w: %s (Microsoft Graph: 404 Request_ResourceNotFound)", ErrNoSuchUser, name)
	case 1:
		return users[0], nil
	}
	return User{}, ambiguous(name, users)
}

func ambiguous(name string, users []User) error {
	var names []string
	for _, u := range users {
		names = append(names, fmt.Sprintf("%s, %s", u.Email(), u.ID))
	}
	return fmt.Errorf("%w %s (%s): give the object id of the one you mean", ErrAmbiguousUser, name, strings.Join(names, "; "))
}

// UsersByID resolves object ids to users, fifteen per request (Graph's
// limit for an "in" filter). Ids that are not users are left out.
func (c *Client) UsersByID(ctx context.Context, ids []string) (map[string]User, error) {
	out := map[string]User{}
	for len(ids) > 0 {
		n := min(len(ids), 15)
		quoted := make([]string, n)
		for i, id := range ids[:n] {
			quoted[i] = "'" + strings.ReplaceAll(id, "'", "''") + "'"
		}
		ids = ids[n:]
		q := url.Values{"$filter": {"id in (" + strings.Join(quoted, ",") + ")"}, "$select": {userFields}}
		var page struct {
			Value []User `json:"value"`
		}
		if err := c.do(ctx, http.MethodGet, "/v1.0/users?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		for _, u := range page.Value {
			out[u.ID] = u
		}
	}
	return out, nil
}

// ServicePrincipal is the portal's enterprise application.
type ServicePrincipal struct {
	ID          string    `json:"id"`
	AppID       string    `json:"appId"`
	DisplayName string    `json:"displayName"`
	AppRoles    []AppRole `json:"appRoles"`
}

// AppRole is an app role the service principal defines.
type AppRole struct {
	ID          string `json:"id"`
	Value       string `json:"value"`
	DisplayName string `json:"displayName"`
	IsEnabled   bool   `json:"isEnabled"`
}

// ServicePrincipal reads the portal's service principal and its app roles.
func (c *Client) ServicePrincipal(ctx context.Context) (ServicePrincipal, error) {
	var sp ServicePrincipal
	err := c.do(ctx, http.MethodGet, "/v1.0/servicePrincipals/"+url.PathEscape(c.cfg.ServicePrincipalID)+"?$select=id,appId,displayName,appRoles", nil, &sp)
	return sp, err
}

// Assignment is an app role assignment on the portal's service principal.
type Assignment struct {
	ID                   string    `json:"id"`
	AppRoleID            string    `json:"appRoleId"`
	PrincipalID          string    `json:"principalId"`
	PrincipalType        string    `json:"principalType"`
	PrincipalDisplayName string    `json:"principalDisplayName"`
	ResourceID           string    `json:"resourceId"`
	Created              time.Time `json:"createdDateTime"`
}

// Assignments lists every app role assignment on the portal's service
// principal, following @odata.nextLink page by page.
func (c *Client) Assignments(ctx context.Context) ([]Assignment, error) {
	var all []Assignment
	next := "/v1.0/servicePrincipals/" + url.PathEscape(c.cfg.ServicePrincipalID) + "/appRoleAssignedTo?$top=999"
	for pages := 0; next != ""; pages++ {
		if pages == 10000 {
			return nil, errors.New("gave up after 10000 pages of assignments: Microsoft Graph kept sending next links")
		}
		var page struct {
			Value    []Assignment `json:"value"`
			NextLink string       `json:"@odata.nextLink"`
		}
		if err := c.do(ctx, http.MethodGet, next, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Value...)
		next = page.NextLink
	}
	return all, nil
}

// Assign gives a user an app role of the portal.
func (c *Client) Assign(ctx context.Context, principalID, appRoleID string) (Assignment, error) {
	var a Assignment
	err := c.do(ctx, http.MethodPost, "/v1.0/servicePrincipals/"+url.PathEscape(c.cfg.ServicePrincipalID)+"/appRoleAssignedTo",
		map[string]string{"principalId": principalID, "resourceId": c.cfg.ServicePrincipalID, "appRoleId": appRoleID}, &a)
	return a, err
}

// Unassign deletes an app role assignment.
func (c *Client) Unassign(ctx context.Context, assignmentID string) error {
	return c.do(ctx, http.MethodDelete, "/v1.0/servicePrincipals/"+url.PathEscape(c.cfg.ServicePrincipalID)+"/appRoleAssignedTo/"+url.PathEscape(assignmentID), nil, nil)
}
