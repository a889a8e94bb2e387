//go:build !unix

package main

import "os"

// peakRSS is unknown where the kernel gives no rusage (Windows): 0.
func peakRSS(*os.ProcessState) int64 { return 0 }
