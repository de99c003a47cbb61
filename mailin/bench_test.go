package mailin

import (
	"os"
	"testing"
)

// BenchmarkParse parses the whole corpus once per iteration and reports
// mails per second, the figure the gateway's throughput is planned with.
func BenchmarkParse(b *testing.B) {
	var mails [][]byte
	var size int64
	for _, file := range corpusFiles(b) {
		raw, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		mails = append(mails, raw)
		size += int64(len(raw))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range mails {
			Parse(raw, testOptions)
		}
	}
	b.ReportMetric(float64(b.N*len(mails))/b.Elapsed().Seconds(), "mails/s")
}
