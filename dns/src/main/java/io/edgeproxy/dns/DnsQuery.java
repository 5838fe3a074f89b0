package io.edgeproxy.dns;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One well-formed query: the header fields a response echoes, the question, and its EDNS0 options.
 *
 * @param id the query id
 * @param flags the query's header flags word (opcode, RD and CD are echoed)
 * @param question the question exactly as received (name, type, class), echoed in the response
 * @param labels the question name's labels in lower case, leftmost first
 * @param qtype the question type
 * @param qclass the question class
 * @param edns the OPT record's content, or null when the query had none
 */
public record DnsQuery(
    int id, int flags, byte[] question, List<String> labels, int qtype, int qclass, @Nullable Edns edns) {

  /** The question name's wire length (labels and the root byte), the offset of QTYPE in {@link #question}. */
  public int nameLength() {
    return question.length - 4;
  }

  public int opcode() {
    return (flags >> 11) & 0xF;
  }

  /**
   * EDNS0 as the query stated it (RFC 6891).
   *
   * @param udpPayloadSize the largest UDP response the client accepts (values below 512 count as 512)
   * @param version EDNS version; only 0 is supported
   * @param dnssecOk the DO bit
   * @param subnet the EDNS Client Subnet option, or null
   */
  public record Edns(int udpPayloadSize, int version, boolean dnssecOk, @Nullable ClientSubnet subnet) {}
}
