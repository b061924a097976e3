// Command instructions evaluates queries with OPA's own rego package (the version the
// Makefile pins) so that valgrind can count the instructions each phase executes.
//
// It has two modes:
//
//	instructions count PLAN.json   run each case of the plan, calling mark() between
//	                               phases; run under `valgrind --tool=callgrind` each
//	                               phase becomes one dump (a CALLGRIND_DUMP_STATS client
//	                               request, dump_amd64.s), in the order the labels are
//	                               printed on stdout.
//	instructions golden BASE NEW DOCS.jsonl
//	                               decide every document with both policies and print
//	                               every difference (policy.revision aside); exit 1 on any.
//
// Driven by bench/instructions.py (make bench-instructions) and tests/policy/test_golden.py.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"
)

// A policy is a bundle: built (.tar.gz) or a directory.
type policy struct {
	Name   string `json:"name"`
	Bundle string `json:"bundle"`
}

type benchCase struct {
	Policy string `json:"policy"`
	Label  string `json:"label"`
	Query  string `json:"query"`
	Input  any    `json:"input"`
	Docs   int    `json:"docs"` // documents per evaluation (a batch holds many)
	Reps   int    `json:"reps"`
	// GCOff runs the case with the collector off (debug.SetGCPercent(-1), and no memory
	// limit, which would start it again): the evaluation's own instructions, which no
	// collection timing can move.
	GCOff bool `json:"gc_off"`
}

type plan struct {
	Policies []policy    `json:"policies"`
	Cases    []benchCase `json:"cases"`
	Warmup   int         `json:"warmup"`
}

// dumpStats asks callgrind to write its counters since the last dump (dump_amd64.s).
func dumpStats()

// mark ends a phase: callgrind dumps what was executed since the last mark. (Dumping on
// entry to a function, --dump-before, loses phases: Go's goroutine switches and stack
// copies confuse callgrind's call tracking.)
func mark(label string) {
	dumpStats()
	fmt.Println("mark " + label)
}

// storeReadAST mirrors `opa run --optimize-store-for-read-speed`: the served OPA keeps its
// data as AST values, so that reading it does not convert it on every read.
var storeReadAST = os.Getenv("APL_STORE_READ_AST") == "1"

func prepare(ctx context.Context, p policy, query string) (rego.PreparedEvalQuery, error) {
	return rego.New(rego.LoadBundle(p.Bundle), rego.Query(query), rego.StoreReadAST(storeReadAST)).PrepareForEval(ctx)
}

func eval(ctx context.Context, q rego.PreparedEvalQuery, input any) (any, error) {
	rs, err := q.Eval(ctx, rego.EvalInput(input))
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("expected one result, got %d", len(rs))
	}
	return rs[0].Expressions[0].Value, nil
}

// settle collects the garbage and lets the collector's background goroutines (sweeping,
// scavenging) finish, so that none of it runs inside the next measured phase.
func settle() {
	runtime.GC()
	runtime.GC()
	time.Sleep(200 * time.Millisecond)
}

func count(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var pl plan
	if err := json.Unmarshal(raw, &pl); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ctx := context.Background()
	byName := map[string]policy{}
	for _, p := range pl.Policies {
		byName[p.Name] = p
	}
	queries := make([]rego.PreparedEvalQuery, len(pl.Cases))
	for i, c := range pl.Cases {
		p, ok := byName[c.Policy]
		if !ok {
			return fmt.Errorf("case %s: no policy %q", c.Label, c.Policy)
		}
		q, err := prepare(ctx, p, c.Query)
		if err != nil {
			return fmt.Errorf("case %s: %w", c.Label, err)
		}
		queries[i] = q
		for range pl.Warmup {
			if _, err := eval(ctx, q, c.Input); err != nil {
				return fmt.Errorf("case %s: %w", c.Label, err)
			}
		}
	}
	settle()
	mark("setup")
	for i, c := range pl.Cases {
		gcPercent, memoryLimit := 0, int64(0)
		if c.GCOff {
			gcPercent = debug.SetGCPercent(-1)
			memoryLimit = debug.SetMemoryLimit(math.MaxInt64)
		}
		for range c.Reps {
			if _, err := eval(ctx, queries[i], c.Input); err != nil {
				return err
			}
		}
		mark("case " + c.Label)
		if c.GCOff {
			debug.SetGCPercent(gcPercent)
			debug.SetMemoryLimit(memoryLimit)
		}
		settle() // what this case left on the heap is not collected on the next one's bill
		mark("other")
	}
	return nil
}

// strip removes what may differ between two builds of the same rules: policy.revision.
func strip(v any) any {
	d, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if p, ok := d["policy"].(map[string]any); ok {
		q := map[string]any{}
		for k, x := range p {
			if k != "revision" {
				q[k] = x
			}
		}
		out := map[string]any{}
		for k, x := range d {
			out[k] = x
		}
		out["policy"] = q
		return out
	}
	return v
}

func golden(base, next string, docsPath string) error {
	ctx := context.Background()
	pick := func(arg string) policy { return policy{Name: arg, Bundle: arg} }
	qa, err := prepare(ctx, pick(base), "data.apl.decision")
	if err != nil {
		return err
	}
	qb, err := prepare(ctx, pick(next), "data.apl.decision")
	if err != nil {
		return err
	}
	f, err := os.Open(docsPath)
	if err != nil {
		return err
	}
	defer f.Close()
	type job struct {
		line int
		text string
	}
	jobs := make(chan job, 64)
	var mu sync.Mutex
	var decided, differing int
	var failure error
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var doc any
				if err := json.Unmarshal([]byte(j.text), &doc); err != nil {
					mu.Lock()
					failure = fmt.Errorf("%s line %d: %w", docsPath, j.line, err)
					mu.Unlock()
					continue
				}
				a, errA := eval(ctx, qa, doc)
				b, errB := eval(ctx, qb, doc)
				mu.Lock()
				if errA != nil || errB != nil {
					failure = fmt.Errorf("%s line %d: baseline %v, new %v", docsPath, j.line, errA, errB)
				} else {
					decided++
					if !reflect.DeepEqual(strip(a), strip(b)) {
						differing++
						if differing <= 20 {
							ja, _ := json.Marshal(strip(a))
							jb, _ := json.Marshal(strip(b))
							fmt.Printf("DIFF %s line %d\n  document: %s\n  baseline: %s\n  new:      %s\n", docsPath, j.line, j.text, ja, jb)
						}
					}
				}
				mu.Unlock()
			}
		}()
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		jobs <- job{n, sc.Text()}
	}
	close(jobs)
	wg.Wait()
	if err := sc.Err(); err != nil {
		return err
	}
	if failure != nil {
		return failure
	}
	fmt.Printf("golden: %d documents decided by both policies, %d differ\n", decided, differing)
	if differing > 0 {
		return fmt.Errorf("%d of %d decisions differ", differing, decided)
	}
	return nil
}

func main() {
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "count":
		err = count(os.Args[2])
	case len(os.Args) == 5 && os.Args[1] == "golden":
		err = golden(os.Args[2], os.Args[3], os.Args[4])
	default:
		err = fmt.Errorf("usage: instructions count PLAN.json | instructions golden BASELINE NEW DOCS.jsonl")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "instructions:", err)
		os.Exit(1)
	}
}
