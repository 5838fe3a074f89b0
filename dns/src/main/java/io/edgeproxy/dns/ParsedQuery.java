package io.edgeproxy.dns;

/** What a received packet turned out to be. */
public sealed interface ParsedQuery {

  /** A well-formed query. */
  record Parsed(DnsQuery query) implements ParsedQuery {}

  /** The header is readable but the rest is not a valid query: answered with FORMERR. */
  record Malformed(int id, int flags, String reason) implements ParsedQuery {}

  /** An opcode other than QUERY: answered with NOTIMP. */
  record Unsupported(int id, int flags) implements ParsedQuery {}

  /** Not answered at all: shorter than a header, or a response (QR set), which must never be answered. */
  record Ignored(String reason) implements ParsedQuery {}
}
