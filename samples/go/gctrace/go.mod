module memlens.samples/gctrace

go 1.19
