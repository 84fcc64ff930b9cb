/* Internal interface between the document front (doc.c) and the JSON and YAML readers. */
#ifndef SF_DOC_INTERNAL_H
#define SF_DOC_INTERNAL_H

#include <sysfence/doc.h>

#include "util/util.h"

/* Read data into doc (whose name and arena are set): append the root(s) with sf_doc_add_root.
 * Errors carry doc->name and the line:column of the problem. */
int sf_json_parse(struct sf_doc *doc, const char *data, size_t len, struct sf_error *err);
int sf_yaml_parse(struct sf_doc *doc, const char *data, size_t len, unsigned flags,
		  struct sf_error *err);

#endif
