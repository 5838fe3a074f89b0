package io.edgeproxy.cache;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A stored response: status, header fields (hop-by-hop ones already removed), body and
 * {@link Freshness}, with the values the request had for each of the response's {@code Vary}
 * fields. Immutable once made; {@code headers} is never changed after construction.
 *
 * @param varyValues the request's value for each of {@code varyNames}, null where it had none
 */
public record CacheEntry(int status, HttpHeaders headers, Body body, Freshness freshness, List<String> varyNames,
    List<@Nullable String> varyValues) {
  /** Fixed cost per entry counted against the memory bound, besides body and header bytes. */
  static final int OVERHEAD = 256;

  /** Bytes counted against the memory bound. */
  public long weight() {
    long h = 0;
    for (var e : headers) {
      h += e.getKey().length() + e.getValue().length() + 4;
    }
    return OVERHEAD + h + (body instanceof MemoryBody ? body.length() : 0);
  }

  /** Does a request with {@code request}'s fields select this variant (RFC 9111 §4.1)? */
  public boolean matches(HttpHeaders request) {
    return selects(varyNames, varyValues, request);
  }

  /** Does a request with {@code request}'s fields select the variant stored with these Vary names and values? */
  static boolean selects(List<String> varyNames, List<@Nullable String> varyValues, HttpHeaders request) {
    for (int i = 0; i < varyNames.size(); i++) {
      if (!java.util.Objects.equals(varyValues.get(i), valueOf(request, varyNames.get(i)))) {
        return false;
      }
    }
    return true;
  }

  /** A request field's value as Vary compares it: all its lines joined, whitespace trimmed; null if absent. */
  public static @Nullable String valueOf(HttpHeaders request, String name) {
    List<String> lines = request.getAll(name);
    if (lines.isEmpty()) {
      return null;
    }
    var out = new StringBuilder();
    for (String line : lines) {
      for (String v : line.split(",")) {
        String t = v.strip();
        if (!t.isEmpty()) {
          out.append(out.isEmpty() ? "" : ",").append(t);
        }
      }
    }
    return out.toString();
  }

  /** The values {@code request} has for {@code names}. */
  public static List<@Nullable String> valuesOf(HttpHeaders request, List<String> names) {
    var out = new java.util.ArrayList<@Nullable String>(names.size());
    for (String n : names) {
      out.add(valueOf(request, n));
    }
    return java.util.Collections.unmodifiableList(out);
  }

  /** Is {@code other} the same variant (the same Vary names and values)? */
  boolean sameVariant(CacheEntry other) {
    return varyNames.equals(other.varyNames) && varyValues.equals(other.varyValues);
  }

  /** This entry with {@code other} as its body. */
  public CacheEntry withBody(Body other) {
    return new CacheEntry(status, headers, other, freshness, varyNames, varyValues);
  }

  /** This entry with its header fields and freshness refreshed by a 304 (RFC 9111 §4.3.4). */
  public CacheEntry refreshed(HttpHeaders updated, Freshness now) {
    return new CacheEntry(status, updated, body, now, varyNames, varyValues);
  }
}
