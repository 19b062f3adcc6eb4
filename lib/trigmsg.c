/* trigmsg: see trigmsg.h. */
#include <string.h>

#include "fsutil.h"
#include "trigmsg.h"
#include "valid.h"

static const char	 word[] = "regenerate";
#define WORD_LEN	(sizeof(word) - 1)

int
trigmsg_format(char *out, size_t outsz, const char *list)
{
	if (list == NULL || list[0] == '\0')
		return xsnprintf(out, outsz, "%s\n", word);
	if (!valid_list_name(list))
		return -1;
	return xsnprintf(out, outsz, "%s %s\n", word, list);
}

int
trigmsg_parse(const char *msg, size_t len, char list[VALID_LIST_MAX + 1])
{
	size_t	 n;

	list[0] = '\0';
	if (msg == NULL || len > TRIGMSG_MAX)
		return -1;
	if (len > 0 && msg[len - 1] == '\n')
		len--;
	if (len < WORD_LEN || memcmp(msg, word, WORD_LEN) != 0)
		return -1;
	if (len == WORD_LEN)
		return 0;
	n = len - WORD_LEN - 1;
	if (msg[WORD_LEN] != ' ' || !valid_list_name_n(msg + WORD_LEN + 1, n))
		return -1;
	memcpy(list, msg + WORD_LEN + 1, n);
	list[n] = '\0';
	return 0;
}
