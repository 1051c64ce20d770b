/*
 * report_pdf.h - PDF from the HTML report by headless Chromium
 * (`--headless --print-to-pdf`): the same page, its print stylesheet.
 */
#ifndef BN_CORE_REPORT_PDF_H
#define BN_CORE_REPORT_PDF_H

/**
 * The Chromium program: $BOTTLENECK_CHROMIUM, else chromium,
 * chromium-browser or google-chrome on $PATH.  Returns 0 and the path in
 * buf, or -1.
 */
int report_pdf_browser(char *buf, size_t len);

/**
 * Print the HTML file `html` to the PDF file `pdf` with `browser`.
 * Returns 0, or -1 after logging why.
 */
int report_pdf_print(const char *browser, const char *html, const char *pdf);

#endif
