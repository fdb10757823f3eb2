package memory_test

import (
	"testing"

	"github.com/resetbot/resetbot/directory"
	"github.com/resetbot/resetbot/directory/dirtest"
	"github.com/resetbot/resetbot/directory/memory"
)

func TestConformance(t *testing.T) {
	dirtest.Run(t, func(t *testing.T) directory.Directory {
		d, err := memory.New(memory.ExampleSeed())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}, dirtest.MemoryFixture())
}
