module memlens.samples/memstats

go 1.19
