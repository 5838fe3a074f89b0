package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes names relative to the zone with RFC 1035 section 4.1.4 compression: a suffix already in
 * the message is replaced by a pointer. It starts out knowing the question name (always at offset
 * 12) and every suffix of it down to the zone apex, so an answer's owner costs two bytes. Lives
 * for one response.
 */
final class NameCompressor {
  private static final int MAX_POINTER = 0x3FFF;

  private final int messageStart;
  private final List<String> questionRel;
  private final List<String> zone;
  private final int zoneOffset;
  private @Nullable Map<String, Integer> known; // built on the first name that is not the question or the apex

  /** {@code questionRel}: the question's labels before the zone; the question starts at {@code messageStart + 12}. */
  NameCompressor(int messageStart, List<String> questionRel, List<String> zone) {
    this.messageStart = messageStart;
    this.questionRel = questionRel;
    this.zone = zone;
    int offset = QueryParser.HEADER_LENGTH;
    for (String label : questionRel) {
      offset += label.length() + 1;
    }
    this.zoneOffset = offset;
  }

  /** Writes {@code rel} (labels before the zone), compressed. */
  void write(ByteBuf out, List<String> rel) {
    if (rel == questionRel || rel.equals(questionRel)) {
      out.writeShort(0xC000 | QueryParser.HEADER_LENGTH);
      return;
    }
    if (rel.isEmpty()) {
      out.writeShort(0xC000 | zoneOffset);
      return;
    }
    Map<String, Integer> names = known();
    for (int i = 0; i <= rel.size(); i++) {
      Integer at = names.get(key(rel, i));
      if (at != null) {
        out.writeShort(0xC000 | at);
        return;
      }
      int offset = out.writerIndex() - messageStart;
      if (offset <= MAX_POINTER) {
        names.put(key(rel, i), offset);
      }
      writeLabel(out, rel.get(i));
    }
  }

  private Map<String, Integer> known() {
    if (known == null) {
      known = new HashMap<>();
      int offset = QueryParser.HEADER_LENGTH;
      for (int i = 0; i <= questionRel.size(); i++) {
        known.put(key(questionRel, i), offset);
        if (i < questionRel.size()) {
          offset += questionRel.get(i).length() + 1;
        }
      }
    }
    return known;
  }

  /** Writes {@code rel} and the zone in full, without pointers (SRV targets, RFC 2782). */
  void writeUncompressed(ByteBuf out, List<String> rel) {
    rel.forEach(label -> writeLabel(out, label));
    zone.forEach(label -> writeLabel(out, label));
    out.writeByte(0);
  }

  /** Wire length of {@code rel} plus the zone, uncompressed. */
  static int wireLength(List<String> rel, List<String> zone) {
    int n = 1;
    for (String l : rel) {
      n += l.length() + 1;
    }
    for (String l : zone) {
      n += l.length() + 1;
    }
    return n;
  }

  private static void writeLabel(ByteBuf out, String label) {
    out.writeByte(label.length());
    for (int i = 0; i < label.length(); i++) {
      out.writeByte(label.charAt(i));
    }
  }

  private static String key(List<String> labels, int from) {
    return from == labels.size() ? "" : String.join(".", labels.subList(from, labels.size()));
  }
}
