package export

import (
	"runtime"
	"sync"
)

// Parallel runs fn(0) … fn(n-1) on every CPU and returns each call's
// error by index. Laying out a PDF is CPU-bound (fpdf parses and subsets
// the embedded fonts for every document), so a weekly batch of updates
// runs about as many times faster as there are CPUs.
func Parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return errs
}
