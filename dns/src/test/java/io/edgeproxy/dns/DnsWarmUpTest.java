package io.edgeproxy.dns;

import static io.edgeproxy.dns.DnsHarness.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The warm-up's synthetic queries: well-formed, answered from the zone, covering the common name forms. */
class DnsWarmUpTest {
  @Test
  void coverAddressesServiceTheApexAndAMissingNameWithAndWithoutEdns() {
    RoutingState state = new RoutingState("sa", new LoadBoard());
    state.publish(RoutingData.of(Fixture.backends()));
    ZoneResolver resolver = new ZoneResolver("internal", state, List::of, System::nanoTime);
    DnsStats stats = new DnsStats();
    DnsResponder responder = new DnsResponder(resolver, new ClientLocator(new FixedGeoResolver(Map.of())), stats, 5, null);

    List<byte[]> messages = DnsWarmUp.messages(resolver.view(), List.of("internal"));
    // api and web: A, AAAA, SRV; db.main (dotted, no SRV name): A, AAAA; the apex; a missing name; each with and without OPT
    assertThat(messages).hasSize(2 * (3 + 3 + 2 + 2));
    for (byte[] m : messages) {
      ByteBuf in = Unpooled.wrappedBuffer(m);
      ByteBuf out = Unpooled.buffer();
      assertThat(responder.respond(in, ip("127.0.0.1"), false, out)).isTrue();
      in.release();
      out.release();
    }
    assertThat(stats.responsesTotal(Answer.NOERROR)).isEqualTo(18);
    assertThat(stats.responsesTotal(Answer.NXDOMAIN)).isEqualTo(2);
  }
}
