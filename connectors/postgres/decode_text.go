package postgres

// Text forms of the binary values the typed decoders render as text, written
// straight into a column's bytes: the forms pgx's codecs and normalize give.

const hexDigits = "0123456789abcdef"

// appendUUID appends a 16-byte uuid in its canonical lowercase form.
func appendUUID(dst, src []byte) []byte {
	for i, b := range src {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[b>>4], hexDigits[b&0xf])
	}
	return dst
}

// postgresEpochDays is 2000-01-01, binary dates' zero, in days since 1970.
const postgresEpochDays = 10_957

// appendDate appends a binary date (days since 2000-01-01) as YYYY-MM-DD.
// It reports false for dates outside years 1 to 9999 (and ±infinity), whose
// text takes another form.
func appendDate(dst []byte, days int32) ([]byte, bool) {
	y, m, d := civilDate(int64(days) + postgresEpochDays)
	if y < 1 || y > 9999 {
		return dst, false
	}
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	return dst, true
}

// civilDate is the proleptic Gregorian year, month and day of a day count
// since 1970-01-01 (Howard Hinnant's days_from_civil, inverted).
func civilDate(z int64) (year, month, day int64) {
	z += 719_468
	era := z / 146_097
	if z < 0 && z%146_097 != 0 {
		era--
	}
	doe := z - era*146_097                                   // [0, 146096]
	yoe := (doe - doe/1460 + doe/36_524 - doe/146_096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)                 // [0, 365]
	mp := (5*doy + 2) / 153                                  // [0, 11], March first
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}
