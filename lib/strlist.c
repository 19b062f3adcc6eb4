/* strlist: see strlist.h. */
#include <stdlib.h>
#include <string.h>

#include "strlist.h"

int
strlist_add(struct strlist *l, const char *s)
{
	char	**v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

int
strlist_has(const struct strlist *l, const char *s)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void
strlist_free(struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
