package providers

import (
	"context"
	"sync"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// Set is the providers of one run, routing each resource to the provider of
// its kind. Commands read through it and apply changes through it, so that
// which provider manages a kind is decided in one place.
type Set struct {
	all    []Provider
	byKind map[specs.Kind]Provider
}

// NewSet routes each kind to the provider that lists it; when two list the
// same kind, the later one manages it.
func NewSet(provs ...Provider) *Set {
	s := &Set{all: provs, byKind: map[specs.Kind]Provider{}}
	for _, prov := range provs {
		for _, k := range prov.Kinds() {
			s.byKind[k] = prov
		}
	}
	return s
}

// For is the provider that manages kind, or nil.
func (s *Set) For(kind specs.Kind) Provider { return s.byKind[kind] }

// All lists the providers, in the order NewSet was given them.
func (s *Set) All() []Provider { return s.all }

// ReadAnswer is one provider's answer to Set.Read.
type ReadAnswer struct {
	Provider Provider
	Observed []plan.Observed
	Err      error
}

// Read asks every provider, in parallel, for the live state of the resources
// of its kinds (Provider.Read), passing each only the desired resources of its
// kinds. It returns when all have answered, one answer per provider in the
// order of All.
func (s *Set) Read(ctx context.Context, stack string, desired []specs.Resource) []ReadAnswer {
	byKind := map[specs.Kind][]specs.Resource{}
	for _, r := range desired {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	answers := make([]ReadAnswer, len(s.all))
	var wg sync.WaitGroup
	for i, prov := range s.all {
		var mine []specs.Resource
		for _, k := range prov.Kinds() {
			mine = append(mine, byKind[k]...)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			obs, err := prov.Read(ctx, stack, mine)
			answers[i] = ReadAnswer{Provider: prov, Observed: obs, Err: err}
		}()
	}
	wg.Wait()
	return answers
}
