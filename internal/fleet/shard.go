package fleet

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one of Count disjoint parts of a set of series, numbered from 0
// as Kubernetes and Slurm number array tasks.
type Shard struct {
	Index, Count int
}

// All is the shard that holds every series.
var All = Shard{0, 1}

// String writes the shard as "I/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard reads "I/N", 0 <= I < N.
func ParseShard(text string) (Shard, error) {
	i, n, ok := strings.Cut(text, "/")
	if !ok {
		return Shard{}, fmt.Errorf("want I/N, such as 0/4, got %q", text)
	}
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("want I/N with whole numbers, such as 0/4, got %q", text)
	}
	return newShard(index, count)
}

func newShard(index, count int) (Shard, error) {
	switch {
	case count < 1:
		return Shard{}, fmt.Errorf("the number of shards must be at least 1, got %d", count)
	case index < 0 || index >= count:
		return Shard{}, fmt.Errorf("shard index %d is out of range 0 to %d", index, count-1)
	}
	return Shard{index, count}, nil
}

// ShardFromEnv returns shard I of count, I read from the environment
// through getenv (os.Getenv): JOB_COMPLETION_INDEX (a Kubernetes Indexed
// Job), SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (a Slurm job array,
// whose ids need not start at 0), or AWS_BATCH_JOB_ARRAY_INDEX (an AWS
// Batch array job), the first that is set.
func ShardFromEnv(count int, getenv func(string) string) (Shard, error) {
	number := func(name string) (int, error) {
		v, err := strconv.Atoi(strings.TrimSpace(getenv(name)))
		if err != nil {
			return 0, fmt.Errorf("%s=%q is not a whole number", name, getenv(name))
		}
		return v, nil
	}
	var index int
	var err error
	switch {
	case getenv("JOB_COMPLETION_INDEX") != "":
		index, err = number("JOB_COMPLETION_INDEX")
	case getenv("SLURM_ARRAY_TASK_ID") != "":
		var id, lo int
		if id, err = number("SLURM_ARRAY_TASK_ID"); err == nil {
			if getenv("SLURM_ARRAY_TASK_MIN") != "" {
				lo, err = number("SLURM_ARRAY_TASK_MIN")
			}
			// Slurm's ids are never negative; refusing a negative one
			// also keeps id - lo from wrapping around into a valid index.
			switch {
			case err != nil:
			case id < 0 || lo < 0:
				err = fmt.Errorf("SLURM_ARRAY_TASK_ID=%d and SLURM_ARRAY_TASK_MIN=%d: Slurm's array ids are never negative", id, lo)
			case id < lo:
				err = fmt.Errorf("SLURM_ARRAY_TASK_ID=%d is below SLURM_ARRAY_TASK_MIN=%d", id, lo)
			}
			index = id - lo
		}
	case getenv("AWS_BATCH_JOB_ARRAY_INDEX") != "":
		index, err = number("AWS_BATCH_JOB_ARRAY_INDEX")
	default:
		return Shard{}, fmt.Errorf("no shard index in the environment: set JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX, or use --shard I/N")
	}
	if err != nil {
		return Shard{}, err
	}
	return newShard(index, count)
}

// Owns reports whether the series at path belongs to the shard: the FNV-1a
// hash of its name (see Name) modulo Count is Index. It depends on the name
// alone, so a series stays in its shard when others are added or removed.
func (s Shard) Owns(path string) bool {
	h := fnv.New64a()
	h.Write([]byte(Name(path)))
	return h.Sum64()%uint64(s.Count) == uint64(s.Index)
}

// Select returns the paths the shard owns, in their order.
func (s Shard) Select(paths []string) []string {
	var mine []string
	for _, p := range paths {
		if s.Owns(p) {
			mine = append(mine, p)
		}
	}
	return mine
}
