package llm

import (
	"regexp"
	"strings"
)

// fence matches a fenced code block, optionally tagged (```sql … ```).
var fence = regexp.MustCompile("(?s)```[ \\t]*([A-Za-z0-9_-]*)[ \\t]*\\n(.*?)```")

// statementStart is how a bare SQL answer begins.
var statementStart = regexp.MustCompile(`(?i)^\s*(SELECT|WITH)\b`)

// maxExplanation bounds the explanation kept from an answer.
const maxExplanation = 2000

// ExtractSQL finds the SQL in a model's answer: the first ```sql block (or
// the first fenced block of any tag), else the whole answer when it starts
// like a query. The rest of the text is the explanation. One trailing
// semicolon is dropped; anything else is left for the read-only guard to judge.
func ExtractSQL(answer string) (sql, explanation string) {
	blocks := fence.FindAllStringSubmatchIndex(answer, -1)
	chosen := -1
	for i, b := range blocks {
		if strings.EqualFold(answer[b[2]:b[3]], "sql") {
			chosen = i
			break
		}
	}
	if chosen < 0 && len(blocks) > 0 {
		chosen = 0
	}
	switch {
	case chosen >= 0:
		b := blocks[chosen]
		sql = answer[b[4]:b[5]]
		explanation = answer[:b[0]] + " " + answer[b[1]:]
	case statementStart.MatchString(answer):
		sql = answer
	default:
		return "", clipText(strings.TrimSpace(answer))
	}
	sql = strings.TrimSpace(sql)
	sql = strings.TrimSpace(strings.TrimSuffix(sql, ";"))
	return sql, clipText(strings.Join(strings.Fields(explanation), " "))
}

func clipText(s string) string {
	if len(s) <= maxExplanation {
		return s
	}
	cut := maxExplanation
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
