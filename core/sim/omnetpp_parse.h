/*
 * omnetpp_parse.h - a line parser for OMNeT++ result files (.vec, .sca),
 * text format versions 2 and 3 (OMNeT++ manual, appendix "Result File
 * Formats").  It checks the structure (a version line first; a file
 * that starts with 'run', as OMNeT++ 4.0 wrote them, is version 2; field and
 * bin lines inside a statistic, data lines of a declared vector, numbers
 * where numbers belong) and hands each entry to the caller; it stores
 * nothing itself beyond the declared vectors' column layouts.
 *
 * Tokens are separated by spaces or tabs; a token is either bare (a
 * backslash escapes the next character, so "a\ b" is one token) or in
 * double quotes, inside which backslash escapes are \" \\ \n \t \r \f
 * \v \b \a and \xHH.  A line whose first non-blank character is '#' is
 * a comment.
 */
#ifndef BN_CORE_SIM_OMNETPP_PARSE_H
#define BN_CORE_SIM_OMNETPP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/** Kind of a parsed line. */
typedef enum omn_kind {
  OMN_NONE = 0,  /**< blank or comment: nothing to do */
  OMN_VERSION,   /**< version N (tok[0]) */
  OMN_RUN,       /**< run RUNID */
  OMN_ATTR,      /**< attr NAME VALUE (of the run or the last item) */
  OMN_PARAM,     /**< param PATTERN VALUE (version 2) */
  OMN_ITERVAR,   /**< itervar NAME VALUE (version 3) */
  OMN_CONFIG,    /**< config KEY VALUE (version 3) */
  OMN_PAR,       /**< par MODULE NAME VALUE (version 3) */
  OMN_VECTOR,    /**< vector ID MODULE NAME [COLUMNS] */
  OMN_SCALAR,    /**< scalar MODULE NAME VALUE (value in num) */
  OMN_STATISTIC, /**< statistic MODULE NAME */
  OMN_FIELD,     /**< field NAME VALUE (value in num) */
  OMN_BIN,       /**< bin LOWER COUNT (num = lower, num2 = count) */
  OMN_DATA       /**< a vector data line: id, event, time, value */
} omn_kind;

/** Where an attr line belongs. */
typedef enum omn_scope {
  OMN_SCOPE_RUN = 0,
  OMN_SCOPE_VECTOR,
  OMN_SCOPE_SCALAR,
  OMN_SCOPE_STATISTIC,
  OMN_SCOPE_PAR
} omn_scope;

#define OMN_MAX_TOKENS 16

/** One parsed line; the strings point into the caller's line buffer. */
typedef struct omn_line {
  omn_kind kind;
  omn_scope scope; /**< for OMN_ATTR: what it annotates */
  int ntok;        /**< tokens after the keyword (data lines: 0) */
  const char *tok[OMN_MAX_TOKENS];
  double num, num2;   /**< scalar/field value; bin lower bound and count */
  uint32_t vector_id; /**< OMN_VECTOR, OMN_DATA */
  int64_t event;      /**< OMN_DATA: event number, -1 when not recorded */
  double time;        /**< OMN_DATA: simulation time in s, NaN if none */
  double value;       /**< OMN_DATA */
  int has_time;       /**< OMN_DATA: the vector records time */
} omn_line;

/** An error: 1-based column and a message (no file or line). */
typedef struct omn_error {
  size_t col;
  char msg[160];
} omn_error;

typedef struct omn_parser omn_parser;

/** A parser for one file; NULL when out of memory. */
omn_parser *omn_new(void);
void omn_free(omn_parser *p);

/**
 * Parse one line (without its newline; line[len] must be writable, e.g.
 * the NUL getline() leaves there; the line is modified in place and must
 * stay valid while `out` is used).  0 and *out filled, or -1 and *err.
 */
int omn_parse_line(omn_parser *p, char *line, size_t len, omn_line *out,
                   omn_error *err);

/**
 * The end of the file: -1 and *err when something is left open (no
 * version line at all).  The column is 1.
 */
int omn_finish(omn_parser *p, omn_error *err);

/** The format version seen (2 or 3), 0 before the version line. */
int omn_version(const omn_parser *p);

#endif
