package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Wire bytes to a {@link ParsedQuery}. Pure and total: any input gives a value, never an exception.
 *
 * <p>The question is parsed here, strictly: its name may not be compressed (a pointer may only
 * point to a prior name, RFC 1035 section 4.1.4, and nothing but the header precedes the
 * question), so the question can be echoed byte for byte (RFC 4343 asks for the case to be kept).
 * Records after the question are decoded by Netty's {@link DnsRecordDecoder}, which follows
 * compression pointers with a loop check; of them only OPT is used.
 */
final class QueryParser {
  static final int HEADER_LENGTH = 12;
  private static final int FLAG_QR = 0x8000;
  private static final int MAX_NAME_LENGTH = 255;

  private QueryParser() {}

  /** Parses the readable bytes of {@code packet}; does not move its reader index or release it. */
  static ParsedQuery parse(ByteBuf packet) {
    ByteBuf in = packet.slice(); // compression pointers are offsets from the message start
    if (in.readableBytes() < HEADER_LENGTH) {
      return new ParsedQuery.Ignored("shorter than a DNS header");
    }
    int id = in.readUnsignedShort();
    int flags = in.readUnsignedShort();
    if ((flags & FLAG_QR) != 0) {
      return new ParsedQuery.Ignored("a response, not a query");
    }
    if (((flags >> 11) & 0xF) != 0) {
      return new ParsedQuery.Unsupported(id, flags);
    }
    int qdCount = in.readUnsignedShort();
    int anCount = in.readUnsignedShort();
    int nsCount = in.readUnsignedShort();
    int arCount = in.readUnsignedShort();
    if (qdCount != 1) {
      return new ParsedQuery.Malformed(id, flags, "QDCOUNT " + qdCount + " (expected: 1)");
    }
    try {
      return parseBody(in, id, flags, anCount + nsCount, arCount);
    } catch (RuntimeException e) { // Netty's record decoder signals bad input with exceptions
      return new ParsedQuery.Malformed(id, flags, "bad record: " + e.getClass().getSimpleName());
    }
  }

  private static ParsedQuery parseBody(ByteBuf in, int id, int flags, int skipCount, int arCount) {
    int questionStart = in.readerIndex();
    List<String> labels = new ArrayList<>(6);
    String problem = readQuestionName(in, labels);
    if (problem != null) {
      return new ParsedQuery.Malformed(id, flags, problem);
    }
    if (in.readableBytes() < 4) {
      return new ParsedQuery.Malformed(id, flags, "question truncated");
    }
    int qtype = in.readUnsignedShort();
    int qclass = in.readUnsignedShort();
    byte[] question = new byte[in.readerIndex() - questionStart];
    in.getBytes(questionStart, question);
    for (int i = 0; i < skipCount; i++) {
      if (!skipRecord(in)) {
        return new ParsedQuery.Malformed(id, flags, "answer or authority record truncated");
      }
    }
    DnsQuery.Edns edns = null;
    for (int i = 0; i < arCount; i++) {
      DnsRecord record = decodeRecord(in);
      if (record == null) {
        return new ParsedQuery.Malformed(id, flags, "additional record truncated");
      }
      try {
        if (record.type() == DnsRecordType.OPT) {
          if (edns != null) {
            return new ParsedQuery.Malformed(id, flags, "more than one OPT record"); // RFC 6891 6.1.1
          }
          Object parsed = parseOpt(record);
          if (parsed instanceof String reason) {
            return new ParsedQuery.Malformed(id, flags, reason);
          }
          edns = (DnsQuery.Edns) parsed;
        }
      } finally {
        ReferenceCountUtil.release(record);
      }
    }
    return new ParsedQuery.Parsed(new DnsQuery(id, flags, question, List.copyOf(labels), qtype, qclass, edns));
  }

  /** Reads an uncompressed name into lower-case labels; returns a problem, or null when fine. */
  private static @Nullable String readQuestionName(ByteBuf in, List<String> labels) {
    int length = 0;
    while (true) {
      if (!in.isReadable()) {
        return "question name truncated";
      }
      int len = in.readUnsignedByte();
      length += len + 1;
      if (len == 0) {
        return null;
      }
      if ((len & 0xC0) != 0) {
        return (len & 0xC0) == 0xC0 ? "compressed question name" : "unknown label type";
      }
      if (length > MAX_NAME_LENGTH || in.readableBytes() < len) {
        return length > MAX_NAME_LENGTH ? "question name longer than 255 bytes" : "question name truncated";
      }
      labels.add(DnsNames.lowerLabel(in, len));
    }
  }

  /** Skips one resource record (name, fixed fields, RDATA); false when it does not fit. */
  private static boolean skipRecord(ByteBuf in) {
    DnsRecord record = decodeRecord(in);
    if (record == null) {
      return false;
    }
    ReferenceCountUtil.release(record);
    return true;
  }

  /** Netty's decoder; null when the record is cut short. Bad names (loops, bad pointers) throw. */
  private static @Nullable DnsRecord decodeRecord(ByteBuf in) {
    try {
      return DnsRecordDecoder.DEFAULT.decodeRecord(in);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) { // declared by the interface
      throw new CorruptedFrameException(e);
    }
  }

  /** The EDNS0 content of an OPT record, or a problem text. */
  private static Object parseOpt(DnsRecord record) {
    if (!record.name().isEmpty() && !record.name().equals(".")) {
      return "OPT record not owned by the root";
    }
    long ttl = record.timeToLive();
    int version = (int) ((ttl >> 16) & 0xFF);
    boolean dnssecOk = (ttl & 0x8000) != 0;
    int payload = Math.max(512, record.dnsClass());
    ClientSubnet subnet = null;
    if (record instanceof DnsRawRecord raw) {
      ByteBuf options = raw.content().duplicate();
      while (options.isReadable()) {
        if (options.readableBytes() < 4) {
          return "EDNS option truncated";
        }
        int code = options.readUnsignedShort();
        int len = options.readUnsignedShort();
        if (options.readableBytes() < len) {
          return "EDNS option truncated";
        }
        ByteBuf data = options.readSlice(len);
        if (code == ClientSubnet.OPTION_CODE) {
          if (subnet != null) {
            return "more than one client subnet option";
          }
          Object ecs = parseSubnet(data);
          if (ecs instanceof String reason) {
            return reason;
          }
          subnet = (ClientSubnet) ecs;
        }
      }
    }
    return new DnsQuery.Edns(payload, version, dnssecOk, subnet);
  }

  /** RFC 7871 section 6: a query's option must have scope 0 and no address bits past the prefix. */
  private static Object parseSubnet(ByteBuf data) {
    if (data.readableBytes() < 4) {
      return "client subnet option too short";
    }
    int family = data.readUnsignedShort();
    int source = data.readUnsignedByte();
    int scope = data.readUnsignedByte();
    int width = family == 1 ? 4 : family == 2 ? 16 : -1;
    if (width < 0 || source > width * 8 || scope != 0) {
      return "client subnet option: family " + family + ", source /" + source + ", scope /" + scope;
    }
    int bytes = (source + 7) / 8;
    if (data.readableBytes() != bytes) {
      return "client subnet address length " + data.readableBytes() + " (expected: " + bytes + ")";
    }
    byte[] address = new byte[width];
    data.readBytes(address, 0, bytes);
    if (source % 8 != 0 && (address[bytes - 1] & (0xFF >> (source % 8))) != 0) {
      return "client subnet address has bits past its prefix";
    }
    try {
      return new ClientSubnet(family, source, InetAddress.getByAddress(address));
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an address", e);
    }
  }
}
