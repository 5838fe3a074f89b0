package io.edgeproxy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * Any bytes through the whole answer path (parse, locate, resolve, write): never an exception,
 * never a SERVFAIL, and every response is well-formed and within the UDP size.
 *
 * <p>Plain {@code mvn verify} replays the seed corpus in {@code QueryFuzzTestInputs/} as a
 * regression test; {@code JAZZER_FUZZ=1 mvn -pl dns test -Dtest=QueryFuzzTest} fuzzes.
 */
class QueryFuzzTest {
  private static final InetAddress SENDER = DnsHarness.ip("200.160.2.3");
  private static final DnsStats STATS = new DnsStats();
  private static final DnsResponder RESPONDER = responder();

  private static DnsResponder responder() {
    RoutingState state = new RoutingState("sa", new LoadBoard());
    state.publish(RoutingData.of(Fixture.backends()));
    ZoneResolver resolver = new ZoneResolver("internal", state,
        () -> List.of(new Pop("gru-1", "sa", DnsHarness.ip("10.9.0.1"))), System::nanoTime);
    ClientLocator locator = new ClientLocator(new FixedGeoResolver(Map.of(DnsHarness.ip("200.160.2.0"), "BR")));
    return new DnsResponder(resolver, locator, STATS, 5, null);
  }

  /**
   * Walks a response as a resolver would: header counts, then every name (pointers only backwards,
   * RFC 1035 4.1.4) and record, ending exactly at the last byte. Netty's decoder is not the oracle:
   * it rejects labels that are not IDN-clean, which DNS allows and which the question echoes.
   */
  private static boolean wellFormed(ByteBuf m) {
    int qd = m.getUnsignedShort(4);
    int records = m.getUnsignedShort(6) + m.getUnsignedShort(8) + m.getUnsignedShort(10);
    int at = 12;
    for (int i = 0; i < qd + records && at >= 0; i++) {
      at = skipName(m, at);
      if (at < 0 || at + (i < qd ? 4 : 10) > m.readableBytes()) {
        return false;
      }
      at += i < qd ? 4 : 10 + m.getUnsignedShort(at + 8);
    }
    return at == m.readableBytes();
  }

  private static int skipName(ByteBuf m, int at) {
    while (at < m.readableBytes()) {
      int len = m.getUnsignedByte(at);
      if (len == 0) {
        return at + 1;
      }
      if ((len & 0xC0) == 0xC0) {
        return at + 1 < m.readableBytes() && ((len & 0x3F) << 8 | m.getUnsignedByte(at + 1)) < at ? at + 2 : -1;
      }
      at += len + 1;
    }
    return -1;
  }

  @FuzzTest(maxDuration = "60s")
  void anyPacketGetsAWellFormedAnswerOrNone(byte[] packet) {
    ByteBuf in = Unpooled.wrappedBuffer(packet);
    ByteBuf out = Unpooled.buffer();
    long servfails = STATS.responsesTotal(Answer.SERVFAIL);
    try {
      if (!RESPONDER.respond(in, SENDER, false, out)) {
        return;
      }
      assertThat(STATS.responsesTotal(Answer.SERVFAIL)).isEqualTo(servfails);
      assertThat(out.readableBytes()).isBetween(12, ResponseWriter.UDP_PAYLOAD);
      assertThat(out.getUnsignedShort(0)).as("the id is echoed").isEqualTo(packet[0] << 8 & 0xFF00 | packet[1] & 0xFF);
      assertThat(wellFormed(out)).as("every section parses to the last byte").isTrue();
    } finally {
      in.release();
      out.release();
    }
  }
}
