package alerts

import (
	"os"
	"testing"

	"github.com/sluice-dev/sluice/db/dbtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	dbtest.DropTemplate()
	os.Exit(code)
}
