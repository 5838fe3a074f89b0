package io.edgeproxy.replication.protocol;

import io.edgeproxy.replication.wire.OriginClock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Origin clocks to and from their Protobuf form (rows: {@link WireRows}). Pure. */
final class WireCodec {
  private WireCodec() {}

  static List<OriginClock> clocks(Map<String, Long> byOrigin) {
    return byOrigin.entrySet().stream().map(e -> OriginClock.newBuilder().setOrigin(e.getKey()).setHlc(e.getValue()).build()).toList();
  }

  static Map<String, Long> clocks(List<OriginClock> wire) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (OriginClock c : wire) {
      out.merge(c.getOrigin(), c.getHlc(), Math::max);
    }
    return out;
  }
}

