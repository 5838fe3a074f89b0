package io.edgeproxy.dns;

import io.edgeproxy.core.routing.Hashing;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * Encoded UDP responses by query, so a repeated query costs a lookup and a copy instead of a parse,
 * a lookup in the zone and an encoding.
 *
 * <p>The key is everything that decides the response apart from the query id: the query's bytes
 * after the id (flags, question exactly as sent, OPT with payload size and client subnet) and the
 * sender's /24 or /56 (location and tie-break when there is no client subnet). An entry is used
 * only while its {@link AnswerInputs.Frozen} holds: same zone view, so a routing.db change shows at
 * once, and every backend the answer checked is as usable as it was. Answers that read the POP
 * list are never stored.
 *
 * <p>Bounded: a fixed table of {@value #SLOTS} slots, two per hash (the newer entry replaces one of
 * them), queries over {@value #MAX_QUERY} bytes not stored. Thread-safe without locks: entries are
 * immutable (final fields) and published by a plain array store; a reader sees an old entry or a
 * whole new one, and a lost store only costs a later miss.
 */
final class AnswerCache {
  static final int SLOTS = 1 << 13;
  /** Longest query stored (queries with large EDNS options are rare and not worth the memory). */
  static final int MAX_QUERY = 512;

  private final Entry[] slots = new Entry[SLOTS];

  /** A cached response for {@code query} from {@code network} (see {@link RateLimiter#networkOf}) if one holds. */
  @Nullable Entry find(ByteBuf query, long network, ZoneView view, long nowNanos) {
    int length = query.readableBytes() - 2;
    if (length < QueryParser.HEADER_LENGTH - 2 || length > MAX_QUERY) {
      return null;
    }
    int hash = hash(query, network);
    int slot = hash & (SLOTS - 2);
    Entry e = slots[slot];
    if (e == null || !e.matches(query, network, hash)) {
      e = slots[slot + 1];
      if (e == null || !e.matches(query, network, hash)) {
        return null;
      }
    }
    return e.inputs.holds(view, nowNanos) ? e : null;
  }

  /**
   * Stores the response at {@code response}'s readable bytes for {@code query}.
   *
   * @param rcode the response's RCODE, for the statistics of a later hit
   * @param truncated whether the response has TC set
   */
  void put(ByteBuf query, long network, AnswerInputs.Frozen inputs, ByteBuf response, int rcode, boolean truncated) {
    int length = query.readableBytes() - 2;
    if (length < QueryParser.HEADER_LENGTH - 2 || length > MAX_QUERY) {
      return;
    }
    byte[] key = new byte[length];
    query.getBytes(query.readerIndex() + 2, key);
    byte[] bytes = new byte[response.readableBytes()];
    response.getBytes(response.readerIndex(), bytes);
    int hash = hash(query, network);
    int slot = hash & (SLOTS - 2);
    Entry first = slots[slot];
    // an entry for the same key (stale by now) or an empty slot first, else the slot the hash picks
    if (first != null && !first.matches(query, network, hash)
        && (slots[slot + 1] == null || slots[slot + 1].matches(query, network, hash) || (hash & 0x10000) != 0)) {
      slot++;
    }
    slots[slot] = new Entry(key, network, hash, inputs, bytes, rcode, truncated);
  }

  private static int hash(ByteBuf query, long network) {
    int at = query.readerIndex() + 2;
    int end = query.writerIndex();
    long h = network;
    for (; at + 8 <= end; at += 8) {
      h = Hashing.mix64(h ^ query.getLong(at));
    }
    long tail = 0;
    for (; at < end; at++) {
      tail = tail << 8 | query.getUnsignedByte(at);
    }
    h = Hashing.mix64(h ^ tail ^ (long) end - query.readerIndex() << 56);
    return (int) (h ^ h >>> 32);
  }

  /** One cached response; immutable. */
  static final class Entry {
    private final byte[] key;
    private final long network;
    private final int hash;
    private final AnswerInputs.Frozen inputs;
    private final byte[] response;
    private final int rcode;
    private final boolean truncated;

    private Entry(byte[] key, long network, int hash, AnswerInputs.Frozen inputs, byte[] response, int rcode,
        boolean truncated) {
      this.key = key;
      this.network = network;
      this.hash = hash;
      this.inputs = inputs;
      this.response = response;
      this.rcode = rcode;
      this.truncated = truncated;
    }

    private boolean matches(ByteBuf query, long network, int hash) {
      if (this.hash != hash || this.network != network || key.length != query.readableBytes() - 2) {
        return false;
      }
      int at = query.readerIndex() + 2;
      for (int i = 0; i < key.length; i++) {
        if (key[i] != query.getByte(at + i)) {
          return false;
        }
      }
      return true;
    }

    /** Writes the response with {@code id} (the query's) at {@code out}'s writer index. */
    void writeTo(ByteBuf out, int id) {
      int start = out.writerIndex();
      out.writeBytes(response);
      out.setShort(start, id);
    }

    int rcode() {
      return rcode;
    }

    boolean truncated() {
      return truncated;
    }
  }
}
