// Package bbolt is an empty stand-in for go.etcd.io/bbolt in the browser
// build of the search engine. It has the types bleve/v2/util names; every
// operation fails, and the engine never calls one.
package bbolt

import (
	"errors"
	"os"
)

var errNoBolt = errors.New("bbolt is not available in the browser search engine")

type Options struct{}

type DB struct{}

type Tx struct{}

type Bucket struct{}

func Open(string, os.FileMode, *Options) (*DB, error) { return nil, errNoBolt }

func (*DB) Begin(bool) (*Tx, error)                             { return nil, errNoBolt }
func (*DB) View(func(*Tx) error) error                          { return errNoBolt }
func (*DB) Update(func(*Tx) error) error                        { return errNoBolt }
func (*DB) Close() error                                        { return nil }
func (*Tx) Bucket([]byte) *Bucket                               { return nil }
func (*Tx) CreateBucketIfNotExists([]byte) (*Bucket, error)     { return nil, errNoBolt }
func (*Tx) Commit() error                                       { return errNoBolt }
func (*Tx) Rollback() error                                     { return nil }
func (*Bucket) Bucket([]byte) *Bucket                           { return nil }
func (*Bucket) CreateBucketIfNotExists([]byte) (*Bucket, error) { return nil, errNoBolt }
func (*Bucket) ForEach(func(k, v []byte) error) error           { return errNoBolt }
func (*Bucket) Put(k, v []byte) error                           { return errNoBolt }
func (*Bucket) Get(k []byte) []byte                             { return nil }
