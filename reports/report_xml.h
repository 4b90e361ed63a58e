/*
 * report_xml.h - writing the XML reports (JUnit, HTML) with libxml2's
 * xmlTextWriter, so escaping text and attributes is the library's job and
 * no string from a trace or a source file reaches the markup unescaped.
 *
 * The document is built in memory and written to the report's stream at
 * the end. Errors are sticky: the write calls need no checks, and
 * report_xml_finish() says whether any of them failed.
 */
#ifndef PMC_REPORT_XML_H
#define PMC_REPORT_XML_H

#include <libxml/xmlwriter.h>
#include <stdbool.h>

#include "report_internal.h"

struct report_xml {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    bool failed;
};

/* indent: pretty-print (not for documents with <pre> or mixed content). */
int report_xml_begin(struct report *r, struct report_xml *x, bool indent);

/* The XML declaration (JUnit). The HTML report starts with a doctype. */
void report_xml_declaration(struct report_xml *x);
void report_xml_doctype(struct report_xml *x, const char *name);

void report_xml_start(struct report_xml *x, const char *element);
void report_xml_end(struct report_xml *x);
/* End an element that has no content and no end tag in HTML (<meta/>). */
void report_xml_end_void(struct report_xml *x);
void report_xml_attr(struct report_xml *x, const char *name, const char *value);
void report_xml_attrf(struct report_xml *x, const char *name, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));
void report_xml_text(struct report_xml *x, const char *text);
void report_xml_textf(struct report_xml *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* <element>text</element>, with class="cls" unless cls is NULL. */
void report_xml_element(struct report_xml *x, const char *element,
                        const char *cls, const char *text);

/* Close the document, write it to r->out and free it; -1 if any write
 * failed (err set). */
int report_xml_finish(struct report *r, struct report_xml *x);

/* Free without writing (after an error elsewhere). */
void report_xml_discard(struct report_xml *x);

#endif /* PMC_REPORT_XML_H */
