package alerts

import (
	"testing"

	"github.com/sluice-dev/sluice/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.RunAndDropTemplate(m) }
