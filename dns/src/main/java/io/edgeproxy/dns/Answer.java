package io.edgeproxy.dns;

import java.util.List;

/**
 * The outcome of one lookup. {@link #rcode()} is the one place an outcome becomes an RCODE.
 */
sealed interface Answer {
  int NOERROR = 0;
  int FORMERR = 1;
  int SERVFAIL = 2;
  int NXDOMAIN = 3;
  int NOTIMP = 4;
  int REFUSED = 5;
  /** EDNS version not supported (RFC 6891); an extended RCODE, sent in the OPT record. */
  int BADVERS = 16;

  /** Records of the asked type; {@code additional} may be left out when it does not fit. */
  record Records(List<Rr> answers, List<Rr> additional) implements Answer {}

  /** The name exists without records of the asked type: NOERROR, no answers, SOA in authority. */
  record NoData() implements Answer {}

  /** No such name in the zone: NXDOMAIN with the SOA. */
  record NxDomain() implements Answer {}

  /** Outside the zone (and not forwarded), or a class or type not served (zone transfers): REFUSED. */
  record Refused() implements Answer {}

  /** An opcode other than QUERY. */
  record NotImplemented() implements Answer {}

  /** A malformed query. */
  record FormatError() implements Answer {}

  /** An EDNS version other than 0. */
  record BadVersion() implements Answer {}

  /** An internal failure; never an expected outcome. */
  record ServerFailure() implements Answer {}

  /** The RCODE of this answer (BADVERS is above 15: its high bits go in the OPT record). */
  default int rcode() {
    return switch (this) {
      case Records r -> NOERROR;
      case NoData n -> NOERROR;
      case NxDomain n -> NXDOMAIN;
      case Refused r -> REFUSED;
      case NotImplemented n -> NOTIMP;
      case FormatError f -> FORMERR;
      case BadVersion b -> BADVERS;
      case ServerFailure s -> SERVFAIL;
    };
  }

  /** True when the server speaks for the name (AA set, SOA on negative answers). */
  default boolean authoritative() {
    return this instanceof Records || this instanceof NoData || this instanceof NxDomain;
  }
}
