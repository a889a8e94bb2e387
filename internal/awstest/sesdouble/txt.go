package sesdouble

import "strings"

// txtText is the text a resolver gives for a TXT record whose value Route 53
// holds in its presentation format: the character strings of the value, each
// in double quotes, joined without separators, with \" and \\ unescaped and
// \NNN decoded (a byte as a three-digit octal code, Route 53's escape for
// special characters). A value without quotes is one bare string.
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat
func txtText(value string) string {
	if !strings.Contains(value, `"`) {
		return value
	}
	var out strings.Builder
	quoted := false
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted:
			// white space between character strings
		case c == '\\' && i+3 < len(value) && isOctal(value[i+1]) && isOctal(value[i+2]) && isOctal(value[i+3]):
			out.WriteByte((value[i+1]-'0')<<6 | (value[i+2]-'0')<<3 | (value[i+3] - '0'))
			i += 3
		case c == '\\' && i+1 < len(value):
			out.WriteByte(value[i+1])
			i++
		default:
			out.WriteByte(c)
		}
	}
	return out.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
