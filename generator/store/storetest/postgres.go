// Package storetest starts a throwaway PostgreSQL for the tests that run
// the store against it: initdb into a temporary folder and a server on a
// free loopback port, stopped and removed by Stop. It needs Debian's
// postgresql package (`make test-setup` installs it); the binaries are
// looked up under /usr/lib/postgresql/*/bin, where Debian puts them, and on
// the PATH.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Postgres is a running throwaway server.
type Postgres struct {
	// Password is the password of the superuser "stp"; the URLs do not
	// carry it, as operators are told to pass it (STP_STORE_PASSWORD).
	Password string
	addr     string
	bin, dir string
	asUser   string // run the binaries as this user (when the tests run as root)
}

// ErrNotInstalled says PostgreSQL's binaries were not found.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on the PATH): `make test-setup` installs it (Debian's postgresql package)")

// binDir finds the folder holding initdb and pg_ctl.
func binDir() (string, error) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	if len(found) > 0 {
		return filepath.Dir(found[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNotInstalled
}

// version reads the major version out of /usr/lib/postgresql/N/bin/initdb.
func version(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// StartPostgres initialises and starts a server. PostgreSQL refuses to run
// as root, so as root the binaries run as the postgres user, who owns the
// temporary folder.
func StartPostgres() (*Postgres, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	p := &Postgres{bin: bin, Password: randomHex(16)}
	if p.dir, err = os.MkdirTemp("", "stp-pg-"); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(p.dir)
			return nil, fmt.Errorf("running as root, PostgreSQL needs the postgres user to run as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(p.dir, uid, gid); err != nil {
			os.RemoveAll(p.dir)
			return nil, err
		}
		p.asUser = "postgres"
	}
	if err := p.start(); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

func (p *Postgres) start() error {
	pwfile := filepath.Join(p.dir, "password")
	if err := os.WriteFile(pwfile, []byte(p.Password+"\n"), 0o600); err != nil {
		return err
	}
	if p.asUser != "" {
		u, _ := user.Lookup(p.asUser)
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(pwfile, uid, gid)
	}
	data := filepath.Join(p.dir, "data")
	if out, err := p.run("initdb", "-D", data, "-U", "stp", "--auth=scram-sha-256", "--pwfile="+pwfile,
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	p.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c full_page_writes=off -c synchronous_commit=off", port, p.dir)
	if out, err := p.run("pg_ctl", "-D", data, "-l", filepath.Join(p.dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

// run runs one of PostgreSQL's binaries, as p.asUser when set.
func (p *Postgres) run(name string, args ...string) ([]byte, error) {
	path := filepath.Join(p.bin, name)
	var cmd *exec.Cmd
	if p.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", p.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = p.dir
	return cmd.CombinedOutput()
}

// Stop stops the server at once and removes its files.
func (p *Postgres) Stop() {
	if p.addr != "" {
		p.run("pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "-w", "stop")
	}
	os.RemoveAll(p.dir)
}

// NewDatabase creates an empty database and returns its URL (without the
// password).
func (p *Postgres) NewDatabase(ctx context.Context) (string, error) {
	name := "t_" + randomHex(6)
	db, err := sql.Open("pgx", p.url("postgres")+"&password="+p.Password)
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("creating a test database: %w", err)
	}
	return p.url(name), nil
}

func (p *Postgres) url(db string) string {
	return "postgres://stp@" + p.addr + "/" + db + "?sslmode=disable"
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}
