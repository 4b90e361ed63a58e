/*
 * report_xml.c - a thin layer over xmlTextWriter for the XML reports (see
 * report_xml.h).
 */
#include "report_xml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define X(s) ((const xmlChar *)(s))

static void check(struct report_xml *x, int rc)
{
    if (rc < 0)
        x->failed = true;
}

int report_xml_begin(struct report *r, struct report_xml *x, bool indent)
{
    x->failed = false;
    x->w = NULL;
    x->buf = xmlBufferCreate();
    if (x->buf != NULL)
        x->w = xmlNewTextWriterMemory(x->buf, 0);
    if (x->w == NULL) {
        report_xml_discard(x);
        return pmc_error_set(r->err, "making the report: out of memory");
    }
    if (indent) {
        check(x, xmlTextWriterSetIndent(x->w, 1));
        check(x, xmlTextWriterSetIndentString(x->w, X("  ")));
    }
    return 0;
}

void report_xml_declaration(struct report_xml *x)
{
    check(x, xmlTextWriterStartDocument(x->w, NULL, "UTF-8", NULL));
}

void report_xml_doctype(struct report_xml *x, const char *name)
{
    check(x, xmlTextWriterWriteDTD(x->w, X(name), NULL, NULL, NULL));
    check(x, xmlTextWriterWriteString(x->w, X("\n")));
}

void report_xml_start(struct report_xml *x, const char *element)
{
    check(x, xmlTextWriterStartElement(x->w, X(element)));
}

void report_xml_end(struct report_xml *x)
{
    /* Full end tags: <td></td>, never <td/>, which HTML misreads. */
    check(x, xmlTextWriterFullEndElement(x->w));
}

void report_xml_end_void(struct report_xml *x)
{
    check(x, xmlTextWriterEndElement(x->w));
}

void report_xml_attr(struct report_xml *x, const char *name, const char *value)
{
    check(x, xmlTextWriterWriteAttribute(x->w, X(name),
                                         X(value != NULL ? value : "")));
}

void report_xml_attrf(struct report_xml *x, const char *name, const char *fmt,
                      ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    report_xml_attr(x, name, buf);
}

void report_xml_text(struct report_xml *x, const char *text)
{
    if (text != NULL && text[0] != '\0')
        check(x, xmlTextWriterWriteString(x->w, X(text)));
}

void report_xml_textf(struct report_xml *x, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    report_xml_text(x, buf);
}

void report_xml_element(struct report_xml *x, const char *element,
                        const char *cls, const char *text)
{
    report_xml_start(x, element);
    if (cls != NULL)
        report_xml_attr(x, "class", cls);
    report_xml_text(x, text);
    report_xml_end(x);
}

int report_xml_finish(struct report *r, struct report_xml *x)
{
    check(x, xmlTextWriterEndDocument(x->w));
    xmlFreeTextWriter(x->w); /* flushes into buf */
    x->w = NULL;
    int rc = 0;
    if (x->failed)
        rc = pmc_error_set(r->err, "making the report: the XML writer "
                                   "failed (invalid text or no memory)");
    else
        fwrite(xmlBufferContent(x->buf), 1, (size_t)xmlBufferLength(x->buf),
               r->out);
    report_xml_discard(x);
    return rc;
}

void report_xml_discard(struct report_xml *x)
{
    if (x->w != NULL)
        xmlFreeTextWriter(x->w);
    if (x->buf != NULL)
        xmlBufferFree(x->buf);
    x->w = NULL;
    x->buf = NULL;
}
