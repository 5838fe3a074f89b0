package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes responses. Netty's response encoder is not used: it writes every name in full and cannot
 * stop at a size, and a response must fit the client's UDP payload size or be truncated.
 *
 * <p>Size rules: when the answer or authority section does not fit {@code maxSize}, the response
 * carries the question only and TC, and the client retries over TCP (RFC 1035 4.2.1, RFC 2181 9);
 * additional records that do not fit are left out without TC. The OPT record always fits: room
 * for it is kept.
 */
final class ResponseWriter {
  /** The UDP payload size this server advertises and never exceeds (DNS flag day 2020). */
  static final int UDP_PAYLOAD = 1232;
  /** A TCP message's length field is 16 bits. */
  static final int TCP_MAX = 65535;

  private static final int QR = 0x8000;
  private static final int AA = 0x0400;
  private static final int TC = 0x0200;
  private static final int ECHOED = 0x7800 | 0x0100 | 0x0010; // opcode, RD, CD
  private static final int CLASS_IN = 1;

  /**
   * What every response of one server shares.
   *
   * @param zone the zone's labels
   * @param ttl TTL of every record, seconds
   */
  record Settings(List<String> zone, int ttl) {}

  private ResponseWriter() {}

  /**
   * Writes the response to {@code query} into {@code out}, at most {@code maxSize} bytes.
   *
   * @param serial the SOA serial (the snapshot version)
   * @return true when truncated (TC set)
   */
  static boolean write(ByteBuf out, DnsQuery query, Answer answer, int maxSize, long serial, Settings settings) {
    int start = out.writerIndex();
    out.writeZero(QueryParser.HEADER_LENGTH);
    out.writeBytes(query.question());
    int afterQuestion = out.writerIndex();
    List<String> rel = query.labels().subList(0, Math.max(0, query.labels().size() - settings.zone().size()));
    NameCompressor names = new NameCompressor(start, rel, settings.zone());
    int limit = start + maxSize - optLength(query);
    int an = 0;
    int ns = 0;
    int ar = 0;
    boolean truncated = false;
    if (answer instanceof Answer.Records records) {
      an = writeAll(out, records.answers(), names, settings, limit);
      truncated = an < records.answers().size();
      if (!truncated) {
        ar = writeAll(out, records.additional(), names, settings, limit);
      }
    } else if (answer.authoritative()) {
      ns = writeAll(out, List.of(new Rr.Soa(serial)), names, settings, limit);
      truncated = ns == 0;
    }
    if (truncated) {
      out.writerIndex(afterQuestion);
      an = ns = ar = 0;
    }
    if (query.edns() != null) {
      writeOpt(out, query.edns(), answer.rcode());
      ar++;
    }
    int flags = QR | (query.flags() & ECHOED) | (answer.authoritative() ? AA : 0) | (truncated ? TC : 0)
        | (answer.rcode() & 0xF);
    out.setShort(start, query.id());
    out.setShort(start + 2, flags);
    out.setShort(start + 4, 1);
    out.setShort(start + 6, an);
    out.setShort(start + 8, ns);
    out.setShort(start + 10, ar);
    return truncated;
  }

  /** A header-only response (FORMERR, NOTIMP, or a rate-limited TC) with {@code rcode}. */
  static void writeHeaderOnly(ByteBuf out, int id, int queryFlags, int rcode, boolean truncated) {
    out.writeShort(id);
    out.writeShort(QR | (queryFlags & ECHOED) | (truncated ? TC : 0) | (rcode & 0xF));
    out.writeZero(8);
  }

  /** Writes records while they fit before {@code limit}; returns how many were written. */
  private static int writeAll(ByteBuf out, List<Rr> records, NameCompressor names, Settings settings, int limit) {
    int written = 0;
    for (Rr rr : records) {
      int mark = out.writerIndex();
      writeRecord(out, rr, names, settings);
      if (out.writerIndex() > limit) {
        out.writerIndex(mark);
        return written;
      }
      written++;
    }
    return written;
  }

  private static void writeRecord(ByteBuf out, Rr rr, NameCompressor names, Settings settings) {
    names.write(out, rr.owner());
    out.writeShort(rr.type());
    out.writeShort(CLASS_IN);
    out.writeInt(settings.ttl());
    int lengthAt = out.writerIndex();
    out.writeShort(0);
    switch (rr) {
      case Rr.Address a -> out.writeBytes(a.address().getAddress());
      case Rr.Srv s -> {
        out.writeShort(s.priority());
        out.writeShort(s.weight());
        out.writeShort(s.port());
        names.writeUncompressed(out, s.target());
      }
      case Rr.Txt t -> writeText(out, t.text());
      case Rr.Ns n -> names.write(out, n.target());
      case Rr.Soa soa -> {
        names.write(out, List.of("pops"));
        names.write(out, List.of("hostmaster"));
        out.writeInt((int) soa.serial());
        out.writeInt(3600); // refresh
        out.writeInt(600); // retry
        out.writeInt(86400); // expire
        out.writeInt(settings.ttl()); // minimum: the negative-caching TTL (RFC 2308)
      }
    }
    out.setShort(lengthAt, out.writerIndex() - lengthAt - 2);
  }

  /** Character-strings of at most 255 bytes each; an empty text is one empty string. */
  private static void writeText(ByteBuf out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int offset = 0;
    do {
      int len = Math.min(255, bytes.length - offset);
      out.writeByte(len);
      out.writeBytes(bytes, offset, len);
      offset += len;
    } while (offset < bytes.length);
  }

  private static int optLength(DnsQuery query) {
    DnsQuery.Edns edns = query.edns();
    if (edns == null) {
      return 0;
    }
    return 11 + (edns.subnet() == null ? 0 : 8 + edns.subnet().addressBytes());
  }

  /**
   * The OPT record (RFC 6891 6.1.2): our payload size, the extended RCODE bits, version 0, and the
   * client subnet echoed with its scope (RFC 7871 7.2.1: the answer depends on the whole prefix).
   */
  private static void writeOpt(ByteBuf out, DnsQuery.Edns edns, int rcode) {
    out.writeByte(0);
    out.writeShort(Rr.TYPE_OPT);
    out.writeShort(UDP_PAYLOAD);
    out.writeInt((rcode >> 4) << 24);
    ClientSubnet subnet = edns.subnet();
    if (subnet == null) {
      out.writeShort(0);
      return;
    }
    int bytes = subnet.addressBytes();
    out.writeShort(4 + 4 + bytes);
    out.writeShort(ClientSubnet.OPTION_CODE);
    out.writeShort(4 + bytes);
    out.writeShort(subnet.family());
    out.writeByte(subnet.sourcePrefix());
    out.writeByte(subnet.sourcePrefix());
    out.writeBytes(subnet.address().getAddress(), 0, bytes);
  }

  /** The UDP size limit for {@code query}: 512 without EDNS, else the client's size capped at ours. */
  static int udpLimit(DnsQuery.@Nullable Edns edns) {
    return edns == null ? 512 : Math.min(UDP_PAYLOAD, edns.udpPayloadSize());
  }
}
